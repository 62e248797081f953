"""``/admin/pay-periods``: pay periods, their per-technician totals and closing them
(``payroll:write``: admins and managers); ``/tech/pay-periods``: a technician's own
statements.

Periods follow the tenant's ``pay_period_frequency`` (default biweekly; weekly windows
start on Mondays, biweekly ones every other Monday from 2024-01-01, semimonthly the 1st
and 16th, monthly the 1st). A change of frequency takes effect the day after the current
period ends: no existing period ever changes its dates (``pay_period_schedule`` in the
settings shows the segments). A period exists for every date that has a sale, also
long before the tenant signed up, and for today. Ids are integers handed out as periods
are first listed, oldest first; they never change.
"""
from __future__ import annotations

from typing import Any, Literal

from chalice import Blueprint
from pydantic import Field, model_validator

from chalicelib.api.schemas import IsoDate, Out, Query, page_of
from chalicelib.core.pagination import paginate
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.domain import roles
from chalicelib.services import pay_periods

bp = Blueprint(__name__)
TAG = "pay-periods"
Status = Literal["open", "closing", "closed"]


class PeriodsQuery(Query):
    status: Status | None = Field(default=None, description="open, closing or closed")
    date: IsoDate | None = Field(default=None, description="the period holding this day")
    date_from: IsoDate | None = Field(default=None,
                                      description="periods ending on or after this day")
    date_to: IsoDate | None = Field(default=None,
                                    description="periods starting on or before this day")

    @model_validator(mode="after")
    def _range(self) -> "PeriodsQuery":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


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


class TechnicianTotalsOut(Out):
    technician_id: int
    technician_name: str
    pay_type: str
    sales_count: int
    sales_cents: int
    commission_cents: int
    adjustments_cents: int
    hours_minutes: int
    hourly_rate_cents: int
    base_pay_cents: int
    total_pay_cents: int


class PeriodOut(Out):
    id: int
    start_date: str
    end_date: str
    frequency: str | None
    status: str
    sales_recorded: int
    closed_at: str | None
    closed_by: int | None
    totals: PeriodTotalsOut | None


class PeriodDetailOut(PeriodOut):
    technicians: list[TechnicianTotalsOut]
    exports: dict[str, Any] | None


class StatementPeriodOut(Out):
    id: int
    start_date: str
    end_date: str
    frequency: str | None
    status: str


class StatementOut(Out):
    period: StatementPeriodOut
    technician_id: int
    technician_name: str
    frozen: bool
    totals: TechnicianTotalsOut
    lines: list[dict[str, Any]]
    adjustments: list[dict[str, Any]]


@endpoint(bp, "/admin/pay-periods", "GET", summary="List pay periods", tag=TAG,
          permission=roles.PAYROLL, query=PeriodsQuery, response=page_of(PeriodOut),
          paginated=True)
def list_pay_periods(req: ApiRequest) -> dict:
    """Newest first, always including the current period. Filters: ``status``, ``date``
    (the period holding that day), ``date_from``/``date_to`` (periods overlapping the
    range). ``totals`` is set once a period is closed (its frozen sums)."""
    q: PeriodsQuery = req.query
    found = pay_periods.list_periods(req.user, status=q.status, day=q.date,
                                     date_from=q.date_from, date_to=q.date_to)
    return paginate(found, req.page)  # type: ignore[arg-type]


@endpoint(bp, "/admin/pay-periods/{period_id}", "GET", summary="Get a pay period", tag=TAG,
          permission=roles.PAYROLL, response=PeriodDetailOut)
def get_pay_period(req: ApiRequest) -> dict:
    """Per-technician totals: approved, non-voided sales and their commission
    (``sales_count``/``sales_cents`` count the sales a technician sold; installer
    commission adds to ``commission_cents``), clawback adjustments dated in the period
    (negative), hours (0: time tracking is not available yet) and base pay (hourly: rate
    x hours; salary: ``base_pay_cents`` per period), and ``total_pay_cents``. Frozen once
    the period is closed; computed live before. Every active technician is listed, and any
    other with sales or adjustments in the period."""
    return pay_periods.get_period(req.user, req.int_param("period_id"))


@endpoint(bp, "/admin/pay-periods/{period_id}/close", "PATCH", summary="Close a pay period",
          tag=TAG, permission=roles.PAYROLL, response=PeriodDetailOut)
def close_pay_period(req: ApiRequest) -> dict:
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
    return pay_periods.close(req.user, req.int_param("period_id"))


@endpoint(bp, "/tech/pay-periods", "GET", summary="My pay periods", tag=TAG,
          permission=roles.SELF, query=PeriodsQuery, response=page_of(StatementPeriodOut),
          paginated=True)
def my_pay_periods(req: ApiRequest) -> dict:
    """The tenant's pay periods (dates and status only), for a technician user to pick a
    statement. 403 for a login not linked to a technician."""
    pay_periods.own_technician(req.user)
    q: PeriodsQuery = req.query
    found = pay_periods.list_periods(req.user, status=q.status, day=q.date,
                                     date_from=q.date_from, date_to=q.date_to)
    keys = ("id", "start_date", "end_date", "frequency", "status")
    return paginate([{k: p[k] for k in keys} for p in found], req.page)  # type: ignore[arg-type]


@endpoint(bp, "/tech/pay-periods/{period_id}/statement", "GET",
          summary="My commission statement", tag=TAG, permission=roles.SELF,
          response=StatementOut)
def my_statement(req: ApiRequest) -> dict:
    """The caller's own statement for the period: every commission line with the rule and
    rate used, adjustments and totals (frozen once closed). The PDF is
    ``/export/commission-statement/{technician_id}/{period_id}/pdf``."""
    technician_id = pay_periods.own_technician(req.user)
    return pay_periods.statement(req.user, technician_id, req.int_param("period_id"))
