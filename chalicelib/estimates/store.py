"""Estimates: the item by id, two ``valid_until`` indexes for the lists, one index of a
customer's estimates newest first, and the transactions that create and change one.

Keys (``platform.keys``, "estimates"): main ``T#<tid>#EST`` / ``<id>``; gsi1
``T#<tid>#ESTVALID`` / ``<valid_until>#<id>`` (the tenant's estimates); gsi2
``T#<tid>#CUSTEST#<customer>`` / ``<valid_until>#<id>`` (one customer's); gsi3
``T#<tid>#CUSTESTNEW#<customer>`` / ``<id>`` (one customer's, newest first). The list's
counts are ``estimates.listing``. Every change is conditioned on the status and the
revision as read, so the counts moved in the same transaction stay exact and two answers
(accept and decline) can never both apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.platform import keys
from chalicelib.platform.batch import get_many
from chalicelib.platform.table import BaseItem, Gsi2, Gsi3, register, take
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]


@register
class EstimateItem(BaseItem):
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi3 = Gsi3()
    tenant_id = UnicodeAttribute()
    estimate_id = NumberAttribute()
    customer_id = NumberAttribute()
    customer_name = UnicodeAttribute(null=True)
    customer_email = UnicodeAttribute(null=True)
    line_items = JSONAttribute()
    tax_bps = NumberAttribute(default=0)
    subtotal_cents = NumberAttribute()
    tax_cents = NumberAttribute()
    total_cents = NumberAttribute()
    valid_until = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    revision = NumberAttribute(default=1)
    created_by = NumberAttribute(null=True)
    created_via = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    responded_at = UnicodeAttribute(null=True)
    responded_via = UnicodeAttribute(null=True)
    converted_at = UnicodeAttribute(null=True)
    invoice_id = NumberAttribute(null=True)
    job_id = NumberAttribute(null=True)
    # a conversion in progress: its nonce and until when it holds the estimate
    convert_lease = UnicodeAttribute(null=True)
    convert_lease_until = UnicodeAttribute(null=True)


def ref(tenant_id: str, estimate_id: int) -> tuple[type[EstimateItem], tuple[str, str]]:
    return EstimateItem, keys.estimate_key(tenant_id, estimate_id)


def get(tenant_id: str, estimate_id: int, consistent: bool = False) -> EstimateItem | None:
    return EstimateItem.find(
        keys.estimate_key(tenant_id, estimate_id), tenant_id=tenant_id, consistent=consistent
    )


def of_customer(tenant_id: str, customer_id: int, limit: int) -> list[EstimateItem]:
    """A customer's estimates, newest first: one Query of at most ``limit`` on gsi3."""
    found = EstimateItem.gsi3.query(
        keys.estimates_newest_pk(tenant_id, customer_id),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
    )
    return take(found, limit)


def load(requests: dict[str, tuple[Any, tuple[str, str]]]) -> dict[str, Any]:
    """Items by name in one consistent ``BatchGetItem`` (None where missing)."""
    got = get_many(list(requests.values()), consistent=True)
    return dict(zip(requests, got, strict=True))


def _index_keys(tenant_id: str, estimate_id: int, customer_id: int, valid_until: str) -> dict:
    sort = keys.estimate_sort(valid_until, estimate_id)
    return {
        "gsi1pk": keys.estimates_by_valid_pk(tenant_id),
        "gsi1sk": sort,
        "gsi2pk": keys.estimates_by_customer_pk(tenant_id, customer_id),
        "gsi2sk": sort,
    }


def new_estimate(tenant_id: str, estimate_id: int, **fields: Any) -> EstimateItem:
    return EstimateItem(
        *keys.estimate_key(tenant_id, estimate_id),
        tenant_id=tenant_id,
        estimate_id=estimate_id,
        gsi3pk=keys.estimates_newest_pk(tenant_id, fields["customer_id"]),
        gsi3sk=keys.id_sk(estimate_id),
        **_index_keys(tenant_id, estimate_id, fields["customer_id"], fields["valid_until"]),
        **fields,
    )


def create(estimate: EstimateItem, parts: list[Part]) -> None:
    """The estimate (``estimate`` when its id is taken) with the parts (the id counter, a
    new customer, the counts)."""
    with labelled_transaction() as tx:
        tx.create("estimate", estimate)
        for part in parts:
            part(tx)


def _actions(changes: dict[str, Any]) -> list[Any]:
    actions = []
    for name, value in changes.items():
        attr = getattr(EstimateItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    return actions


def _as_read(estimate: EstimateItem) -> Any:
    return (EstimateItem.status == estimate.status) & (
        EstimateItem.revision == int(estimate.revision)
    )


def change(estimate: EstimateItem, changes: dict[str, Any], parts: list[Part]) -> EstimateItem:
    """Apply ``changes`` to the estimate as read (``estimate`` when its status or revision
    moved meanwhile), with the parts (the counts); the revision goes up by one. A new
    ``valid_until`` moves its index entries."""
    changes = {**changes, "revision": int(estimate.revision) + 1}
    if "valid_until" in changes:
        changes.update(
            _index_keys(
                estimate.tenant_id,
                int(estimate.estimate_id),
                int(estimate.customer_id),
                changes["valid_until"],
            )
        )
    with labelled_transaction() as tx:
        tx.update("estimate", estimate, _actions(changes), condition=_as_read(estimate))
        for part in parts:
            part(tx)
    for name, value in changes.items():
        setattr(estimate, name, value)
    return estimate


def link_part(estimate: EstimateItem, changes: dict[str, Any], lease: str) -> Part:
    """The transaction part (of another feature's transaction: the invoice's) that records
    ``changes`` (the invoice id) on the estimate, only while ``lease`` still holds it and
    no invoice was recorded yet (label ``linked``: ``invoices.service.create`` answers 409)."""
    changes = {**changes, "revision": int(estimate.revision) + 1}
    condition = (
        _as_read(estimate)
        & (EstimateItem.convert_lease == lease)
        & EstimateItem.invoice_id.does_not_exist()
    )

    def part(tx: Labelled) -> None:
        tx.update("linked", estimate, _actions(changes), condition=condition)

    return part


def applied_locally(estimate: EstimateItem, changes: dict[str, Any]) -> EstimateItem:
    """The estimate as ``link_part``'s changes left it (after its transaction committed)."""
    for name, value in {**changes, "revision": int(estimate.revision) + 1}.items():
        setattr(estimate, name, value)
    return estimate
