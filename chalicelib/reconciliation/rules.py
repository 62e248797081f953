"""Payment reconciliation rules (SPEC.md "Payment reconciliation"): pure.

Reading a payments export:

- the file is read by ``core.csvsafe`` (UTF-8, a byte-order mark dropped, no NUL, at
  most ``MAX_BYTES``: 413 beyond, and ``MAX_ROWS`` data rows: 413 beyond; a malformed
  file, such as an unclosed quote or a row with more cells than the header, is a 422
  naming the line); then every row is checked and every bad date or amount is listed
  (422, up to ``MAX_PROBLEMS`` lines with ``line``, ``field``, ``message``); nothing is
  stored then;
- its layout is recognised by the header row (names compared case-insensitively,
  spaces collapsed), see ``LAYOUTS``: Stripe (``id``, ``Created (UTC)``/``Created``,
  ``Amount``; ``Currency``, ``Description``, ``Customer Email``, ``Customer Name``/
  ``Customer Description``, ``Status``, ``Type``), Square (``Date``, ``Transaction ID``,
  ``Total Collected``/``Gross Sales``; ``Payment ID``, ``Description``, ``Notes``,
  ``Customer Name``, ``Event Type``), QuickBooks (``Date``, ``Transaction Type``,
  ``Amount``; ``Num``/``No.``, ``Name``/``Customer``, ``Memo``/``Memo/Description``);
  any other layout needs a ``mapping`` of the header names to ``date``, ``amount`` and
  optionally ``reference``, ``customer`` (an e-mail or a name), ``id``;
- amounts are exact (``Decimal``): ``150``, ``150.00``, ``$1,234.56``, ``-$5.00``,
  ``(5.00)``; more than two decimals is refused; dates ``YYYY-MM-DD`` (a time after it
  is dropped) or ``MM/DD/YYYY`` (``MM/DD/YY``);
- rows that are no payment are skipped and listed in the import's summary, not stored:
  refunds and other negative amounts, zero amounts, Stripe rows whose ``Status`` is not
  paid/succeeded/available or whose ``Type`` is not charge/payment, Square rows whose
  ``Event Type`` is not Payment, QuickBooks rows whose ``Transaction Type`` is not
  Payment/Sales Receipt/Deposit, and amounts in another currency than USD;
- formula cells: text cells (reference, description, customer, transaction id) that a
  spreadsheet would run (``core.csvsafe.formula``: starting with ``=``, ``@``, a tab, a
  carriage return, or ``+``/``-`` before anything but a plain number) are stored
  neutralised, with a leading apostrophe (``'=HYPERLINK(...)``). The onboarding imports
  refuse such cells; a payments export is the processor's, with text the payers typed,
  so it imports and the cell is defused instead. Amounts and dates are parsed, never
  kept as text.

Matching (``decide``): a row first names its invoice or sale in its reference text
(``INV-000042``, ``Invoice 42``, ``Invoice #42``, ``Sale 17``, ``SALE-17``); else it is
matched by amount + customer + date: the open invoices (sent, partial, overdue) of the
row's customer whose balance is at least the amount and whose window (sent date - 7
days .. due date + 7 days) holds the row's date, and the customer's unpaid sales of
exactly that amount dated within 7 days of it. Only a single candidate matches;
none or several leave the row unmatched, for a person.

Natural key of a row (``natural_key``): the processor's transaction id, else date +
amount + reference; a row whose key an earlier import stored is a duplicate (not stored,
never paid twice). The same file again (``file_digest``: the normalised text and the
mapping) answers the earlier import.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from chalicelib.core import csvsafe

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_PROBLEMS = 100
MAX_SKIPPED_LISTED = 100
WINDOW_DAYS = 7
MAX_AMOUNT_CENTS = 10**12
CURRENCY = "usd"

STRIPE, SQUARE, QUICKBOOKS, MAPPED = "stripe", "square", "quickbooks", "mapped"
UNMATCHED, MATCHED, IGNORED = "unmatched", "matched", "ignored"
STATUSES = (UNMATCHED, MATCHED, IGNORED)
BY_REFERENCE, BY_AMOUNT, BY_HAND = "reference", "amount_customer", "manual"
INVOICE, SALE = "invoice", "sale"
OPEN_INVOICE = ("sent", "partial", "overdue")
MAPPING_FIELDS = ("date", "amount", "reference", "customer", "id")


class CsvRefused(Exception):
    """The file cannot be imported: ``problems`` are ``{line, field, message}`` (line 0:
    the file as a whole), ``more`` how many were left out of the list."""

    def __init__(self, problems: list[dict[str, object]], more: int = 0) -> None:
        shown = "; ".join(f"line {p['line']}: {p['message']}" for p in problems[:3])
        extra = len(problems) - 3 + more
        super().__init__(shown + (f" (and {extra} more)" if extra > 0 else ""))
        self.problems = problems
        self.more = more


class TooLarge(Exception):
    """The file is larger than ``MAX_BYTES``."""


# --- layouts ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Which header names hold each field (the first one present wins; ``reference``
    joins every one present). ``kind``: the column saying what a row is, and the values
    (lower case) that make it a payment (an empty cell counts as one)."""

    name: str
    date: tuple[str, ...]
    amount: tuple[str, ...]
    external_id: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    customer: tuple[str, ...] = ()
    currency: tuple[str, ...] = ()
    kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    needs: tuple[str, ...] = ()  # headers that must all be present to recognise it


LAYOUTS = (
    Layout(
        STRIPE,
        date=("created (utc)", "created", "created date (utc)"),
        amount=("amount",),
        external_id=("id",),
        reference=("description", "statement descriptor", "invoice number"),
        email=("customer email", "customer_email", "email"),
        customer=("customer name", "customer description", "customer_name"),
        currency=("currency",),
        kinds=(
            ("status", ("paid", "succeeded", "available", "pending")),
            ("type", ("charge", "payment")),
        ),
        needs=("id", "amount"),
    ),
    Layout(
        SQUARE,
        date=("date",),
        amount=("total collected", "gross sales", "net total"),
        external_id=("payment id", "transaction id"),
        reference=("description", "notes", "details"),
        email=("customer email",),
        customer=("customer name",),
        kinds=(("event type", ("payment",)),),
        needs=("date", "transaction id"),
    ),
    Layout(
        QUICKBOOKS,
        date=("date",),
        amount=("amount", "total amount"),
        reference=("num", "no.", "memo", "memo/description"),
        email=("email", "customer email"),
        customer=("name", "customer", "customer full name"),
        kinds=(("transaction type", ("payment", "sales receipt", "deposit", "receive payment")),),
        needs=("date", "transaction type", "amount"),
    ),
)
RECOGNISED = (
    "Stripe (id, Created (UTC), Amount, ...), Square (Date, Transaction ID, Total "
    "Collected or Gross Sales, ...), QuickBooks (Date, Transaction Type, Num, Name, "
    "Amount, Memo)"
)


def header_name(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").casefold().split())


def _mapped_layout(mapping: Mapping[str, str | None]) -> Layout:
    def one(name: str) -> tuple[str, ...]:
        value = mapping.get(name)
        return (header_name(value),) if value else ()

    return Layout(
        MAPPED,
        date=one("date"),
        amount=one("amount"),
        external_id=one("id"),
        reference=one("reference"),
        customer=one("customer"),
        email=one("customer"),
    )


def detect(header: list[str], mapping: Mapping[str, str | None] | None) -> Layout:
    """The layout of a file with this header row (``mapping``: the caller's own)."""
    names = {header_name(h) for h in header}
    if mapping:
        layout = _mapped_layout(mapping)
        missing = [
            f"{name} ({mapping[name]!r})"
            for name in MAPPING_FIELDS
            if mapping.get(name) and header_name(mapping[name] or "") not in names
        ]
        if missing:
            raise CsvRefused(
                [
                    {
                        "line": 1,
                        "field": "mapping",
                        "message": "no such column: " + ", ".join(missing),
                    }
                ]
            )
        return layout
    for layout in LAYOUTS:
        if all(n in names for n in layout.needs) and any(d in names for d in layout.date):
            if any(a in names for a in layout.amount):
                return layout
    raise CsvRefused(
        [
            {
                "line": 1,
                "field": "csv",
                "message": f"the header row is not one of {RECOGNISED}; give a mapping of "
                "your columns (date, amount, reference, customer, id)",
            }
        ]
    )


# --- cells --------------------------------------------------------------------------------
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_amount(text: str) -> int:
    """Integer cents of a money cell, exactly (ValueError with the reason)."""
    s = text.strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    for _ in range(2):  # "-$5.00" and "$-5.00"
        if s[:1] in "-+" and s:
            negative ^= s[0] == "-"
            s = s[1:].strip()
        if s[:1] == "$":
            s = s[1:].strip()
    if s.upper().endswith(" USD"):
        s = s[:-4].strip()
    if not (_PLAIN.match(s) or _GROUPED.match(s)):
        raise ValueError(f"{text.strip()!r} is not an amount (e.g. 1234.56 or $1,234.56)")
    try:
        cents = Decimal(s.replace(",", "")) * 100
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not an amount") from None
    if cents != cents.to_integral_value():
        raise ValueError(f"{text.strip()!r} has more than two decimals")
    value = int(cents)
    if value > MAX_AMOUNT_CENTS:
        raise ValueError(f"{text.strip()!r} is too large")
    return -value if negative else value


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` (anything after it, a time, is dropped) or ``MM/DD/YYYY``."""
    s = text.strip()
    try:
        iso = _ISO_DATE.match(s)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        us = _US_DATE.match(s.split(" ")[0])
        if us:
            year = int(us.group(3))
            year = year + 2000 if year < 100 else year
            return date(year, int(us.group(1)), int(us.group(2)))
    except ValueError:
        raise ValueError(f"{s!r} is not a real calendar date") from None
    raise ValueError(f"{s!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def neutral(text: str) -> str:
    """A text cell as stored: one a spreadsheet would run as a formula
    (``core.csvsafe.formula``) gets a leading apostrophe."""
    return csvsafe.neutralise(text)


# --- rows ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentRow:
    line: int
    date: date
    amount_cents: int
    external_id: str | None
    reference: str
    customer_email: str | None
    customer_name: str | None
    currency: str | None
    skip: str | None = None  # why the row is no payment to match (not stored)

    @property
    def natural_key(self) -> str:
        return natural_key(self)


@dataclass
class Parsed:
    layout: str
    rows: list[PaymentRow] = field(default_factory=list)


def _column(index: Mapping[str, int], names: Iterable[str]) -> int | None:
    for name in names:
        if name in index:
            return index[name]
    return None


def _looks_like_email(text: str) -> bool:
    return "@" in text and " " not in text.strip()


def _read(text: str) -> tuple[list[str], list[csvsafe.Row]]:
    try:
        return csvsafe.read(csvsafe.decode(text, MAX_BYTES), MAX_ROWS)
    except csvsafe.CsvProblem as exc:
        if exc.too_large:
            raise TooLarge(exc.message) from exc
        raise CsvRefused([{"line": exc.line, "field": "csv", "message": exc.message}]) from exc


def parse(text: str, mapping: Mapping[str, str | None] | None = None) -> Parsed:
    """Every row of the file, checked (``CsvRefused`` lists the bad lines)."""
    if not text.strip():
        raise CsvRefused([{"line": 0, "field": "csv", "message": "the file is empty"}])
    names, body = _read(text)
    header = [header_name(n) for n in names]
    layout = detect(header, mapping)
    if not body:
        raise CsvRefused([{"line": 0, "field": "csv", "message": "the file has no data rows"}])
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)
    col_date = _column(index, layout.date)
    col_amount = _column(index, layout.amount)
    col_id = _column(index, layout.external_id)
    col_refs = [index[n] for n in dict.fromkeys(layout.reference) if n in index]
    col_email = _column(index, layout.email)
    col_customer = _column(index, layout.customer)
    col_currency = _column(index, layout.currency)
    kinds = [(index[name], allowed) for name, allowed in layout.kinds if name in index]
    problems: list[dict[str, object]] = []
    parsed = Parsed(layout.name)
    for record in body:
        cells = [record.cells.get(name, "") for name in names]
        row, problem = _row(record.line, cells, layout, col_date, col_amount, col_id, col_refs,
                            col_email, col_customer, col_currency, kinds)  # fmt: skip
        if problem:
            problems.append(problem)
        elif row is not None:
            parsed.rows.append(row)
    if problems:
        raise CsvRefused(problems[:MAX_PROBLEMS], more=max(0, len(problems) - MAX_PROBLEMS))
    return parsed


def _row(
    line: int,
    cells: list[str],
    layout: Layout,
    col_date: int | None,
    col_amount: int | None,
    col_id: int | None,
    col_refs: list[int],
    col_email: int | None,
    col_customer: int | None,
    col_currency: int | None,
    kinds: list[tuple[int, tuple[str, ...]]],
) -> tuple[PaymentRow | None, dict[str, object] | None]:
    def cell(i: int | None) -> str:
        return cells[i].strip() if i is not None else ""

    try:
        day = parse_date(cell(col_date))
    except ValueError as exc:
        return None, {"line": line, "field": "date", "message": str(exc)}
    try:
        amount = parse_amount(cell(col_amount))
    except ValueError as exc:
        return None, {"line": line, "field": "amount", "message": str(exc)}
    skip = None
    for i, allowed in kinds:
        value = " ".join(cells[i].casefold().split())
        if value and value not in allowed:
            skip = f"{cells[i].strip()} is not a payment"
    currency = cell(col_currency).casefold() or None
    if skip is None and currency and currency != CURRENCY:
        skip = f"amount in {currency.upper()}; invoices are in {CURRENCY.upper()}"
    if skip is None and amount < 0:
        skip = "a refund or other negative amount"
    if skip is None and amount == 0:
        skip = "a zero amount"
    reference = " | ".join(cells[i].strip() for i in col_refs if cells[i].strip())
    email = cell(col_email)
    name = cell(col_customer)
    if layout.name == MAPPED:  # one "customer" column: an e-mail or a name
        email, name = (email, "") if _looks_like_email(email) else ("", name)
    email = email if _looks_like_email(email) else ""
    return (
        PaymentRow(
            line=line,
            date=day,
            amount_cents=amount,
            external_id=neutral(cell(col_id)) or None,
            reference=neutral(reference),
            customer_email=email.casefold() or None,
            customer_name=neutral(name) or None,
            currency=currency,
            skip=skip,
        ),
        None,
    )


# --- identity -----------------------------------------------------------------------------
def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def natural_key(row: PaymentRow) -> str:
    """The processor's transaction id, else date + amount + reference (hashed)."""
    if row.external_id:
        return _digest(f"id|{row.external_id}")
    reference = " ".join(row.reference.casefold().split())
    return _digest(f"dar|{row.date.isoformat()}|{row.amount_cents}|{reference}")


def file_digest(text: str, mapping: Mapping[str, str | None] | None) -> str:
    """The same file (line endings, a byte-order mark, trailing spaces and blank lines
    aside) with the same mapping has the same digest."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    normal = "\n".join(line.rstrip() for line in lines).strip("\n")
    shown = json.dumps({k: v for k, v in sorted((mapping or {}).items()) if v}, sort_keys=True)
    return _digest(f"{shown}\n{normal}")


# --- references and candidates -------------------------------------------------------------
_INVOICE_REF = re.compile(
    r"\bINV(?:OICE)?(?:[\s#:.\-]|NO\b|NUMBER\b)*?0*(\d{1,10})\b", re.IGNORECASE
)
_SALE_REF = re.compile(r"\bSALE(?:[\s#:.\-]|NO\b|ID\b)*?0*(\d{1,10})\b", re.IGNORECASE)


def references(text: str) -> list[tuple[str, int]]:
    """``(kind, id)`` of every invoice and sale the text names, in order, once each."""
    found: dict[tuple[str, int], None] = {}
    for kind, pattern in ((INVOICE, _INVOICE_REF), (SALE, _SALE_REF)):
        for match in pattern.finditer(text or ""):
            number = int(match.group(1))
            if number > 0:
                found[(kind, number)] = None
    return list(found)


def invoice_refusal(invoice: Mapping[str, object], amount_cents: int) -> str | None:
    """Why an invoice (its view) cannot take a payment of this amount, or None."""
    status = str(invoice["status"])
    number = invoice.get("invoice_number") or f"invoice {invoice['id']}"
    if status not in OPEN_INVOICE:
        return f"{number} is {status}"
    balance = int(invoice["balance_cents"])  # type: ignore[call-overload]
    if amount_cents > balance:
        return f"{amount_cents} cents is more than the balance of {number} ({balance})"
    return None


def sale_refusal(sale: Mapping[str, object], amount_cents: int) -> str | None:
    """Why a sale (its view) cannot take a payment of this amount, or None."""
    if sale.get("voided"):
        return f"sale {sale['id']} is voided"
    if sale.get("payment_status") not in ("unpaid", "partial"):
        return f"sale {sale['id']} is {sale.get('payment_status')}"
    price = int(sale["sale_price_cents"])  # type: ignore[call-overload]
    if amount_cents > price:
        return f"{amount_cents} cents is more than the price of sale {sale['id']} ({price})"
    return None


def sale_status_after(sale: Mapping[str, object], amount_cents: int) -> str:
    """A payment of the whole price makes the sale paid, less partial."""
    return "paid" if amount_cents == int(sale["sale_price_cents"]) else "partial"  # type: ignore[call-overload]


def _day(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def invoice_fits(invoice: Mapping[str, object], amount_cents: int, day: date) -> bool:
    """An amount + customer candidate: open, balance >= amount, and the payment dated
    from 7 days before it was sent to 7 days after it is due."""
    if invoice_refusal(invoice, amount_cents) is not None:
        return False
    opened = _day(invoice.get("sent_at")) or _day(invoice.get("created_at"))
    due = _day(invoice.get("due_date"))
    if opened is None or due is None:
        return False
    window = timedelta(days=WINDOW_DAYS)
    return opened - window <= day <= max(due, opened) + window


def sale_fits(sale: Mapping[str, object], amount_cents: int, day: date) -> bool:
    """An amount + customer candidate: unpaid, not voided, exactly this amount, dated
    within 7 days of the payment."""
    if sale.get("voided") or sale.get("payment_status") != "unpaid":
        return False
    if int(sale["sale_price_cents"]) != amount_cents:  # type: ignore[call-overload]
        return False
    sold = _day(sale.get("sale_date"))
    return sold is not None and abs((day - sold).days) <= WINDOW_DAYS


def decide(candidates: list[tuple[str, int]]) -> tuple[tuple[str, int] | None, str | None]:
    """The one candidate (``(kind, id)``), or None and why the row waits for a person."""
    unique = list(dict.fromkeys(candidates))
    if len(unique) == 1:
        return unique[0], None
    if not unique:
        return None, (
            "no open invoice or unpaid sale of this customer takes this amount around this date"
        )
    shown = ", ".join(f"{kind} {n}" for kind, n in unique[:5])
    return None, f"{len(unique)} candidates ({shown}): match it by hand"


def sale_window(day: date) -> tuple[date, date]:
    window = timedelta(days=WINDOW_DAYS)
    return day - window, day + window
