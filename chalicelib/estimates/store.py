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

from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.platform import documents, keys
from chalicelib.platform.table import BaseItem, Gsi2, Gsi3, register, take
from chalicelib.platform.tx import Labelled

Part = documents.Part


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


load = documents.load  # the create's reads by name, one consistent BatchGetItem
DOCS = documents.Dated(
    model=EstimateItem,
    label="estimate",
    id_field="estimate_id",
    date_field="valid_until",
    name="estimates",
    key=keys.estimate_key,
    sort=keys.estimate_sort,
    tenant_pk=keys.estimates_by_valid_pk,
    customer_pk=keys.estimates_by_customer_pk,
    rollup_scope=keys.estimates_rollup_scope,
)


def new_estimate(tenant_id: str, estimate_id: int, **fields: Any) -> EstimateItem:
    return DOCS.new(
        tenant_id,
        estimate_id,
        gsi3pk=keys.estimates_newest_pk(tenant_id, fields["customer_id"]),
        gsi3sk=keys.id_sk(estimate_id),
        **fields,
    )


# the estimate (label ``estimate`` when its id is taken) with the parts (the id counter, a
# new customer, the counts) in one transaction
create = DOCS.create


def _as_read(estimate: EstimateItem) -> Any:
    return (EstimateItem.status == estimate.status) & (
        EstimateItem.revision == int(estimate.revision)
    )


def change(estimate: EstimateItem, changes: dict[str, Any], parts: list[Part]) -> EstimateItem:
    """Apply ``changes`` to the estimate as read (``estimate`` when its status or revision
    moved meanwhile), with the parts (the counts); the revision goes up by one. A new
    ``valid_until`` moves its index entries."""
    return DOCS.change(estimate, changes, parts, _as_read(estimate))


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
        tx.update("linked", estimate, DOCS.actions(changes), condition=condition)

    return part


def applied_locally(estimate: EstimateItem, changes: dict[str, Any]) -> EstimateItem:
    """The estimate as ``link_part``'s changes left it (after its transaction committed)."""
    for name, value in {**changes, "revision": int(estimate.revision) + 1}.items():
        setattr(estimate, name, value)
    return estimate
