"""Pure price-book rules."""

from __future__ import annotations

from chalicelib.catalog import rules


def test_category_keys_ignore_case_and_spacing():
    assert rules.category_key("  Air   Conditioning ") == "air conditioning"
    assert rules.category_key("PARTS") == rules.category_key("parts")
