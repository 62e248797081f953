"""Tenant settings: defaults and partial updates."""

from __future__ import annotations

import pytest

from chalicelib.settings import rules

STORED = {
    "trade_type": "hvac",
    "timezone": "America/New_York",
    "branding": {"display_name": "Smith HVAC", "primary_color": "#2563eb"},
    "mfa_required": True,
}


def test_effective_fills_defaults_and_keeps_other_keys():
    got = rules.effective({}, "Acme")
    assert got["branding"] == {"display_name": "Acme", "primary_color": "#2563eb"}
    assert got["pay_period_frequency"] == "biweekly" and got["discount_tiers"] == []
    assert rules.effective(STORED, "Smith HVAC")["mfa_required"] is True


def test_renaming_moves_a_following_display_name_only():
    name, settings = rules.merge(STORED, "Smith HVAC", {"name": "Smith Air"})
    assert name == "Smith Air" and settings["branding"]["display_name"] == "Smith Air"
    assert settings["mfa_required"] is True  # other features' settings survive
    custom = {**STORED, "branding": {"display_name": "SMITH", "primary_color": "#000000"}}
    _, settings = rules.merge(custom, "Smith HVAC", {"name": "Smith Air"})
    assert settings["branding"]["display_name"] == "SMITH"


def test_branding_keys_merge_and_null_resets():
    _, settings = rules.merge(STORED, "Smith HVAC", {"branding": {"logo_url": "https://x/l.png"}})
    assert settings["branding"] == {
        "display_name": "Smith HVAC",
        "primary_color": "#2563eb",
        "logo_url": "https://x/l.png",
    }
    _, settings = rules.merge(
        settings, "Smith HVAC", {"branding": {"logo_url": None, "primary_color": None}}
    )
    assert settings["branding"] == {"display_name": "Smith HVAC", "primary_color": "#2563eb"}


def test_discount_tiers_are_validated_and_normalised():
    _, settings = rules.merge(
        STORED, "S", {"discount_tiers": [{"max_discount_bps": 500, "rate_bps": 700}, (2000, 300)]}
    )
    assert settings["discount_tiers"] == [
        {"max_discount_bps": 500, "rate_bps": 700},
        {"max_discount_bps": 2000, "rate_bps": 300},
    ]
    with pytest.raises(rules.SettingsInputError) as err:
        rules.merge(STORED, "S", {"discount_tiers": [(2000, 300), (500, 700)]})
    assert err.value.field == "discount_tiers"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"trade_type": "baking"}, "trade_type"),
        ({"region_type": "tropical"}, "region_type"),
        ({"pay_period_frequency": "daily"}, "pay_period_frequency"),
        ({"branding": {"primary_color": "red"}}, "branding.primary_color"),
        ({"favourite_colour": "red"}, "favourite_colour"),
    ],
)
def test_invalid_values_name_the_field(changes, field):
    with pytest.raises(rules.SettingsInputError) as err:
        rules.merge(STORED, "S", changes)
    assert err.value.field == field


def test_problem_helpers():
    assert rules.timezone_problem("Europe/Berlin") is None
    assert "unknown timezone" in (rules.timezone_problem("Berlin") or "")
    assert rules.color_problem("#A1b2C3") is None and rules.color_problem("#abc")
