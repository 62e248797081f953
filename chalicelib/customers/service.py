"""Customers: the back-office area (``/admin/customers``) and linking sales, jobs,
invoices and estimates to them.

A merged-away customer (``merge``) resolves to the customer it was merged into: ``get``
answers the survivor (so does ``GET /admin/customers/{merged id}``: the body's ``id`` is
the survivor's), its e-mail links new records to the survivor, and the survivor's
history shows the merged customer's records. Changing or merging a merged-away id is 409.

DynamoDB calls: create 2 (id counter; one transaction: the customer, its e-mail pointer,
its search-key entries and its count); get 1 (2 for a merged-away or unknown id, and 2
more per merge it was folded through);
list: see ``customers.listing``; update 2 (a consistent read, then one write, a
transaction when the e-mail, a searched term or ``active`` changes), again when a
concurrent change of the same customer got in first; merge 3 (two consistent reads, one
transaction) and one read of the survivor; history: see ``customers.history``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import BadRequest, Conflict, NotFound, found, invalid
from chalicelib.core.pagination import PageRequest
from chalicelib.core.text import normalize_email as _normalize
from chalicelib.customers import history as _history
from chalicelib.customers import listing, rules, store
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


# --- a document's customer (an invoice or estimate links or creates it when created) -----
@dataclass(frozen=True)
class Resolved:
    """The customer of a document being created: its id, the name and e-mail the document
    shows, and the transaction parts that create it (none when it exists)."""

    customer_id: int
    name: str | None
    email: str | None
    parts: list[Callable[[Labelled], Any]] = field(default_factory=list)


def refs_for(tenant_id: str, customer_id: int | None, email: str | None) -> dict[str, Any]:
    """What a document's create reads in its batch for its customer (by name): the
    ``customer`` (``customer_id``), else its e-mail ``pointer`` and the
    ``customer_counter`` (the document may create its customer)."""
    if customer_id is not None:
        return {"customer": ref(tenant_id, customer_id)}
    wanted = {"pointer": email_ref(tenant_id, email)} if email else {}
    wanted["customer_counter"] = counter_ref(tenant_id)
    return wanted


def resolve_for(
    tenant_id: str,
    got: dict[str, Any],
    *,
    customer_id: int | None,
    name: str | None,
    email: str | None,
    now: datetime,
    source: str,
    reserved: int | None = None,
) -> Resolved:
    """The customer of a document from what ``refs_for`` read (``got``): ``customer_id``
    (422 naming it when it is not the tenant's), else the customer with ``email``
    (normalised), else a new customer from ``name``/``email`` with id ``reserved`` (taken
    by ``reserve_if_lost``) or the next one claimed in the document's transaction (label
    ``customer_counter``)."""
    if customer_id is not None:
        customer = got["customer"]
        if customer is None or customer.tenant_id != tenant_id:
            raise invalid("customer_id", f"customer {customer_id} does not exist")
        return Resolved(customer_id, customer.name, customer.email)
    if got.get("pointer") is not None:
        return Resolved(int(got["pointer"].customer_id), name, email)
    current = counters.current_value(got["customer_counter"])
    new_id = reserved or current + 1
    new, pointer = new_from_sale(tenant_id, new_id, name or email, email, now, source=source)
    parts: list[Callable[[Labelled], Any]] = [lambda tx: add(tx, new, pointer, email_label="email")]
    if reserved is None:
        parts.append(lambda tx: claim_id(tx, "customer_counter", tenant_id, current))
    return Resolved(new_id, name, email, parts)


def reserve_if_lost(tenant_id: str, failed: Any, reserved: int | None) -> int | None:
    """After a document's transaction failed (labels ``failed``): a customer id taken
    outright when its claim lost the race (once), else ``reserved`` as it was."""
    if "customer_counter" in failed and reserved is None:
        return reserve_id(tenant_id)
    return reserved


def _own(tenant_id: str, customer_id: int, consistent: bool = False) -> CustomerItem:
    """The customer item with this id itself (merged away or not); 404 when none."""
    customer = store.get(tenant_id, customer_id, consistent=consistent)
    if customer is None:
        customer = store.get_merged(tenant_id, customer_id, consistent=consistent)
    return found(customer, f"customer {customer_id} not found")


def get(tenant_id: str, customer_id: int, consistent: bool = False) -> CustomerItem:
    """The customer, or the one it was merged into (through at most
    ``rules.MAX_ABSORBED`` merges)."""
    customer = _own(tenant_id, customer_id, consistent)
    for _ in range(rules.MAX_ABSORBED + 1):
        if customer.merged_into is None:
            return customer
        customer = _own(tenant_id, int(customer.merged_into), consistent)
    raise NotFound(f"customer {customer_id} not found")


def _unmerged(tenant_id: str, customer_id: int) -> CustomerItem:
    customer = _own(tenant_id, customer_id, consistent=True)
    if customer.merged_into is not None:
        raise Conflict(
            f"customer {customer_id} was merged into customer {int(customer.merged_into)}"
        )
    return customer


def tenants_with_email(email: str, limit: int = 50) -> list[tuple[str, int]]:
    """``(tenant id, customer id)`` of every tenant (at most ``limit``) with a customer
    whose e-mail is ``email`` (normalised here), through the global e-mail index: one
    Query on gsi1, eventually consistent (a customer created a moment ago may be missing).
    A merged-away customer's e-mail names the customer it was merged into."""
    normalised = normalize_email(email)
    if not normalised or limit <= 0:
        return []
    return store.tenants_with_email(normalised, limit)


def backfill_email_index(tenant_id: str) -> int:
    """Index the tenant's e-mail pointers written before the global e-mail index (a
    deploy step: ``python -m chalicelib.customers.backfill``); how many it indexed."""
    return store.backfill_email_index(tenant_id)


def list_page(
    tenant_id: str,
    request: PageRequest,
    search: str | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """Newest first; ``search``: by prefix of name (or a later word of it), e-mail, phone
    digits or ZIP, case-insensitive; ``active``: only the active (inactive) ones
    (``customers.listing``). Merged-away customers are in no list."""
    return listing.page(tenant_id, request, search, active)


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalised e-mail and tags; ``active`` stored only when false."""
    fields = dict(fields)
    if "email" in fields:
        fields["email"] = normalize_email(fields["email"])
    if "tags" in fields:
        fields["tags"] = rules.check_tags(fields["tags"]) or None
    return fields


def _billing(current: dict[str, Any] | None, given: dict[str, Any] | None) -> dict | None:
    """The billing address after a change: the keys given replace (None clears one), a
    null ``billing_address`` clears it all."""
    if given is None:
        return None
    address = {k: v for k, v in {**(current or {}), **given}.items() if v is not None}
    return address or None


def _email_taken(exc: ConditionFailed) -> Conflict | None:
    if "email" in exc.failed:
        return Conflict("a customer with this email already exists")
    return None


def create(tenant_id: str, fields: dict[str, Any], source: str = "admin") -> CustomerItem:
    fields = _checked({**fields, "email": fields.get("email"), "source": source})
    if fields.get("active") is not False:
        fields.pop("active", None)
    if "billing_address" in fields:
        fields["billing_address"] = _billing(None, fields["billing_address"])
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
    """Only the fields given change (None clears; ``active`` None means true). A
    merged-away customer is 409."""
    changes = _checked(changes)
    for _ in retries():  # changed concurrently: apply the changes to what it is now
        customer = _unmerged(tenant_id, customer_id)
        if not changes:
            return customer
        write = dict(changes)
        if "billing_address" in write:
            write["billing_address"] = _billing(customer.billing_address, write["billing_address"])
        try:
            return store.update(customer, write, clock.now())
        except ConditionFailed as exc:
            if "customer" in exc.failed:
                continue
            raise _email_taken(exc) or exc from exc
        except Contention:
            continue
    raise Conflict(f"customer {customer_id} is being changed by other requests; retry")


def merge(tenant_id: str, customer_id: int, from_id: int, merged_by: int | None) -> CustomerItem:
    """Fold customer ``from_id`` into ``customer_id`` (``customers.rules.check_merge``):
    one transaction of O(1) items (``customers.store.merge``). Returns the survivor."""
    if customer_id == from_id:
        rules.check_merge(customer_id, from_id, None, None, 0, 0)
    for _ in retries():  # either changed meanwhile: check again on what they are now
        survivor = _own(tenant_id, customer_id, consistent=True)
        merged = _own(tenant_id, from_id, consistent=True)
        rules.check_merge(
            customer_id,
            from_id,
            None if survivor.merged_into is None else int(survivor.merged_into),
            None if merged.merged_into is None else int(merged.merged_into),
            len(survivor.absorbed or []),
            len(merged.absorbed or []),
        )
        try:
            return store.merge(survivor, merged, merged_by, clock.now())
        except (ConditionFailed, Contention):
            continue
    raise Conflict(f"customers {customer_id} and {from_id} are being changed; retry")


def history(tenant_id: str, customer_id: int, request: PageRequest) -> dict[str, Any]:
    """The customer's jobs, sales, invoices and estimates (its own and those of every
    customer merged into it), newest first (``customers.history``). A merged-away id
    answers its survivor's history."""
    if request.page > 1 and not request.cursor:
        raise BadRequest("the history pages by cursor: pass a page's next_cursor")
    customer = get(tenant_id, customer_id)
    survivor = int(customer.customer_id)
    return _history.page(tenant_id, survivor, [survivor, *customer.absorbed_ids()], request)
