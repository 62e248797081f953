"""Closing a pay period (SPEC.md "Pay periods") with frozen totals and exports on S3.

Periods
-------
Windows come from the tenant's schedule (``payperiods.rules.schedule``: the frequency, default
biweekly, and when a change of frequency takes effect). A period *item* exists for every
window that holds a sale (the sale's transaction creates it, whatever the date: back-dated
entry and imports included), for windows that hold a clawback adjustment, and for the
window after a closed period (step 6). Each gets its integer id from the tenant's
``payperiod`` counter in the transaction that creates it (ids follow creation order, not
date order); an id never changes.

Closing (``close``)
-------------------
1. ``open -> closing`` (conditional update, under a 60 s lease). From then on the
   transactions that record, approve, reject or void a sale dated in the period fail
   their "period open" condition: 409.
2. Read every sale dated in the period from the date index (gsi1, eventually
   consistent) and check it against the period's counters kept by those transactions
   (``sales_count`` and ``revision``, the sum of the sales' revisions): equal means the
   index holds every sale at its latest version. Otherwise wait and read again (0.2 s
   doubling, about 6 s in all), then 409 "retry" with the period still "closing".
3. Clawback adjustments dated in the period (consistent Query), the technicians, and
   ``payroll.rules.statements``: per-technician totals (approved, non-voided sales earn
   commission; hours: time tracking does not exist yet, so 0 minutes; salaried
   technicians get ``base_pay_cents`` per period).
4. Freeze: the per-technician totals (``BatchWriteItem``), each technician's statement
   data (JSON), the CSV and the PDF to S3 under ``tenants/<tid>/pay-periods/<id>/``; the
   summary goes on the period item (``frozen_at``). Everything after this starts from the
   frozen data, never from the sales again.
5. One statement PDF per technician, each stored as soon as it is rendered. A request
   stops rendering after ``CLOSE_BUDGET_S`` (20 s; API Gateway gives up at 29 s),
   records which files exist and answers 409 "call close again": the next close renders
   only the missing ones.
6. The period after it is created (with its id, in its own transaction) unless it exists
   or ended before the tenant signed up, so that the periods a tenant closes one after
   the other follow on without a gap (salaried base pay is owed in a period without
   sales too) while closing back-dated history creates no empty old periods. Then
   ``closing -> closed`` with the files' keys, sizes and SHA-256.

Every step is idempotent. A close that stopped midway (timeout, crash) leaves the period
"closing"; the next close takes over once the lease ran out (at once when the failed
close could still give it up) and completes it. A close of a closed period returns the
frozen result and writes nothing. A period that has not ended yet (its last day is today
or later, in the tenant's timezone) cannot be closed (409). A closed period never
reopens. Rendering is deterministic, so a file written twice has the same bytes.
"""

from __future__ import annotations

import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict
from chalicelib.payperiods import service as periods
from chalicelib.payperiods.rules import PeriodWindow
from chalicelib.payperiods.service import PayPeriodItem
from chalicelib.payroll import render_csv, render_pdf, service, store
from chalicelib.payroll import rules as payroll
from chalicelib.payroll.service import CLOSED, CLOSING, OPEN, TenantContext
from chalicelib.platform import keys
from chalicelib.platform import storage as exports
from chalicelib.platform.tx import ConditionFailed
from chalicelib.sales import service as sales
from chalicelib.sales.service import SaleItem

log = logging.getLogger("tradekitt.pay_periods")
LEASE_S = 60
INDEX_RETRY_DELAYS = (0.2, 0.4, 0.8, 1.6, 3.2)
WAIT_FOR_OTHER_CLOSE_S = 10.0
# Rendering stops after this many seconds of a request (API Gateway answers after 29 s,
# the Lambda times out at 30 s); the next close continues where it stopped.
CLOSE_BUDGET_S = 20.0
_status, _window, _pid = periods.status, periods.window_of, service.id_of


def close(principal: Principal, period_id: int) -> dict[str, Any]:
    tid = principal.tenant_id
    item, ctx = service.resolve(tid, period_id)
    if _status(item) == CLOSED:
        return service.closed_result(item)
    window = _window(item)
    if _status(item) == OPEN and window.end >= ctx.today:
        raise Conflict(
            f"pay period {period_id} ({window.start}..{window.end}) has not ended "
            f"yet; it can be closed from {window.end + timedelta(days=1)}"
        )
    started = clock.monotonic()
    token = uuid.uuid4().hex
    item = _acquire(item, token, principal.user_id, started + WAIT_FOR_OTHER_CLOSE_S)
    if _status(item) == CLOSED:
        return service.closed_result(item)
    try:
        return _complete(item, ctx, token, started + CLOSE_BUDGET_S)
    except Exception:
        # the period stays "closing" (locked); let the next close take over at once
        try:
            periods.release(item, token)
        except Exception:  # noqa: BLE001 - the lease then simply runs out
            log.exception("could not release the close lease of pay period %s", period_id)
        raise


def _acquire(item: PayPeriodItem, token: str, actor: int, wait_until: float) -> PayPeriodItem:
    """Take the close lease: open -> closing, or take over a stopped close. Returns the
    item (closed when another close finished meanwhile)."""
    while True:
        now = clock.time()
        try:
            if _status(item) == OPEN:
                return periods.begin_close(
                    item, token, int(now) + LEASE_S, clock.iso_utc(clock.now(), "seconds"), actor
                )
            if _status(item) == CLOSING and int(item.lease_until or 0) < now:
                return periods.take_over(item, token, int(now) + LEASE_S, actor)
        except ConditionFailed:
            pass
        item.refresh(consistent_read=True)
        if _status(item) == CLOSED:
            return item
        if _status(item) == CLOSING and int(item.lease_until or 0) >= clock.time():
            # another request is closing it right now: wait for its result
            if clock.monotonic() > wait_until:
                raise Conflict(
                    f"pay period {_pid(item)} is being closed by another "
                    "request; retry in a few seconds"
                )
            clock.sleep(0.25)
            item.refresh(consistent_read=True)
            if _status(item) == CLOSED:
                return item


def _complete(
    item: PayPeriodItem, ctx: TenantContext, token: str, deadline: float
) -> dict[str, Any]:
    """Steps 2-6 for the lease holder. Freezing (totals, statement data, CSV and PDF)
    happens once; the statement PDFs are rendered next, each stored as soon as it is
    rendered, and a close that runs out of its time budget records its progress and asks
    to be called again (409): the next close renders only what is missing."""
    period_id = _pid(item)
    if item.frozen_at is None:
        statements, item = _freeze(item, ctx, token)
    else:
        statements = _frozen_statements(item)
    records = dict(item.exports or {})
    done: dict[str, Any] = dict(records.get("statements") or {})
    period = service.renderer_period(item, CLOSED)
    todo = [st for st in statements if str(st.technician_id) not in done]
    with ThreadPoolExecutor(max_workers=4) as pool:  # store while the next one renders
        pending = []
        for st in todo:
            if clock.monotonic() > deadline:
                break
            file = exports.ExportFile(
                keys.statement_file_key(ctx.tenant_id, period_id, st.technician_id, "pdf"),
                _statement_pdf(ctx, period, st),
                exports.PDF,
            )
            pending.append((st.technician_id, file, pool.submit(exports.put, file)))
        for tech_id, file, future in pending:
            future.result()
            done[str(tech_id)] = file.record()
    records["statements"] = done
    if len(done) < len(statements):
        periods.save_exports(item, token, records)
        raise Conflict(
            f"pay period {period_id} is still closing: {len(done)} of "
            f"{len(statements)} statements written; call close again to "
            "continue (the totals are already frozen)"
        )
    following = ctx.schedule.next_window(_window(item))
    if ctx.since is None or following.end >= ctx.since:
        periods.ensure(ctx.tenant_id, following)
    try:
        item = periods.finish_close(item, token, records, clock.iso_utc(clock.now(), "seconds"))
    except ConditionFailed:
        item.refresh(consistent_read=True)
        if _status(item) != CLOSED:
            raise Conflict(
                f"pay period {period_id} is being closed by another request; retry in a few seconds"
            ) from None
        return service.closed_result(item)
    log.info(
        "closed pay period %s of %s: %d technicians", period_id, ctx.tenant_id, len(statements)
    )
    return service.detail(item, [s.totals for s in statements], dict(item.summary or {}))


def _freeze(
    item: PayPeriodItem, ctx: TenantContext, token: str
) -> tuple[list[payroll.Statement], PayPeriodItem]:
    """Read the locked period's sales and adjustments, compute the statements, write the
    frozen totals (BatchWriteItem), the statement data, CSV and PDF (S3), then record the
    summary on the period."""
    tid, window, period_id = ctx.tenant_id, _window(item), _pid(item)
    found = _complete_sales(item, window)
    statements = service.period_statements(tid, window, found, consistent=True)
    summary = service.period_summary(statements, found)
    period = service.renderer_period(item, CLOSED)
    totals = [s.totals for s in statements]
    csv_file = exports.ExportFile(
        keys.period_file_key(tid, period_id, "pay-period.csv"),
        render_csv.pay_period_csv(period, totals),
        exports.CSV,
    )
    pdf_file = exports.ExportFile(
        keys.period_file_key(tid, period_id, "pay-period.pdf"),
        render_pdf.pay_period_pdf(ctx.branding, period, totals),
        exports.PDF,
    )
    data = [
        exports.ExportFile(
            keys.statement_file_key(tid, period_id, st.technician_id, "json"),
            _json_bytes(st.to_dict()),
            exports.JSON,
        )
        for st in statements
    ]
    store.write_totals(
        tid,
        window.key,
        [
            {
                "totals": s.totals.to_dict(),
                "lines_count": len(s.lines),
                "adjustments_count": len(s.adjustments),
            }
            for s in statements
        ],
    )
    exports.put_all([csv_file, pdf_file, *data])
    records = {
        "csv": csv_file.record(),
        "pdf": pdf_file.record(),
        "statements": {},
        "statement_data": {
            str(st.technician_id): f.record() for st, f in zip(statements, data, strict=True)
        },
    }
    item = periods.mark_frozen(item, token, summary, records, clock.iso_utc(clock.now(), "seconds"))
    return statements, item


def _frozen_statements(item: PayPeriodItem) -> list[payroll.Statement]:
    """The statements a previous (interrupted) close froze, from S3."""
    result = []
    for tech_id in sorted((item.exports or {}).get("statement_data") or {}, key=int):
        statement = service.frozen_statement(item, int(tech_id))
        if statement is None:
            raise RuntimeError(f"frozen statement data of technician {tech_id} is missing")
        result.append(statement)
    return result


def _complete_sales(item: PayPeriodItem, window: PeriodWindow) -> list[SaleItem]:
    """Every sale dated in the (locked) period at its latest version. The date index is
    eventually consistent: its view is accepted once it matches the counters that the
    sales' transactions kept on the period item."""
    expected_count, expected_revision = int(item.sales_count or 0), int(item.revision or 0)
    found: list[SaleItem] = []
    for delay in (0.0, *INDEX_RETRY_DELAYS):
        if delay:
            clock.sleep(delay)
        found = service._sales_in(item.tenant_id, window)
        count = len(found)
        revision = sum(int(s.revision or 1) for s in found)
        if count == expected_count and revision == expected_revision:
            return found
        if count > expected_count:
            # sales this period never counted (recorded before the counters existed):
            # the index cannot tell their versions, so read them all consistently
            return sales.reread(item.tenant_id, found)
    raise Conflict(
        f"pay period {_pid(item)}: the sales index has not caught up with the "
        f"latest changes yet (found {len(found)} of {expected_count} sales); the "
        "period stays locked, retry the close in a few seconds"
    )


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _statement_pdf(
    ctx: TenantContext, period: dict[str, Any], statement: payroll.Statement
) -> bytes:
    t = statement.totals
    return render_pdf.commission_statement_pdf(
        ctx.branding,
        period,
        {"name": t.technician_name, "pay_type": t.pay_type},
        payroll.statement_rows(statement),
        payroll.adjustment_rows(statement),
        t,
    )
