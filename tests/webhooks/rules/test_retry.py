"""Unit tests for chalicelib.webhooks.rules.retry (pure, no network, no AWS)."""

from __future__ import annotations

import random

import pytest

from chalicelib.webhooks import rules as wh
from chalicelib.webhooks.rules import RetryPolicy, classify_response, split_delay

# ---------------------------------------------------------------------------
# Retry policy
# ---------------------------------------------------------------------------


def test_retry_policy_defaults_meet_minimums():
    policy = RetryPolicy()
    assert policy.max_attempts >= 6
    assert policy.max_attempts == 8
    assert policy.total_schedule_seconds() >= 6 * 3600
    assert policy.total_schedule_seconds() == 0 + 30 + 120 + 600 + 1800 + 3600 + 7200 + 14400


def test_retry_policy_is_frozen():
    policy = RetryPolicy()
    with pytest.raises(Exception):  # noqa: B017 - FrozenInstanceError
        policy.max_attempts = 3  # type: ignore[misc]


def test_next_delay_without_jitter_follows_schedule():
    policy = RetryPolicy(jitter=0)
    rng = random.Random(0)
    delays = [policy.next_delay_seconds(n, rng) for n in range(1, 9)]
    assert delays == [0, 30, 120, 600, 1800, 3600, 7200, 14400]
    assert sum(delays) >= 6 * 3600
    assert policy.next_delay_seconds(9, rng) is None
    assert policy.next_delay_seconds(100, rng) is None


def test_next_delay_first_attempt_is_immediate_even_with_jitter():
    policy = RetryPolicy()
    for seed in range(20):
        assert policy.next_delay_seconds(1, random.Random(seed)) == 0


def test_next_delay_jitter_bounded():
    policy = RetryPolicy()
    rng = random.Random(1234)
    for _ in range(300):
        for n in range(2, 9):
            base = policy.schedule[n - 1]
            d = policy.next_delay_seconds(n, rng)
            assert isinstance(d, int)
            assert 0.8 * base - 1 <= d <= 1.2 * base + 1


def test_next_delay_jitter_actually_varies():
    policy = RetryPolicy()
    values = {policy.next_delay_seconds(8, random.Random(seed)) for seed in range(20)}
    assert len(values) > 1


def test_next_delay_deterministic_with_seed():
    policy = RetryPolicy()
    a = [policy.next_delay_seconds(n, random.Random(42)) for n in range(1, 10)]
    b = [policy.next_delay_seconds(n, random.Random(42)) for n in range(1, 10)]
    assert a == b
    assert a[-1] is None


def test_jittered_total_still_at_least_six_hours():
    policy = RetryPolicy()
    for seed in range(50):
        rng = random.Random(seed)
        total = sum(policy.next_delay_seconds(n, rng) for n in range(1, policy.max_attempts + 1))
        assert total >= 6 * 3600


def test_schedule_shorter_than_max_attempts_reuses_last_delay():
    policy = RetryPolicy(max_attempts=5, schedule=(0, 60), jitter=0)
    rng = random.Random(0)
    assert [policy.next_delay_seconds(n, rng) for n in range(1, 7)] == [0, 60, 60, 60, 60, None]
    assert policy.total_schedule_seconds() == 240


def test_schedule_longer_than_max_attempts_truncated():
    policy = RetryPolicy(max_attempts=3, jitter=0)
    assert policy.total_schedule_seconds() == 150
    assert policy.next_delay_seconds(4, random.Random(0)) is None


@pytest.mark.parametrize("n", [0, -1, 1.0, "2", True, None])
def test_next_delay_rejects_bad_attempt_number(n):
    with pytest.raises(ValueError):
        RetryPolicy().next_delay_seconds(n, random.Random(0))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": -3},
        {"max_attempts": 2.5},
        {"max_attempts": True},
        {"schedule": ()},
        {"schedule": [0, 30]},
        {"schedule": (0, -1)},
        {"schedule": (0, 1.5)},
        {"jitter": -0.1},
        {"jitter": 1.0},
        {"jitter": "0.2"},
    ],
)
def test_retry_policy_rejects_bad_config(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize(
    "total,expected",
    [
        (0, (0, 0)),
        (1, (1, 0)),
        (899, (899, 0)),
        (900, (900, 0)),
        (901, (900, 1)),
        (14400, (900, 13500)),
    ],
)
def test_split_delay(total, expected):
    assert split_delay(total) == expected


def test_split_delay_chain_covers_hours():
    remaining = 4 * 3600 + 17
    hops = []
    while True:
        now, remaining = split_delay(remaining)
        assert 0 <= now <= wh.SQS_MAX_DELAY_SECONDS
        hops.append(now)
        if remaining == 0:
            break
    assert sum(hops) == 4 * 3600 + 17
    assert len(hops) == 17


@pytest.mark.parametrize("bad", [-1, 1.5, "60", None, True])
def test_split_delay_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        split_delay(bad)


# ---------------------------------------------------------------------------
# Response classification
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_classify_success(code):
    assert classify_response(code, False) == "success"


def test_classify_gone_disables():
    assert classify_response(410, False) == "disable"


@pytest.mark.parametrize(
    "code",
    [
        100,
        199,
        300,
        301,
        302,
        304,
        400,
        401,
        403,
        404,
        409,
        413,
        429,
        500,
        502,
        503,
        504,
        599,
        0,
        999,
    ],
)
def test_classify_other_codes_retry(code):
    assert classify_response(code, False) == "retry"


def test_classify_timeout_and_connection_error_retry():
    assert classify_response(None, False) == "retry"
    assert classify_response(None, True) == "retry"
    assert classify_response(200, True) == "retry"
    assert classify_response(410, True) == "retry"


@pytest.mark.parametrize("bad", ["200", 200.0, True])
def test_classify_rejects_bad_status_type(bad):
    with pytest.raises(TypeError):
        classify_response(bad, False)
