"""The request and response models of ``/admin/reconciliation`` (``reconciliation.api``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from chalicelib.core.schemas import Body, Id, IdQuery, Out, Query, reference_example
from chalicelib.reconciliation.rules.candidates import STATUSES
from chalicelib.reconciliation.rules.reading import MAX_BYTES

RowStatus = Literal["unmatched", "matched", "ignored"]
assert set(RowStatus.__args__) == set(STATUSES)  # type: ignore[attr-defined]
Column = Annotated[str, Field(min_length=1, max_length=200)]

EXAMPLE_CSV = (
    "id,Created (UTC),Amount,Currency,Description,Customer Email\n"
    "ch_3Nabc,2026-04-10 14:03:00,150.00,usd,Payment for INV-000042,john.doe@example.com\n"
)


class PaymentsMapping(Body):
    """For a layout that is not Stripe, Square or QuickBooks: which header names hold the
    payment's date and amount (both required), its reference text (searched for an
    invoice or sale number), its customer (an e-mail or a name) and its transaction id
    (the natural key; else date + amount + reference)."""

    date: Column
    amount: Column
    reference: Column | None = None
    customer: Column | None = None
    id: Column | None = None


class PaymentsImportIn(Body):
    """``csv``: the export's text (UTF-8, header row first, at most 1,000,000 bytes and
    5,000 rows). Recognised headers: Stripe (``id``, ``Created (UTC)``, ``Amount``,
    ``Currency``, ``Description``, ``Customer Email``, ``Customer Name``, ``Status``,
    ``Type``), Square (``Date``, ``Transaction ID``, ``Payment ID``, ``Total Collected``
    or ``Gross Sales``, ``Description``, ``Customer Name``, ``Event Type``), QuickBooks
    (``Date``, ``Transaction Type``, ``Num``, ``Name``, ``Amount``, ``Memo``); any other
    layout needs ``mapping``."""

    model_config = reference_example({"csv": EXAMPLE_CSV})

    # no max_length: a file past MAX_BYTES is refused by the reading, naming the line where
    # it crosses the limit (the API's 1 MiB body limit bounds what reaches it)
    csv: Annotated[str, Field(min_length=1, description=f"at most {MAX_BYTES:,} bytes")]
    mapping: PaymentsMapping | None = None


class PaymentsImportQuery(Query):
    """The mapping of a raw ``text/csv`` body whose layout is not recognised (a JSON
    body's ``mapping`` wins): the header names of the date, amount, reference, customer
    and transaction id columns."""

    date_column: Column | None = None
    amount_column: Column | None = None
    reference_column: Column | None = None
    customer_column: Column | None = None
    id_column: Column | None = None

    def mapping(self) -> dict[str, str | None] | None:
        found = {
            "date": self.date_column,
            "amount": self.amount_column,
            "reference": self.reference_column,
            "customer": self.customer_column,
            "id": self.id_column,
        }
        if not any(found.values()):
            return None
        if not (self.date_column and self.amount_column):
            raise ValueError("a mapping needs date_column and amount_column")
        return found


class SkippedPaymentRow(Out):
    line: int
    reason: str


class PaymentsImportOut(Out):
    id: int
    layout: Literal["stripe", "square", "quickbooks", "mapped"]
    rows: int = Field(description="Data rows in the file")
    stored: int = Field(description="Payment rows stored by this import")
    duplicates: int = Field(description="Payment rows an earlier import (or line) stored")
    skipped: int = Field(description="Rows that are no payment (refunds, fees, ...)")
    matched: int = Field(description="Rows of this import matched now")
    unmatched: int
    ignored: int
    matched_on_import: int = Field(description="Rows matched automatically by the import")
    skipped_rows: list[SkippedPaymentRow] = Field(description="The first 100 skipped rows")
    created_at: str
    duplicate: bool = Field(
        description="True: this file was imported before; the earlier import's summary"
    )


class PaymentRowFilter(Query):
    status: RowStatus | None = None
    import_id: IdQuery | None = None


class PaymentRowOut(Out):
    id: int
    import_id: int
    line: int
    status: RowStatus
    date: str
    amount_cents: int
    currency: str | None
    external_id: str | None
    reference: str | None
    customer_email: str | None
    customer_name: str | None
    reason: str | None = Field(description="Why the row waits for a person")
    invoice_id: int | None
    sale_id: int | None
    match_method: Literal["reference", "amount_customer", "manual"] | None
    matched_at: str | None
    matched_by: int | None
    created_at: str
    updated_at: str


class PaymentRowMatchIn(Body):
    """Exactly one of ``invoice_id`` and ``sale_id``: the row's payment is recorded on it."""

    model_config = reference_example({"invoice_id": 42})

    invoice_id: Id | None = None
    sale_id: Id | None = None

    @model_validator(mode="after")
    def _one(self) -> PaymentRowMatchIn:
        if (self.invoice_id is None) == (self.sale_id is None):
            raise ValueError("give exactly one of invoice_id and sale_id")
        return self
