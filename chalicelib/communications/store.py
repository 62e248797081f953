"""Customer communications: the entry by id and two time indexes.

Keys (``platform.keys``, "leads" module): main ``T#<tid>#COMMLOG`` / ``<id>``; gsi1
``T#<tid>#COMMLOGAT`` / ``<occurred_at>#<id>`` (the tenant's entries); gsi2
``T#<tid>#CUSTCOMMLOG#<customer>`` / ``<occurred_at>#<id>`` (one customer's; an e-mail
to no customer has none). Entries are never changed; each is written with its counts in
one transaction (``communications.listing``).
"""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, Gsi2, register
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]


@register
class CommunicationItem(BaseItem):
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    tenant_id = UnicodeAttribute()
    communication_id = NumberAttribute()
    customer_id = NumberAttribute(null=True)
    channel = UnicodeAttribute()
    kind = UnicodeAttribute()
    direction = UnicodeAttribute(null=True)
    to = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    body = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    ref = UnicodeAttribute(null=True)
    duration_seconds = NumberAttribute(null=True)
    occurred_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    created_by = NumberAttribute(null=True)
    created_at = UnicodeAttribute()


def get(tenant_id: str, communication_id: int) -> CommunicationItem | None:
    return CommunicationItem.find(
        keys.communication_key(tenant_id, communication_id), tenant_id=tenant_id
    )


def new_entry(tenant_id: str, communication_id: int, **fields: object) -> CommunicationItem:
    sort = keys.communication_sort(str(fields["occurred_at"]), communication_id)
    index: dict[str, object] = {
        "gsi1pk": keys.communications_by_time_pk(tenant_id),
        "gsi1sk": sort,
    }
    if fields.get("customer_id") is not None:
        index["gsi2pk"] = keys.communications_by_customer_pk(
            tenant_id,
            int(fields["customer_id"]),  # type: ignore[arg-type]
        )
        index["gsi2sk"] = sort
    return CommunicationItem(
        *keys.communication_key(tenant_id, communication_id),
        tenant_id=tenant_id,
        communication_id=communication_id,
        **index,
        **fields,
    )


def create(entry: CommunicationItem, parts: list[Part]) -> None:
    """The entry (``entry`` fails when its id is taken) with its counts."""
    with labelled_transaction() as tx:
        tx.create("entry", entry)
        for part in parts:
            part(tx)
