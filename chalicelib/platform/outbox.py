"""Domain events: the durable event log, its outbox index and the publisher.

Use ``publish()`` for a stand-alone event. When the event must agree with another write,
``prepare()`` it, add it to the caller's transaction (``add(tx, pending)``) and call
``enqueue(pending)`` after the commit. The event log item is written first; if the SQS
send fails the event stays in the outbox index and ``sweep_outbox()`` (scheduled)
re-enqueues it, so no event is lost. Consumers deduplicate by ``event_id``.

The log has one partition per tenant, sorted by time. An event item carries a sparse GSI1
entry (``OUTBOX#n``) until delivery has taken it in hand; the sweeper re-enqueues entries
that stayed there too long.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from chalicelib.core import clock
from chalicelib.core.settings import get_settings
from chalicelib.platform import aws, keys
from chalicelib.platform.table import BaseItem, register, take
from chalicelib.platform.tx import Labelled, applied

RETENTION = timedelta(days=90)
log = logging.getLogger("tradekitt.events")


@register
class EventItem(BaseItem):
    tenant_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    data = JSONAttribute()
    created_at = UnicodeAttribute()


@dataclass(frozen=True)
class PendingEvent:
    item: EventItem

    @property
    def event_id(self) -> str:
        return self.item.event_id

    def message(self) -> dict[str, Any]:
        """The SQS message body: enough for delivery without another read."""
        return {
            "tenant_id": self.item.tenant_id,
            "event_id": self.item.event_id,
            "type": self.item.event_type,
            "created_at": self.item.created_at,
            "data": self.item.data,
        }


# --- the log ---------------------------------------------------------------------------
def new_event_item(
    tenant_id: str,
    event_id: str,
    event_type: str,
    created_at: str,
    data: dict[str, Any],
    expires_at: int,
) -> EventItem:
    gsi_pk, gsi_sk = keys.outbox_index_key(tenant_id, created_at, event_id)
    return EventItem(
        *keys.event_key(tenant_id, created_at, event_id),
        tenant_id=tenant_id,
        event_id=event_id,
        event_type=event_type,
        data=data,
        created_at=created_at,
        gsi1pk=gsi_pk,
        gsi1sk=gsi_sk,
        expires_at=expires_at,
    )


def save(item: EventItem) -> None:
    item.save(condition=EventItem.pk.does_not_exist())


def add(tx: Labelled, pending: PendingEvent, label: str = "event") -> None:
    """Write the event in the caller's transaction (enqueue it after the commit)."""
    tx.create(label, pending.item)


def get(tenant_id: str, created_at: str, event_id: str) -> EventItem | None:
    return EventItem.find(keys.event_key(tenant_id, created_at, event_id))


def since(tenant_id: str, after_sk: str, limit: int = 500) -> list[EventItem]:
    """Events of a tenant with a sort key after ``after_sk`` (oldest first)."""
    condition = EventItem.sk > after_sk if after_sk else None
    return take(EventItem.query(keys.events_pk(tenant_id), condition, limit=limit), limit)


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
    return applied(
        lambda: item.update(
            actions=[EventItem.gsi1pk.remove(), EventItem.gsi1sk.remove()],
            condition=EventItem.pk.exists(),
        )
    )


# --- publishing ------------------------------------------------------------------------
def prepare(
    tenant_id: str, event_type: str, data: dict[str, Any], now: datetime | None = None
) -> PendingEvent:
    """Build the event log item (not yet written)."""
    now = now or clock.now()
    event_id = f"evt_{uuid.uuid4().hex}"
    expires = int((now + RETENTION).timestamp())
    item = new_event_item(tenant_id, event_id, event_type, clock.iso_utc(now), data, expires)
    return PendingEvent(item=item)


def enqueue(pending: PendingEvent) -> bool:
    """Send to the events queue; False (and logged) when SQS is unreachable."""
    try:
        sqs_client().send_message(QueueUrl=queue_url(), MessageBody=json.dumps(pending.message()))
    except Exception:  # noqa: BLE001 - the outbox sweeper retries it
        log.exception("event %s left in outbox: enqueue failed", pending.event_id)
        return False
    return True


def publish(
    tenant_id: str, event_type: str, data: dict[str, Any], now: datetime | None = None
) -> PendingEvent:
    """Record and enqueue one event."""
    pending = prepare(tenant_id, event_type, data, now)
    save(pending.item)
    enqueue(pending)
    return pending


def sweep_outbox(now: datetime | None = None, min_age: timedelta = timedelta(minutes=2)) -> int:
    """Re-enqueue events still in the outbox after ``min_age``; returns how many."""
    now = now or clock.now()
    count = 0
    for item in outbox_older_than(clock.iso_utc(now - min_age)):
        if enqueue(PendingEvent(item=item)):
            count += 1
    return count


# --- the queue -------------------------------------------------------------------------
_queue_urls: dict[tuple[str | None, str], str] = {}


def sqs_client() -> Any:
    """The shared SQS client (webhook delivery sends retries and dead letters with it)."""
    return aws.client("sqs")


def queue_url() -> str:
    """Look the queue up by name (emulators report AWS-style hosts in template outputs)."""
    return queue_url_named(get_settings().events_queue_name)


def queue_url_named(name: str) -> str:
    """The URL of any queue of this stack, by name (cached like ``queue_url``)."""
    key = (get_settings().aws_endpoint_url, name)
    if key not in _queue_urls:
        _queue_urls[key] = sqs_client().get_queue_url(QueueName=name)["QueueUrl"]
    return _queue_urls[key]


def reset_clients() -> None:
    """Forget cached clients and queue URLs (tests start a fresh emulator per test)."""
    aws.reset_clients()
    _queue_urls.clear()
