"""The portal's pure rules (no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.portal import rules

NOW = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("count", "total", "shown"),
    [(0, 0, None), (1, 5, "5.0"), (2, 9, "4.5"), (3, 14, "4.7"), (3, 13, "4.3"), (4, 5, "1.3")],
)
def test_rating_average_to_one_decimal_without_floats(count, total, shown):
    assert rules.rating_average(count, total) == shown


def test_codes_are_six_digits_and_their_digest_is_bound_to_the_account():
    code = rules.new_code()
    assert len(code) == 6 and code.isdigit()
    digest = rules.code_digest("key", "acct1", code)
    assert rules.same_digest(digest, rules.code_digest("key", "acct1", code))
    assert digest != rules.code_digest("key", "acct2", code)
    assert digest != rules.code_digest("other-key", "acct1", code)


def test_code_expiry():
    assert rules.code_expired(None, NOW)
    assert not rules.code_expired(int(NOW.timestamp()) + 1, NOW)
    assert rules.code_expired(int(NOW.timestamp()), NOW)


def test_the_fifth_wrong_password_locks_for_fifteen_minutes():
    state = rules.LoginState(0, None)
    for _ in range(4):
        state = state.after_failure(NOW)
        assert not state.is_locked(NOW)
    state = state.after_failure(NOW)
    assert state.is_locked(NOW) and state.locked_until == NOW + timedelta(minutes=15)
    assert not state.is_locked(NOW + timedelta(minutes=15))
    assert state.failed_logins == 0


def test_drafts_are_hidden_and_lists_are_newest_first():
    assert not rules.visible("draft") and rules.visible("sent") and rules.visible("paid")
    items = [
        {"business_code": "A", "id": 1, "created_at": "2026-01-01T00:00:00Z"},
        {"business_code": "B", "id": 1, "created_at": "2026-02-01T00:00:00Z"},
        {"business_code": "A", "id": 2, "created_at": "2026-02-01T00:00:00Z"},
    ]
    assert [(i["business_code"], i["id"]) for i in rules.newest_first(items)] == [
        ("B", 1),
        ("A", 2),
        ("A", 1),
    ]


def test_full_name():
    assert rules.full_name("Jane", "Doe") == "Jane Doe"
    assert rules.full_name(None, "Doe") == "Doe"
    assert rules.full_name(None, None) == ""
