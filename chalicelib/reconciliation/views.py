"""The wire views of an import and of a payment row."""

from __future__ import annotations

from typing import Any

from chalicelib.reconciliation import store
from chalicelib.reconciliation.rules import candidates
from chalicelib.reconciliation.store import ImportItem, RowItem


def row_view(row: RowItem) -> dict[str, Any]:
    kind = row.match_kind
    return {
        "id": int(row.row_id),
        "import_id": int(row.import_id),
        "line": int(row.line),
        "status": row.status,
        "date": row.date,
        "amount_cents": int(row.amount_cents),
        "currency": row.currency,
        "external_id": row.external_id,
        "reference": row.reference,
        "customer_email": row.customer_email,
        "customer_name": row.customer_name,
        "reason": row.reason,
        "invoice_id": int(row.match_id) if kind == candidates.INVOICE else None,
        "sale_id": int(row.match_id) if kind == candidates.SALE else None,
        "match_method": row.match_method,
        "matched_at": row.matched_at,
        "matched_by": int(row.matched_by) if row.matched_by is not None else None,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def import_view(item: ImportItem, duplicate: bool = False) -> dict[str, Any]:
    counts = store.status_counts(item.tenant_id, int(item.import_id))
    return {
        "id": int(item.import_id),
        "layout": item.layout,
        "rows": int(item.rows),
        "stored": int(item.stored),
        "duplicates": int(item.duplicates),
        "skipped": int(item.skipped),
        "matched": counts["matched"],
        "unmatched": counts["unmatched"],
        "ignored": counts["ignored"],
        "matched_on_import": int(item.matched_on_import or 0),
        "skipped_rows": list(item.skipped_rows or []),
        "created_at": item.created_at,
        "duplicate": duplicate,
    }
