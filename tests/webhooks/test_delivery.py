"""Webhook delivery through the SQS handler: signatures, retries, dead letters, dedup,
crashes and partial batch failures. A real HTTP receiver listens on 127.0.0.1; the retry
schedule is played with a frozen clock (``tests.support.webhooks.Delivery``)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import yaml
from standardwebhooks.webhooks import Webhook

from chalicelib.core import settings
from chalicelib.platform import outbox as event_store
from chalicelib.platform import outbox as events
from chalicelib.webhooks import delivery as webhook_delivery
from chalicelib.webhooks import service as webhook_service
from chalicelib.webhooks import store as webhook_store
from tests.conftest import ROOT
from tests.support.receiver import Receiver
from tests.support.webhooks import DLQ, Delivery, queue_messages, sqs_event, sqs_record

SALE = {"sale_id": 42, "technician_id": 7, "sale_price_cents": 150000}


@pytest.fixture
def delivery(api, monkeypatch):
    return Delivery(api, monkeypatch)


def hook(api, owner, url, events=("sale.created",)):
    reply = api.post("/admin/webhooks", {"url": url, "events": list(events)}, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data


def publish(owner, event_type="sale.created", data=None):
    return events.publish(owner.tenant_id, event_type, data or SALE)


def deliveries(api, owner, hook_id, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    reply = api.get(f"/admin/webhooks/{hook_id}/deliveries" + (f"?{qs}" if qs else ""), as_=owner)
    assert reply.status == 200, reply.raw
    return reply.data


def verify(secret, received):
    """What a receiver does with the official library, and nothing else."""
    return Webhook(secret).verify(received.body, received.headers)


def test_event_is_signed_and_verifies_with_the_standardwebhooks_library(api, owner, delivery):
    with Receiver() as receiver:
        h = hook(api, owner, receiver.url)
        pending = publish(owner)
        assert delivery.pump() == []
        [got] = receiver.wait_for(1)
    payload = verify(h["secret"], got)
    assert payload == {
        "type": "sale.created",
        "id": pending.event_id,
        "created_at": pending.item.created_at,
        "data": SALE,
    }
    assert got.headers["webhook-id"] == pending.event_id
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"].startswith("TradeKitt-Webhooks/")
    assert got.path == "/hooks"
    [d] = deliveries(api, owner, h["id"])["items"]
    assert d["status"] == "succeeded" and d["event_id"] == pending.event_id
    assert d["attempt_count"] == 1 and d["event_type"] == "sale.created"
    [attempt] = d["attempts"]
    assert attempt["status_code"] == 200 and attempt["error"] is None
    assert attempt["duration_ms"] >= 0 and attempt["trigger"] == "automatic"
    # the event has left the outbox: the sweeper will not send it again
    assert events.sweep_outbox(min_age=timedelta(0)) == 0


def test_only_subscribed_active_endpoints_of_the_tenant_receive(api, owner, other, delivery):
    with Receiver() as mine, Receiver() as unsubscribed, Receiver() as paused, Receiver() as theirs:
        hook(api, owner, mine.url, ["sale.created", "sale.approved"])
        hook(api, owner, unsubscribed.url, ["dispatch.completed"])
        off = hook(api, owner, paused.url)
        api.patch(f"/admin/webhooks/{off['id']}", {"active": False}, as_=owner)
        hook(api, other, theirs.url)
        publish(owner)
        publish(owner, "sale.approved")
        assert delivery.pump() == []
        mine.wait_for(2)
        time.sleep(0.2)
    assert sorted(r.json["type"] for r in mine.received) == ["sale.approved", "sale.created"]
    assert unsubscribed.received == paused.received == theirs.received == []


def test_fails_twice_then_succeeds_once_with_three_logged_attempts(api, owner, delivery):
    with Receiver(statuses=[500, 503, 200]) as receiver:
        h = hook(api, owner, receiver.url)
        pending = publish(owner)
        assert delivery.pump() == []
        first = delivery.run_next()
        assert first.body["attempt"] == 2 and 24 <= first.delay_s <= 36  # 30 s +-20 %
        second = delivery.run_next()
        assert second.body["attempt"] == 3 and 96 <= second.delay_s <= 144  # 2 min +-20 %
        assert delivery.scheduled == []
        got = receiver.wait_for(3)
    assert [r.headers["webhook-id"] for r in got] == [pending.event_id] * 3
    [d] = deliveries(api, owner, h["id"])["items"]
    assert d["status"] == "succeeded" and d["attempt_count"] == 3
    assert [a["status_code"] for a in d["attempts"]] == [500, 503, 200]
    assert [a["outcome"] for a in d["attempts"]] == ["retry", "retry", "success"]
    assert [a["attempt"] for a in d["attempts"]] == [1, 2, 3]
    assert d["next_attempt_at"] is None


def test_always_failing_endpoint_ends_in_the_dead_letter_queue(api, owner, delivery):
    with Receiver(statuses=[502]) as receiver:
        h = hook(api, owner, receiver.url)
        pending = publish(owner)
        started = delivery.now
        assert delivery.pump() == []
        runs = []
        while delivery.scheduled:
            runs.append(delivery.run_next())
        elapsed = delivery.now - started
    policy = webhook_delivery.POLICY
    hops = len(runs) - (policy.max_attempts - 1)
    assert len(receiver.received) == policy.max_attempts >= 6
    assert elapsed >= 6 * 3600  # the attempts span at least six hours
    assert hops > 0  # waits beyond SQS's 900 s cap were re-enqueued until due
    [d] = deliveries(api, owner, h["id"])["items"]
    assert d["status"] == "failed" and d["attempt_count"] == policy.max_attempts
    assert [a["status_code"] for a in d["attempts"]] == [502] * policy.max_attempts
    assert [a["attempt"] for a in d["attempts"]] == list(range(1, policy.max_attempts + 1))
    assert [a["outcome"] for a in d["attempts"]] == ["retry"] * (policy.max_attempts - 1) + [
        "failed"
    ]
    [dead] = queue_messages(DLQ)
    record = json.loads(dead["Body"])
    assert record["kind"] == "delivery.failed" and record["event_id"] == pending.event_id
    assert record["endpoint_id"] == h["id"] and record["attempts"] == policy.max_attempts
    assert record["last_status_code"] == 502


def test_retry_delays_follow_the_backoff_with_jitter(api, owner, delivery):
    made_at, due_at = {}, {}
    with Receiver(statuses=[500]) as receiver:
        hook(api, owner, receiver.url)
        publish(owner)
        delivery.pump()
        made_at[1] = delivery.now
        while delivery.scheduled:
            for item in delivery.scheduled:
                due_at.setdefault(item.body["attempt"], item.body["due_at"])
            before = len(receiver.received)
            item = delivery.run_next()
            if len(receiver.received) > before:
                made_at[item.body["attempt"]] = delivery.now
    policy = webhook_delivery.POLICY
    assert sorted(made_at) == list(range(1, policy.max_attempts + 1))
    for attempt in range(2, policy.max_attempts + 1):
        waited = made_at[attempt] - made_at[attempt - 1]
        assert abs(made_at[attempt] - due_at[attempt]) <= 1
        base = policy.base_delay_seconds(attempt)
        assert base * 0.79 <= waited <= base * 1.21, (attempt, waited, base)


def test_each_retry_goes_to_sqs_with_a_delay(api, owner, monkeypatch):
    pump = Delivery(api, monkeypatch, intercept=False)
    with Receiver(statuses=[500]) as receiver:
        hook(api, owner, receiver.url)
        publish(owner)
        assert pump.pump() == []
        receiver.wait_for(1)
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="tradekitt-test-events")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"
    assert attrs["ApproximateNumberOfMessages"] == "0"


def test_410_disables_the_endpoint(api, owner, delivery):
    with Receiver(statuses=[410]) as receiver:
        h = hook(api, owner, receiver.url)
        publish(owner)
        delivery.pump()
        assert delivery.scheduled == []
        got = api.get(f"/admin/webhooks/{h['id']}", as_=owner).data
        assert got["active"] is False and "410" in got["disabled_reason"]
        [d] = deliveries(api, owner, h["id"])["items"]
        assert d["status"] == "failed" and d["attempts"][0]["outcome"] == "disable"
        publish(owner)
        delivery.pump()
        time.sleep(0.2)
        assert len(receiver.received) == 1
        # re-enabling clears the reason and deliveries resume
        api.patch(f"/admin/webhooks/{h['id']}", {"active": True}, as_=owner)
        assert api.get(f"/admin/webhooks/{h['id']}", as_=owner).data["disabled_reason"] is None


def test_timeouts_and_refused_connections_are_retried(api, owner, delivery, monkeypatch):
    monkeypatch.setattr(webhook_delivery, "HTTP_TIMEOUT_S", 0.3)
    with Receiver(delay_s=1.0) as slow:
        h_slow = hook(api, owner, slow.url)
        closed = hook(api, owner, "http://127.0.0.1:9/closed")
        publish(owner)
        started = time.monotonic()
        assert delivery.pump() == []
        assert time.monotonic() - started < 5
    [d] = deliveries(api, owner, h_slow["id"])["items"]
    assert d["status"] == "pending" and "timed out" in d["attempts"][0]["error"]
    assert d["attempts"][0]["status_code"] is None and d["next_attempt_at"]
    [c] = deliveries(api, owner, closed["id"])["items"]
    assert c["status"] == "pending" and "Connection" in c["attempts"][0]["error"]
    assert sorted(s.body["attempt"] for s in delivery.scheduled) == [2, 2]


def test_one_bad_endpoint_neither_blocks_nor_repeats_the_others(api, owner, delivery):
    with Receiver() as good, Receiver(statuses=[500, 500, 500, 200]) as flaky:
        hook(api, owner, good.url)
        h_flaky = hook(api, owner, flaky.url)
        for n in range(3):
            publish(owner, data={"sale_id": n})
        assert delivery.pump() == []
        good.wait_for(3)
        delivery.run_next()
        delivery.run_next()
        delivery.run_next()
        flaky.wait_for(6)
    assert len(good.received) == 3
    assert sorted(r.json["data"]["sale_id"] for r in good.received) == [0, 1, 2]
    assert [d["status"] for d in deliveries(api, owner, h_flaky["id"])["items"]] == [
        "succeeded"
    ] * 3


def test_duplicate_sqs_messages_do_not_double_send(api, owner, delivery):
    with Receiver() as receiver:
        hook(api, owner, receiver.url)
        pending = publish(owner)
        body = pending.message()
        # the same message twice in one batch, then again later (at-least-once SQS)
        assert delivery.invoke_bodies(body, body) == []
        delivery.advance(3600)
        assert delivery.invoke_bodies(body) == []
        time.sleep(0.2)
    assert len(receiver.received) == 1


def test_duplicate_retry_messages_do_not_double_send(api, owner, delivery):
    with Receiver(statuses=[500, 200]) as receiver:
        hook(api, owner, receiver.url)
        publish(owner)
        delivery.pump()
        retry = delivery.scheduled[0]
        delivery.run_next()
        assert delivery.invoke_bodies(retry.body, retry.body) == []
        time.sleep(0.2)
    assert len(receiver.received) == 2


def test_a_concurrent_duplicate_waits_for_the_attempt_in_flight(api, owner, delivery, monkeypatch):
    seen = {}
    real = webhook_delivery.transport

    def transport(*args, **kwargs):
        # While attempt 1 is in flight, SQS hands the same message to another worker.
        seen["failed"] = delivery.invoke(sqs_event(sqs_record(seen["body"], "dup-1")))
        return real(*args, **kwargs)

    with Receiver() as receiver:
        hook(api, owner, receiver.url)
        seen["body"] = publish(owner).message()
        monkeypatch.setattr(webhook_delivery, "transport", transport)
        assert delivery.invoke_bodies(seen["body"]) == []
        assert seen["failed"] == ["dup-1"]  # retried later, not dropped, not sent
        monkeypatch.setattr(webhook_delivery, "transport", real)
        assert delivery.invoke_bodies(seen["body"]) == []  # later: recognised as done
        time.sleep(0.2)
    assert len(receiver.received) == 1


def test_a_crash_mid_batch_fails_only_that_message_and_loses_nothing(
    api, owner, delivery, monkeypatch
):
    real_create = webhook_store.create_delivery
    calls = {"n": 0}

    def flaky_create(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("DynamoDB throttled")
        return real_create(*args, **kwargs)

    with Receiver() as receiver:
        hook(api, owner, receiver.url)
        bodies = [publish(owner, data={"sale_id": n}).message() for n in range(3)]
        records = [sqs_record(b, f"m{n}") for n, b in enumerate(bodies)]
        monkeypatch.setattr(webhook_store, "create_delivery", flaky_create)
        assert delivery.invoke(sqs_event(*records)) == ["m1"]
        receiver.wait_for(2)
        assert sorted(r.json["data"]["sale_id"] for r in receiver.received) == [0, 2]
        # the failed message stays in the outbox until delivered
        assert event_store.get(
            owner.tenant_id, bodies[1]["created_at"], bodies[1]["event_id"]
        ).gsi1pk
        # SQS redelivers m1 after the visibility timeout
        delivery.advance(180)
        assert delivery.invoke(sqs_event(records[1])) == []
        receiver.wait_for(3)
    assert sorted(r.json["data"]["sale_id"] for r in receiver.received) == [0, 1, 2]


class Crash(BaseException):
    """The Lambda process dies (timeout, out of memory): no batch response at all."""


def test_a_crashed_invocation_is_redelivered_whole_without_double_sends(
    api, owner, delivery, monkeypatch
):
    real = webhook_delivery.transport
    calls = {"n": 0}

    def dying_transport(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Crash()
        return real(*args, **kwargs)

    with Receiver() as receiver:
        h = hook(api, owner, receiver.url)
        bodies = [publish(owner, data={"sale_id": n}).message() for n in range(3)]
        monkeypatch.setattr(webhook_delivery, "transport", dying_transport)
        with pytest.raises(Crash):
            delivery.invoke_bodies(*bodies)
        assert [r.json["data"]["sale_id"] for r in receiver.received] == [0]
        # the whole batch comes back after the visibility timeout
        delivery.advance(180)
        assert delivery.invoke_bodies(*bodies) == []
        receiver.wait_for(3)
        time.sleep(0.2)
    assert sorted(r.json["data"]["sale_id"] for r in receiver.received) == [0, 1, 2]
    assert {d["status"] for d in deliveries(api, owner, h["id"])["items"]} == {"succeeded"}


def test_crash_after_the_post_resends_with_the_same_webhook_id(api, owner, delivery, monkeypatch):
    """At-least-once: if recording the outcome fails, the attempt is made again after the
    lease; receivers deduplicate by ``webhook-id`` (the same on every attempt)."""
    real = webhook_store.record_attempt
    calls = {"n": 0}

    def failing_record(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("DynamoDB unavailable")
        return real(*args, **kwargs)

    with Receiver() as receiver:
        h = hook(api, owner, receiver.url)
        body = publish(owner).message()
        monkeypatch.setattr(webhook_store, "record_attempt", failing_record)
        assert len(delivery.invoke_bodies(body)) == 1
        delivery.advance(180)
        assert delivery.invoke_bodies(body) == []
        got = receiver.wait_for(2)
    assert got[0].headers["webhook-id"] == got[1].headers["webhook-id"] == body["event_id"]
    [d] = deliveries(api, owner, h["id"])["items"]
    assert d["status"] == "succeeded"


def test_malformed_messages_fail_alone(api, owner, delivery):
    with Receiver() as receiver:
        hook(api, owner, receiver.url)
        good = publish(owner).message()
        event = sqs_event(
            sqs_record("not json", "bad-1"),
            sqs_record({"kind": "nope"}, "bad-2"),
            sqs_record({"tenant_id": owner.tenant_id}, "bad-3"),
            sqs_record(good, "good"),
        )
        assert sorted(delivery.invoke(event)) == ["bad-1", "bad-2", "bad-3"]
        receiver.wait_for(1)


def test_events_nobody_subscribes_to_just_leave_the_outbox(api, owner, delivery):
    pending = events.publish(owner.tenant_id, "board.moved", {"job_id": 1})
    assert delivery.pump() == []
    item = event_store.get(owner.tenant_id, pending.item.created_at, pending.event_id)
    assert item.gsi1pk is None


def test_too_little_lambda_time_left_defers_the_message(api, owner, delivery, monkeypatch):
    monkeypatch.setattr(webhook_delivery, "TIME_MARGIN_S", 15)  # chalice.test gives 3 s
    with Receiver() as receiver:
        hook(api, owner, receiver.url)
        record = sqs_record(publish(owner).message(), "late")
        assert delivery.invoke(sqs_event(record)) == ["late"]
        assert receiver.received == []
        monkeypatch.setattr(webhook_delivery, "TIME_MARGIN_S", 0)
        assert delivery.invoke(sqs_event(record)) == []
        receiver.wait_for(1)


def test_deleted_or_disabled_endpoints_drop_their_pending_retries(api, owner, delivery):
    with Receiver(statuses=[500]) as a, Receiver(statuses=[500]) as b:
        ha, hb = hook(api, owner, a.url), hook(api, owner, b.url)
        publish(owner)
        delivery.pump()
        api.patch(f"/admin/webhooks/{ha['id']}", {"active": False}, as_=owner)
        api.delete(f"/admin/webhooks/{hb['id']}", as_=owner)
        delivery.run_next()
        delivery.run_next()
        assert delivery.scheduled == []
        assert len(a.received) == len(b.received) == 1
    [d] = deliveries(api, owner, ha["id"])["items"]
    assert d["status"] == "failed" and "disabled by an admin" in d["last_error"]


def test_test_event_and_redelivery(api, owner, delivery):
    with Receiver(statuses=[200, 500, 200]) as receiver:
        h = hook(api, owner, receiver.url, ["sale.approved", "sale.created"])
        queued = api.post(f"/admin/webhooks/{h['id']}/test", {}, as_=owner)
        assert queued.status == 202, queued.raw
        assert queued.data["status"] == "pending" and queued.data["trigger"] == "test"
        delivery.run_next()
        [got] = receiver.wait_for(1)
        payload = verify(h["secret"], got)
        assert payload["type"] == "sale.approved" and payload["data"]["test"] is True
        did = queued.data["id"]
        one = api.get(f"/admin/webhooks/{h['id']}/deliveries/{did}", as_=owner).data
        assert one["status"] == "succeeded"

        # redeliver a succeeded delivery: one more attempt, marked manual, no retries
        again = api.post(f"/admin/webhooks/{h['id']}/deliveries/{did}/redeliver", as_=owner)
        assert again.status == 202 and again.data["status"] == "pending"
        busy = api.post(f"/admin/webhooks/{h['id']}/deliveries/{did}/redeliver", as_=owner)
        assert busy.status == 409
        delivery.run_next()
        assert delivery.scheduled == []
        failed = api.get(f"/admin/webhooks/{h['id']}/deliveries/{did}", as_=owner).data
        assert failed["status"] == "failed"
        assert [(a["trigger"], a["status_code"]) for a in failed["attempts"]] == [
            ("test", 200),
            ("manual", 500),
        ]
        assert queue_messages(DLQ) == []  # manual and test attempts are not dead-lettered
        api.post(f"/admin/webhooks/{h['id']}/deliveries/{did}/redeliver", as_=owner)
        delivery.run_next()
        got = receiver.wait_for(3)
    assert len({r.headers["webhook-id"] for r in got}) == 1
    final = api.get(f"/admin/webhooks/{h['id']}/deliveries/{did}", as_=owner).data
    assert final["status"] == "succeeded" and final["attempt_count"] == 3


def test_test_event_goes_through_the_real_queue(api, owner, monkeypatch):
    pump = Delivery(api, monkeypatch, intercept=False)
    with Receiver() as receiver:
        h = hook(api, owner, receiver.url)
        api.post(
            f"/admin/webhooks/{h['id']}/test", {"event_type": "inventory.low-stock"}, as_=owner
        )
        assert pump.pump() == []
        [got] = receiver.wait_for(1)
    assert verify(h["secret"], got)["type"] == "inventory.low-stock"


def test_deliveries_are_paginated_newest_first(api, owner, delivery):
    with Receiver() as receiver:
        h = hook(api, owner, receiver.url)
        ids = []
        for _ in range(3):
            ids.append(api.post(f"/admin/webhooks/{h['id']}/test", {}, as_=owner).data["id"])
            delivery.advance(1)
        while delivery.scheduled:
            delivery.run_next()
        receiver.wait_for(3)
    page1 = deliveries(api, owner, h["id"], limit=2)
    assert page1["total"] == 3 and page1["total_pages"] == 2 and page1["page"] == 1
    page2 = deliveries(api, owner, h["id"], limit=2, page=2)
    assert [d["id"] for d in page1["items"] + page2["items"]] == ids[::-1]
    assert deliveries(api, owner, h["id"], page=5)["items"] == []


def test_rotated_secret_and_the_old_one_both_verify_during_the_grace_period(api, owner, delivery):
    with Receiver() as receiver:
        h = hook(api, owner, receiver.url)
        new = api.post(f"/admin/webhooks/{h['id']}/rotate-secret", as_=owner).data["secret"]
        publish(owner)
        delivery.pump()
        [got] = receiver.wait_for(1)
    assert verify(new, got)["type"] == "sale.created"
    assert verify(h["secret"], got)["type"] == "sale.created"
    assert len(got.headers["webhook-signature"].split()) == 2


def test_send_time_check_refuses_a_host_that_now_resolves_privately(
    api, owner, delivery, monkeypatch
):
    """DNS rebinding: the url passed at creation, then its name points inside."""
    monkeypatch.setattr(settings, "LOCAL_STAGES", frozenset())
    dns = {"hooks.example.com": ["93.184.216.34"]}
    monkeypatch.setattr(webhook_service, "resolver", lambda host: dns[host])
    monkeypatch.setattr(webhook_delivery, "resolver", lambda host: dns[host])
    h = hook(api, owner, "https://hooks.example.com/in")
    dns["hooks.example.com"] = ["10.0.0.7"]
    publish(owner)
    delivery.pump()
    [d] = deliveries(api, owner, h["id"])["items"]
    attempt = d["attempts"][0]
    assert attempt["status_code"] is None and attempt["error"].startswith("refused:")
    assert "10.0.0.7" in attempt["error"] and d["status"] == "pending"


def test_redirects_are_not_followed(api, owner, delivery):
    with Receiver(statuses=[302]) as receiver:
        h = hook(api, owner, receiver.url)
        publish(owner)
        delivery.pump()
        time.sleep(0.2)
        assert len(receiver.received) == 1
    [d] = deliveries(api, owner, h["id"])["items"]
    assert d["attempts"][0]["status_code"] == 302 and d["status"] == "pending"


def test_endpoints_receive_events_from_their_creation_on(api, owner, delivery):
    old = events.publish(
        owner.tenant_id, "sale.created", SALE, now=datetime.now(UTC) - timedelta(minutes=10)
    )
    with Receiver() as receiver:
        hook(api, owner, receiver.url)
        assert delivery.invoke_bodies(old.message()) == []
        time.sleep(0.2)
        assert receiver.received == []


def test_outbox_sweep_runs_on_its_schedule(api, owner, monkeypatch):
    monkeypatch.setenv("EVENTS_QUEUE_NAME", "missing-queue")
    events.reset_clients()
    pending = events.publish(
        owner.tenant_id, "sale.created", SALE, now=datetime.now(UTC) - timedelta(minutes=5)
    )
    monkeypatch.setenv("EVENTS_QUEUE_NAME", "tradekitt-test-events")
    events.reset_clients()
    reply = api.client.lambda_.invoke(
        "sweep_event_outbox",
        api.client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        ),
    )
    assert reply.payload == {"requeued": 1}
    [message] = queue_messages()
    assert json.loads(message["Body"])["event_id"] == pending.event_id


def test_a_late_attempt_after_success_is_logged_without_undoing_it(api, owner, delivery):
    """Two attempts racing (a lease outlived by a frozen worker): the success stands."""
    with Receiver() as receiver:
        h = hook(api, owner, receiver.url)
        body = publish(owner).message()
        delivery.invoke_bodies(body)
        receiver.wait_for(1)
    did = f"{deliveries(api, owner, h['id'])['items'][0]['id']}"
    item = webhook_store.get_delivery(owner.tenant_id, h["id"], did)
    webhook_store.record_attempt(
        item,
        {
            "attempt": 1,
            "attempted_at": "2026-01-01T00:00:00.000Z",
            "trigger": "automatic",
            "status_code": 500,
            "duration_ms": 3,
            "error": None,
            "outcome": "retry",
        },
        status="pending",
        next_attempt_at="2026-01-01T00:01:00.000Z",
        now=datetime.now(UTC),
    )
    [d] = deliveries(api, owner, h["id"])["items"]
    assert d["status"] == "succeeded" and d["next_attempt_at"] is None
    assert [a["status_code"] for a in d["attempts"]] == [200, 500]


def test_handlers_are_registered_on_the_events_queue():
    import app as app_module

    sources = {s.name: s for s in app_module.app.event_sources}
    sqs = sources["deliver_webhooks"]
    assert sqs.queue == app_module.EVENTS_QUEUE and sqs.batch_size == 10
    assert "rate(1 minute)" in sources["sweep_event_outbox"].schedule_expression.to_string()


def test_merge_template_turns_on_partial_batch_responses():
    """``chalice package --merge-template infra/sqs-event-source.yaml``: the generated SQS
    event source gets ``ReportBatchItemFailures`` (Chalice never sets it)."""
    doc = yaml.safe_load((ROOT / "infra" / "sqs-event-source.yaml").read_text())
    props = doc["Resources"]["DeliverWebhooks"]["Properties"]
    event = props["Events"]["DeliverWebhooksSqsEventSource"]
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

    generated = _chalice_sam_template()
    from chalice.package import TemplateDeepMerger

    merged = TemplateDeepMerger().merge(doc, generated)
    fn = merged["Resources"]["DeliverWebhooks"]["Properties"]
    source = fn["Events"]["DeliverWebhooksSqsEventSource"]["Properties"]
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["BatchSize"] == 10
    import app as app_module

    assert source["Queue"]["Fn::Sub"].endswith(":" + app_module.EVENTS_QUEUE)
    timeout = fn["Timeout"]
    template = yaml.safe_load((ROOT / "infra" / "template.yaml").read_text())
    visibility = template["Resources"]["EventsQueue"]["Properties"]["VisibilityTimeout"]
    assert webhook_delivery.LEASE_S < visibility and timeout <= visibility


def _chalice_sam_template() -> dict:
    """What ``chalice package`` generates for the dev stage, without building the zip."""
    import os

    from chalice.awsclient import TypedAWSClient
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.package import PackageOptions, SAMTemplateGenerator

    factory = CLIFactory(str(ROOT), environ=dict(os.environ))
    config = factory.create_config_obj(chalice_stage_name="dev")
    resources = DependencyBuilder().build_dependencies(
        ApplicationGraphBuilder().build(config, "dev")
    )
    for resource in resources:
        if isinstance(resource, models.LambdaFunction):
            resource.deployment_package = models.DeploymentPackage(filename="app.zip")
        if isinstance(resource, models.ManagedIAMRole):
            resource.policy = models.FileBasedIAMPolicy(
                filename="policy.json", document={"Version": "2012-10-17", "Statement": []}
            )
    options = PackageOptions(TypedAWSClient(factory.create_botocore_session()))
    return SAMTemplateGenerator(config, options).generate(resources)
