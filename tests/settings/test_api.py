"""``/admin/settings``: tenant settings, kept in sync with ``/tenants/resolve``."""

from __future__ import annotations

from tests.support.sales_helpers import staff

NO_BRANDING = {
    "secondary_color": None,
    "accent_color": None,
    "logo_key": None,
    "logo_url": None,
    "favicon_key": None,
    "favicon_url": None,
}
PUBLIC_NONE = {"secondary_color": None, "accent_color": None, "logo_url": None, "favicon_url": None}


def test_defaults_then_partial_update_and_resolve(api, owner):
    reply = api.get("/admin/settings", as_=owner)
    assert reply.status == 200, reply.raw
    assert reply.data == {
        "tenant_id": owner.tenant_id,
        "business_code": "SMITHHVAC",
        "name": "Smith HVAC",
        "trade_type": "hvac",
        "region_type": "balanced",
        "timezone": "America/New_York",
        "currency": "USD",
        "branding": {**NO_BRANDING, "display_name": "Smith HVAC", "primary_color": "#2563eb"},
        "pay_period_frequency": "biweekly",
        "default_commission_bps": 0,
        "installer_default_commission_bps": 0,
        "discount_tiers": [],
        "discount_scale_all": False,
        "mfa_required_roles": [],
    }

    reply = api.patch(
        "/admin/settings",
        {
            "name": "Smith Heating & Air",
            "trade_type": "plumbing",
            "region_type": "storm_prone",
            "timezone": "America/Chicago",
            "currency": "cad",
            "pay_period_frequency": "semimonthly",
            "default_commission_bps": 500,
            "discount_tiers": [
                {"max_discount_bps": 500, "rate_bps": 700},
                {"max_discount_bps": 2000, "rate_bps": 300},
            ],
            "branding": {"primary_color": "#112233"},
        },
        as_=owner,
    )
    assert reply.status == 200, reply.raw
    data = reply.data
    assert data["name"] == "Smith Heating & Air" and data["business_code"] == "SMITHHVAC"
    assert data["branding"] == {
        **NO_BRANDING,
        "display_name": "Smith Heating & Air",
        "primary_color": "#112233",
    }
    assert data["default_commission_bps"] == 500 and data["timezone"] == "America/Chicago"
    assert data["currency"] == "CAD"
    assert data["discount_tiers"][1] == {"max_discount_bps": 2000, "rate_bps": 300}
    assert api.get("/admin/settings", as_=owner).data == data

    resolved = api.get("/tenants/resolve/smithhvac").data
    assert resolved["businessName"] == "Smith Heating & Air"
    assert resolved["branding"] == {
        **PUBLIC_NONE,
        "display_name": "Smith Heating & Air",
        "primary_color": "#112233",
    }

    # an explicit display name stops following the business name
    api.patch("/admin/settings", {"branding": {"display_name": "Smith"}}, as_=owner)
    api.patch("/admin/settings", {"name": "Smith Bros"}, as_=owner)
    resolved = api.get("/tenants/resolve/SMITHHVAC").data
    assert resolved["businessName"] == "Smith Bros"
    assert resolved["branding"]["display_name"] == "Smith"
    assert api.get("/admin/settings", as_=owner).data["trade_type"] == "plumbing"


def test_bad_input_is_422_naming_the_field(api, owner):
    cases = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"trade_type": "baking"}, "trade_type"),
        ({"region_type": "tropical"}, "region_type"),
        ({"pay_period_frequency": "daily"}, "pay_period_frequency"),
        ({"default_commission_bps": 7.5}, "default_commission_bps"),
        ({"default_commission_bps": -1}, "default_commission_bps"),
        ({"default_commission_bps": 10001}, "default_commission_bps"),
        ({"branding": {"primary_color": "blue"}}, "branding.primary_color"),
        ({"branding": {"accent_color": "#12345"}}, "branding.accent_color"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "dollars"}, "currency"),
        ({"currency": None}, "currency"),
        ({"mfa_required_roles": ["owner"]}, "mfa_required_roles.0"),
        ({"name": None}, "name"),
        (
            {
                "discount_tiers": [
                    {"max_discount_bps": 2000, "rate_bps": 300},
                    {"max_discount_bps": 500, "rate_bps": 700},
                ]
            },
            "discount_tiers",
        ),
        ({"discount_tiers": [{"max_discount_bps": 500}]}, "discount_tiers.0.rate_bps"),
    ]
    for body, field in cases:
        reply = api.patch("/admin/settings", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["code"] == "VALIDATION_ERROR"
        assert reply.error["details"][0]["field"] == field, (body, reply.error)
    assert api.get("/admin/settings", as_=owner).data["timezone"] == "America/New_York"


def test_only_admins_and_each_tenant_its_own(api, owner, other):
    for role in ("manager", "dispatcher", "technician"):
        user = staff(owner, role)
        assert api.get("/admin/settings", as_=user).status == 403
        assert api.patch("/admin/settings", {"name": "X"}, as_=user).status == 403
    api.patch("/admin/settings", {"timezone": "Europe/Berlin"}, as_=other)
    assert api.get("/admin/settings", as_=owner).data["timezone"] == "America/New_York"
    assert api.get("/admin/settings", as_=other).data["name"] == "Other Plumbing"


def test_a_new_pay_period_frequency_applies_from_the_next_period(api, owner):
    """Decided: no existing period changes; the new frequency starts the day after the
    current period ends (``pay_period_schedule``), and going back before then cancels it."""
    from datetime import date

    from chalicelib.core import clock

    reply = api.patch("/admin/settings", {"pay_period_frequency": "weekly"}, as_=owner)
    assert reply.status == 200, reply.raw
    first, then = reply.data["pay_period_schedule"]
    assert first["frequency"] == "biweekly" and then["frequency"] == "weekly"
    assert date.fromisoformat(then["from"]) > clock.today_in("America/New_York")
    assert reply.data["pay_period_frequency"] == "weekly"
    back = api.patch("/admin/settings", {"pay_period_frequency": "biweekly"}, as_=owner)
    assert "pay_period_schedule" not in back.data
