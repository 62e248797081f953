"""A period's documents: technicians' commission statements (JSON and PDF), the period's
CSV and PDF, and the commission and sales reports over a date range.

A closed period's files are the ones its close wrote (served byte for byte from S3); an
open period's are rendered live from the current numbers, and a copy of every live
export is kept in the exports bucket (``platform.keys`` section "exports").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock, roles
from chalicelib.core.auth import Principal
from chalicelib.core.errors import NotFound
from chalicelib.payperiods import service as periods
from chalicelib.payroll import close as closing
from chalicelib.payroll import render_csv, render_pdf, service
from chalicelib.payroll import rules as payroll
from chalicelib.payroll.service import CLOSED, PayPeriodItem
from chalicelib.platform import keys
from chalicelib.platform import storage as exports
from chalicelib.sales import service as sales
from chalicelib.sales.models import SaleFilter
from chalicelib.sales.models import view as sale_view
from chalicelib.technicians import service as technicians

OWN_STATEMENTS_ONLY = "technicians can see only their own commission statements"


@dataclass(frozen=True)
class Download:
    body: bytes
    content_type: str
    filename: str


def _keep(tenant_id: str, filename: str, body: bytes, content_type: str) -> Download:
    """Serve a live export and keep a copy of it in the bucket."""
    exports.keep_copy(
        exports.ExportFile(
            keys.export_copy_key(tenant_id, filename, clock.now()), body, content_type
        )
    )
    return Download(body, content_type, filename)


def _no_statement(technician_id: int, period_id: int) -> NotFound:
    return NotFound(f"technician {technician_id} has no statement in pay period {period_id}")


# --- statements ----------------------------------------------------------------------------
def _statement(item: PayPeriodItem, technician_id: int) -> payroll.Statement:
    """One technician's statement: frozen (S3) when closed, else computed live."""
    if periods.status(item) == CLOSED:
        frozen = service.frozen_statement(item, technician_id)
        if frozen is None:
            raise _no_statement(technician_id, int(item.period_id))
        return frozen
    technicians.get(item.tenant_id, technician_id)
    statements, _ = service.live(item)
    for statement in statements:
        if statement.technician_id == technician_id:
            return statement
    raise _no_statement(technician_id, int(item.period_id))


def _allowed(principal: Principal, technician_id: int) -> None:
    """Back office (``payroll:write``) sees every statement; a technician user only their
    own (403 otherwise)."""
    accounts.require_own(
        principal, technician_id, unless=roles.PAYROLL, refusal=OWN_STATEMENTS_ONLY
    )


def statement(principal: Principal, technician_id: int, period_id: int) -> dict[str, Any]:
    _allowed(principal, technician_id)
    item, _ = service.resolve(principal.tenant_id, period_id)
    st = _statement(item, technician_id)
    view = service.period_view(item)
    return {
        "period": {k: view[k] for k in ("id", "start_date", "end_date", "frequency", "status")},
        "technician_id": technician_id,
        "technician_name": st.totals.technician_name,
        "frozen": periods.status(item) == CLOSED,
        **st.to_dict(),
    }


def statement_pdf(principal: Principal, technician_id: int, period_id: int) -> Download:
    _allowed(principal, technician_id)
    item, ctx = service.resolve(principal.tenant_id, period_id)
    filename = f"commission-statement-{technician_id}-{period_id}.pdf"
    if periods.status(item) == CLOSED:
        body = exports.get(keys.statement_file_key(ctx.tenant_id, period_id, technician_id, "pdf"))
        if body is None:
            raise _no_statement(technician_id, period_id)
        return Download(body, exports.PDF, filename)
    body = closing._statement_pdf(
        ctx, service.renderer_period(item), _statement(item, technician_id)
    )
    return _keep(ctx.tenant_id, filename, body, exports.PDF)


# --- period exports --------------------------------------------------------------------------
def _period_file(principal: Principal, period_id: int, name: str) -> Download:
    item, ctx = service.resolve(principal.tenant_id, period_id)
    ext = name.rsplit(".", 1)[1]
    filename = f"pay-period-{period_id}.{ext}"
    content_type = exports.CSV if ext == "csv" else exports.PDF
    if periods.status(item) == CLOSED:
        body = exports.get(keys.period_file_key(ctx.tenant_id, period_id, name))
        if body is None:
            raise NotFound(f"pay period {period_id} has no frozen {ext.upper()} export")
        return Download(body, content_type, filename)
    statements, _ = service.live(item)
    totals = [s.totals for s in statements]
    period = service.renderer_period(item)
    body = (
        render_csv.pay_period_csv(period, totals)
        if ext == "csv"
        else render_pdf.pay_period_pdf(ctx.branding, period, totals)
    )
    return _keep(ctx.tenant_id, filename, body, content_type)


def pay_period_csv(principal: Principal, period_id: int) -> Download:
    return _period_file(principal, period_id, "pay-period.csv")


def pay_period_pdf(principal: Principal, period_id: int) -> Download:
    return _period_file(principal, period_id, "pay-period.pdf")


# --- reports over a date range ----------------------------------------------------------------
def commission_report_csv(
    principal: Principal,
    date_from: date | None,
    date_to: date | None,
    technician_id: int | None = None,
) -> Download:
    """Commission lines of the sales that earn (approved, not voided) dated in the range."""
    tid = principal.tenant_id
    found = sales.approved_between(
        tid, date_from.isoformat() if date_from else None, date_to.isoformat() if date_to else None
    )
    names = {t["id"]: t["name"] for t in service.roster(tid)}
    rows = payroll.commission_report_rows([sale_view(s) for s in found], names)
    if technician_id is not None:
        rows = [r for r in rows if r["technician_id"] == technician_id]
    span = f"{date_from or 'start'}-to-{date_to or 'today'}"
    return _keep(
        tid, f"commission-report-{span}.csv", render_csv.commission_report_csv(rows), exports.CSV
    )


def sales_csv(principal: Principal, flt: SaleFilter) -> Download:
    """Every sale matching the filters (as ``GET /sales``), oldest first."""
    found = sales.every_match(principal, flt)
    rows = payroll.sales_rows([sale_view(s) for s in found])
    return _keep(principal.tenant_id, "sales.csv", render_csv.sales_csv(rows), exports.CSV)
