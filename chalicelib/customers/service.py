"""Customers: the back-office area (``/admin/customers``) and linking sales to them.

DynamoDB calls: create 2 (id counter, put or a put + e-mail pointer transaction); get 1;
list 1 Query per 1 MB of customers; update 2.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, found
from chalicelib.core.text import normalize_email as _normalize
from chalicelib.customers import store
from chalicelib.customers.store import CustomerItem, CustomerPointerItem
from chalicelib.platform import counters
from chalicelib.platform.tx import ConditionFailed, Labelled

ENTITY = "customer"
# For another feature's batch read and transaction (a sale links or creates its customer).
ref, email_ref, add = store.ref, store.email_ref, store.add


def normalize_email(email: str | None) -> str | None:
    return _normalize(email) if email else None


def counter_ref(tenant_id: str) -> tuple[Any, tuple[str, str]]:
    """The customer id counter, for a batch read (a sale that creates a customer claims the
    next id in its own transaction)."""
    return counters.ref(tenant_id, ENTITY)


def new_from_sale(
    tenant_id: str, customer_id: int, name: str, email: str | None, now: datetime
) -> tuple[CustomerItem, CustomerPointerItem | None]:
    """A customer made from a sale's ``customer_name``/``customer_email`` (not written)."""
    return store.new_items(
        tenant_id, customer_id, {"name": name, "email": email, "source": "sale"}, now
    )


def claim_id(tx: Labelled, label: str, tenant_id: str, current: int) -> int:
    """Take the next customer id inside ``tx`` (compare-and-set on the value read)."""
    return counters.claim(tx, label, tenant_id, ENTITY, current)


def get(tenant_id: str, customer_id: int) -> CustomerItem:
    return found(store.get(tenant_id, customer_id), f"customer {customer_id} not found")


def list_all(tenant_id: str, search: str | None = None) -> list[CustomerItem]:
    """Newest first; ``search`` matches name, e-mail, phone, city or ZIP (case-insensitive)."""
    customers = store.list_all(tenant_id)
    customers.reverse()
    if search:
        needle = search.strip().lower()
        customers = [
            c
            for c in customers
            if any(
                needle in (value or "").lower()
                for value in (c.name, c.email, c.phone, c.city, c.zip)
            )
        ]
    return customers


def _email_taken(exc: ConditionFailed) -> Conflict | None:
    if "email" in exc.failed:
        return Conflict("a customer with this email already exists")
    return None


def create(tenant_id: str, fields: dict[str, Any], source: str = "admin") -> CustomerItem:
    fields = {**fields, "email": normalize_email(fields.get("email")), "source": source}
    try:
        return store.create(tenant_id, counters.next_id(tenant_id, ENTITY), fields, clock.now())
    except ConditionFailed as exc:
        raise _email_taken(exc) or exc from exc


def update(tenant_id: str, customer_id: int, changes: dict[str, Any]) -> CustomerItem:
    customer = get(tenant_id, customer_id)
    if "email" in changes:
        changes = {**changes, "email": normalize_email(changes["email"])}
    if not changes:
        return customer
    try:
        return store.update(customer, changes, clock.now())
    except ConditionFailed as exc:
        raise _email_taken(exc) or exc from exc
