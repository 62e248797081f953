"""``customers.rules``: tags, facets, merge checks, the history's order (no AWS)."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.customers import rules
from chalicelib.customers.rules import Entry


def test_tags_are_trimmed_deduplicated_and_bounded():
    assert rules.check_tags(None) is None
    assert rules.check_tags([" VIP ", "vip", "Net  30", "a/b & c.d_e-f"]) == [
        "VIP",
        "Net 30",
        "a/b & c.d_e-f",
    ]
    assert len(rules.check_tags([f"t{n}" for n in range(20)]) or []) == 20
    for bad in (["x"] * 0 + [""], ["   "], ["x" * 31], ["<script>"], [f"t{n}" for n in range(21)]):
        with pytest.raises(InvalidInput) as err:
            rules.check_tags(bad)
        assert err.value.field == "tags"


def test_facets_and_what_a_list_counts():
    assert rules.facet(None) == rules.facet(True) == rules.ACTIVE
    assert rules.facet(False) == rules.INACTIVE
    assert rules.listed(None) is None
    assert rules.listed(True)(rules.ACTIVE) and not rules.listed(True)(rules.INACTIVE)
    assert rules.listed(False)(rules.INACTIVE) and not rules.listed(False)(rules.ACTIVE)


def test_merge_checks():
    with pytest.raises(InvalidInput) as err:
        rules.check_merge(3, 3, None, None, 0, 0)
    assert err.value.field == "from_id"
    with pytest.raises(RuleViolation, match="already merged"):
        rules.check_merge(1, 2, None, 9, 0, 0)
    with pytest.raises(RuleViolation, match="merge into that one"):
        rules.check_merge(1, 2, 9, None, 0, 0)
    with pytest.raises(RuleViolation, match="at most"):
        rules.check_merge(1, 2, None, None, rules.MAX_ABSORBED - 1, 1)
    rules.check_merge(1, 2, None, None, rules.MAX_ABSORBED - 1, 0)


def _entries(*orders):
    return [Entry(o, {"o": o}) for o in orders]


def test_history_merges_newest_first_with_ties_by_type_then_id():
    jobs = _entries(("2026-03-02T10:00:00Z", "job", 7), ("2026-03-01T09:00:00Z", "job", 3))
    sales = _entries(
        ("2026-03-02", "sale", 9), ("2026-03-01", "sale", 8), ("2026-03-01", "sale", 2)
    )
    invoices = _entries(("2026-03-01", "invoice", 4))
    taken, more = rules.merge_newest([jobs, sales, invoices], 4)
    assert [e.order for e in taken] == [
        ("2026-03-02T10:00:00Z", "job", 7),
        ("2026-03-02", "sale", 9),
        ("2026-03-01T09:00:00Z", "job", 3),
        ("2026-03-01", "sale", 8),
    ]
    assert more
    taken, more = rules.merge_newest([jobs, sales, invoices], 10)
    assert len(taken) == 6 and not more


def test_before_key_and_after():
    last = ("2026-03-01", "job", 5)
    assert rules.before_key(None, "sale") is None
    assert rules.before_key(last, "job") == ("2026-03-01", 5)  # older jobs of the day
    assert rules.before_key(last, "invoice") == ("2026-03-01", rules.MAX_ID)  # all of the day
    assert rules.before_key(last, "sale") == ("2026-03-01", 0)  # none of the day
    entries = _entries(
        ("2026-03-01", "sale", 1), ("2026-03-01", "invoice", 9), ("2026-02-28", "sale", 3)
    )
    assert [e.order for e in rules.after(entries, last)] == [
        ("2026-03-01", "invoice", 9),
        ("2026-02-28", "sale", 3),
    ]
    assert rules.after(entries, None) == entries
