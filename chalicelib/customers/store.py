"""Customers of a tenant, with a per-tenant e-mail pointer (lookup and uniqueness).

Keys (``platform.keys``): customer ``T#<tid>#CUST`` / ``<id>``; e-mail pointer
``T#<tid>#CUSTEMAIL`` / ``<normalised e-mail>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, change_actions, register
from chalicelib.platform.tx import Labelled, labelled_transaction

UPDATABLE = ("name", "email", "phone", "address", "city", "state", "zip", "notes")


@register
class CustomerItem(BaseItem):
    tenant_id = UnicodeAttribute()
    customer_id = NumberAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    city = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    zip = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class CustomerPointerItem(BaseItem):
    """Per-tenant lookup/uniqueness item: customer e-mail -> customer id."""

    tenant_id = UnicodeAttribute()
    customer_id = NumberAttribute()


def get(tenant_id: str, customer_id: int) -> CustomerItem | None:
    return CustomerItem.find(keys.customer_key(tenant_id, customer_id), tenant_id=tenant_id)


def ref(tenant_id: str, customer_id: int) -> tuple[type[CustomerItem], tuple[str, str]]:
    return CustomerItem, keys.customer_key(tenant_id, customer_id)


def email_ref(tenant_id: str, email: str) -> tuple[type[CustomerPointerItem], tuple[str, str]]:
    return CustomerPointerItem, keys.customer_email_key(tenant_id, email)


def list_all(tenant_id: str) -> list[CustomerItem]:
    """Every customer of the tenant, by id (one Query per 1 MB of customers)."""
    return list(CustomerItem.query(keys.customers_pk(tenant_id)))


def new_items(
    tenant_id: str, customer_id: int, fields: dict[str, Any], now: datetime
) -> tuple[CustomerItem, CustomerPointerItem | None]:
    """The customer item and (when it has an e-mail) its pointer, not yet written."""
    customer = CustomerItem(
        *keys.customer_key(tenant_id, customer_id),
        tenant_id=tenant_id,
        customer_id=customer_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    pointer = None
    if customer.email:
        pointer = CustomerPointerItem(
            *keys.customer_email_key(tenant_id, customer.email),
            tenant_id=tenant_id,
            customer_id=customer_id,
        )
    return customer, pointer


def add(
    tx: Labelled,
    customer: CustomerItem,
    pointer: CustomerPointerItem | None,
    label: str = "customer",
    email_label: str = "email",
) -> None:
    """Create the customer (and its e-mail pointer) in ``tx``: ``email_label`` fails when
    another customer has the e-mail."""
    tx.create(label, customer)
    if pointer is not None:
        tx.create(email_label, pointer)


def create(tenant_id: str, customer_id: int, fields: dict[str, Any], now: datetime) -> CustomerItem:
    """Raises ``ConditionFailed(["email"])`` when another customer has the e-mail."""
    customer, pointer = new_items(tenant_id, customer_id, fields, now)
    if pointer is None:
        customer.save(condition=CustomerItem.pk.does_not_exist())
        return customer
    with labelled_transaction() as tx:
        add(tx, customer, pointer)
    return customer


def update(customer: CustomerItem, changes: dict[str, Any], now: datetime) -> CustomerItem:
    """Apply ``changes``; an e-mail change moves the pointer in the same transaction.
    Raises ``ConditionFailed(["email"])`` when the new e-mail belongs to another customer."""
    actions = change_actions(CustomerItem, changes, UPDATABLE)
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
            tx.delete(
                "old_email", CustomerPointerItem(*keys.customer_email_key(tenant_id, old_email))
            )
        if new_email:
            tx.create(
                "email",
                CustomerPointerItem(
                    *keys.customer_email_key(tenant_id, new_email),
                    tenant_id=tenant_id,
                    customer_id=customer_id,
                ),
            )
    refreshed = get(tenant_id, customer_id)
    assert refreshed is not None
    return refreshed
