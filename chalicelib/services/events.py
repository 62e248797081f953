"""The event publisher: record a domain event durably, then hand it to SQS for delivery.

Use ``publish()`` for a stand-alone event. When the event must agree with another write,
``prepare()`` it, save ``pending.item`` inside the caller's transaction, and call
``enqueue(pending)`` after the commit. The event log item is written first; if the SQS
send fails the event stays in the outbox index and ``sweep_outbox()`` (scheduled)
re-enqueues it, so no event is lost. Consumers deduplicate by ``event_id``.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from chalicelib.core.settings import get_settings
from chalicelib.store import events as event_store
from chalicelib.store.models import EventItem

RETENTION = timedelta(days=90)
log = logging.getLogger("tradekitt.events")


@dataclass(frozen=True)
class PendingEvent:
    item: EventItem

    @property
    def event_id(self) -> str:
        return self.item.event_id

    def message(self) -> dict[str, Any]:
        """The SQS message body: enough for delivery without another read."""
        return {"tenant_id": self.item.tenant_id, "event_id": self.item.event_id,
                "type": self.item.event_type, "created_at": self.item.created_at,
                "data": self.item.data}


def _iso(now: datetime) -> str:
    return now.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def prepare(tenant_id: str, event_type: str, data: dict[str, Any],
            now: datetime | None = None) -> PendingEvent:
    """Build the event log item (not yet written)."""
    now = now or datetime.now(timezone.utc)
    event_id = f"evt_{uuid.uuid4().hex}"
    expires = int((now + RETENTION).timestamp())
    item = event_store.new_event_item(tenant_id, event_id, event_type, _iso(now), data, expires)
    return PendingEvent(item=item)


def enqueue(pending: PendingEvent) -> bool:
    """Send to the events queue; False (and logged) when SQS is unreachable."""
    try:
        _sqs().send_message(QueueUrl=queue_url(), MessageBody=json.dumps(pending.message()))
    except Exception:  # noqa: BLE001 - the outbox sweeper retries it
        log.exception("event %s left in outbox: enqueue failed", pending.event_id)
        return False
    return True


def publish(tenant_id: str, event_type: str, data: dict[str, Any],
            now: datetime | None = None) -> PendingEvent:
    """Record and enqueue one event."""
    pending = prepare(tenant_id, event_type, data, now)
    event_store.save(pending.item)
    enqueue(pending)
    return pending


def sweep_outbox(now: datetime | None = None, min_age: timedelta = timedelta(minutes=2)) -> int:
    """Re-enqueue events still in the outbox after ``min_age``; returns how many."""
    now = now or datetime.now(timezone.utc)
    count = 0
    for item in event_store.outbox_older_than(_iso(now - min_age)):
        if enqueue(PendingEvent(item=item)):
            count += 1
    return count


@lru_cache(maxsize=4)
def _sqs_for(endpoint: str | None, region: str) -> Any:
    import boto3  # local import: boto3 ships with Lambda, keep module import cheap

    return boto3.client("sqs", endpoint_url=endpoint, region_name=region)


def _sqs() -> Any:
    settings = get_settings()
    return _sqs_for(settings.aws_endpoint_url, settings.aws_region)


_queue_urls: dict[tuple[str | None, str], str] = {}


def queue_url() -> str:
    """Look the queue up by name (emulators report AWS-style hosts in template outputs)."""
    return queue_url_named(get_settings().events_queue_name)


def queue_url_named(name: str) -> str:
    """The URL of any queue of this stack, by name (cached like ``queue_url``)."""
    key = (get_settings().aws_endpoint_url, name)
    if key not in _queue_urls:
        _queue_urls[key] = _sqs().get_queue_url(QueueName=name)["QueueUrl"]
    return _queue_urls[key]


def sqs_client() -> Any:
    """The shared SQS client (webhook delivery sends retries and dead letters with it)."""
    return _sqs()


def reset_clients() -> None:
    """Forget cached clients and queue URLs (tests start a fresh emulator per test)."""
    _sqs_for.cache_clear()
    _queue_urls.clear()
