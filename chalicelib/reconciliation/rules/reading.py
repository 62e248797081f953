"""Reading a payments export (SPEC.md "Payment reconciliation"): pure.

- the file is read by ``core.csvsafe`` (UTF-8, a byte-order mark dropped, no NUL, at
  most ``MAX_BYTES`` and ``MAX_ROWS`` data rows: a larger file is a 422 naming the line
  where it crosses the limit, as a malformed file, such as an unclosed quote or a row
  with more cells than the header, is a 422 naming the line); its layout is ``layouts.detect``'s; then every row is checked and
  every bad date or amount (``cells``) is listed (422, up to ``MAX_PROBLEMS`` lines with
  ``line``, ``field``, ``message``); nothing is stored then;
- rows that are no payment are skipped and listed in the import's summary, not stored:
  refunds and other negative amounts, zero amounts, Stripe rows whose ``Status`` is not
  paid/succeeded/available or whose ``Type`` is not charge/payment, Square rows whose
  ``Event Type`` is not Payment, QuickBooks rows whose ``Transaction Type`` is not
  Payment/Sales Receipt/Deposit, and amounts in another currency than USD.

Natural key of a row (``natural_key``): the processor's transaction id, else date +
amount + reference; a row whose key an earlier import stored is a duplicate (not stored,
never paid twice). The same file again (``file_digest``: the normalised text and the
mapping) answers the earlier import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from chalicelib.core import csvsafe
from chalicelib.reconciliation.rules.cells import neutral, parse_amount, parse_date
from chalicelib.reconciliation.rules.layouts import MAPPED, CsvRefused, Layout, detect, header_name

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_PROBLEMS = 100
MAX_SKIPPED_LISTED = 100
CURRENCY = "usd"


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


def line_at_limit(data: bytes | str, limit: int = MAX_BYTES) -> int:
    """The line of ``data`` on which its ``limit``-th byte lies (the header is line 1)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return raw[:limit].count(b"\n") + 1


def _read(text: str) -> tuple[list[str], list[csvsafe.Row]]:
    try:
        return csvsafe.read(csvsafe.decode(text, MAX_BYTES), MAX_ROWS)
    except csvsafe.CsvProblem as exc:
        line = exc.line or (line_at_limit(text) if exc.too_large else 0)
        raise CsvRefused([{"line": line, "field": "csv", "message": exc.message}]) from exc


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
