"""The layouts of a payments export (SPEC.md "Payment reconciliation"): pure.

A file's layout is recognised by its header row (names compared case-insensitively,
spaces collapsed), see ``LAYOUTS``: Stripe (``id``, ``Created (UTC)``/``Created``,
``Amount``; ``Currency``, ``Description``, ``Customer Email``, ``Customer Name``/
``Customer Description``, ``Status``, ``Type``), Square (``Date``, ``Transaction ID``,
``Total Collected``/``Gross Sales``; ``Payment ID``, ``Description``, ``Notes``,
``Customer Name``, ``Event Type``), QuickBooks (``Date``, ``Transaction Type``,
``Amount``; ``Num``/``No.``, ``Name``/``Customer``, ``Memo``/``Memo/Description``);
any other layout needs a ``mapping`` of the header names to ``date``, ``amount`` and
optionally ``reference``, ``customer`` (an e-mail or a name), ``id``. A header that is
none of them, or a mapping naming a column the file does not have, is ``CsvRefused``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

STRIPE, SQUARE, QUICKBOOKS, MAPPED = "stripe", "square", "quickbooks", "mapped"
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
