"""The leads' pure rules: the status machine, the fields, the conversion's steps, the
list's facets."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.leads import rules

ALLOWED = {
    ("new", "contacted"),
    ("new", "lost"),
    ("contacted", "qualified"),
    ("contacted", "lost"),
    ("qualified", "lost"),
}


@pytest.mark.parametrize("current", rules.STATUSES)
@pytest.mark.parametrize("target", rules.STATUSES)
def test_every_move_of_the_machine(current, target):
    if (current, target) in ALLOWED:
        rules.check_move(current, target, "a reason")
    else:
        with pytest.raises(RuleViolation):
            rules.check_move(current, target, "a reason")


def test_won_only_by_converting_and_lost_needs_a_reason():
    with pytest.raises(RuleViolation, match="convert"):
        rules.check_move("qualified", "won", None)
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as caught:
            rules.check_move("new", "lost", reason)
        assert caught.value.field == "reason"
    with pytest.raises(InvalidInput) as caught:
        rules.check_move("new", "open", None)
    assert caught.value.field == "status"
    with pytest.raises(RuleViolation, match="being converted"):
        rules.check_move("qualified", "lost", "x", converting="job")


def test_fields_are_trimmed_and_checked():
    clean = rules.check_fields(
        {"name": " Dana ", "email": " Dana@Example.com ", "phone": "", "other": 1}
    )
    assert clean == {"name": "Dana", "email": "dana@example.com"}
    assert rules.check_fields({"name": "Eli", "phone": "555"}) == {"name": "Eli", "phone": "555"}
    for fields, field in (
        ({"name": "No contact"}, "email"),
        ({"name": "Blank", "email": " ", "phone": " "}, "email"),
        ({"email": "a@example.com"}, "name"),
        ({"name": 5, "phone": "1"}, "name"),
        ({"name": "Long", "phone": "1" * 41}, "phone"),
        ({"name": "Bad", "email": "a@b"}, "email"),
    ):
        with pytest.raises(InvalidInput) as caught:
            rules.check_fields(fields)
        assert caught.value.field == field, fields


def test_sources():
    assert [rules.source_of(s) for s in ("web", " Phone ", "portal", "tv", None)] == [
        "web", "phone", "portal", "other", "other",
    ]  # fmt: skip


def test_conversion_steps():
    assert rules.conversion_step("qualified", None, None, "job", None) == "customer"
    assert rules.conversion_step("qualified", 4, None, "estimate", "estimate") == "create"
    # a conversion under way continues whatever the status says, with the same kind only
    assert rules.conversion_step("qualified", 4, None, "job", "job") == "create"
    with pytest.raises(RuleViolation, match="under way"):
        rules.conversion_step("qualified", 4, None, "estimate", "job")
    for status in ("new", "contacted", "lost"):
        with pytest.raises(RuleViolation, match="only a qualified"):
            rules.conversion_step(status, None, None, "job", None)
    with pytest.raises(RuleViolation, match="already converted"):
        rules.conversion_step("won", 4, 9, "job", None)
    with pytest.raises(InvalidInput) as caught:
        rules.conversion_step("qualified", None, None, "invoice", None)
    assert caught.value.field == "create"


def test_facets_and_matches():
    assert rules.facet("new", "web") == "new|web"
    assert rules.matches(None, None) is None
    keep = rules.matches("new", None)
    assert keep("new|web") and not keep("lost|web")
    keep = rules.matches(None, "phone")
    assert keep("won|phone") and not keep("won|web")
    keep = rules.matches("won", "web")
    assert keep("won|web") and not keep("won|phone") and not keep("new|web")


def test_history_entry():
    assert rules.history_entry("new", "lost", "2026-01-01T00:00:00.000Z", 3, "Spam") == {
        "from": "new", "to": "lost", "at": "2026-01-01T00:00:00.000Z", "by": 3, "reason": "Spam",
    }  # fmt: skip
