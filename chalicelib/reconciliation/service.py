"""Payment reconciliation (issue 13 item 5): an import's summary, the rows, and a
person's moves (match a row by hand, ignore it). Importing a file is ``importing``;
finding a row's invoice or sale ``matching``; recording its payment ``recording``; the
rules (layouts, cells, reading, candidates) are ``reconciliation.rules``."""

from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, found
from chalicelib.core.pagination import PageRequest
from chalicelib.platform.tx import ConditionFailed, Contention
from chalicelib.reconciliation import store
from chalicelib.reconciliation.recording import record
from chalicelib.reconciliation.rules import candidates
from chalicelib.reconciliation.store import RowItem
from chalicelib.reconciliation.views import import_view, row_view


def get_row_item(tenant_id: str, row_id: int, consistent: bool = False) -> RowItem:
    return found(store.get_row(tenant_id, row_id, consistent), f"row {row_id} not found")


def get_import(tenant_id: str, import_id: int) -> dict[str, Any]:
    item = found(store.get_import(tenant_id, import_id), f"import {import_id} not found")
    return import_view(item)


def rows_page(
    tenant_id: str, status: str | None, import_id: int | None, request: PageRequest
) -> dict[str, Any]:
    body = store.page(tenant_id, request, status, import_id)
    body["items"] = [row_view(row) for row in body["items"]]
    return body


def match(
    principal: Principal, row_id: int, invoice_id: int | None, sale_id: int | None
) -> dict[str, Any]:
    """A person matches an unmatched (or ignored) row to an invoice or a sale: 409 when
    the row is matched already or the invoice or sale cannot take it, 422 paying more
    than its balance (price), 404 for an id of no invoice or sale of the tenant."""
    row = get_row_item(principal.tenant_id, row_id, consistent=True)
    if row.status == candidates.MATCHED:
        raise Conflict(f"row {row_id} is already matched")
    target = (
        (candidates.INVOICE, invoice_id) if invoice_id is not None else (candidates.SALE, sale_id)
    )
    record(principal, row, target, candidates.BY_HAND, "manual")  # type: ignore[arg-type]
    return row_view(get_row_item(principal.tenant_id, row_id, consistent=True))


def ignore(principal: Principal, row_id: int) -> dict[str, Any]:
    """An unmatched row is set aside (``ignored``); a matched one is 409."""
    row = get_row_item(principal.tenant_id, row_id, consistent=True)
    if row.status == candidates.MATCHED:
        raise Conflict(f"row {row_id} is matched; it cannot be ignored")
    if row.status == candidates.IGNORED:
        return row_view(row)
    at = clock.iso_utc(clock.now())
    try:
        store.apply(row, [store.moved(row, candidates.IGNORED, {"updated_at": at})])
    except (ConditionFailed, Contention) as exc:  # the row changed meanwhile
        raise Conflict(f"row {row_id} changed meanwhile; look at it again") from exc
    return row_view(get_row_item(principal.tenant_id, row_id, consistent=True))
