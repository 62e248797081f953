"""Invoice rules (SPEC.md "Billing documents and agreements"): pure, integer cents.

Totals: a line's total is ``amount_cents x quantity`` (exact); the subtotal is their sum;
tax is ``subtotal x tax_bps / 10,000`` rounded half to even to a cent **once per
invoice** (never per line), so ``total_cents = subtotal_cents + tax_cents`` exactly.

Statuses (stored): ``draft`` -> ``sent`` (send) -> ``partial`` (a payment below the
balance) -> ``paid`` (the balance reaches 0); ``void`` from draft, sent or partial.
``overdue`` is never stored: an invoice is shown ``overdue`` when its stored status is
``sent`` or ``partial`` and its ``due_date`` is before today (UTC), so it becomes overdue
at midnight UTC after its due date without a write, and a payment in full makes it
``paid`` again. Moves:

- update (PATCH): only a draft (409 otherwise);
- send: a draft becomes sent; sending a sent, partial (or overdue) invoice again re-sends
  it and changes nothing; a paid or void invoice is 409;
- payment: sent or partial (overdue included) only (a draft, paid or void invoice is
  409); ``1 <= amount_cents <= balance_cents`` (more than the balance is 422);
- void: draft, sent or partial (overdue included); a paid or void invoice is 409. A void
  invoice keeps its payments on record (``paid_cents``); refunds are outside the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.core.money import BPS_DENOMINATOR, round_half_even

DRAFT, SENT, PARTIAL, PAID, VOID, OVERDUE = "draft", "sent", "partial", "paid", "void", "overdue"
STORED = (DRAFT, SENT, PARTIAL, PAID, VOID)
STATUSES = (*STORED, OVERDUE)  # what the API shows and filters on
OPEN = (SENT, PARTIAL)  # awaiting payment; overdue once past due
MAX_LINES = 100
MAX_QUANTITY = 1_000_000
MAX_LINE_CENTS = 10**12
MAX_PAYMENTS = 100
METHODS = ("cash", "check", "card", "ach", "bank_transfer", "financing", "other")


@dataclass(frozen=True)
class Totals:
    subtotal_cents: int
    tax_cents: int
    total_cents: int


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must be an integer", field=field)
    if not low <= value <= high:
        raise InvalidInput(f"must be between {low} and {high}", field=field)
    return value


def check_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The line items as stored: ``description``, ``amount_cents`` (the unit price, 0 or
    more), ``quantity`` (1 or more) and their ``total_cents``; at least one line."""
    checked: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        description = str(line.get("description") or "").strip()
        if not description:
            raise InvalidInput("may not be empty", field=f"line_items.{i}.description")
        amount = _int(line.get("amount_cents"), f"line_items.{i}.amount_cents", 0, MAX_LINE_CENTS)
        quantity = _int(line.get("quantity"), f"line_items.{i}.quantity", 1, MAX_QUANTITY)
        checked.append(
            {
                "description": description,
                "amount_cents": amount,
                "quantity": quantity,
                "total_cents": amount * quantity,
            }
        )
    if not checked:
        raise InvalidInput("an invoice needs at least one line item", field="line_items")
    if len(checked) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} line items", field="line_items")
    return checked


def check_tax(tax_bps: Any) -> int:
    """0..10,000 bps (100 %); more is 422."""
    return _int(tax_bps, "tax_bps", 0, BPS_DENOMINATOR)


def totals(lines: Iterable[Mapping[str, Any]], tax_bps: int) -> Totals:
    """Subtotal, tax and total: the one rounding (half to even) is the tax of the whole
    invoice."""
    subtotal = sum(int(line["amount_cents"]) * int(line["quantity"]) for line in lines)
    tax = round_half_even(subtotal * check_tax(tax_bps), BPS_DENOMINATOR)
    return Totals(subtotal, tax, subtotal + tax)


def shown_status(status: str, due_date: str, today: date) -> str:
    """The status the API shows: ``overdue`` for an open invoice past its due date."""
    if status in OPEN and due_date < today.isoformat():
        return OVERDUE
    return status


def number_of(invoice_id: int) -> str:
    """The invoice number shown on the document: ``INV-000042``."""
    return f"INV-{invoice_id:06d}"


# --- moves ------------------------------------------------------------------------------
def _shown(status: str) -> str:
    return "paid in full" if status == PAID else status


def check_update(status: str) -> None:
    if status != DRAFT:
        raise RuleViolation(f"only a draft invoice can be changed (this one is {status})")


def after_send(status: str) -> str:
    """The stored status once sent (a re-send of an open invoice keeps it)."""
    if status == DRAFT:
        return SENT
    if status in OPEN:
        return status
    raise RuleViolation(f"a {_shown(status)} invoice cannot be sent")


def after_payment(status: str, balance_cents: int, amount_cents: int) -> tuple[str, int]:
    """The stored status and balance after a payment of ``amount_cents``."""
    if status not in OPEN:
        if status == DRAFT:
            raise RuleViolation("send the invoice before recording a payment (it is a draft)")
        raise RuleViolation(f"no payment can be recorded on a {_shown(status)} invoice")
    _int(amount_cents, "amount_cents", 1, MAX_LINE_CENTS * MAX_QUANTITY)
    if amount_cents > balance_cents:
        raise InvalidInput(
            f"{amount_cents} is more than the balance of {balance_cents} cents",
            field="amount_cents",
        )
    balance = balance_cents - amount_cents
    return (PAID if balance == 0 else PARTIAL), balance


def check_void(status: str) -> None:
    if status not in (DRAFT, *OPEN):
        raise RuleViolation(f"a {_shown(status)} invoice cannot be voided")


def stored_filter(status: str | None, today: date) -> tuple[tuple[str, ...] | None, str, str]:
    """How a ``status`` filter reads the list: the stored statuses it keeps (None: all)
    and the due-date bounds it implies (``""``: open): ``overdue`` is sent or partial due
    before today, ``sent`` and ``partial`` are those due today or later."""
    if status is None:
        return None, "", ""
    if status == OVERDUE:
        return OPEN, "", date.fromordinal(today.toordinal() - 1).isoformat()
    if status in OPEN:
        return (status,), today.isoformat(), ""
    return (status,), "", ""
