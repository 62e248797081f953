"""``/admin/reconciliation``: import a payments export (Stripe, Square, QuickBooks or a
mapped layout), match its payments to open invoices and unpaid sales, and let a person
match or ignore the rows left (admins and managers)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import roles
from chalicelib.core.errors import InvalidInput, ok_body
from chalicelib.core.routing import JSON_HEADERS, ApiRequest, endpoint
from chalicelib.core.schemas import page_of
from chalicelib.reconciliation import importing, service
from chalicelib.reconciliation.models import (
    PaymentRowFilter,
    PaymentRowMatchIn,
    PaymentRowOut,
    PaymentsImportIn,
    PaymentsImportOut,
    PaymentsImportQuery,
)

bp = Blueprint(__name__)
TAG = "reconciliation"
PATH = "/admin/reconciliation"
ROW = f"{PATH}/{{row_id}}"
CSV = "text/csv"


@endpoint(
    bp,
    f"{PATH}/import",
    "POST",
    summary="Import a payments export",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    body=PaymentsImportIn,
    raw_types=(CSV,),
    query=PaymentsImportQuery,
    response=PaymentsImportOut,
    status=201,
    also_ok=(200,),
)
def import_payments(req: ApiRequest) -> Any:
    """The body is the export itself (``Content-Type: text/csv``; a layout that is not
    recognised names its columns in the query: ``date_column``, ``amount_column``,
    ``reference_column``, ``customer_column``, ``id_column``), or JSON ``{"csv",
    "mapping"}``. Every row is checked first: a malformed file (an unclosed quote, a row with another
    number of cells than the header, a bad date or amount) is 422 naming each bad line in
    ``details`` (``line``, ``field``, ``message``) and stores nothing; so is a file past
    1,000,000 bytes or 5,000 rows (the line where it crosses the limit). Cells starting with ``=``, ``+``, ``-`` or ``@`` are stored with a leading
    apostrophe. Refunds, fees and other non-payments are skipped (``skipped_rows``). Each
    payment is matched by the invoice (``INV-000042``, ``Invoice 42``) or sale
    (``Sale 17``) its reference names, else by amount + customer (e-mail, else exact name)
    + date: the one open invoice with a balance of at least the amount whose sent date - 7
    days .. due date + 7 days holds the payment's date, or the one unpaid sale of exactly
    the amount dated within 7 days; a match records the payment (the invoice's payment or
    the sale's payment status) and emits ``payment.reconciled``. The rest wait,
    ``unmatched``, with the reason. The same file again is 200 with the earlier import's
    summary (``duplicate: true``) and writes nothing; a payment an earlier file held
    (same transaction id, else date + amount + reference) is a duplicate, never stored or
    paid twice."""
    try:
        mapping = req.query.mapping()
    except ValueError as exc:
        raise InvalidInput(str(exc), field="date_column") from exc
    if req.raw_body is not None:
        text = importing.decoded(req.raw_body)
    else:
        text = req.body.csv
        if req.body.mapping is not None:
            mapping = req.body.mapping.model_dump()
    summary, new = importing.import_file(req.user, text, mapping)
    if new:
        return summary
    data = PaymentsImportOut.model_validate(summary).model_dump(mode="json")
    return Response(body=ok_body(data), status_code=200, headers=dict(JSON_HEADERS))


@endpoint(
    bp,
    f"{PATH}/imports/{{import_id}}",
    "GET",
    summary="Get an import's summary",
    tag=TAG,
    permission=roles.INVOICES_READ,
    response=PaymentsImportOut,
)
def get_import(req: ApiRequest) -> Any:
    """Its rows, duplicates and skipped rows as imported; ``matched``, ``unmatched`` and
    ``ignored`` as they are now (a person's matches count)."""
    return service.get_import(req.tenant_id, req.int_param("import_id"))


@endpoint(
    bp,
    f"{PATH}/rows",
    "GET",
    summary="List imported payment rows",
    tag=TAG,
    permission=roles.INVOICES_READ,
    query=PaymentRowFilter,
    response=page_of(PaymentRowOut),
    paginated=True,
)
def list_rows(req: ApiRequest) -> Any:
    """In file order, oldest import first; ``status`` (unmatched, matched, ignored) and
    ``import_id`` filter; ``total`` is exact."""
    flt = req.query
    return service.rows_page(req.tenant_id, flt.status, flt.import_id, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    f"{ROW}/match",
    "POST",
    summary="Match a row by hand",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    body=PaymentRowMatchIn,
    response=PaymentRowOut,
)
def match_row(req: ApiRequest) -> Any:
    """Records the row's payment on the invoice (its payment path: balance, status,
    ``payment.reconciled``) or the sale (paid when the amount is its price, else
    partial). 409 when the row is matched already or the invoice or sale cannot take a
    payment (draft, paid, void; paid or voided sale); 422 when the amount is more than
    the balance (``amount_cents``); 404 for another tenant's invoice or sale."""
    body = req.body
    return service.match(req.user, req.int_param("row_id"), body.invoice_id, body.sale_id)


@endpoint(
    bp,
    f"{ROW}/ignore",
    "POST",
    summary="Ignore a row",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    response=PaymentRowOut,
)
def ignore_row(req: ApiRequest) -> Any:
    """An unmatched row is set aside (``ignored``; it can still be matched later); a
    matched row is 409."""
    return service.ignore(req.user, req.int_param("row_id"))
