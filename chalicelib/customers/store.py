"""Customers of a tenant, with a per-tenant e-mail pointer (lookup and uniqueness), the
search-key entries of ``GET /admin/customers?search=`` and the count of the list.

Keys (``platform.keys``): customer ``T#<tid>#CUST`` / ``<id>``; e-mail pointer
``T#<tid>#CUSTEMAIL`` / ``<normalised e-mail>``; search-key entry ``T#<tid>#CUSTSEARCH`` /
``<term>#<field>#<id>`` (``customers.search``); the list's rollup scope
``keys.CUSTOMERS_ROLLUP_SCOPE`` (buckets of 100 and 10,000 ids, one facet).

Every write that creates a customer (``add``, also inside a sale's transaction) puts its
search entries and counts it in the same transaction; every update that changes a
searched field swaps the entries in the update's transaction, conditioned on the searched
fields as read (so the entries removed are exactly the ones that exist). Customers are
never deleted.

The list's facet (``customers.rules.facet``) is ``""`` active, ``"0"`` inactive; a change of ``active`` moves the count and rewrites the search entries (they
carry ``active`` for ``?search=&active=``) in the update's transaction, conditioned on
``active`` as read.

A merge (``merge``) is one transaction of O(1) items, whatever the customers' records:
the merged customer moves from ``T#<tid>#CUST`` to ``T#<tid>#CUSTMERGED`` / ``<id>`` with
``merged_into``/``merged_at``/``merged_by`` (its removal conditioned on its searched
fields and ``active`` as read), the survivor gets the entry in ``absorbed`` (conditioned
on existing and on its ``merges`` count as read), the merged customer's search entries
are deleted, its e-mail pointers (its own and those of the customers folded into it
before) point to the survivor, those customers' records name the survivor as where they
were merged, and its count leaves the list. Records (sales, jobs, invoices) keep naming the id they were made
with: the survivor's history reads every id in ``absorbed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.customers import rules, search
from chalicelib.platform import keys, rollups
from chalicelib.platform.batch import MAX_KEYS, get_many
from chalicelib.platform.rollups import Rollup
from chalicelib.platform.table import BaseItem, change_actions, chunked, register, take
from chalicelib.platform.tx import Labelled, applied, labelled, labelled_transaction

UPDATABLE = (
    "name",
    "email",
    "phone",
    "address",
    "city",
    "state",
    "zip",
    "billing_address",
    "tags",
    "notes",
    "active",
)
SEARCHED = ("name", "email", "phone", "zip")
ROLLUP = Rollup(keys.CUSTOMERS_ROLLUP_SCOPE, fine=8, coarse=6)  # blocks of 100 / 10,000 ids


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
    billing_address = JSONAttribute(null=True)  # {"address", "city", "state", "zip"}
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    notes = UnicodeAttribute(null=True)
    active = BooleanAttribute(null=True)  # absent: active
    source = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    # merged away: into which customer, when, by which user
    merged_into = NumberAttribute(null=True)
    merged_at = UTCDateTimeAttribute(null=True)
    merged_by = NumberAttribute(null=True)
    # the customers folded into this one (directly or through another), each
    # {"customer_id", "email", "merged_at", "merged_by", "via"}; ``merges`` counts merges
    absorbed = JSONAttribute(null=True)
    merges = NumberAttribute(null=True)

    @property
    def is_active(self) -> bool:
        return self.active is not False

    @property
    def facet(self) -> str:
        return rules.facet(self.active)

    def absorbed_ids(self) -> list[int]:
        return [int(a["customer_id"]) for a in self.absorbed or []]


@register
class CustomerPointerItem(BaseItem):
    """Per-tenant lookup/uniqueness item: customer e-mail -> customer id."""

    tenant_id = UnicodeAttribute()
    customer_id = NumberAttribute()


@register
class CustomerSearchItem(BaseItem):
    """One search-key entry: customer ``customer_id`` has ``term`` (in its sort key too)."""

    customer_id = NumberAttribute()
    term = UnicodeAttribute()
    active = BooleanAttribute(null=True)  # absent: active


def get(tenant_id: str, customer_id: int, consistent: bool = False) -> CustomerItem | None:
    return CustomerItem.find(
        keys.customer_key(tenant_id, customer_id), tenant_id=tenant_id, consistent=consistent
    )


def get_merged(tenant_id: str, customer_id: int, consistent: bool = False) -> CustomerItem | None:
    """The merged-away customer with this id (None when it was never merged)."""
    return CustomerItem.find(
        keys.customer_merged_key(tenant_id, customer_id),
        tenant_id=tenant_id,
        consistent=consistent,
    )


def get_all(tenant_id: str, customer_ids: list[int]) -> list[CustomerItem]:
    """The customers with these ids, in that order (missing ones left out): one
    ``BatchGetItem`` per 100."""
    found: list[CustomerItem] = []
    for chunk in chunked(customer_ids, MAX_KEYS):
        got = get_many([ref(tenant_id, customer_id) for customer_id in chunk])
        found += [c for c in got if isinstance(c, CustomerItem) and c.tenant_id == tenant_id]
    return found


def ref(tenant_id: str, customer_id: int) -> tuple[type[CustomerItem], tuple[str, str]]:
    return CustomerItem, keys.customer_key(tenant_id, customer_id)


def email_ref(tenant_id: str, email: str) -> tuple[type[CustomerPointerItem], tuple[str, str]]:
    return CustomerPointerItem, keys.customer_email_key(tenant_id, email)


def search_entries(tenant_id: str, prefix: str, limit: int) -> list[CustomerSearchItem]:
    """At most ``limit`` search-key entries whose sort key starts with ``prefix``, in sort
    key order (one Query per 1 MB; entries are about 100 bytes)."""
    return list(
        CustomerSearchItem.query(
            keys.customer_search_pk(tenant_id),
            CustomerSearchItem.sk.startswith(prefix),
            limit=limit,
            page_size=limit,
        )
    )


def _terms_of(customer: CustomerItem, changes: dict[str, Any] | None = None) -> frozenset:
    """The search terms of ``customer`` (with ``changes`` applied)."""
    values = {field: getattr(customer, field) for field in SEARCHED} | (changes or {})
    return search.terms(*(values.get(field) for field in SEARCHED))


def _entry(
    tenant_id: str, customer_id: int, term: search.Term, active: bool = True
) -> CustomerSearchItem:
    return CustomerSearchItem(
        *keys.customer_search_key(tenant_id, term[0], term[1], customer_id),
        customer_id=customer_id,
        term=term[0],
        active=None if active else False,
    )


def _as_read(customer: CustomerItem) -> Any:
    """The customer exists, is not merged, and its searched fields and ``active`` are as
    read."""
    condition = CustomerItem.pk.exists() & CustomerItem.merged_into.does_not_exist()
    for field in (*SEARCHED, "active"):
        attr, value = getattr(CustomerItem, field), getattr(customer, field)
        condition &= attr.does_not_exist() if value is None else (attr == value)
    return condition


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
    pointer = new_pointer(tenant_id, customer.email, customer_id) if customer.email else None
    return customer, pointer


def new_pointer(tenant_id: str, email: str, customer_id: int) -> CustomerPointerItem:
    """The tenant's e-mail pointer, with its entry in the global e-mail index (gsi1
    ``CUSTEMAILIDX#<email>`` / ``<tenant>#<id>``)."""
    gsi1pk, gsi1sk = keys.customer_email_index_key(tenant_id, email, customer_id)
    return CustomerPointerItem(
        *keys.customer_email_key(tenant_id, email),
        tenant_id=tenant_id,
        customer_id=customer_id,
        gsi1pk=gsi1pk,
        gsi1sk=gsi1sk,
    )


def tenants_with_email(email: str, limit: int) -> list[tuple[str, int]]:
    """``(tenant id, customer id)`` of at most ``limit`` tenants' pointers of ``email``
    (normalised): one Query on gsi1 (eventually consistent)."""
    found = CustomerPointerItem.gsi1.query(
        keys.customer_email_index_pk(email), limit=limit, page_size=limit
    )
    return [(str(p.tenant_id), int(p.customer_id)) for p in take(found, limit)]


def add(
    tx: Labelled,
    customer: CustomerItem,
    pointer: CustomerPointerItem | None,
    label: str = "customer",
    email_label: str = "email",
) -> None:
    """Create the customer (and its e-mail pointer) in ``tx``, with its search-key entries
    and its count in the list: ``email_label`` fails when another customer has the
    e-mail."""
    tenant_id, customer_id = customer.tenant_id, int(customer.customer_id)
    tx.create(label, customer)
    if pointer is not None:
        tx.create(email_label, pointer)
    for term in sorted(_terms_of(customer)):
        tx.save("search", _entry(tenant_id, customer_id, term, customer.is_active))
    rollups.move(tx, tenant_id, ROLLUP, None, (keys.id_sk(customer_id), customer.facet))


def create(tenant_id: str, customer_id: int, fields: dict[str, Any], now: datetime) -> CustomerItem:
    """Raises ``ConditionFailed(["email"])`` when another customer has the e-mail, or
    ``Contention`` (retry)."""
    customer, pointer = new_items(tenant_id, customer_id, fields, now)
    with labelled_transaction() as tx:
        add(tx, customer, pointer)
    return customer


def update(customer: CustomerItem, changes: dict[str, Any], now: datetime) -> CustomerItem:
    """Apply ``changes`` to ``customer`` as read. An e-mail change moves the pointer, and a
    change of the search terms removes the old entries and puts the new ones, in the same
    transaction. Raises ``ConditionFailed``: ``["email"]`` when the new e-mail belongs to
    another customer, ``["customer"]`` when the customer's searched fields are no longer
    as read (read it again and retry); or ``Contention`` (retry)."""
    if "active" in changes:  # stored only when false (absent: active)
        changes = {**changes, "active": None if changes["active"] is not False else False}
    actions = change_actions(CustomerItem, changes, UPDATABLE)
    actions.append(CustomerItem.updated_at.set(now))
    condition = _as_read(customer)
    old_email = customer.email
    new_email = changes.get("email", old_email)
    tenant_id, customer_id = customer.tenant_id, int(customer.customer_id)
    before = _terms_of(customer)
    after = _terms_of(customer, {f: v for f, v in changes.items() if f in SEARCHED})
    was_active = customer.is_active
    now_active = changes.get("active", customer.active) is not False
    if new_email == old_email and before == after and was_active == now_active:
        with labelled("customer"):
            customer.update(actions=actions, condition=condition)
        return customer
    with labelled_transaction() as tx:
        tx.update("customer", customer, actions, condition=condition)
        for term in sorted(before - after):
            tx.delete("search", _entry(tenant_id, customer_id, term))
        rewritten = after if was_active != now_active else after - before
        for term in sorted(rewritten):
            tx.save("search", _entry(tenant_id, customer_id, term, now_active))
        if was_active != now_active:
            rollups.move(
                tx,
                tenant_id,
                ROLLUP,
                (keys.id_sk(customer_id), rules.facet(was_active)),
                (keys.id_sk(customer_id), rules.facet(now_active)),
            )
        if old_email and new_email != old_email:
            tx.delete(
                "old_email", CustomerPointerItem(*keys.customer_email_key(tenant_id, old_email))
            )
        if new_email and new_email != old_email:
            tx.create("email", new_pointer(tenant_id, new_email, customer_id))
    refreshed = get(tenant_id, customer_id, consistent=True)
    assert refreshed is not None
    return refreshed


def merge(
    survivor: CustomerItem, merged: CustomerItem, merged_by: int | None, now: datetime
) -> CustomerItem:
    """Fold ``merged`` into ``survivor`` (both as read, same tenant; checked by
    ``rules.check_merge``). Raises ``ConditionFailed``: ``["merged"]`` when the merged
    customer changed or was merged meanwhile, ``["survivor"]`` likewise for the survivor,
    ``["pointer"]`` when an e-mail pointer moved meanwhile (read again and retry); or
    ``Contention``."""
    tenant_id = survivor.tenant_id
    survivor_id, merged_id = int(survivor.customer_id), int(merged.customer_id)
    entry = {
        "customer_id": merged_id,
        "email": merged.email,
        "merged_at": now.isoformat(),
        "merged_by": merged_by,
        "via": None,
    }
    inherited = [{**a, "via": a.get("via") or merged_id} for a in merged.absorbed or []]
    merges = int(survivor.merges or 0)
    survivor_condition = CustomerItem.pk.exists() & CustomerItem.merged_into.does_not_exist()
    survivor_condition &= (
        CustomerItem.merges.does_not_exist() if not merges else CustomerItem.merges == merges
    )
    tombstone = CustomerItem(
        *keys.customer_merged_key(tenant_id, merged_id),
        **{
            name: getattr(merged, name)
            for name in CustomerItem.get_attributes()
            if name not in ("pk", "sk") and getattr(merged, name) is not None
        },
    )
    tombstone.merged_into = survivor_id
    tombstone.merged_at = now
    tombstone.merged_by = merged_by
    tombstone.updated_at = now
    with labelled_transaction() as tx:
        tx.delete("merged", merged, condition=_as_read(merged))
        tx.create("tombstone", tombstone)
        tx.update(
            "survivor",
            survivor,
            [
                CustomerItem.absorbed.set([*(survivor.absorbed or []), entry, *inherited]),
                CustomerItem.merges.set(merges + 1),
                CustomerItem.updated_at.set(now),
            ],
            condition=survivor_condition,
        )
        for term in sorted(_terms_of(merged)):
            tx.delete("search", _entry(tenant_id, merged_id, term))
        for email, owner in [(merged.email, merged_id)] + [
            (a.get("email"), merged_id) for a in merged.absorbed or []
        ]:
            if not email:
                continue
            gsi1pk, gsi1sk = keys.customer_email_index_key(tenant_id, email, survivor_id)
            tx.update(
                "pointer",
                CustomerPointerItem(*keys.customer_email_key(tenant_id, email)),
                [
                    CustomerPointerItem.customer_id.set(survivor_id),
                    CustomerPointerItem.gsi1pk.set(gsi1pk),
                    CustomerPointerItem.gsi1sk.set(gsi1sk),
                ],
                condition=CustomerPointerItem.customer_id == owner,
            )
        for folded in merged.absorbed_ids():  # resolve in one step, not through the chain
            tx.update(
                "folded",
                CustomerItem(*keys.customer_merged_key(tenant_id, folded)),
                [CustomerItem.merged_into.set(survivor_id)],
                condition=CustomerItem.merged_into == merged_id,
            )
        rollups.move(tx, tenant_id, ROLLUP, (keys.id_sk(merged_id), merged.facet), None)
    refreshed = get(tenant_id, survivor_id, consistent=True)
    assert refreshed is not None
    return refreshed


def backfill_email_index(tenant_id: str) -> int:
    """Give the tenant's e-mail pointers written before the global e-mail index their
    gsi1 keys: the pointers streamed page by page (one Query per 100), each one without
    them updated on its own, conditioned on naming the customer it was read with (a
    pointer moved meanwhile is left to the write that moved it, which sets them). Running
    it again changes nothing. Returns how many pointers it indexed."""
    partition, _ = keys.customer_email_key(tenant_id, "")
    done = 0
    for pointer in CustomerPointerItem.query(partition, page_size=100):
        if pointer.gsi1pk is None and _index(tenant_id, pointer):
            done += 1
    return done


def _index(tenant_id: str, pointer: CustomerPointerItem) -> bool:
    customer_id = int(pointer.customer_id)
    gsi1pk, gsi1sk = keys.customer_email_index_key(tenant_id, str(pointer.sk), customer_id)
    condition = (CustomerPointerItem.customer_id == customer_id) & (
        CustomerPointerItem.gsi1pk.does_not_exist()
    )
    actions = [CustomerPointerItem.gsi1pk.set(gsi1pk), CustomerPointerItem.gsi1sk.set(gsi1sk)]
    return applied(lambda: pointer.update(actions=actions, condition=condition))
