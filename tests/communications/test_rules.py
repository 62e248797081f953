"""The communications log's pure rules: e-mail kinds and statuses, notes and calls, the
list's facets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.communications import rules
from chalicelib.core.errors import InvalidInput

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_email_kind_is_a_plain_word_or_other():
    assert rules.email_kind("invoice") == "invoice"
    assert rules.email_kind(" Follow_Up ") == "follow_up"
    for bad in (None, "", "two words", "x" * 41, "note", "call", "email", "9lives"):
        assert rules.email_kind(bad) == "other", bad


def test_email_status_is_sent_or_failed():
    assert rules.email_status("sent") == "sent"
    assert rules.email_status("failed") == "failed"
    assert rules.email_status("bounced") == "failed"


def test_a_call_defaults_to_outbound_and_a_note_has_no_direction():
    assert rules.check_staff_entry("call", None, 60, None, NOW) == "outbound"
    assert rules.check_staff_entry("call", "inbound", None, NOW, NOW) == "inbound"
    assert rules.check_staff_entry("note", None, None, None, NOW) is None


@pytest.mark.parametrize(
    ("kind", "direction", "duration", "at", "field"),
    [
        ("email", None, None, None, "kind"),
        ("note", "inbound", None, None, "direction"),
        ("note", None, 30, None, "duration_seconds"),
        ("call", None, rules.MAX_CALL_SECONDS + 1, None, "duration_seconds"),
        ("call", "sideways", None, None, "direction"),
        ("call", None, None, NOW + timedelta(minutes=6), "occurred_at"),
    ],
)
def test_bad_entries_name_their_field(kind, direction, duration, at, field):
    with pytest.raises(InvalidInput) as caught:
        rules.check_staff_entry(kind, direction, duration, at, NOW)
    assert caught.value.field == field


def test_matches_filters_channel_and_kind():
    assert rules.matches(None, None) is None
    keep = rules.matches("email", None)
    assert keep("email|invoice") and not keep("note|note")
    keep = rules.matches(None, "invoice")
    assert keep("email|invoice") and not keep("email|estimate")
    keep = rules.matches("call", "call")
    assert keep("call|call") and not keep("note|note")


def test_clip_keeps_short_text_and_marks_a_cut():
    assert rules.clip(None, 5) is None
    assert rules.clip("abc", 5) == "abc"
    assert rules.clip("abcdefgh", 5) == "abcd\u2026"
