"""Webhook delivery: fan-out, signed POSTs, retries over SQS, dead letters.

Messages on the events queue:

- the publisher's event ``{tenant_id, event_id, type, created_at, data}``: fan it out to
  the tenant's active endpoints subscribed to ``type`` (one Query). For each endpoint a
  delivery record is created with a conditional put keyed by (event, endpoint) - the
  deduplication - born with attempt 1 claimed, and attempt 1 is made at once. When every
  endpoint has its record the event leaves the outbox.
- ``{kind: "delivery", tenant_id, endpoint_id, delivery_id, attempt, due_at, trigger}``:
  one attempt of one delivery (a retry, a manual redelivery or a test event). A message
  that is early (SQS delays are capped at 900 s) is re-enqueued until ``due_at``.

Every attempt is claimed first (a conditional update with a 60 s lease), so duplicated or
redelivered messages never re-send a delivered event nor run one attempt twice at once; a
message whose attempt is in flight elsewhere fails and comes back later. A failed attempt
enqueues the next one with the jittered backoff of ``RetryPolicy`` (8 attempts over about
7.7 hours); after the last one the delivery is marked failed and a record goes to the
dead-letter queue. A 410 answer disables the endpoint. Any exception fails only its own SQS
message (Powertools ``BatchProcessor`` partial batch response); its redelivery is safe.

Delivery records expire by TTL (``rules.expires_at``: 30 days at least, and not before the
delivery log has stopped listing their event's day).

Calls for an event delivered at the first try to one endpoint: DynamoDB 4 (Query
endpoints, the delivery's transaction: its conditional put and its count in the log,
record attempt, release outbox), SQS 0 beyond the trigger's own.
Each retry: SQS 1 send; DynamoDB 3 (claim, get endpoint, record).

The POST itself (SSRF re-check, pinned connection, timeout) is
:mod:`chalicelib.webhooks.transport`; time is read through ``chalicelib.core.clock``
(``clock.time()``), so tests freeze it there.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.settings import get_settings
from chalicelib.platform import outbox
from chalicelib.webhooks import rules, store
from chalicelib.webhooks.transport import HttpResult, http_post

log = logging.getLogger("tradekitt.webhooks")

POLICY = rules.RetryPolicy()
HTTP_TIMEOUT_S: float = 10.0
LEASE_S = 60  # > one attempt (10 s timeout + writes); < queue visibility
TIME_MARGIN_S = HTTP_TIMEOUT_S + 5  # Lambda time an attempt needs; less left: retry later
SUBSCRIPTION_SLACK_S = 1.0  # an endpoint gets events from its creation time on
USER_AGENT = "TradeKitt-Webhooks/1.0"

# Seams that tests replace (monkeypatch): randomness, DNS and the HTTP transport (time is
# ``chalicelib.core.clock``). ``resolver`` None: the transport's ``default_resolver``.
rng: random.Random = random.SystemRandom()
resolver: rules.Resolver | None = None
transport: Callable[..., HttpResult] = http_post


class AttemptInFlight(RuntimeError):
    """This attempt is being made under another message's lease: try the message later."""


class DeliveryIncomplete(RuntimeError):
    """Some endpoints of an event could not be handled; the message is retried (the
    endpoints already handled are deduplicated)."""


class OutOfTime(RuntimeError):
    """Too little Lambda time left to make an attempt safely; the message is retried."""


# --- the SQS entry point ----------------------------------------------------------------
def handle_sqs_event(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Process a Lambda SQS batch; returns ``{"batchItemFailures": [...]}`` naming the
    messages to retry (the event source mapping needs ``ReportBatchItemFailures``,
    see ``infra/sqs-event-source.yaml``)."""
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    budget = Budget(context)

    def record_handler(record: Any) -> None:
        try:
            process_body(record.body, budget)
        except (AttemptInFlight, OutOfTime) as exc:
            log.info("message %s deferred: %s", record.message_id, exc)
            raise
        except Exception:
            log.exception("message %s failed; SQS will redeliver it", record.message_id)
            raise

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


@dataclass
class Budget:
    """Stops starting attempts when the Lambda is about to time out."""

    context: Any = None

    def check(self) -> None:
        remaining = getattr(self.context, "get_remaining_time_in_millis", None)
        if callable(remaining) and remaining() < TIME_MARGIN_S * 1000:
            raise OutOfTime("less than one attempt's time left in this invocation")


def process_body(text: str, budget: Budget | None = None) -> None:
    """Handle one message body (raises to have SQS redeliver it)."""
    budget = budget or Budget()
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise rules.BadMessage("message body is not JSON") from exc
    if not isinstance(body, dict):
        raise rules.BadMessage("message body is not a JSON object")
    kind = body.get("kind", "event")
    if kind == "event":
        fan_out(rules.read_event_message(body), budget)
    elif kind == "delivery":
        run_delivery(rules.read_delivery_message(body), budget)
    else:
        raise rules.BadMessage(f"unknown message kind {kind!r}")


# --- fan-out ----------------------------------------------------------------------------
def _subscribed(endpoint: store.Endpoint, event: dict[str, Any]) -> bool:
    if not endpoint.active or event["type"] not in (endpoint.events or []):
        return False
    event_time = rules.parse_iso(event["created_at"]).timestamp()
    return endpoint.created_at.timestamp() - SUBSCRIPTION_SLACK_S <= event_time


def fan_out(event: dict[str, Any], budget: Budget) -> None:
    tenant_id = event["tenant_id"]
    endpoints = [ep for ep in store.list_endpoints(tenant_id) if _subscribed(ep, event)]
    failed: list[int] = []
    for endpoint in endpoints:
        budget.check()
        try:
            _first_attempt(endpoint, event)
        except AttemptInFlight:
            failed.append(int(endpoint.endpoint_id))
        except Exception:  # noqa: BLE001 - one endpoint's failure must not stop the others
            log.exception("event %s to endpoint %s failed", event["event_id"], endpoint.endpoint_id)
            failed.append(int(endpoint.endpoint_id))
    if failed:
        raise DeliveryIncomplete(f"event {event['event_id']}: endpoints {failed} not handled")
    outbox.mark_taken_by_id(tenant_id, event["created_at"], event["event_id"])


def _first_attempt(endpoint: store.Endpoint, event: dict[str, Any]) -> None:
    now = clock.time()
    new = store.NewDelivery(
        tenant_id=event["tenant_id"],
        endpoint_id=int(endpoint.endpoint_id),
        event_id=event["event_id"],
        event_type=event["type"],
        event_created_at=event["created_at"],
        data=event["data"],
        trigger=rules.AUTOMATIC,
        final_attempt=POLICY.max_attempts,
        expires_at=rules.expires_at(event["created_at"], now),
    )
    item = store.create_delivery(new, _dt(now), claim_until=now + LEASE_S)
    if item is None:  # a duplicate or redelivered event message
        item = _claim(new.tenant_id, new.endpoint_id, new.delivery_id, 1, now)
        if item is None:
            return
    _attempt(endpoint, item, 1, rules.AUTOMATIC)


# --- one attempt of one delivery --------------------------------------------------------
def run_delivery(message: dict[str, Any], budget: Budget) -> None:
    now = clock.time()
    wait = rules.delay_until(float(message.get("due_at", 0)), now)
    if wait > 0:  # still early: SQS delays stop at 900 s, so hop again
        _enqueue(message, wait)
        return
    budget.check()
    tenant_id, endpoint_id = message["tenant_id"], int(message["endpoint_id"])
    attempt = int(message["attempt"])
    item = _claim(tenant_id, endpoint_id, message["delivery_id"], attempt, now)
    if item is None:
        return
    endpoint = store.get_endpoint(tenant_id, endpoint_id)
    if endpoint is None:
        store.finish_without_attempt(item, "endpoint deleted", _dt(clock.time()))
        return
    if not endpoint.active:
        reason = endpoint.disabled_reason or "endpoint disabled"
        store.finish_without_attempt(item, f"not sent: {reason}", _dt(clock.time()))
        return
    _attempt(endpoint, item, attempt, message.get("trigger", rules.AUTOMATIC))


def _claim(
    tenant_id: str, endpoint_id: int, delivery_id: str, attempt: int, now: float
) -> store.Delivery | None:
    item = store.claim_attempt(tenant_id, endpoint_id, delivery_id, attempt, now, now + LEASE_S)
    if item is not None:
        return item
    state = store.state_of(store.get_delivery(tenant_id, endpoint_id, delivery_id))
    verdict = rules.claim_verdict(state, attempt, now)
    if verdict == "busy":
        raise AttemptInFlight(f"delivery {delivery_id} attempt {attempt} is in flight")
    log.info("delivery %s attempt %s: %s message dropped", delivery_id, attempt, verdict)
    return None


def _attempt(endpoint: store.Endpoint, item: store.Delivery, attempt: int, trigger: str) -> None:
    started = clock.time()
    result = send(endpoint, item, started)
    outcome = rules.classify_response(result.status_code, result.timed_out)
    entry = {
        "attempt": attempt,
        "attempted_at": rules.iso(started),
        "trigger": trigger,
        "status_code": result.status_code,
        "duration_ms": result.duration_ms,
        "error": result.error,
        "outcome": outcome,
    }
    now = clock.time()
    status, next_attempt_at = rules.FAILED, None
    if outcome == "success":
        status = rules.SUCCEEDED
    elif outcome == "disable":
        reason = f"the endpoint answered 410 Gone at {rules.iso(now)}"
        store.disable_endpoint(item.tenant_id, int(item.endpoint_id), reason, _dt(now))
        entry["error"] = entry["error"] or "410 Gone: endpoint disabled"
    else:
        plan = rules.plan_after_failure(attempt, int(item.final_attempt), now, POLICY, rng)
        if plan is None:
            entry["outcome"] = "failed"  # the last attempt: nothing follows
            if trigger == rules.AUTOMATIC:
                _dead_letter(item, entry, now)
        else:
            _enqueue(
                rules.delivery_message(
                    item.tenant_id,
                    int(item.endpoint_id),
                    item.delivery_id,
                    plan.attempt,
                    plan.due_at,
                ),
                plan.delay_now,
            )
            status, next_attempt_at = rules.PENDING, rules.iso(plan.due_at)
    # The outcome is written last: the retry is queued (or the endpoint disabled, or the
    # dead letter sent) before the attempt counts as recorded.
    store.record_attempt(item, entry, status=status, next_attempt_at=next_attempt_at, now=_dt(now))


# --- sending ----------------------------------------------------------------------------
def signed_request(
    endpoint: store.Endpoint, item: store.Delivery, timestamp: int
) -> tuple[bytes, dict[str, str]]:
    """The exact body and headers of an attempt (Standard Webhooks). During a secret
    rotation's grace period the old secret's signature is sent too."""
    body = rules.build_payload(item.event_id, item.event_type, item.event_created_at, item.data)
    headers = rules.signature_headers(endpoint.secret, item.event_id, timestamp, body)
    previous = endpoint.previous_secret
    if previous and (endpoint.previous_secret_expires_at or 0) > timestamp:
        headers["webhook-signature"] += " " + rules.sign(previous, item.event_id, timestamp, body)
    headers.update({"Content-Type": "application/json", "User-Agent": USER_AGENT})
    return body, headers


def send(endpoint: store.Endpoint, item: store.Delivery, now: float) -> HttpResult:
    try:
        body, headers = signed_request(endpoint, item, int(now))
    except rules.WebhookValidationError as exc:
        return HttpResult(status_code=None, duration_ms=0, error=f"not sent: {exc}")
    return transport(
        endpoint.url,
        body,
        headers,
        HTTP_TIMEOUT_S,
        local_mode=get_settings().local_mode,
        resolver=resolver,
    )


# --- queue and dead letters -------------------------------------------------------------
def _enqueue(message: dict[str, Any], delay_s: int) -> None:
    outbox.sqs_client().send_message(
        QueueUrl=outbox.queue_url(),
        MessageBody=json.dumps(message),
        DelaySeconds=max(0, min(int(delay_s), rules.SQS_MAX_DELAY_SECONDS)),
    )


def _dead_letter(item: store.Delivery, entry: dict[str, Any], now: float) -> None:
    record = {
        "kind": "delivery.failed",
        "tenant_id": item.tenant_id,
        "endpoint_id": int(item.endpoint_id),
        "delivery_id": item.delivery_id,
        "event_id": item.event_id,
        "event_type": item.event_type,
        "event_created_at": item.event_created_at,
        "attempts": entry["attempt"],
        "last_status_code": entry["status_code"],
        "last_error": entry["error"],
        "failed_at": rules.iso(now),
    }
    dead_letters = outbox.queue_url_named(get_settings().dead_letter_queue_name)
    outbox.sqs_client().send_message(QueueUrl=dead_letters, MessageBody=json.dumps(record))
    log.warning(
        "delivery %s to endpoint %s dead-lettered after %s attempts",
        item.delivery_id,
        item.endpoint_id,
        entry["attempt"],
    )


# --- deliveries started from the API ----------------------------------------------------
def send_test(endpoint: store.Endpoint, event_type: str) -> store.Delivery:
    """Queue one signed test event (``data.test`` is true) to ``endpoint``: one attempt,
    no retries, logged like any delivery."""
    now = clock.time()
    created_at = rules.iso(now)
    new = store.NewDelivery(
        tenant_id=endpoint.tenant_id,
        endpoint_id=int(endpoint.endpoint_id),
        event_id=f"evt_{uuid.uuid4().hex}",
        event_type=event_type,
        event_created_at=created_at,
        trigger=rules.TEST,
        final_attempt=1,
        data={
            "test": True,
            "webhook_id": int(endpoint.endpoint_id),
            "message": f"Test {event_type} event from TradeKitt",
        },
        expires_at=rules.expires_at(created_at, now),
    )
    item = store.create_delivery(new, _dt(now), claim_until=None)
    assert item is not None  # a fresh event id cannot collide
    _enqueue_or_fail(item, 1, rules.TEST, now)
    return item


def redeliver(tenant_id: str, endpoint_id: int, delivery_id: str) -> store.Delivery | None:
    """Queue one more attempt of a finished delivery (no automatic retries after it);
    None when there is no such finished delivery."""
    now = clock.time()
    item = store.reopen_delivery(tenant_id, endpoint_id, delivery_id, _dt(now))
    if item is None:
        return None
    _enqueue_or_fail(item, int(item.attempt_count) + 1, rules.MANUAL, now)
    return item


def _enqueue_or_fail(item: store.Delivery, attempt: int, trigger: str, now: float) -> None:
    try:
        _enqueue(
            rules.delivery_message(
                item.tenant_id, int(item.endpoint_id), item.delivery_id, attempt, now, trigger
            ),
            0,
        )
    except Exception:
        store.finish_without_attempt(item, "could not be queued; try again", _dt(clock.time()))
        raise


def _dt(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)
