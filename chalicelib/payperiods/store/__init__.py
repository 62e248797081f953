"""Pay period items, their integer ids, the close transitions, and the signed commission
adjustments dated in periods.

Keys (``platform.keys``): the period ``T#<tid>#PAYPERIOD`` / ``<first day>``; the id pointer
``T#<tid>#PAYPERIODID`` / ``<id>``; adjustments ``T#<tid>#ADJUSTMENT`` /
``<effective date>#SALE#<id>#<role>``.

``status`` is "open" | "closing" | "closed"; a missing item means open. Anything that
records or changes a sale dated in a period does so in a transaction that *touches* the
period item (``touch``: requires it open and counts the change), so a period that left
"open" can no longer gain or change sales, and the period's counters say how many sales
(and sale revisions) closing must find.

A period is created with its integer id, in the transaction of the write that needs it
(a sale dated in it, a clawback adjustment dated in it, the close of the period before
it): the writer read the period and the ``payperiod`` counter in its own consistent
batch (``PeriodRead``); when the period is new, ``touch`` puts it with id ``counter + 1``
(a compare-and-set claim on the counter), its id pointer, and its count in the lists'
rollup (``ROLLUP``). A writer that loses the race for the id or the item fails with
``NEW_PERIOD_LABELS`` and reads again. Every status change (open -> closing -> closed)
moves the period's count from one facet to the other in the same transaction. Periods
created before ids were given at creation get theirs, and their count, from
``backfill`` (once, at deploy time); ``listed`` says a period is counted.

The ledger lives in this package's modules by job (``items``: the items, constants and
keys; ``periods``: reads, create/touch/check and ``backfill``; ``closing``: the close's
transitions; ``adjustments``); every public name is re-exported here, so callers use
``store.<name>``.
"""

from __future__ import annotations

from chalicelib.payperiods.store.adjustments import (
    add_adjustment,
    adjustments_between,
    new_adjustment,
)
from chalicelib.payperiods.store.closing import (
    begin_close,
    finish_close,
    mark_frozen,
    release,
    save_exports,
    take_over,
)
from chalicelib.payperiods.store.items import (
    CLOSED,
    CLOSING,
    DAY,
    ID_COUNTER,
    NEW_PERIOD,
    NEW_PERIOD_LABELS,
    OPEN,
    PERIOD_COUNTER,
    PERIOD_POINTER,
    ROLLUP,
    YEAR,
    AdjustmentItem,
    PayPeriodItem,
    PayPeriodPointerItem,
    counter_ref,
    entry,
    key_of,
    new_item,
    new_pointer,
    ref,
)
from chalicelib.payperiods.store.periods import (
    PeriodRead,
    backfill,
    by_pointer,
    check_closed,
    closed_condition,
    create,
    get,
    list_all,
    open_condition,
    pointer_ref,
    read,
    read_of,
    status_of,
    touch,
)

__all__ = [
    "OPEN",
    "CLOSING",
    "CLOSED",
    "ID_COUNTER",
    "DAY",
    "YEAR",
    "ROLLUP",
    "NEW_PERIOD",
    "PERIOD_COUNTER",
    "PERIOD_POINTER",
    "NEW_PERIOD_LABELS",
    "AdjustmentItem",
    "PayPeriodItem",
    "PayPeriodPointerItem",
    "key_of",
    "ref",
    "counter_ref",
    "new_item",
    "new_pointer",
    "entry",
    "read",
    "create",
    "touch",
    "backfill",
    "get",
    "PeriodRead",
    "read_of",
    "open_condition",
    "closed_condition",
    "check_closed",
    "status_of",
    "list_all",
    "pointer_ref",
    "by_pointer",
    "release",
    "begin_close",
    "take_over",
    "mark_frozen",
    "save_exports",
    "finish_close",
    "new_adjustment",
    "add_adjustment",
    "adjustments_between",
]
