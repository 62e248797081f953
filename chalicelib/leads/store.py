"""Leads: one item per lead (its status history inside it) in the tenant's ``LEAD``
partition, listed newest first from the partition itself.

Keys (``platform.keys``, "leads" module): ``T#<tid>#LEAD`` / ``<id>``. Every change is
conditioned on the revision read, so the list's counts (``leads.listing``), moved in the
same transaction, stay exact, and a conversion records its customer and its estimate or
job once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]


@register
class LeadItem(BaseItem):
    tenant_id = UnicodeAttribute()
    lead_id = NumberAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    source = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    service_address = UnicodeAttribute(null=True)
    service_city = UnicodeAttribute(null=True)
    service_state = UnicodeAttribute(null=True)
    service_zip = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    lost_reason = UnicodeAttribute(null=True)
    customer_id = NumberAttribute(null=True)
    estimate_id = NumberAttribute(null=True)
    job_id = NumberAttribute(null=True)
    converting = UnicodeAttribute(null=True)  # the kind a conversion under way makes
    converting_since = UnicodeAttribute(null=True)  # when the conversion started
    lease_until = NumberAttribute(null=True)  # epoch s: a request is making it until then
    history = JSONAttribute(default=list)
    revision = NumberAttribute(default=1)
    created_by = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    won_at = UnicodeAttribute(null=True)
    lost_at = UnicodeAttribute(null=True)


def get(tenant_id: str, lead_id: int, consistent: bool = False) -> LeadItem | None:
    return LeadItem.find(
        keys.lead_key(tenant_id, lead_id), tenant_id=tenant_id, consistent=consistent
    )


def new_lead(tenant_id: str, lead_id: int, **fields: Any) -> LeadItem:
    return LeadItem(
        *keys.lead_key(tenant_id, lead_id), tenant_id=tenant_id, lead_id=lead_id, **fields
    )


def create(lead: LeadItem, parts: list[Part]) -> None:
    with labelled_transaction() as tx:
        tx.create("lead", lead)
        for part in parts:
            part(tx)


def change(lead: LeadItem, changes: dict[str, Any], parts: list[Part]) -> LeadItem:
    """Apply ``changes`` to the lead as read (``ConditionFailed(["lead"])`` when its
    revision moved meanwhile), with the parts (the counts, a new customer); the revision
    goes up by one."""
    changes = {**changes, "revision": int(lead.revision) + 1}
    actions = []
    for name, value in changes.items():
        attr = getattr(LeadItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    condition = LeadItem.revision == int(lead.revision)
    with labelled_transaction() as tx:
        tx.update("lead", lead, actions, condition=condition)
        for part in parts:
            part(tx)
    for name, value in changes.items():
        setattr(lead, name, value)
    return lead
