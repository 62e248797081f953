"""Pure delivery bookkeeping (chalicelib.webhooks.rules.deliveries): ids, claims, retry
plans, messages."""

from __future__ import annotations

import random

import pytest

from chalicelib.webhooks.rules import RetryPolicy
from chalicelib.webhooks.rules import deliveries as rules

S = rules.DeliveryState


def test_delivery_id_is_deterministic_and_sorts_by_event_time():
    a = rules.delivery_id("2026-03-01T12:00:00.123Z", "evt_abc")
    assert a == "20260301120000123-evt_abc"
    assert rules.delivery_id("2026-03-01T12:00:00.123+00:00", "evt_abc") == a
    assert rules.delivery_id("2026-03-01T07:00:00.123-05:00", "evt_abc") == a
    later = rules.delivery_id("2026-03-01T12:00:01.000Z", "evt_000")
    assert later > a
    assert rules.is_delivery_id(a) and not rules.is_delivery_id("../x")
    assert not rules.is_delivery_id("20260301120000123-evt abc")


def test_iso_and_mask():
    assert rules.iso(0) == "1970-01-01T00:00:00.000Z"
    assert rules.mask_secret("whsec_abcdefgh") == "whsec_...efgh"


@pytest.mark.parametrize(
    "state, attempt, now, expected",
    [
        (S("pending", 0, 0, 0), 1, 100, True),  # first claim (test / manual)
        (S("pending", 1, 1, 0), 2, 100, True),  # retry after a recorded failure
        (S("pending", 1, 0, 0), 2, 100, True),  # retry enqueued, record lost
        (S("pending", 1, 0, 160), 1, 100, False),  # attempt 1 in flight
        (S("pending", 1, 0, 90), 1, 100, True),  # its worker died: lease ran out
        (S("pending", 1, 1, 0), 1, 100, False),  # attempt 1 done: duplicate
        (S("pending", 3, 3, 0), 2, 100, False),  # overtaken
        (S("succeeded", 1, 1, 0), 2, 100, False),
        (S("failed", 8, 8, 0), 9, 100, False),
    ],
)
def test_claimable(state, attempt, now, expected):
    assert rules.claimable(state, attempt, now) is expected


@pytest.mark.parametrize(
    "state, attempt, verdict",
    [
        (None, 1, "missing"),
        (S("succeeded", 1, 1, 0), 1, "obsolete"),
        (S("pending", 1, 0, 500), 1, "busy"),
        (S("pending", 1, 1, 0), 1, "obsolete"),
        (S("pending", 4, 4, 0), 2, "obsolete"),
    ],
)
def test_claim_verdict(state, attempt, verdict):
    assert rules.claim_verdict(state, attempt, now=100) == verdict


def test_plan_after_failure_uses_the_jittered_schedule():
    policy = RetryPolicy()
    rng = random.Random(1)
    plan = rules.plan_after_failure(1, 8, 1000.0, policy, rng)
    assert plan is not None and plan.attempt == 2
    assert 1000 + 24 <= plan.due_at <= 1000 + 36 and plan.delay_now == plan.due_at - 1000
    long = rules.plan_after_failure(7, 8, 0.0, policy, rng)
    assert long is not None and long.attempt == 8
    assert long.delay_now == 900 and long.due_at >= 14400 * 0.8  # hops past SQS's cap
    assert rules.plan_after_failure(8, 8, 0.0, policy, rng) is None
    assert rules.plan_after_failure(1, 1, 0.0, policy, rng) is None  # test / manual


def test_delay_until():
    assert rules.delay_until(100.0, 100.0) == 0
    assert rules.delay_until(100.5, 100.0) == 0
    assert rules.delay_until(130.0, 100.0) == 30
    assert rules.delay_until(100.0 + 4000, 100.0) == 900


def test_default_schedule_meets_the_issue():
    summary = rules.schedule_summary(RetryPolicy())
    assert summary["attempts"] >= 6
    assert summary["total_s"] >= 6 * 3600
    assert summary["offsets_s"][-1] == summary["total_s"] == 27750


def test_messages_are_validated():
    event = {
        "tenant_id": "t",
        "event_id": "evt_1",
        "type": "sale.created",
        "created_at": "2026-03-01T12:00:00.000Z",
        "data": {},
    }
    assert rules.read_event_message(event) is event
    for broken in (
        {**event, "data": []},
        {**event, "created_at": "yesterday"},
        {k: v for k, v in event.items() if k != "event_id"},
    ):
        with pytest.raises(rules.BadMessage):
            rules.read_event_message(broken)
    message = rules.delivery_message("t", 3, "20260301120000000-evt_1", 2, 12.3456)
    assert rules.read_delivery_message(message)["due_at"] == 12.346
    for broken in (
        {**message, "attempt": 0},
        {**message, "endpoint_id": True},
        {**message, "delivery_id": "x"},
        {**message, "trigger": "other"},
    ):
        with pytest.raises(rules.BadMessage):
            rules.read_delivery_message(broken)


def test_a_listed_delivery_has_not_expired_even_for_yesterdays_cursor():
    """The log lists event days from ``listed_since(now)`` on (a cursor issued yesterday:
    from ``listed_since(now, RETENTION_DAYS + 1)``); every delivery in those days has a
    TTL in the future, however late it was made after its event."""
    from datetime import UTC, datetime, timedelta

    rng = random.Random(11)
    base = datetime(2026, 3, 1, tzinfo=UTC)
    for _ in range(2000):
        event = base + timedelta(seconds=rng.randrange(40 * 86_400))
        made = event + timedelta(seconds=rng.choice((0, 1, 59, 3600, 86_399, 3 * 86_400)))
        event_iso = rules.iso(event.timestamp())
        ttl = rules.expires_at(event_iso, made.timestamp())
        assert ttl >= made.timestamp() + rules.RETENTION_DAYS * 86_400
        did = rules.delivery_id(event_iso, "evt_x")
        assert did[: rules.ID_DAY] == rules.day_prefix(event.date())
        now = made + timedelta(seconds=rng.randrange(40 * 86_400))
        if did >= rules.listed_since(now, rules.RETENTION_DAYS + 1):
            assert ttl > now.timestamp(), (event, made, now)
        # and a delivery stays listed for RETENTION_DAYS after its event at least
        if now - event <= timedelta(days=rules.RETENTION_DAYS):
            assert did >= rules.listed_since(now)


def test_listed_since_is_a_utc_day():
    from datetime import UTC, datetime, timedelta, timezone

    now = datetime(2026, 3, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 04:30Z
    assert rules.listed_since(now) == "20260302"  # 2026-04-01 minus 30 days
    assert rules.listed_since(now, 0) == "20260401"
    assert rules.listed_since(now.astimezone(UTC), 31) == "20260301"
