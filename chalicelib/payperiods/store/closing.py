"""The close's transitions of a period item: open -> closing under a lease, the lease's
take-over and release, the frozen totals and files, closing -> closed."""

from __future__ import annotations

from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.core import clock
from chalicelib.payperiods.store.items import CLOSED, CLOSING, OPEN, ROLLUP, PayPeriodItem
from chalicelib.platform import rollups
from chalicelib.platform.tx import ConditionFailed, labelled, labelled_transaction


# --- the close's transitions -----------------------------------------------------------------
def _update(item: PayPeriodItem, actions: list[Any], condition: Condition) -> PayPeriodItem:
    with labelled("period"):
        item.update(actions=actions, condition=condition)
    return item


def _as_counted(item: PayPeriodItem) -> Condition:
    """The item is counted in the lists' rollup, or not, as it was read."""
    return (
        (PayPeriodItem.listed == True)  # noqa: E712 - a DynamoDB condition, not a test
        if item.listed
        else PayPeriodItem.listed.does_not_exist()
    )


def _transition(
    item: PayPeriodItem, actions: list[Any], condition: Condition, old: str, new: str
) -> None:
    """Status ``old`` -> ``new``: the item's update (``ConditionFailed`` labelled "period")
    and, when the item is counted, the move of its count, in one transaction."""
    with labelled_transaction() as tx:
        tx.update("period", item, actions, condition=condition & _as_counted(item))
        if item.listed:
            rollups.move(tx, str(item.tenant_id), ROLLUP, (item.sk, old), (item.sk, new))


def begin_close(
    item: PayPeriodItem, token: str, lease_until: int, started_at: str, actor: int | None
) -> PayPeriodItem:
    """open -> closing under a lease (``ConditionFailed`` when it is no longer open).
    From here on no sale dated in the period can be recorded or changed. Returns the item
    read again (consistent): its counters as they are once locked, which the close checks
    the sales against."""
    P = PayPeriodItem
    _transition(
        item,
        [
            P.status.set(CLOSING),
            P.close_token.set(token),
            P.lease_until.set(lease_until),
            P.closing_started_at.set(started_at),
            P.closed_by.set(actor) if actor is not None else P.closed_by.remove(),
        ],
        P.status == OPEN,
        OPEN,
        CLOSING,
    )
    item.refresh(consistent_read=True)
    return item


def take_over(
    item: PayPeriodItem, token: str, lease_until: int, actor: int | None
) -> PayPeriodItem:
    """Resume a close whose closer stopped (its lease ran out)."""
    P = PayPeriodItem
    actions = [P.close_token.set(token), P.lease_until.set(lease_until)]
    if actor is not None:
        actions.append(P.closed_by.set(actor))
    return _update(item, actions, (P.status == CLOSING) & (P.lease_until < int(clock.time())))


def release(item: PayPeriodItem, token: str) -> None:
    """Give the lease up after a failed attempt, so the next close may take over at once
    (best effort: an expired lease does the same)."""
    P = PayPeriodItem
    try:
        _update(item, [P.lease_until.set(0)], _holder(token))
    except ConditionFailed:
        pass


def _holder(token: str) -> Condition:
    return (PayPeriodItem.status == CLOSING) & (PayPeriodItem.close_token == token)


def mark_frozen(
    item: PayPeriodItem,
    token: str,
    summary: dict[str, Any],
    exports: dict[str, Any],
    frozen_at: str,
) -> PayPeriodItem:
    """The totals and statement data are written: later steps (and a resumed close)
    start from them, never from the sales again."""
    P = PayPeriodItem
    return _update(
        item,
        [P.summary.set(summary), P.exports.set(exports), P.frozen_at.set(frozen_at)],
        _holder(token),
    )


def save_exports(item: PayPeriodItem, token: str, exports: dict[str, Any]) -> PayPeriodItem:
    """Record the files written so far (a resumed close skips them)."""
    return _update(item, [PayPeriodItem.exports.set(exports)], _holder(token))


def finish_close(
    item: PayPeriodItem, token: str, exports: dict[str, Any], closed_at: str
) -> PayPeriodItem:
    """closing -> closed, by the lease holder only (``ConditionFailed`` otherwise). A
    period that ``backfill`` counted meanwhile is read again and moved as it now is."""
    P = PayPeriodItem
    actions = [
        P.status.set(CLOSED),
        P.exports.set(exports),
        P.closed_at.set(closed_at),
        P.lease_until.remove(),
    ]
    for _ in range(3):
        try:
            _transition(item, actions, _holder(token), CLOSING, CLOSED)
            break
        except ConditionFailed:
            counted = bool(item.listed)
            item.refresh(consistent_read=True)
            if item.status != CLOSING or item.close_token != token or bool(item.listed) == counted:
                raise
    else:
        raise ConditionFailed(["period"])
    item.status, item.exports, item.closed_at, item.lease_until = CLOSED, exports, closed_at, None
    return item
