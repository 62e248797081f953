"""Pure rules of webhook delivery bookkeeping (no AWS, no HTTP).

A *delivery* is one event for one endpoint; it is attempted up to ``final_attempt`` times.
An attempt is *claimed* before it is made (a short lease on the delivery record), so a
duplicated or redelivered SQS message never makes the same attempt twice at once and
never re-sends after a success. ``claim_verdict`` says what a message whose claim lost
should do; ``plan_after_failure`` says what follows a failed attempt.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from chalicelib.core.clock import iso_utc
from chalicelib.webhooks.rules.retry import RetryPolicy, split_delay
from chalicelib.webhooks.rules.signing import SECRET_PREFIX

PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
STATUSES = (PENDING, SUCCEEDED, FAILED)

# What caused an attempt.
AUTOMATIC = "automatic"  # the event itself, or a scheduled retry
MANUAL = "manual"  # POST .../deliveries/{id}/redeliver
TEST = "test"  # POST .../test

_DELIVERY_ID = re.compile(r"^\d{17}-[A-Za-z0-9_]{1,100}$")


def delivery_id(created_at_iso: str, event_id: str) -> str:
    """The id of an event's delivery to an endpoint: the event time (UTC, millisecond
    precision, digits only) then the event id. Deterministic, so creating a delivery twice
    for the same (event, endpoint) names the same record, and ids sort by event time."""
    when = parse_iso(created_at_iso)
    stamp = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    return f"{stamp}-{event_id}"


# A delivery id starts with its event's day and month (UTC): the buckets the delivery log
# is counted by (``webhooks.store.deliveries_rollup``).
ID_DAY = 8  # "YYYYMMDD"
ID_MONTH = 6  # "YYYYMM"

# The delivery log lists the deliveries of the last RETENTION_DAYS days, by event day
# (UTC), and today's; every record lives until the log has stopped listing it, so a
# listed delivery is never one that DynamoDB's TTL may have deleted.
RETENTION_DAYS = 30
_DAY_S = 86_400


def day_prefix(day: date) -> str:
    """The prefix of the ids of the deliveries of events on ``day`` (UTC)."""
    return f"{day:%Y%m%d}"


def listed_since(now: datetime, days_back: int = RETENTION_DAYS) -> str:
    """The oldest event day (as an id prefix) the delivery log lists at ``now``. A cursor
    issued before the last midnight (UTC) was bound to ``days_back + 1``."""
    return day_prefix(now.astimezone(UTC).date() - timedelta(days=days_back))


def expires_at(event_created_at: str, now: float) -> int:
    """When a delivery record may be deleted (its TTL, epoch seconds): at least
    RETENTION_DAYS after it is made, and not before its event's day has left the log even
    for a cursor issued the day before (the start of event day + RETENTION_DAYS + 2)."""
    event_day = parse_iso(event_created_at).date()
    day_start = datetime(event_day.year, event_day.month, event_day.day, tzinfo=UTC)
    return int(
        max(now + RETENTION_DAYS * _DAY_S, day_start.timestamp() + (RETENTION_DAYS + 2) * _DAY_S)
    )


def is_delivery_id(value: str) -> bool:
    return bool(_DELIVERY_ID.match(value or ""))


def parse_iso(value: str) -> datetime:
    """An ISO-8601 timestamp as an aware UTC datetime (naive input is taken as UTC)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(epoch_s: float) -> str:
    """Epoch seconds as ISO-8601 UTC with milliseconds and a ``Z`` (the format of
    ``core.clock.iso_utc``; nothing here reads the clock)."""
    return iso_utc(datetime.fromtimestamp(epoch_s, UTC))


def mask_secret(secret: str) -> str:
    """What list/get show of a signing secret: the prefix and its last four characters."""
    return f"{SECRET_PREFIX}...{secret[-4:]}" if secret else ""


# --- claims ---------------------------------------------------------------------------
Verdict = Literal["obsolete", "busy", "missing"]


@dataclass(frozen=True)
class DeliveryState:
    """The fields of a delivery record that decide whether attempt ``n`` may run."""

    status: str
    attempt_count: int  # attempts claimed so far
    recorded_count: int  # attempts whose outcome has been written
    lease_until: float  # epoch seconds; a claimed attempt is in flight until then


def claimable(state: DeliveryState, attempt: int, now: float) -> bool:
    """Attempt ``attempt`` may start: the previous one is the last claimed, or this one was
    claimed by a worker that died before recording it (its lease has run out).

    ``webhooks.store.claim_attempt`` writes the same rule as a DynamoDB condition."""
    if state.status != PENDING:
        return False
    if state.attempt_count == attempt - 1:
        return True
    return (
        state.attempt_count == attempt
        and state.recorded_count < attempt
        and state.lease_until < now
    )


def claim_verdict(state: DeliveryState | None, attempt: int, now: float) -> Verdict:
    """Why a claim of ``attempt`` lost, and so what its message should do.

    - ``missing``: no such delivery (endpoint deleted meanwhile): drop the message;
    - ``obsolete``: the delivery is finished, or this attempt was already made or
      overtaken: drop the message (it is a duplicate);
    - ``busy``: this very attempt is in flight under someone's lease: fail the message so
      SQS brings it back later, when the lease holder has recorded it or died.
    """
    if state is None:
        return "missing"
    if state.status != PENDING:
        return "obsolete"
    if (
        state.attempt_count == attempt
        and state.recorded_count < attempt
        and state.lease_until >= now
    ):
        return "busy"
    return "obsolete"


# --- retries --------------------------------------------------------------------------
@dataclass(frozen=True)
class RetryPlan:
    """The next attempt: its number, when it is due, and the SQS delay to use now (a wait
    beyond SQS's 900 s cap is covered by re-enqueueing until ``due_at``)."""

    attempt: int
    due_at: float
    delay_now: int


def plan_after_failure(
    attempt: int, final_attempt: int, now: float, policy: RetryPolicy, rng: random.Random
) -> RetryPlan | None:
    """What follows failed attempt ``attempt``: a retry plan, or None when it was the last
    (then the delivery fails and, for automatic deliveries, goes to the dead-letter queue)."""
    if attempt >= final_attempt:
        return None
    delay = policy.next_delay_seconds(attempt + 1, rng)
    if delay is None:
        return None
    now_part, _ = split_delay(delay)
    return RetryPlan(attempt=attempt + 1, due_at=now + delay, delay_now=now_part)


def delay_until(due_at: float, now: float) -> int:
    """SQS delay for a message due at ``due_at``: 0 when due (within a second), else the
    remaining wait capped at 900 s (the message is re-enqueued again if still early)."""
    remaining = due_at - now
    if remaining <= 1:
        return 0
    wait, _ = split_delay(int(remaining + 0.999))
    return wait


def schedule_summary(policy: RetryPolicy) -> dict[str, Any]:
    """The base retry schedule (seconds after the first attempt), for docs and benchmarks."""
    offsets, total = [], 0
    for n in range(1, policy.max_attempts + 1):
        total += policy.base_delay_seconds(n) or 0
        offsets.append(total)
    return {
        "attempts": policy.max_attempts,
        "offsets_s": offsets,
        "total_s": total,
        "jitter": policy.jitter,
    }


# --- messages -------------------------------------------------------------------------
class BadMessage(ValueError):
    """An SQS message this service cannot read (it will reach the dead-letter queue)."""


def delivery_message(
    tenant_id: str,
    endpoint_id: int,
    delivery: str,
    attempt: int,
    due_at: float,
    trigger: str = AUTOMATIC,
) -> dict[str, Any]:
    """The body of a message that asks for one attempt of one delivery."""
    return {
        "kind": "delivery",
        "tenant_id": tenant_id,
        "endpoint_id": endpoint_id,
        "delivery_id": delivery,
        "attempt": attempt,
        "due_at": round(due_at, 3),
        "trigger": trigger,
    }


def read_event_message(body: dict[str, Any]) -> dict[str, Any]:
    """Validate the publisher's event message ``{tenant_id, event_id, type, created_at,
    data}``."""
    for name, kind in (
        ("tenant_id", str),
        ("event_id", str),
        ("type", str),
        ("created_at", str),
        ("data", dict),
    ):
        if not isinstance(body.get(name), kind):
            raise BadMessage(f"event message lacks a valid {name!r}")
    try:
        parse_iso(body["created_at"])
    except ValueError as exc:
        raise BadMessage("event message has a malformed created_at") from exc
    return body


def read_delivery_message(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a delivery (retry / manual / test) message."""
    if not isinstance(body.get("tenant_id"), str):
        raise BadMessage("delivery message lacks tenant_id")
    for name in ("endpoint_id", "attempt"):
        value = body.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadMessage(f"delivery message lacks a valid {name!r}")
    if not is_delivery_id(str(body.get("delivery_id", ""))):
        raise BadMessage("delivery message lacks a valid delivery_id")
    if not isinstance(body.get("due_at", 0), (int, float)):
        raise BadMessage("delivery message has a malformed due_at")
    if body.get("trigger", AUTOMATIC) not in (AUTOMATIC, MANUAL, TEST):
        raise BadMessage("delivery message has an unknown trigger")
    return body
