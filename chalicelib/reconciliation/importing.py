"""Importing a processor's payments export (issue 13 item 5): every row checked
(``rules.reading``), the payments stored, each matched (``matching``) to an open
invoice or an unpaid sale and its payment recorded (``recording``).

Importing (``POST /admin/reconciliation/import``), DynamoDB calls besides the caller's
account:

1. the file's digest (one consistent GetItem): the same file again answers the earlier
   import (one more GetItem for it, one BatchGetItem for its counts) and writes nothing;
2. the rows' natural keys (one consistent BatchGetItem per 100 payment rows): a payment
   an earlier import stored is a duplicate, stored and paid never again;
3. matching, per row: a row naming an invoice or sale reads it (one GetItem, once per
   id); else its customer by e-mail (one BatchGetItem per 100 e-mails) or by name (the
   customers' search: one Query and one BatchGetItem, once per name), then that
   customer's invoices (one Query of at most 25, once per customer) and unpaid sales of
   the 15 days around the payment (one Query, at most 25);
4. the import id and a block of row ids (two UpdateItem ADD);
5. the rows, their natural keys and counts (one TransactWriteItems per 30 rows), then
   the import with its file digest's pointer (one TransactWriteItems), before any
   payment: a request cut short later leaves an import that the same file answers;
6. each match: the invoice's payment path (``invoices.moves.pay``: a consistent GetItem
   and one TransactWriteItems with the payment, the row's move to ``matched`` and its
   counts, and ``payment.reconciled``; then one SQS send), or the sale's payment-status
   path (``sales.changes.set_payment_status``: one BatchGetItem, one
   TransactWriteItems with the same row move and event; one GetItem before it). The
   payments stop after ``MATCH_BUDGET_S``; the rows left unmatched say what they look
   like;
7. the number matched (one UpdateItem) and the import's counts (one BatchGetItem).

So reads per row are bounded (at most about 4, most of them shared by the rows of one
customer) and nothing reads the tenant's invoices or sales wholesale.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from chalicelib.core import clock, csvsafe
from chalicelib.core.auth import Principal
from chalicelib.core.errors import (
    AppError,
    DomainError,
    InvalidInput,
    ValidationFailed,
)
from chalicelib.platform import counters
from chalicelib.reconciliation import store
from chalicelib.reconciliation.matching import Matcher
from chalicelib.reconciliation.recording import record
from chalicelib.reconciliation.rules import candidates, layouts, reading
from chalicelib.reconciliation.store import RowItem
from chalicelib.reconciliation.views import import_view

log = logging.getLogger("tradekitt.reconciliation")
IMPORT_COUNTER, ROW_COUNTER = "recon_import", "recon_row"
# the import's payments stop after this long (well inside API Gateway's 29 s); the rows
# left say which invoice or sale they look like, for a person to match
MATCH_BUDGET_S = 20.0


def _parsed(text: str, mapping: Mapping[str, str | None] | None) -> reading.Parsed:
    try:
        return reading.parse(text, mapping)
    except layouts.CsvRefused as exc:
        details = [
            {"field": str(p["field"]), "line": p["line"], "message": str(p["message"])}
            for p in exc.problems
        ]
        message = str(exc)
        if exc.more:
            message += f" ({exc.more} more bad lines not listed)"
        raise ValidationFailed(message, details=details) from exc


def decoded(raw: bytes) -> str:
    """A raw ``text/csv`` body as text (``core.csvsafe.decode``: 422 past the size, naming
    the line where it crosses it, or not UTF-8 or with NUL)."""
    try:
        return csvsafe.decode(raw, reading.MAX_BYTES)
    except csvsafe.CsvProblem as exc:
        line = exc.line or (reading.line_at_limit(raw) if exc.too_large else 0)
        raise ValidationFailed(
            f"csv: {exc.message} (line {line})" if line else f"csv: {exc.message}",
            details=[{"field": "csv", "line": line, "message": exc.message}],
        ) from exc


def import_file(
    principal: Principal, text: str, mapping: Mapping[str, str | None] | None
) -> tuple[dict[str, Any], bool]:
    """Import a payments file; returns its summary and whether the import is new (False:
    the same file was imported before, and that import's summary is the answer)."""
    tid = principal.tenant_id
    mapping = {k: v for k, v in (mapping or {}).items() if v} or None
    parsed = _parsed(text, mapping)
    digest = reading.file_digest(text, mapping)
    earlier = store.get_file(tid, digest)
    if earlier is not None:
        item = store.get_import(tid, int(earlier.import_id), consistent=True)
        if item is not None:
            return import_view(item, duplicate=True), False

    payments = [row for row in parsed.rows if row.skip is None]
    skipped = [row for row in parsed.rows if row.skip is not None]
    unique: dict[str, reading.PaymentRow] = {}
    for row in payments:
        unique.setdefault(row.natural_key, row)
    taken = store.taken_keys(tid, list(unique))
    fresh = [row for key, row in unique.items() if key not in taken]
    duplicates = len(payments) - len(fresh)

    matcher = Matcher(principal)
    matcher.prefetch(fresh)
    decisions = [matcher.find(row) for row in fresh]

    import_id = counters.next_id(tid, IMPORT_COUNTER)
    first = counters.next_id(tid, ROW_COUNTER, len(fresh)) - len(fresh) + 1 if fresh else None
    at = clock.iso_utc(clock.now())
    items = [
        store.new_row(
            tid,
            int(first) + i,  # type: ignore[arg-type]
            import_id,
            line=row.line,
            status=candidates.UNMATCHED,
            date=row.date.isoformat(),
            amount_cents=row.amount_cents,
            currency=row.currency,
            external_id=row.external_id,
            reference=row.reference or None,
            customer_email=row.customer_email,
            customer_name=row.customer_name,
            natural_key=row.natural_key,
            reason=reason,
            created_at=at,
            updated_at=at,
        )
        for i, (row, (_, _, reason)) in enumerate(zip(fresh, decisions, strict=True))
    ]
    lost = store.create_rows(tid, items)  # an overlapping import stored them meanwhile
    summary = store.new_import(
        tid,
        import_id,
        layout=parsed.layout,
        file_digest=digest,
        rows=len(parsed.rows),
        stored=len(items) - len(lost),
        duplicates=duplicates + len(lost),
        skipped=len(skipped),
        skipped_rows=[
            {"line": row.line, "reason": row.skip} for row in skipped[: reading.MAX_SKIPPED_LISTED]
        ],
        matched_on_import=0,
        first_row_id=first,
        created_by=principal.user_id,
        created_at=at,
    )
    # saved before the payments: whatever happens to the request from here on, the rows
    # stored belong to an import, and the same file again answers it
    store.save_import(summary)
    matched = 0
    deadline = clock.monotonic() + MATCH_BUDGET_S
    for item, row, (target, method, _) in zip(items, fresh, decisions, strict=True):
        if target is None or int(item.row_id) in lost:
            continue
        if clock.monotonic() > deadline:
            _note(item, f"{target[0]} {target[1]} looks like it; the import ran out of time")
            continue
        try:
            record(principal, item, target, method, parsed.layout)  # type: ignore[arg-type]
        except (AppError, DomainError) as exc:
            reason = _message(exc)
            log.info("row %s (line %s) not matched: %s", item.row_id, row.line, reason)
            _note(item, f"{target[0]} {target[1]}: {reason}")
            continue
        matched += 1
    if matched:
        store.matched_on_import(summary, matched)
    return import_view(summary), True


def _message(exc: Exception) -> str:
    if isinstance(exc, InvalidInput):
        return exc.message
    if isinstance(exc, AppError):
        return exc.message
    return str(exc)


def _note(item: RowItem, reason: str) -> None:
    """Say why a decided match did not happen (the invoice changed meanwhile)."""
    try:
        item.update(
            actions=[RowItem.reason.set(reason[:500])],
            condition=RowItem.status == candidates.UNMATCHED,
        )
    except Exception:  # noqa: BLE001 - the reason is a courtesy; the row stays unmatched
        log.warning("could not note the reason on row %s", item.row_id)
