"""Matching a payment row (SPEC.md "Payment reconciliation"): pure.

A row first names its invoice or sale in its reference text (``references``:
``INV-000042``, ``Invoice 42``, ``Invoice #42``, ``Sale 17``, ``SALE-17``); else it is
matched by amount + customer + date: the open invoices (sent, partial, overdue) of the
row's customer whose balance is at least the amount and whose window (sent date - 7
days .. due date + 7 days) holds the row's date (``invoice_fits``), and the customer's
unpaid sales of exactly that amount dated within 7 days of it (``sale_fits``). Only a
single candidate matches (``decide``); none or several leave the row unmatched, for a
person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

WINDOW_DAYS = 7
UNMATCHED, MATCHED, IGNORED = "unmatched", "matched", "ignored"
STATUSES = (UNMATCHED, MATCHED, IGNORED)
BY_REFERENCE, BY_AMOUNT, BY_HAND = "reference", "amount_customer", "manual"
INVOICE, SALE = "invoice", "sale"
OPEN_INVOICE = ("sent", "partial", "overdue")

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
