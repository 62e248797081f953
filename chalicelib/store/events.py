"""The durable event log (one partition per tenant, sorted by time) and its outbox index.

An event item carries a sparse GSI1 entry (``OUTBOX#n``) until delivery has taken it in
hand; a sweeper re-enqueues entries that stayed there too long, so an event whose SQS
send failed is still delivered.
"""
from __future__ import annotations

from typing import Any, Iterator

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.store import keys
from chalicelib.store.models import EventItem


def new_event_item(tenant_id: str, event_id: str, event_type: str, created_at: str,
                   data: dict[str, Any], expires_at: int) -> EventItem:
    gsi_pk, gsi_sk = keys.outbox_index_key(tenant_id, created_at, event_id)
    return EventItem(*keys.event_key(tenant_id, created_at, event_id), tenant_id=tenant_id,
                     event_id=event_id, event_type=event_type, data=data,
                     created_at=created_at, gsi1pk=gsi_pk, gsi1sk=gsi_sk,
                     expires_at=expires_at)


def save(item: EventItem) -> None:
    item.save(condition=EventItem.pk.does_not_exist())


def get(tenant_id: str, created_at: str, event_id: str) -> EventItem | None:
    try:
        return EventItem.get(*keys.event_key(tenant_id, created_at, event_id))
    except DoesNotExist:
        return None


def since(tenant_id: str, after_sk: str, limit: int = 500) -> list[EventItem]:
    """Events of a tenant with a sort key after ``after_sk`` (oldest first)."""
    condition = EventItem.sk > after_sk if after_sk else None
    return list(EventItem.query(keys.events_pk(tenant_id), condition, limit=limit))


def mark_taken(item: EventItem) -> None:
    """Remove the outbox entry once delivery has the event (idempotent)."""
    item.update(actions=[EventItem.gsi1pk.remove(), EventItem.gsi1sk.remove()])


def outbox_older_than(created_before: str) -> Iterator[EventItem]:
    """Events still waiting in the outbox, created before an ISO timestamp."""
    for shard in keys.outbox_shards():
        yield from EventItem.gsi1.query(shard, EventItem.gsi1sk < created_before)


def mark_taken_by_id(tenant_id: str, created_at: str, event_id: str) -> bool:
    """``mark_taken`` by key, without reading the event first; False when there is no
    such event (the condition keeps the update from creating a stub item)."""
    item = EventItem(*keys.event_key(tenant_id, created_at, event_id))
    try:
        item.update(actions=[EventItem.gsi1pk.remove(), EventItem.gsi1sk.remove()],
                    condition=EventItem.pk.exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
