"""Customers: the back-office area (``/admin/customers``) and linking sales to them.

DynamoDB calls: create 2 (id counter; one transaction: the customer, its e-mail pointer,
its search-key entries and its count); get 1; list: see ``customers.listing``; update 2
(a consistent read, then one write, a transaction when the e-mail or a searched term
changes), again when a concurrent change of the same customer got in first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, found
from chalicelib.core.pagination import PageRequest
from chalicelib.core.text import normalize_email as _normalize
from chalicelib.customers import listing, store
from chalicelib.customers.store import CustomerItem, CustomerPointerItem
from chalicelib.platform import counters
from chalicelib.platform.tx import ConditionFailed, Contention, Labelled, retries

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
    tenant_id: str,
    customer_id: int,
    name: str,
    email: str | None,
    now: datetime,
    source: str = "sale",
) -> tuple[CustomerItem, CustomerPointerItem | None]:
    """A customer made from a sale's (or a dispatch job's, ``source``) ``customer_name``/
    ``customer_email`` (not written)."""
    return store.new_items(
        tenant_id, customer_id, {"name": name, "email": email, "source": source}, now
    )


def claim_id(tx: Labelled, label: str, tenant_id: str, current: int) -> int:
    """Take the next customer id inside ``tx`` (compare-and-set on the value read)."""
    return counters.claim(tx, label, tenant_id, ENTITY, current)


def reserve_id(tenant_id: str) -> int:
    """Take a customer id outright (``UpdateItem ADD``; never reused), for a writer that
    lost the compare-and-set of ``claim_id`` once."""
    return counters.next_id(tenant_id, ENTITY)


def get(tenant_id: str, customer_id: int, consistent: bool = False) -> CustomerItem:
    return found(
        store.get(tenant_id, customer_id, consistent=consistent),
        f"customer {customer_id} not found",
    )


def tenants_with_email(email: str, limit: int = 50) -> list[tuple[str, int]]:
    """``(tenant id, customer id)`` of every tenant (at most ``limit``) with a customer
    whose e-mail is ``email`` (normalised here), through the global e-mail index: one
    Query on gsi1, eventually consistent (a customer created a moment ago may be missing).
    A merged-away customer's e-mail names the customer it was merged into."""
    normalised = normalize_email(email)
    if not normalised or limit <= 0:
        return []
    return store.tenants_with_email(normalised, limit)


def list_page(tenant_id: str, request: PageRequest, search: str | None = None) -> dict[str, Any]:
    """Newest first; ``search``: by prefix of name (or a later word of it), e-mail, phone
    digits or ZIP, case-insensitive (``customers.listing``)."""
    return listing.page(tenant_id, request, search)


def _email_taken(exc: ConditionFailed) -> Conflict | None:
    if "email" in exc.failed:
        return Conflict("a customer with this email already exists")
    return None


def create(tenant_id: str, fields: dict[str, Any], source: str = "admin") -> CustomerItem:
    fields = {**fields, "email": normalize_email(fields.get("email")), "source": source}
    customer_id = counters.next_id(tenant_id, ENTITY)
    for _ in retries():  # another write held the list's count: the same id again
        try:
            return store.create(tenant_id, customer_id, fields, clock.now())
        except ConditionFailed as exc:
            raise _email_taken(exc) or exc from exc
        except Contention:
            continue
    raise Conflict("too many concurrent changes of the customers; retry the request")


def update(tenant_id: str, customer_id: int, changes: dict[str, Any]) -> CustomerItem:
    if "email" in changes:
        changes = {**changes, "email": normalize_email(changes["email"])}
    for _ in retries():  # changed concurrently: apply the changes to what it is now
        customer = get(tenant_id, customer_id, consistent=True)
        if not changes:
            return customer
        try:
            return store.update(customer, changes, clock.now())
        except ConditionFailed as exc:
            if "customer" in exc.failed:
                continue
            raise _email_taken(exc) or exc from exc
        except Contention:
            continue
    raise Conflict(f"customer {customer_id} is being changed by other requests; retry")
