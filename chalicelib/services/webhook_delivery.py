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

Calls for an event delivered at the first try to one endpoint: DynamoDB 4 (Query
endpoints, put delivery, record attempt, release outbox), SQS 0 beyond the trigger's own.
Each retry: SQS 1 send; DynamoDB 3 (claim, get endpoint, record).
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import random
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from chalicelib.core.settings import get_settings
from chalicelib.domain import webhook_deliveries as rules
from chalicelib.domain import webhooks as wh
from chalicelib.services import events
from chalicelib.store import events as event_store
from chalicelib.store import webhooks as store

log = logging.getLogger("tradekitt.webhooks")

POLICY = wh.RetryPolicy()
HTTP_TIMEOUT_S: float = 10.0
LEASE_S = 60                      # > one attempt (10 s timeout + writes); < queue visibility
TIME_MARGIN_S = HTTP_TIMEOUT_S + 5  # Lambda time an attempt needs; less left: retry later
RETENTION = timedelta(days=30)    # delivery log kept this long (TTL)
SUBSCRIPTION_SLACK_S = 1.0        # an endpoint gets events from its creation time on
USER_AGENT = "TradeKitt-Webhooks/1.0"
MAX_RESPONSE_BYTES = 64 * 1024
MAX_ERROR_CHARS = 500

# Seams that tests replace (monkeypatch): time, randomness, DNS and the HTTP transport.
clock: Callable[[], float] = time.time
rng: random.Random = random.SystemRandom()
resolver: wh.Resolver | None = None


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
    from aws_lambda_powertools.utilities.batch import (BatchProcessor, EventType,
                                                       process_partial_response)

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

    return process_partial_response(event=event, record_handler=record_handler,
                                    processor=processor, context=context)


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
            log.exception("event %s to endpoint %s failed", event["event_id"],
                          endpoint.endpoint_id)
            failed.append(int(endpoint.endpoint_id))
    if failed:
        raise DeliveryIncomplete(f"event {event['event_id']}: endpoints {failed} not handled")
    event_store.mark_taken_by_id(tenant_id, event["created_at"], event["event_id"])


def _first_attempt(endpoint: store.Endpoint, event: dict[str, Any]) -> None:
    now = clock()
    new = store.NewDelivery(
        tenant_id=event["tenant_id"], endpoint_id=int(endpoint.endpoint_id),
        event_id=event["event_id"], event_type=event["type"],
        event_created_at=event["created_at"], data=event["data"], trigger=rules.AUTOMATIC,
        final_attempt=POLICY.max_attempts, expires_at=int(now + RETENTION.total_seconds()))
    item = store.create_delivery(new, _dt(now), claim_until=now + LEASE_S)
    if item is None:  # a duplicate or redelivered event message
        item = _claim(new.tenant_id, new.endpoint_id, new.delivery_id, 1, now)
        if item is None:
            return
    _attempt(endpoint, item, 1, rules.AUTOMATIC)


# --- one attempt of one delivery --------------------------------------------------------
def run_delivery(message: dict[str, Any], budget: Budget) -> None:
    now = clock()
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
        store.finish_without_attempt(item, "endpoint deleted", _dt(clock()))
        return
    if not endpoint.active:
        reason = endpoint.disabled_reason or "endpoint disabled"
        store.finish_without_attempt(item, f"not sent: {reason}", _dt(clock()))
        return
    _attempt(endpoint, item, attempt, message.get("trigger", rules.AUTOMATIC))


def _claim(tenant_id: str, endpoint_id: int, delivery_id: str, attempt: int,
           now: float) -> store.Delivery | None:
    item = store.claim_attempt(tenant_id, endpoint_id, delivery_id, attempt, now, now + LEASE_S)
    if item is not None:
        return item
    state = store.state_of(store.get_delivery(tenant_id, endpoint_id, delivery_id))
    verdict = rules.claim_verdict(state, attempt, now)
    if verdict == "busy":
        raise AttemptInFlight(f"delivery {delivery_id} attempt {attempt} is in flight")
    log.info("delivery %s attempt %s: %s message dropped", delivery_id, attempt, verdict)
    return None


def _attempt(endpoint: store.Endpoint, item: store.Delivery, attempt: int,
             trigger: str) -> None:
    started = clock()
    result = send(endpoint, item, started)
    outcome = wh.classify_response(result.status_code, result.timed_out)
    entry = {"attempt": attempt, "attempted_at": rules.iso(started), "trigger": trigger,
             "status_code": result.status_code, "duration_ms": result.duration_ms,
             "error": result.error, "outcome": outcome}
    now = clock()
    if outcome == "success":
        store.record_attempt(item, entry, status=rules.SUCCEEDED, next_attempt_at=None,
                             now=_dt(now))
        return
    if outcome == "disable":
        reason = f"the endpoint answered 410 Gone at {rules.iso(now)}"
        store.disable_endpoint(item.tenant_id, int(item.endpoint_id), reason, _dt(now))
        entry["error"] = entry["error"] or "410 Gone: endpoint disabled"
        store.record_attempt(item, entry, status=rules.FAILED, next_attempt_at=None,
                             now=_dt(now))
        return
    plan = rules.plan_after_failure(attempt, int(item.final_attempt), now, POLICY, rng)
    if plan is None:
        entry["outcome"] = "failed"  # the last attempt: nothing follows
        if trigger == rules.AUTOMATIC:
            _dead_letter(item, entry, now)
        store.record_attempt(item, entry, status=rules.FAILED, next_attempt_at=None,
                             now=_dt(now))
        return
    _enqueue(rules.delivery_message(item.tenant_id, int(item.endpoint_id), item.delivery_id,
                                    plan.attempt, plan.due_at), plan.delay_now)
    store.record_attempt(item, entry, status=rules.PENDING,
                         next_attempt_at=rules.iso(plan.due_at), now=_dt(now))


# --- sending ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HttpResult:
    status_code: int | None
    duration_ms: int
    error: str | None = None
    timed_out: bool = False


def signed_request(endpoint: store.Endpoint, item: store.Delivery,
                   timestamp: int) -> tuple[bytes, dict[str, str]]:
    """The exact body and headers of an attempt (Standard Webhooks). During a secret
    rotation's grace period the old secret's signature is sent too."""
    body = wh.build_payload(item.event_id, item.event_type, item.event_created_at, item.data)
    headers = wh.signature_headers(endpoint.secret, item.event_id, timestamp, body)
    previous = endpoint.previous_secret
    if previous and (endpoint.previous_secret_expires_at or 0) > timestamp:
        headers["webhook-signature"] += " " + wh.sign(previous, item.event_id, timestamp, body)
    headers.update({"Content-Type": "application/json", "User-Agent": USER_AGENT})
    return body, headers


def send(endpoint: store.Endpoint, item: store.Delivery, now: float) -> HttpResult:
    try:
        body, headers = signed_request(endpoint, item, int(now))
    except wh.WebhookValidationError as exc:
        return HttpResult(status_code=None, duration_ms=0, error=f"not sent: {exc}")
    return transport(endpoint.url, body, headers, HTTP_TIMEOUT_S,
                     local_mode=get_settings().local_mode, resolver=resolver)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand (no second DNS lookup to rebind)."""

    def __init__(self, host: str, port: int, *, timeout: float, address: str | None) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address or self.host, self.port),
                                             self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a checked address, verifying the certificate for the URL's host name."""

    def __init__(self, host: str, port: int, *, timeout: float, address: str | None,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address or self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def checked_address(url: str, *, local_mode: bool,
                    resolver: wh.Resolver | None = None) -> str | None:
    """Validate ``url`` again right before sending (SSRF, DNS rebinding) and return the
    address to connect to (None in local mode: connect by name)."""
    if local_mode:
        wh.validate_url(url, local_mode=True)
        return None
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        addresses = [host]
    except ValueError:
        try:
            addresses = list((resolver or wh.default_resolver)(host)) if host else []
        except (OSError, UnicodeError) as exc:
            raise wh.WebhookValidationError(f"host {host!r} could not be resolved") from exc
    wh.validate_url(url, local_mode=False, resolver=lambda _host: addresses)
    return addresses[0] if addresses else None


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float, *,
              local_mode: bool, resolver: wh.Resolver | None = None) -> HttpResult:
    """POST without following redirects; connection errors and timeouts are results."""
    started = time.monotonic()

    def result(status: int | None = None, error: str | None = None,
               timed_out: bool = False) -> HttpResult:
        return HttpResult(status, int((time.monotonic() - started) * 1000),
                          error[:MAX_ERROR_CHARS] if error else None, timed_out)

    try:
        address = checked_address(url, local_mode=local_mode, resolver=resolver)
    except wh.WebhookValidationError as exc:
        return result(error=f"refused: {exc}")
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    conn: http.client.HTTPConnection
    if https:
        conn = _PinnedHTTPSConnection(parts.hostname or "", port, timeout=timeout,
                                      address=address, context=_tls_context())
    else:
        conn = _PinnedHTTPConnection(parts.hostname or "", port, timeout=timeout,
                                     address=address)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", target, body=body, headers=headers)
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            raise TimeoutError
        if conn.sock is not None:
            conn.sock.settimeout(remaining)  # the timeout bounds the whole exchange
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return result(status=response.status)
    except TimeoutError:
        return result(error=f"timed out after {timeout:g} s", timed_out=True)
    except (OSError, http.client.HTTPException) as exc:
        return result(error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


transport: Callable[..., HttpResult] = http_post

_tls: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _tls
    if _tls is None:
        _tls = ssl.create_default_context()
    return _tls


# --- queue and dead letters -------------------------------------------------------------
def dead_letter_queue_name() -> str:
    return f"{get_settings().events_queue_name}-dlq"


def _enqueue(message: dict[str, Any], delay_s: int) -> None:
    events.sqs_client().send_message(QueueUrl=events.queue_url(),
                                     MessageBody=json.dumps(message),
                                     DelaySeconds=max(0, min(int(delay_s),
                                                             wh.SQS_MAX_DELAY_SECONDS)))


def _dead_letter(item: store.Delivery, entry: dict[str, Any], now: float) -> None:
    record = {"kind": "delivery.failed", "tenant_id": item.tenant_id,
              "endpoint_id": int(item.endpoint_id), "delivery_id": item.delivery_id,
              "event_id": item.event_id, "event_type": item.event_type,
              "event_created_at": item.event_created_at, "attempts": entry["attempt"],
              "last_status_code": entry["status_code"], "last_error": entry["error"],
              "failed_at": rules.iso(now)}
    events.sqs_client().send_message(QueueUrl=events.queue_url_named(dead_letter_queue_name()),
                                     MessageBody=json.dumps(record))
    log.warning("delivery %s to endpoint %s dead-lettered after %s attempts",
                item.delivery_id, item.endpoint_id, entry["attempt"])


# --- deliveries started from the API ----------------------------------------------------
def send_test(endpoint: store.Endpoint, event_type: str) -> store.Delivery:
    """Queue one signed test event (``data.test`` is true) to ``endpoint``: one attempt,
    no retries, logged like any delivery."""
    now = clock()
    new = store.NewDelivery(
        tenant_id=endpoint.tenant_id, endpoint_id=int(endpoint.endpoint_id),
        event_id=f"evt_{uuid.uuid4().hex}", event_type=event_type,
        event_created_at=rules.iso(now), trigger=rules.TEST, final_attempt=1,
        data={"test": True, "webhook_id": int(endpoint.endpoint_id),
              "message": f"Test {event_type} event from TradeKitt"},
        expires_at=int(now + RETENTION.total_seconds()))
    item = store.create_delivery(new, _dt(now), claim_until=None)
    assert item is not None  # a fresh event id cannot collide
    _enqueue_or_fail(item, 1, rules.TEST, now)
    return item


def redeliver(tenant_id: str, endpoint_id: int, delivery_id: str) -> store.Delivery | None:
    """Queue one more attempt of a finished delivery (no automatic retries after it);
    None when there is no such finished delivery."""
    now = clock()
    item = store.reopen_delivery(tenant_id, endpoint_id, delivery_id, _dt(now))
    if item is None:
        return None
    _enqueue_or_fail(item, int(item.attempt_count) + 1, rules.MANUAL, now)
    return item


def _enqueue_or_fail(item: store.Delivery, attempt: int, trigger: str, now: float) -> None:
    try:
        _enqueue(rules.delivery_message(item.tenant_id, int(item.endpoint_id),
                                        item.delivery_id, attempt, now, trigger), 0)
    except Exception:
        store.finish_without_attempt(item, "could not be queued; try again", _dt(clock()))
        raise


def _dt(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, timezone.utc)
