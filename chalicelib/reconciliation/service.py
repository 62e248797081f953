"""Payment reconciliation (issue 13 item 5): import a processor's payments export, match
each payment to an open invoice or an unpaid sale, and let a person match (or ignore)
the rest. The rules (layouts, amounts, references, candidates) are
``reconciliation.rules``.

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
from datetime import date
from itertools import islice
from typing import Any

from chalicelib.core import clock, csvsafe
from chalicelib.core.auth import Principal
from chalicelib.core.errors import (
    AppError,
    BadRequest,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RuleViolation,
    ValidationFailed,
    found,
)
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import search as customer_search
from chalicelib.customers import service as customers
from chalicelib.invoices import moves as invoice_moves
from chalicelib.invoices import service as invoices
from chalicelib.platform import counters, outbox
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, Labelled
from chalicelib.reconciliation import rules, store
from chalicelib.reconciliation.store import ImportItem, RowItem
from chalicelib.sales import changes as sale_changes
from chalicelib.sales import service as sales
from chalicelib.sales.models import SaleFilter
from chalicelib.sales.models import view as sale_view

log = logging.getLogger("tradekitt.reconciliation")
IMPORT_COUNTER, ROW_COUNTER = "recon_import", "recon_row"
CANDIDATES = 25  # invoices / sales of one customer looked at
NAMED_CUSTOMERS = 3  # customers with the row's exact name looked at
SOURCE = "reconciliation"
# the import's payments stop after this long (well inside API Gateway's 29 s); the rows
# left say which invoice or sale they look like, for a person to match
MATCH_BUDGET_S = 20.0


# --- views --------------------------------------------------------------------------------
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
        "invoice_id": int(row.match_id) if kind == rules.INVOICE else None,
        "sale_id": int(row.match_id) if kind == rules.SALE else None,
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


# --- importing ----------------------------------------------------------------------------
def _parsed(text: str, mapping: Mapping[str, str | None] | None) -> rules.Parsed:
    try:
        return rules.parse(text, mapping)
    except rules.TooLarge as exc:
        raise PayloadTooLarge(str(exc)) from exc
    except rules.CsvRefused as exc:
        details = [
            {"field": str(p["field"]), "line": p["line"], "message": str(p["message"])}
            for p in exc.problems
        ]
        message = str(exc)
        if exc.more:
            message += f" ({exc.more} more bad lines not listed)"
        raise ValidationFailed(message, details=details) from exc


def decoded(raw: bytes) -> str:
    """A raw ``text/csv`` body as text (``core.csvsafe.decode``: 413 past the size, 422
    not UTF-8 or with NUL)."""
    try:
        return csvsafe.decode(raw, rules.MAX_BYTES)
    except csvsafe.CsvProblem as exc:
        if exc.too_large:
            raise PayloadTooLarge(exc.message) from exc
        raise ValidationFailed(
            f"csv: {exc.message}",
            details=[{"field": "csv", "line": exc.line, "message": exc.message}],
        ) from exc


def import_file(
    principal: Principal, text: str, mapping: Mapping[str, str | None] | None
) -> tuple[dict[str, Any], bool]:
    """Import a payments file; returns its summary and whether the import is new (False:
    the same file was imported before, and that import's summary is the answer)."""
    tid = principal.tenant_id
    mapping = {k: v for k, v in (mapping or {}).items() if v} or None
    parsed = _parsed(text, mapping)
    digest = rules.file_digest(text, mapping)
    earlier = store.get_file(tid, digest)
    if earlier is not None:
        item = store.get_import(tid, int(earlier.import_id), consistent=True)
        if item is not None:
            return import_view(item, duplicate=True), False

    payments = [row for row in parsed.rows if row.skip is None]
    skipped = [row for row in parsed.rows if row.skip is not None]
    unique: dict[str, rules.PaymentRow] = {}
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
            status=rules.UNMATCHED,
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
            {"line": row.line, "reason": row.skip} for row in skipped[: rules.MAX_SKIPPED_LISTED]
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
            _record(principal, item, target, method, parsed.layout)  # type: ignore[arg-type]
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
            actions=[RowItem.reason.set(reason[:500])], condition=RowItem.status == rules.UNMATCHED
        )
    except Exception:  # noqa: BLE001 - the reason is a courtesy; the row stays unmatched
        log.warning("could not note the reason on row %s", item.row_id)


# --- matching -----------------------------------------------------------------------------
class Matcher:
    """The reads of one import's matching, each made once (per id, e-mail, name,
    customer)."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.tid = principal.tenant_id
        self._invoices: dict[int, dict[str, Any] | None] = {}
        self._sales: dict[int, dict[str, Any] | None] = {}
        self._emails: dict[str, int | None] = {}
        self._names: dict[str, list[int]] = {}
        self._of_customer: dict[int, list[dict[str, Any]]] = {}

    def prefetch(self, rows: list[rules.PaymentRow]) -> None:
        """The customers of every e-mail (one BatchGetItem per 100)."""
        emails = list(
            dict.fromkeys(
                email
                for row in rows
                if (email := customers.normalize_email(row.customer_email))
                and email not in self._emails
            )
        )
        for start in range(0, len(emails), 100):
            chunk = emails[start : start + 100]
            got = get_many([customers.email_ref(self.tid, e) for e in chunk], consistent=False)
            for email, pointer in zip(chunk, got, strict=True):
                self._emails[email] = int(pointer.customer_id) if pointer is not None else None

    def invoice(self, invoice_id: int) -> dict[str, Any] | None:
        if invoice_id not in self._invoices:
            try:
                self._invoices[invoice_id] = invoices.get(self.tid, invoice_id)
            except NotFound:
                self._invoices[invoice_id] = None
        return self._invoices[invoice_id]

    def sale(self, sale_id: int) -> dict[str, Any] | None:
        if sale_id not in self._sales:
            try:
                self._sales[sale_id] = sale_view(sales.get(self.principal, sale_id))
            except NotFound:
                self._sales[sale_id] = None
        return self._sales[sale_id]

    def customers_of(self, row: rules.PaymentRow) -> list[int]:
        email = customers.normalize_email(row.customer_email)
        if email:
            if email not in self._emails:
                self.prefetch([row])
            customer = self._emails.get(email)
            if customer is not None:
                return [customer]
        name = customer_search.normalise(row.customer_name)
        if not name:
            return []
        if name not in self._names:
            try:
                page = customers.list_page(self.tid, PageRequest(limit=NAMED_CUSTOMERS), name)
            except BadRequest:  # the name matches too many customers to say
                page = {"items": []}
            self._names[name] = [
                int(c.customer_id)
                for c in page["items"]
                if customer_search.normalise(getattr(c, "name", None)) == name
            ]
        return self._names[name]

    def candidates_of(self, customer_id: int) -> list[dict[str, Any]]:
        if customer_id not in self._of_customer:
            self._of_customer[customer_id] = invoices.of_customer(
                self.tid, customer_id, limit=CANDIDATES
            )
        return self._of_customer[customer_id]

    def unpaid_sales(self, customer_id: int, day: date) -> list[dict[str, Any]]:
        low, high = rules.sale_window(day)
        wanted = SaleFilter(
            customer_id=customer_id,
            date_from=low,
            date_to=high,
            payment_status="unpaid",
            voided=False,
        )
        return [sale_view(s) for s in islice(sales.every_match(self.principal, wanted), CANDIDATES)]

    def find(self, row: rules.PaymentRow) -> tuple[tuple[str, int] | None, str | None, str | None]:
        """``(target, method, reason)``: the one invoice or sale the row pays and how it
        was found, or None and why the row waits for a person."""
        named = []
        for kind, number in rules.references(row.reference)[:5]:
            view = self.invoice(number) if kind == rules.INVOICE else self.sale(number)
            if view is not None:
                named.append((kind, number, view))
        if len(named) > 1:
            shown = ", ".join(f"{k} {n}" for k, n, _ in named)
            return None, None, f"the reference names {shown}: match it by hand"
        if named:
            kind, number, view = named[0]
            refusal = (
                rules.invoice_refusal(view, row.amount_cents)
                if kind == rules.INVOICE
                else rules.sale_refusal(view, row.amount_cents)
            )
            if refusal:
                return None, None, f"the reference names {kind} {number}, but {refusal}"
            return (kind, number), rules.BY_REFERENCE, None
        found_customers = self.customers_of(row)
        if not found_customers:
            if row.customer_email or row.customer_name:
                return None, None, "no customer has this e-mail or name, and no reference"
            return None, None, "no reference to an invoice or sale and no customer"
        candidates: list[tuple[str, int]] = []
        for customer_id in found_customers:
            candidates += [
                (rules.INVOICE, int(inv["id"]))
                for inv in self.candidates_of(customer_id)
                if rules.invoice_fits(inv, row.amount_cents, row.date)
            ]
            candidates += [
                (rules.SALE, int(sale["id"]))
                for sale in self.unpaid_sales(customer_id, row.date)
                if rules.sale_fits(sale, row.amount_cents, row.date)
            ]
        target, reason = rules.decide(candidates)
        return target, (rules.BY_AMOUNT if target else None), reason


# --- recording a match --------------------------------------------------------------------
def _record(
    principal: Principal, row: RowItem, target: tuple[str, int], method: str, via: str
) -> None:
    """Record the row's payment on its invoice or sale; the row becomes matched in the
    same transaction, and ``payment.reconciled`` is emitted once."""
    kind, number = target
    at = clock.iso_utc(clock.now())
    moved = store.moved(
        row,
        rules.MATCHED,
        {
            "match_kind": kind,
            "match_id": number,
            "match_method": method,
            "matched_at": at,
            "matched_by": principal.user_id,
            "reason": None,
            "updated_at": at,
        },
    )
    details = {
        "reconciliation": {
            "row_id": int(row.row_id),
            "import_id": int(row.import_id),
            "external_id": row.external_id,
            "method": method,
            "date": row.date,
        }
    }
    amount = int(row.amount_cents)
    if kind == rules.INVOICE:
        reference = (row.external_id or row.reference or "")[:200] or None
        invoice_moves.pay(
            principal,
            number,
            amount,
            f"{via} import" if method != rules.BY_HAND else "reconciliation",
            reference,
            source=SOURCE,
            parts=(moved,),
            details=details,
        )
        return
    _pay_sale(principal, row, number, amount, moved, details)


def _pay_sale(
    principal: Principal,
    row: RowItem,
    sale_id: int,
    amount: int,
    moved: store.Part,
    details: dict[str, Any],
) -> None:
    before = sale_view(sales.get(principal, sale_id))
    refusal = rules.sale_refusal(before, amount)
    if refusal:
        if amount > int(before["sale_price_cents"]):
            raise InvalidInput(refusal, field="amount_cents")
        raise RuleViolation(refusal)
    status = rules.sale_status_after(before, amount)
    day = date.fromisoformat(str(row.date))
    paid_on = day if day < clock.now().date() else None

    def check(sale: Any) -> None:
        now = sale_view(sale)
        if rules.sale_refusal(now, amount) or now["payment_status"] != before["payment_status"]:
            raise RuleViolation(f"sale {sale_id} changed meanwhile; match it again")

    event = outbox.prepare(
        principal.tenant_id,
        "payment.reconciled",
        {
            "sale_id": sale_id,
            "customer_id": before.get("customer_id"),
            "amount_cents": amount,
            "payment_status": status,
            "source": SOURCE,
            **details,
        },
    )

    def add_event(tx: Labelled) -> None:
        outbox.add(tx, event)

    sale_changes.set_payment_status(
        principal, sale_id, status, paid_on, parts=(moved, add_event), check=check
    )
    outbox.enqueue(event)


# --- reading and a person's moves ------------------------------------------------------------
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
    if row.status == rules.MATCHED:
        raise Conflict(f"row {row_id} is already matched")
    target = (rules.INVOICE, invoice_id) if invoice_id is not None else (rules.SALE, sale_id)
    _record(principal, row, target, rules.BY_HAND, "manual")  # type: ignore[arg-type]
    return row_view(get_row_item(principal.tenant_id, row_id, consistent=True))


def ignore(principal: Principal, row_id: int) -> dict[str, Any]:
    """An unmatched row is set aside (``ignored``); a matched one is 409."""
    row = get_row_item(principal.tenant_id, row_id, consistent=True)
    if row.status == rules.MATCHED:
        raise Conflict(f"row {row_id} is matched; it cannot be ignored")
    if row.status == rules.IGNORED:
        return row_view(row)
    at = clock.iso_utc(clock.now())
    try:
        store.apply(row, [store.moved(row, rules.IGNORED, {"updated_at": at})])
    except (ConditionFailed, Contention) as exc:  # the row changed meanwhile
        raise Conflict(f"row {row_id} changed meanwhile; look at it again") from exc
    return row_view(get_row_item(principal.tenant_id, row_id, consistent=True))
