"""Customers of a tenant, with a per-tenant e-mail pointer (lookup and uniqueness)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.store import keys
from chalicelib.store.models import CustomerItem, CustomerPointerItem
from chalicelib.store.tx import labelled_transaction

_UPDATABLE = ("name", "email", "phone", "address", "city", "state", "zip", "notes")


def get(tenant_id: str, customer_id: int) -> CustomerItem | None:
    try:
        item = CustomerItem.get(*keys.customer_key(tenant_id, customer_id))
    except DoesNotExist:
        return None
    return item if item.tenant_id == tenant_id else None


def list_all(tenant_id: str) -> list[CustomerItem]:
    """Every customer of the tenant, by id (one Query per 1 MB of customers)."""
    return list(CustomerItem.query(keys.customers_pk(tenant_id)))


def email_pointer_key(tenant_id: str, email: str) -> tuple[str, str]:
    return keys.customer_email_key(tenant_id, email)


def new_items(tenant_id: str, customer_id: int, fields: dict[str, Any], now: datetime
              ) -> tuple[CustomerItem, CustomerPointerItem | None]:
    """The customer item and (when it has an e-mail) its pointer, not yet written."""
    customer = CustomerItem(*keys.customer_key(tenant_id, customer_id), tenant_id=tenant_id,
                            customer_id=customer_id, created_at=now, updated_at=now, **fields)
    pointer = None
    if customer.email:
        pointer = CustomerPointerItem(*keys.customer_email_key(tenant_id, customer.email),
                                      tenant_id=tenant_id, customer_id=customer_id)
    return customer, pointer


def create(tenant_id: str, customer_id: int, fields: dict[str, Any],
           now: datetime) -> CustomerItem:
    """Raises ``ConditionFailed(["email"])`` when another customer has the e-mail."""
    customer, pointer = new_items(tenant_id, customer_id, fields, now)
    if pointer is None:
        customer.save(condition=CustomerItem.pk.does_not_exist())
        return customer
    with labelled_transaction() as tx:
        tx.save("customer", customer, condition=CustomerItem.pk.does_not_exist())
        tx.save("email", pointer, condition=CustomerPointerItem.pk.does_not_exist())
    return customer


def update(customer: CustomerItem, changes: dict[str, Any], now: datetime) -> CustomerItem:
    """Apply ``changes``; an e-mail change moves the pointer in the same transaction.
    Raises ``ConditionFailed(["email"])`` when the new e-mail belongs to another customer."""
    actions = []
    for name, value in changes.items():
        if name not in _UPDATABLE:
            raise ValueError(f"customer attribute {name!r} cannot be changed")
        attr = getattr(CustomerItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    actions.append(CustomerItem.updated_at.set(now))
    old_email = customer.email
    new_email = changes.get("email", old_email)
    if new_email == old_email:
        customer.update(actions=actions, condition=CustomerItem.pk.exists())
        return customer
    tenant_id, customer_id = customer.tenant_id, int(customer.customer_id)
    with labelled_transaction() as tx:
        tx.update("customer", customer, actions, condition=CustomerItem.pk.exists())
        if old_email:
            tx.delete("old_email",
                      CustomerPointerItem(*keys.customer_email_key(tenant_id, old_email)))
        if new_email:
            tx.save("email", CustomerPointerItem(*keys.customer_email_key(tenant_id, new_email),
                                                 tenant_id=tenant_id, customer_id=customer_id),
                    condition=CustomerPointerItem.pk.does_not_exist())
    refreshed = get(tenant_id, customer_id)
    assert refreshed is not None
    return refreshed
