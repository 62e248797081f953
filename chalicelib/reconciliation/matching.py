"""Finding the one invoice or sale a payment row pays (``rules.candidates``), with the
reads of one import each made once."""

from __future__ import annotations

from datetime import date
from itertools import islice
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import search as customer_search
from chalicelib.customers import service as customers
from chalicelib.invoices import service as invoices
from chalicelib.platform.batch import get_many
from chalicelib.reconciliation.rules import candidates as candidate_rules
from chalicelib.reconciliation.rules import reading
from chalicelib.sales import service as sales
from chalicelib.sales.models import SaleFilter
from chalicelib.sales.models import view as sale_view

CANDIDATES = 25  # invoices / sales of one customer looked at
NAMED_CUSTOMERS = 3  # customers with the row's exact name looked at


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

    def prefetch(self, rows: list[reading.PaymentRow]) -> None:
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

    def customers_of(self, row: reading.PaymentRow) -> list[int]:
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
        low, high = candidate_rules.sale_window(day)
        wanted = SaleFilter(
            customer_id=customer_id,
            date_from=low,
            date_to=high,
            payment_status="unpaid",
            voided=False,
        )
        return [sale_view(s) for s in islice(sales.every_match(self.principal, wanted), CANDIDATES)]

    def find(
        self, row: reading.PaymentRow
    ) -> tuple[tuple[str, int] | None, str | None, str | None]:
        """``(target, method, reason)``: the one invoice or sale the row pays and how it
        was found, or None and why the row waits for a person."""
        named = []
        for kind, number in candidate_rules.references(row.reference)[:5]:
            view = self.invoice(number) if kind == candidate_rules.INVOICE else self.sale(number)
            if view is not None:
                named.append((kind, number, view))
        if len(named) > 1:
            shown = ", ".join(f"{k} {n}" for k, n, _ in named)
            return None, None, f"the reference names {shown}: match it by hand"
        if named:
            kind, number, view = named[0]
            refusal = (
                candidate_rules.invoice_refusal(view, row.amount_cents)
                if kind == candidate_rules.INVOICE
                else candidate_rules.sale_refusal(view, row.amount_cents)
            )
            if refusal:
                return None, None, f"the reference names {kind} {number}, but {refusal}"
            return (kind, number), candidate_rules.BY_REFERENCE, None
        found_customers = self.customers_of(row)
        if not found_customers:
            if row.customer_email or row.customer_name:
                return None, None, "no customer has this e-mail or name, and no reference"
            return None, None, "no reference to an invoice or sale and no customer"
        candidates: list[tuple[str, int]] = []
        for customer_id in found_customers:
            candidates += [
                (candidate_rules.INVOICE, int(inv["id"]))
                for inv in self.candidates_of(customer_id)
                if candidate_rules.invoice_fits(inv, row.amount_cents, row.date)
            ]
            candidates += [
                (candidate_rules.SALE, int(sale["id"]))
                for sale in self.unpaid_sales(customer_id, row.date)
                if candidate_rules.sale_fits(sale, row.amount_cents, row.date)
            ]
        target, reason = candidate_rules.decide(candidates)
        return target, (candidate_rules.BY_AMOUNT if target else None), reason
