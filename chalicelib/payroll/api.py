"""``/admin/pay-periods``: pay periods, their per-technician totals and closing them
(``payroll:write``: admins and managers); ``/tech/pay-periods``: a technician's own
statements.

Periods follow the tenant's ``pay_period_frequency`` (default biweekly; weekly windows
start on Mondays, biweekly ones every other Monday from 2024-01-01, semimonthly the 1st
and 16th, monthly the 1st). A change of frequency takes effect the day after the current
period ends: no existing period ever changes its dates (``pay_period_schedule`` in the
settings shows the segments). A period exists once something created it: a sale dated
in it (also long before the tenant signed up), a clawback adjustment dated in it, or the
close of the period before it (unless that one ended before the tenant signed up); so the
current period is listed once it holds a sale or the previous one was closed. Ids are
integers given to periods as they are created, so they follow creation order, not date
order; they never change. Listing and reading periods writes nothing.

Exports: CSV and PDF files. They bypass the JSON envelope (errors still use it) and keep a
copy in the exports bucket under ``tenants/<tenant_id>/``.

* CSV: ``text/csv; charset=utf-8``, UTF-8 without BOM, ``\\r\\n`` line ends; money in
  dollars with two decimals ("1234.56", "-12.34"); text a spreadsheet would run as a
  formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) gets a leading ``'``.
* PDF: ``application/pdf``, branded with the business's display name and primary colour.
  Send an ``Accept`` header that allows it (curl's default ``*/*`` does, and so does
  ``application/pdf``); without one the gateway cannot return binary data (400).

A closed pay period's files are the ones its close wrote (served byte for byte from S3);
an open period's are rendered live from the current numbers.
"""

from __future__ import annotations

from typing import Any, Literal

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.accounts import service as accounts
from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, Raw, endpoint
from chalicelib.core.schemas import DateRange, IdQuery, IsoDate, Out, page_of
from chalicelib.payroll import close as closing
from chalicelib.payroll import documents
from chalicelib.payroll import service as pay_periods
from chalicelib.payroll.rules import TechnicianTotals
from chalicelib.sales.models import SaleFilter

bp = Blueprint(__name__)
TAG = "pay-periods"
Status = Literal["open", "closing", "closed"]


class PeriodsQuery(DateRange):
    date_from: IsoDate | None = Field(
        default=None, description="periods ending on or after this day"
    )
    date_to: IsoDate | None = Field(
        default=None, description="periods starting on or before this day"
    )
    status: Status | None = Field(default=None, description="open, closing or closed")
    date: IsoDate | None = Field(default=None, description="the period holding this day")


class PeriodTotalsOut(Out):
    """Sums over the period's technicians (money in cents, hours in minutes)."""

    technician_count: int
    sales_count: int
    sales_cents: int
    commission_cents: int
    adjustments_cents: int
    hours_minutes: int
    base_pay_cents: int
    total_pay_cents: int
    sales_recorded: int
    pending_sales: int


class StatementPeriodOut(Out):
    # the period as a technician sees it: the keys below and nothing else
    model_config = ConfigDict(extra="ignore")

    id: int
    start_date: str
    end_date: str
    frequency: str | None
    status: str


class PeriodOut(StatementPeriodOut):
    sales_recorded: int
    closed_at: str | None
    closed_by: int | None
    totals: PeriodTotalsOut | None


class PeriodDetailOut(PeriodOut):
    technicians: list[TechnicianTotals]
    exports: dict[str, Any] | None


class StatementOut(Out):
    period: StatementPeriodOut
    technician_id: int
    technician_name: str
    frozen: bool
    totals: TechnicianTotals
    lines: list[dict[str, Any]]
    adjustments: list[dict[str, Any]]


def _periods(req: ApiRequest) -> dict[str, Any]:
    q: PeriodsQuery = req.query
    return pay_periods.list_periods(
        req.user,
        req.page,  # type: ignore[arg-type]
        status=q.status,
        day=q.date,
        date_from=q.date_from,
        date_to=q.date_to,
    )


@endpoint(
    bp,
    "/admin/pay-periods",
    "GET",
    summary="List pay periods",
    tag=TAG,
    permission=roles.PAYROLL,
    query=PeriodsQuery,
    response=page_of(PeriodOut),
    paginated=True,
)
def list_pay_periods(req: ApiRequest) -> Any:
    """Newest first (by start date). Filters: ``status``, ``date`` (the period holding
    that day), ``date_from``/``date_to`` (periods overlapping the range). ``totals`` is
    set once a period is closed (its frozen sums). ``total`` is exact; pass a page's
    ``next_cursor`` as ``cursor`` to walk on at the same cost per page."""
    return _periods(req)


@endpoint(
    bp,
    "/admin/pay-periods/{period_id}",
    "GET",
    summary="Get a pay period",
    tag=TAG,
    permission=roles.PAYROLL,
    response=PeriodDetailOut,
)
def get_pay_period(req: ApiRequest) -> Any:
    """Per-technician totals: approved, non-voided sales and their commission
    (``sales_count``/``sales_cents`` count the sales a technician sold; installer
    commission adds to ``commission_cents``), clawback adjustments dated in the period
    (negative), hours (0: time tracking is not available yet) and base pay (hourly: rate
    x hours; salary: ``base_pay_cents`` per period), and ``total_pay_cents``. Frozen once
    the period is closed; computed live before. Every active technician is listed, and any
    other with sales or adjustments in the period."""
    return pay_periods.get_period(req.user, req.int_param("period_id"))


@endpoint(
    bp,
    "/admin/pay-periods/{period_id}/close",
    "PATCH",
    summary="Close a pay period",
    tag=TAG,
    permission=roles.PAYROLL,
    response=PeriodDetailOut,
)
def close_pay_period(req: ApiRequest) -> Any:
    """Atomic and idempotent. Locks the period (from here on no sale dated in it can be
    recorded, approved, rejected or voided: 409; payment status stays editable; voiding
    afterwards claws the commission back in the open period), freezes the per-technician
    totals, writes the CSV, the PDF and one statement PDF per technician to the exports
    bucket (``tenants/<tenant_id>/pay-periods/<id>/``), then marks it closed. Closing a
    closed period returns the same frozen result and changes nothing. 409 when the period
    has not ended yet (its last day is today or later in the business's timezone), while
    another request is closing it, or when the sales index is still catching up (retry;
    a close that stopped midway is completed by the next one). A closed period never
    reopens. Pending sales do not earn in a closed period (``pending_sales`` counts
    them)."""
    return closing.close(req.user, req.int_param("period_id"))


@endpoint(
    bp,
    "/tech/pay-periods",
    "GET",
    summary="My pay periods",
    tag=TAG,
    permission=roles.SELF,
    query=PeriodsQuery,
    response=page_of(StatementPeriodOut),
    paginated=True,
)
def my_pay_periods(req: ApiRequest) -> Any:
    """The tenant's pay periods (all of them, as ``/admin/pay-periods`` lists them, with
    the same filters, order and cursor; dates and status only), for a technician user to
    pick a statement. 403 for a login not linked to a technician."""
    accounts.own_technician(req.user)
    return _periods(req)


@endpoint(
    bp,
    "/tech/pay-periods/{period_id}/statement",
    "GET",
    summary="My commission statement",
    tag=TAG,
    permission=roles.SELF,
    response=StatementOut,
)
def my_statement(req: ApiRequest) -> Any:
    """The caller's own statement for the period: every commission line with the rule and
    rate used, adjustments and totals (frozen once closed). The PDF is
    ``/export/commission-statement/{technician_id}/{period_id}/pdf``."""
    technician_id = accounts.own_technician(req.user)
    return documents.statement(req.user, technician_id, req.int_param("period_id"))


# --- exports ---------------------------------------------------------------------------
EXPORTS_TAG = "exports"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


class CommissionReportQuery(DateRange):
    technician_id: IdQuery | None = None


def _raw(download: documents.Download) -> Raw:
    """Binary types (PDF) go out as bytes (base64 to API Gateway); text (CSV) as a UTF-8
    string, which a non-binary Lambda proxy response must be."""
    body: bytes | str = download.body
    if download.content_type.startswith("text/"):
        body = download.body.decode("utf-8")
    return Raw(
        body=body,
        content_type=download.content_type,
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


@endpoint(
    bp,
    "/admin/csv-export/pay-period/{period_id}",
    "GET",
    summary="Pay period as CSV",
    tag=EXPORTS_TAG,
    permission=roles.PAYROLL,
    content_type=CSV,
)
def pay_period_csv(req: ApiRequest) -> Raw:
    """One row per technician (hours, rate, sales, base pay, commission, adjustments,
    total pay) and a final TOTAL row."""
    return _raw(documents.pay_period_csv(req.user, req.int_param("period_id")))


@endpoint(
    bp,
    "/admin/csv-export/commission-report",
    "GET",
    summary="Commission report CSV",
    tag=EXPORTS_TAG,
    permission=roles.PAYROLL,
    query=CommissionReportQuery,
    content_type=CSV,
)
def commission_report_csv(req: ApiRequest) -> Raw:
    """One row per commission line of the approved, non-voided sales dated
    ``date_from``..``date_to`` (both optional, inclusive), oldest first: the seller's line
    and, for an installed sale, the installer's (its sale price left empty so that the
    TOTAL row counts each sale once). ``technician_id`` keeps one technician's lines.
    Adjustments are in the pay period exports."""
    q: CommissionReportQuery = req.query
    return _raw(documents.commission_report_csv(req.user, q.date_from, q.date_to, q.technician_id))


@endpoint(
    bp,
    "/admin/csv-export/sales",
    "GET",
    summary="Sales CSV",
    tag=EXPORTS_TAG,
    permission=roles.PAYROLL,
    query=SaleFilter,
    content_type=CSV,
)
def sales_csv(req: ApiRequest) -> Raw:
    """Every sale matching the filters of ``GET /sales``, oldest first, no totals row. A
    voided sale's ``approval_status`` reads e.g. ``approved (voided)``."""
    return _raw(documents.sales_csv(req.user, req.query))


@endpoint(
    bp,
    "/export/commission-statement/{technician_id}/{period_id}/pdf",
    "GET",
    summary="Commission statement PDF",
    tag=EXPORTS_TAG,
    permission=roles.SELF,
    content_type=PDF,
)
def commission_statement_pdf(req: ApiRequest) -> Raw:
    """One technician, one period: every commission line (date, customer, item, sale
    price, rule and rate used, commission), adjustments and totals. Admins and managers
    get anyone's; a technician user only their own (403)."""
    return _raw(
        documents.statement_pdf(
            req.user, req.int_param("technician_id"), req.int_param("period_id")
        )
    )


@endpoint(
    bp,
    "/export/pay-period/{period_id}/pdf",
    "GET",
    summary="Pay period PDF",
    tag=EXPORTS_TAG,
    permission=roles.PAYROLL,
    content_type=PDF,
)
def pay_period_pdf(req: ApiRequest) -> Raw:
    """All technicians' pay for the period with a grand total."""
    return _raw(documents.pay_period_pdf(req.user, req.int_param("period_id")))
