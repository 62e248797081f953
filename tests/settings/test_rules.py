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


NONE = {
    "secondary_color": None,
    "accent_color": None,
    "logo_key": None,
    "favicon_key": None,
}


def test_effective_fills_defaults_and_keeps_other_keys():
    got = rules.effective({}, "Acme")
    assert got["branding"] == {**NONE, "display_name": "Acme", "primary_color": "#2563eb"}
    assert got["currency"] == "USD"
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
    changes = {"accent_color": "#f59e0b", "logo_key": "tenants/t/branding/logo/x.png"}
    _, settings = rules.merge(STORED, "Smith HVAC", {"branding": changes})
    assert settings["branding"] == {
        "display_name": "Smith HVAC",
        "primary_color": "#2563eb",
        **changes,
    }
    _, settings = rules.merge(
        settings, "Smith HVAC", {"branding": {"logo_key": None, "primary_color": None}}
    )
    assert settings["branding"] == {
        "display_name": "Smith HVAC",
        "primary_color": "#2563eb",
        "accent_color": "#f59e0b",
    }


def test_a_legacy_free_logo_url_is_not_shown_nor_settable():
    legacy = {**STORED, "branding": {**STORED["branding"], "logo_url": "https://x/l.png"}}
    assert "logo_url" not in rules.effective(legacy, "Smith HVAC")["branding"]
    with pytest.raises(rules.SettingsInputError) as err:
        rules.merge(STORED, "S", {"branding": {"logo_url": "https://x/l.png"}})
    assert err.value.field == "branding.logo_url"


def test_currency_is_an_iso_4217_code():
    _, settings = rules.merge(STORED, "S", {"currency": "EUR"})
    assert settings["currency"] == "EUR"
    assert rules.currency_problem("USD") is None and rules.currency_problem("JPY") is None
    assert rules.currency_problem("usd") and rules.currency_problem("XYZ")
    assert len(rules.CURRENCIES) > 150


def test_upload_limits_and_the_stored_file_check():
    assert rules.upload_problem("logo", "image/png", 2 * 1024 * 1024) is None
    assert rules.upload_problem("logo", "image/png", 2 * 1024 * 1024 + 1)[0] == "size_bytes"
    assert rules.upload_problem("favicon", "image/x-icon", 512 * 1024) is None
    assert rules.upload_problem("favicon", "image/png", 512 * 1024 + 1)[0] == "size_bytes"
    assert rules.upload_problem("logo", "image/gif", 10)[0] == "content_type"
    assert rules.upload_problem("logo", "image/png", 0)[0] == "size_bytes"
    key = "tenants/t/branding/logo/abc.png"
    assert rules.stored_file_problem("logo", key, {"size": 10, "content_type": "image/png"}) is None
    assert "not been uploaded" in rules.stored_file_problem("logo", key, None)
    assert rules.stored_file_problem("logo", key, {"size": 10, "content_type": "image/jpeg"})
    big = {"size": 3 * 1024 * 1024, "content_type": "image/png"}
    assert rules.stored_file_problem("logo", key, big)


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
        ({"branding": {"secondary_color": "#ggg000"}}, "branding.secondary_color"),
        ({"branding": {"accent_color": "red"}}, "branding.accent_color"),
        ({"currency": "ABC"}, "currency"),
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
