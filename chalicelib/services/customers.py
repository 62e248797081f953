"""Customers: the back-office area (``/admin/customers``) and linking sales to them.

DynamoDB calls: create 2 (id counter, put or a put + e-mail pointer transaction); get 1;
list 1 Query per 1 MB of customers; update 2.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.domain import identity
from chalicelib.store import counters
from chalicelib.store import customers as store
from chalicelib.store.errors import ConditionFailed
from chalicelib.store.models import CustomerItem

ENTITY = "customer"
FIELDS = ("name", "email", "phone", "address", "city", "state", "zip", "notes")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def normalize_email(email: str | None) -> str | None:
    return identity.normalize_email(email) if email else None


def view(customer: CustomerItem) -> dict[str, Any]:
    return {
        "id": int(customer.customer_id), "name": customer.name, "email": customer.email,
        "phone": customer.phone, "address": customer.address, "city": customer.city,
        "state": customer.state, "zip": customer.zip, "notes": customer.notes,
        "created_at": customer.created_at.isoformat() if customer.created_at else None,
        "updated_at": customer.updated_at.isoformat() if customer.updated_at else None,
    }


def get(tenant_id: str, customer_id: int) -> CustomerItem:
    customer = store.get(tenant_id, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def list_all(tenant_id: str, search: str | None = None) -> list[CustomerItem]:
    """Newest first; ``search`` matches name, e-mail, phone, city or ZIP (case-insensitive)."""
    customers = store.list_all(tenant_id)
    customers.reverse()
    if search:
        needle = search.strip().lower()
        customers = [c for c in customers if any(
            needle in (value or "").lower()
            for value in (c.name, c.email, c.phone, c.city, c.zip))]
    return customers


def create(tenant_id: str, fields: dict[str, Any], source: str = "admin") -> CustomerItem:
    fields = {**fields, "email": normalize_email(fields.get("email")), "source": source}
    try:
        return store.create(tenant_id, counters.next_id(tenant_id, ENTITY), fields, _now())
    except ConditionFailed as exc:
        if "email" in exc.failed:
            raise Conflict("a customer with this email already exists") from exc
        raise


def update(tenant_id: str, customer_id: int, changes: dict[str, Any]) -> CustomerItem:
    customer = get(tenant_id, customer_id)
    if "email" in changes:
        changes = {**changes, "email": normalize_email(changes["email"])}
    if not changes:
        return customer
    try:
        return store.update(customer, changes, _now())
    except ConditionFailed as exc:
        if "email" in exc.failed:
            raise Conflict("a customer with this email already exists") from exc
        raise
