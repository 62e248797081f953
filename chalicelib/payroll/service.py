"""Pay periods (SPEC.md "Pay periods"): listing them and their per-technician totals,
frozen once a period is closed (``payroll.close``), computed live from its sales before.
Statements and exports are in ``payroll.documents``.

Windows come from the tenant's schedule (``payperiods.rules.schedule``: the frequency,
default biweekly, and when a change of frequency takes effect). A period *item* exists for
every window that holds a sale (the sale's transaction creates it, whatever the date:
back-dated entry and imports included), for windows that hold a clawback adjustment, and
for the window after a closed period (the close creates it). Each gets its integer id
from the tenant's ``payperiod`` counter in the transaction that creates it, so ids follow
creation order, not date order; an id never changes. Reading (the lists, a period, its
statements and exports) writes nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import NotFound
from chalicelib.core.pagination import PageRequest
from chalicelib.payperiods import service as periods
from chalicelib.payperiods.rules import PeriodWindow, Schedule
from chalicelib.payperiods.service import PayPeriodItem
from chalicelib.payroll import rules as payroll
from chalicelib.payroll import store
from chalicelib.payroll.rules import TechnicianTotals
from chalicelib.platform import keys
from chalicelib.platform import storage as exports
from chalicelib.sales import service as sales
from chalicelib.sales.models import view as sale_view
from chalicelib.sales.service import SaleItem
from chalicelib.settings import service as settings
from chalicelib.technicians import service as technicians

log = logging.getLogger("tradekitt.pay_periods")
OPEN, CLOSING, CLOSED = periods.OPEN, periods.CLOSING, periods.CLOSED


# --- context ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TenantContext:
    tenant_id: str
    settings: dict[str, Any]
    signed_up: datetime | None = None

    @property
    def since(self) -> date | None:
        """The tenant's first day (in its timezone)."""
        if self.signed_up is None:
            return None
        return clock.today_in(self.settings.get("timezone"), self.signed_up)

    @property
    def schedule(self) -> Schedule:
        return periods.schedule(self.settings)

    @property
    def today(self) -> date:
        return clock.today_in(self.settings.get("timezone"))

    @property
    def branding(self) -> dict[str, Any]:
        return dict(self.settings.get("branding") or {})


def context(tenant_id: str, tenant: Any) -> TenantContext:
    return TenantContext(tenant_id, settings.effective(tenant), tenant.created_at)


_window, _status = periods.window_of, periods.status


def id_of(item: PayPeriodItem) -> int:
    return int(item.period_id)


# --- views -----------------------------------------------------------------------------------
def period_view(item: PayPeriodItem) -> dict[str, Any]:
    """A period as the list shows it; ``totals`` only once closed (frozen)."""
    closed = _status(item) == CLOSED
    return {
        "id": id_of(item),
        "start_date": item.start_date,
        "end_date": item.end_date,
        "frequency": item.frequency,
        "status": _status(item),
        "sales_recorded": int(item.sales_count or 0),
        "closed_at": item.closed_at if closed else None,
        "closed_by": int(item.closed_by) if closed and item.closed_by is not None else None,
        "totals": dict(item.summary) if closed and item.summary else None,
    }


def detail(
    item: PayPeriodItem, totals: list[TechnicianTotals], summary: dict[str, Any] | None
) -> dict[str, Any]:
    view = period_view(item)
    view["totals"] = summary
    view["technicians"] = totals
    view["exports"] = _exports_view(item) if _status(item) == CLOSED else None
    return view


def _exports_view(item: PayPeriodItem) -> dict[str, Any]:
    files = dict(item.exports or {})
    return {
        "pay_period_csv": files.get("csv"),
        "pay_period_pdf": files.get("pdf"),
        "statements": files.get("statements") or {},
    }


def renderer_period(item: PayPeriodItem, status: str | None = None) -> dict[str, Any]:
    return {
        "id": id_of(item),
        "start": item.start_date,
        "end": item.end_date,
        "status": status or _status(item),
    }


# --- finding periods -------------------------------------------------------------------------
def list_periods(
    principal: Principal,
    request: PageRequest,
    *,
    status: str | None = None,
    day: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, Any]:
    """One page of the tenant's periods, newest first (``payperiods.listing``): those
    holding ``day``, overlapping ``date_from``..``date_to``, with ``status``. Reads the
    settings (one GetItem: the schedule turns the dates into start-date bounds), the
    counts and the page; writes nothing."""
    tid = principal.tenant_id
    ctx = context(tid, settings.get(tid))
    low, high = periods.bounds(ctx.schedule, day, date_from, date_to)
    body = periods.page(tid, request, status=status, low=low, high=high)
    # a period created before ids were given at creation has none until the deploy's
    # backfill ran (payperiods.service.backfill)
    body["items"] = [period_view(i) for i in body["items"] if i.period_id is not None]
    return body


def resolve(tenant_id: str, period_id: int) -> tuple[PayPeriodItem, TenantContext]:
    item, tenant = periods.by_id(tenant_id, period_id)
    if item is None:
        raise NotFound(f"pay period {period_id} not found")
    return item, context(tenant_id, tenant)


# --- totals ----------------------------------------------------------------------------------
def _minutes_worked(tenant_id: str, window: PeriodWindow) -> dict[int, int]:
    """Minutes worked per technician in the window. Time tracking is not built yet, so
    every technician has 0 minutes (hourly technicians' base pay is then 0)."""
    return {}


def roster(tenant_id: str) -> list[dict[str, Any]]:
    """The technicians as the payroll rules read them."""
    return [
        {
            "id": int(t.technician_id),
            "name": t.name,
            "pay_type": t.pay_type,
            "base_pay_cents": int(t.base_pay_cents or 0),
            "active": bool(t.active),
        }
        for t in technicians.list_all(tenant_id)
    ]


def _sales_in(tenant_id: str, window: PeriodWindow) -> list[SaleItem]:
    return sales.in_window(tenant_id, window.key, window.end.isoformat())


def period_statements(
    tenant_id: str, window: PeriodWindow, found: list[SaleItem], consistent: bool = False
) -> list[payroll.Statement]:
    adjustments = periods.adjustments_between(tenant_id, window.start, window.end, consistent)
    return payroll.statements(
        roster(tenant_id),
        [sale_view(s) for s in found],
        adjustments,
        _minutes_worked(tenant_id, window),
    )


def period_summary(statements: list[payroll.Statement], found: list[SaleItem]) -> dict[str, Any]:
    return {
        **payroll.summary(s.totals for s in statements),
        "sales_recorded": len(found),
        "pending_sales": sum(1 for s in found if s.approval_status == "pending" and not s.voided),
    }


def live(item: PayPeriodItem) -> tuple[list[payroll.Statement], dict[str, Any]]:
    """An open period's statements and summary, computed from its sales now."""
    tid = item.tenant_id
    found = _sales_in(tid, _window(item))
    statements = period_statements(tid, _window(item), found)
    return statements, period_summary(statements, found)


def _frozen(item: PayPeriodItem) -> list[TechnicianTotals]:
    return [
        TechnicianTotals.from_dict(row.totals)
        for row in store.frozen_totals(item.tenant_id, item.sk)
    ]


def get_period(principal: Principal, period_id: int) -> dict[str, Any]:
    """The period with per-technician totals: frozen once closed, computed live before."""
    item, _ = resolve(principal.tenant_id, period_id)
    if _status(item) == CLOSED:
        return closed_result(item)
    statements, summary = live(item)
    return detail(item, [s.totals for s in statements], summary)


def frozen_statement(item: PayPeriodItem, technician_id: int) -> payroll.Statement | None:
    """A technician's statement as the close froze it (S3), or None."""
    raw = exports.get(keys.statement_file_key(item.tenant_id, id_of(item), technician_id, "json"))
    return None if raw is None else payroll.Statement.from_dict(json.loads(raw))


def closed_result(item: PayPeriodItem) -> dict[str, Any]:
    return detail(item, _frozen(item), dict(item.summary) if item.summary else None)
