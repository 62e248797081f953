"""CSV and PDF exports. They bypass the JSON envelope (errors still use it) and keep a
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

from typing import Literal

from chalice import Blueprint
from pydantic import Field, model_validator

from chalicelib.api.schemas import IsoDate, Query
from chalicelib.core.routing import ApiRequest, Raw, endpoint
from chalicelib.domain import roles
from chalicelib.services import pay_periods
from chalicelib.services import sales as sales_service

bp = Blueprint(__name__)
TAG = "exports"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


class RangeQuery(Query):
    date_from: IsoDate | None = Field(default=None, description="YYYY-MM-DD, inclusive")
    date_to: IsoDate | None = Field(default=None, description="YYYY-MM-DD, inclusive")

    @model_validator(mode="after")
    def _range(self) -> "RangeQuery":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


class CommissionReportQuery(RangeQuery):
    technician_id: int | None = Field(default=None, ge=1)


class SalesExportQuery(RangeQuery):
    technician_id: int | None = Field(default=None, ge=1)
    approval_status: Literal["pending", "approved", "rejected"] | None = None
    payment_status: Literal["unpaid", "partial", "paid", "refunded"] | None = None
    voided: bool | None = None
    customer_id: int | None = Field(default=None, ge=1)


def _raw(download: pay_periods.Download) -> Raw:
    """Binary types (PDF) go out as bytes (base64 to API Gateway); text (CSV) as a UTF-8
    string, which a non-binary Lambda proxy response must be."""
    body: bytes | str = download.body
    if download.content_type.startswith("text/"):
        body = download.body.decode("utf-8")
    return Raw(body=body, content_type=download.content_type,
               headers={"Content-Disposition":
                        f'attachment; filename="{download.filename}"'})


@endpoint(bp, "/admin/csv-export/pay-period/{period_id}", "GET",
          summary="Pay period as CSV", tag=TAG, permission=roles.PAYROLL, content_type=CSV)
def pay_period_csv(req: ApiRequest) -> Raw:
    """One row per technician (hours, rate, sales, base pay, commission, adjustments,
    total pay) and a final TOTAL row."""
    return _raw(pay_periods.pay_period_csv(req.user, req.int_param("period_id")))


@endpoint(bp, "/admin/csv-export/commission-report", "GET", summary="Commission report CSV",
          tag=TAG, permission=roles.PAYROLL, query=CommissionReportQuery, content_type=CSV)
def commission_report_csv(req: ApiRequest) -> Raw:
    """One row per commission line of the approved, non-voided sales dated
    ``date_from``..``date_to`` (both optional, inclusive), oldest first: the seller's line
    and, for an installed sale, the installer's (its sale price left empty so that the
    TOTAL row counts each sale once). ``technician_id`` keeps one technician's lines.
    Adjustments are in the pay period exports."""
    q: CommissionReportQuery = req.query
    return _raw(pay_periods.commission_report_csv(req.user, q.date_from, q.date_to,
                                                  q.technician_id))


@endpoint(bp, "/admin/csv-export/sales", "GET", summary="Sales CSV", tag=TAG,
          permission=roles.PAYROLL, query=SalesExportQuery, content_type=CSV)
def sales_csv(req: ApiRequest) -> Raw:
    """Every sale matching the filters of ``GET /sales``, oldest first, no totals row. A
    voided sale's ``approval_status`` reads e.g. ``approved (voided)``."""
    q: SalesExportQuery = req.query
    flt = sales_service.SaleFilter(
        date_from=q.date_from, date_to=q.date_to, technician_id=q.technician_id,
        approval_status=q.approval_status, payment_status=q.payment_status, voided=q.voided,
        customer_id=q.customer_id)
    return _raw(pay_periods.sales_csv(req.user, flt))


@endpoint(bp, "/export/commission-statement/{technician_id}/{period_id}/pdf", "GET",
          summary="Commission statement PDF", tag=TAG, permission=roles.SELF,
          content_type=PDF)
def commission_statement_pdf(req: ApiRequest) -> Raw:
    """One technician, one period: every commission line (date, customer, item, sale
    price, rule and rate used, commission), adjustments and totals. Admins and managers
    get anyone's; a technician user only their own (403)."""
    return _raw(pay_periods.statement_pdf(req.user, req.int_param("technician_id"),
                                          req.int_param("period_id")))


@endpoint(bp, "/export/pay-period/{period_id}/pdf", "GET", summary="Pay period PDF",
          tag=TAG, permission=roles.PAYROLL, content_type=PDF)
def pay_period_pdf(req: ApiRequest) -> Raw:
    """All technicians' pay for the period with a grand total."""
    return _raw(pay_periods.pay_period_pdf(req.user, req.int_param("period_id")))
