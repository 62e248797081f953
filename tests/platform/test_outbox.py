"""The event publisher: durable first, then SQS; the outbox catches failed sends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3

from chalicelib.platform import outbox as event_store
from chalicelib.platform import outbox as events

TENANT = "22222222-2222-2222-2222-222222222222"


def _messages() -> list[dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="tradekitt-test-events")["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def test_publish_records_then_enqueues(aws):
    pending = events.publish(TENANT, "sale.created", {"sale_id": 42, "sale_price_cents": 150000})
    stored = event_store.get(TENANT, pending.item.created_at, pending.event_id)
    assert stored is not None and stored.data == {"sale_id": 42, "sale_price_cents": 150000}
    assert stored.gsi1pk.startswith("OUTBOX#")
    [message] = _messages()
    assert message == {
        "tenant_id": TENANT,
        "event_id": pending.event_id,
        "type": "sale.created",
        "created_at": pending.item.created_at,
        "data": {"sale_id": 42, "sale_price_cents": 150000},
    }


def test_failed_send_is_kept_and_swept(aws, monkeypatch):
    monkeypatch.setenv("EVENTS_QUEUE_NAME", "missing-queue")
    events.reset_clients()
    past = datetime.now(UTC) - timedelta(minutes=10)
    pending = events.publish(TENANT, "sale.created", {"sale_id": 1}, now=past)
    assert event_store.get(TENANT, pending.item.created_at, pending.event_id) is not None
    monkeypatch.setenv("EVENTS_QUEUE_NAME", "tradekitt-test-events")
    events.reset_clients()
    assert events.sweep_outbox() == 1
    assert [m["event_id"] for m in _messages()] == [pending.event_id]


def test_taken_events_leave_the_outbox(aws):
    past = datetime.now(UTC) - timedelta(minutes=10)
    pending = events.publish(TENANT, "sale.created", {"sale_id": 1}, now=past)
    _messages()
    event_store.mark_taken(event_store.get(TENANT, pending.item.created_at, pending.event_id))
    assert events.sweep_outbox() == 0


def test_events_are_listed_in_time_order(aws):
    base = datetime(2026, 3, 1, tzinfo=UTC)
    ids = [
        events.publish(TENANT, "sale.created", {"n": n}, now=base + timedelta(seconds=n)).event_id
        for n in range(3)
    ]
    assert [e.event_id for e in event_store.since(TENANT, "")] == ids
