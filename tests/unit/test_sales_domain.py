"""Pure sales rules: dates, statuses, config assembly and clawbacks."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from chalicelib.domain import sales as rules
from chalicelib.domain.commission import CommissionRuleError, SaleLine

TODAY = date(2026, 3, 20)
TENANT = rules.TenantCommission(default_rate_bps=200, installer_default_rate_bps=100)


def test_today_is_the_tenants_calendar_day():
    late_evening_in_tampa = datetime(2026, 3, 15, 3, 0, tzinfo=timezone.utc)
    assert rules.tenant_today("America/New_York", late_evening_in_tampa) == date(2026, 3, 14)
    assert rules.tenant_today("Asia/Tokyo", late_evening_in_tampa) == date(2026, 3, 15)
    assert rules.tenant_today("Nowhere/Special", late_evening_in_tampa) == date(2026, 3, 15)
    assert rules.tenant_today(None, late_evening_in_tampa) == date(2026, 3, 15)


def test_sale_date_defaults_to_today_and_is_never_in_the_future():
    assert rules.check_sale_date(None, TODAY) == TODAY
    assert rules.check_sale_date(date(2026, 3, 13), TODAY) == date(2026, 3, 13)
    assert rules.check_sale_date(TODAY, TODAY) == TODAY
    with pytest.raises(rules.SaleInputError) as err:
        rules.check_sale_date(date(2026, 3, 21), TODAY)
    assert err.value.field == "sale_date" and "future" in str(err.value)


def test_payment_dates():
    assert rules.payment_update("paid", None, None, TODAY) == "2026-03-20"
    assert rules.payment_update("paid", date(2026, 3, 1), None, TODAY) == "2026-03-01"
    assert rules.payment_update("partial", None, "2026-03-02", TODAY) == "2026-03-02"
    assert rules.payment_update("refunded", None, "2026-03-02", TODAY) == "2026-03-02"
    assert rules.payment_update("unpaid", None, "2026-03-02", TODAY) is None
    for status, given, field in [("unpaid", date(2026, 3, 1), "payment_date"),
                                 ("paid", date(2026, 3, 21), "payment_date"),
                                 ("settled", None, "status")]:
        with pytest.raises(rules.SaleInputError) as err:
            rules.payment_update(status, given, None, TODAY)
        assert err.value.field == field


def test_approval_moves():
    rules.check_approval("pending", "approved", voided=False)
    rules.check_approval("pending", "rejected", voided=False)
    for current, target, voided in [("approved", "rejected", False),
                                    ("rejected", "approved", False),
                                    ("approved", "approved", False),
                                    ("pending", "approved", True)]:
        with pytest.raises(rules.SaleRuleError):
            rules.check_approval(current, target, voided=voided)
    with pytest.raises(ValueError):
        rules.check_approval("pending", "pending", voided=False)
    assert rules.earns_commission("approved", False)
    assert not rules.earns_commission("approved", True)
    assert not rules.earns_commission("pending", False)
    assert not rules.earns_commission("rejected", False)


def test_category_keys_ignore_case_and_spacing():
    assert rules.category_key("  Air   Conditioning ") == "air conditioning"
    assert rules.category_key("PARTS") == rules.category_key("parts")


def test_plans_round_trip_and_are_validated():
    tiered = {"kind": "tiered", "rate_bps": None,
              "tiers": [{"up_to_cents": 100000, "rate_bps": 500},
                        {"up_to_cents": None, "rate_bps": 800}]}
    assert rules.plan_to_dict(rules.plan_from_dict(tiered, "technician")) == tiered
    flat = {"kind": "percentage", "rate_bps": 650, "tiers": []}
    plan = rules.plan_from_dict(flat, "installer")
    assert plan.role == "installer" and rules.plan_to_dict(plan) == flat
    for bad in ({"kind": "percentage"}, {"kind": "tiered", "tiers": []},
                {"kind": "bonus", "rate_bps": 5},
                {"kind": "tiered", "tiers": [{"up_to_cents": 5, "rate_bps": 1}]}):
        with pytest.raises(CommissionRuleError):
            rules.plan_from_dict(bad, "technician")


def _seller(**kw):
    defaults = {"override": None, "category_rate_bps": None, "plan": None,
                "item_default_bps": None}
    return rules.seller_config(TENANT, **{**defaults, **kw})


def test_the_most_specific_configured_rule_wins():
    line = SaleLine(sale_price_cents=150000, list_price_cents=150000)
    levels = [
        ({"override": {"commission_rate_bps": 750}}, "tech_item", 11250),
        ({"category_rate_bps": 500}, "tech_category", 7500),
        ({"plan": {"kind": "percentage", "rate_bps": 400}}, "tech_plan", 6000),
        ({"item_default_bps": 300}, "item_default", 4500),
        ({}, "tenant_default", 3000),
    ]
    configured: dict = {}
    for extra, _, _ in levels:
        configured.update(extra)
    for extra, rule, cents in levels:
        snapshot, installer = rules.commissions(line, _seller(**configured), None)
        assert (snapshot.rule, snapshot.commission_cents, installer) == (rule, cents, None)
        for key in extra:
            configured.pop(key)


def test_installer_uses_the_installer_plan_else_the_tenant_installer_default():
    line = SaleLine(sale_price_cents=150000, list_price_cents=150000)
    seller = _seller(override={"flat_cents": 2500})
    _, installer = rules.commissions(line, seller, rules.installer_config(TENANT, None))
    assert installer is not None
    assert (installer.rule, installer.role, installer.commission_cents) == (
        "tenant_default", "installer", 1500)
    plan = {"kind": "tiered", "tiers": [{"up_to_cents": 100000, "rate_bps": 100},
                                        {"up_to_cents": None, "rate_bps": 300}]}
    _, installer = rules.commissions(line, seller, rules.installer_config(TENANT, plan))
    assert installer is not None
    assert (installer.rule, installer.commission_cents) == ("tech_plan", 1000 + 1500)


def test_tenant_commission_from_settings():
    assert rules.TenantCommission.from_settings({}) == rules.TenantCommission()
    got = rules.TenantCommission.from_settings({
        "default_commission_bps": 500, "discount_tiers": [{"max_discount_bps": 1000,
                                                          "rate_bps": 300}],
        "discount_scale_all": True})
    assert got.default_rate_bps == 500 and got.discount_scale_all is True
    line = SaleLine(sale_price_cents=90000, list_price_cents=100000)  # 10% off
    snapshot, _ = rules.commissions(line, rules.seller_config(
        got, override=None, category_rate_bps=None, plan=None, item_default_bps=None), None)
    assert snapshot.discount_scale_source == "tenant" and snapshot.commission_cents == 2700


def _snapshot(cents_rate: int, price: int = 150000) -> dict:
    line = SaleLine(sale_price_cents=price, list_price_cents=price)
    snapshot, _ = rules.commissions(line, _seller(item_default_bps=cents_rate), None)
    return snapshot.to_dict()


def test_clawbacks_only_for_earned_commission_in_closed_periods():
    seller, installer = _snapshot(750), _snapshot(200)
    common = {"technician_id": 1, "snapshot": seller, "installer_id": 2,
              "installer_snapshot": installer}
    assert rules.clawbacks(approval_status="approved", voided=False, period_closed=False,
                           **common) == []
    assert rules.clawbacks(approval_status="pending", voided=False, period_closed=True,
                           **common) == []
    assert rules.clawbacks(approval_status="approved", voided=True, period_closed=True,
                           **common) == []
    assert rules.clawbacks(approval_status="approved", voided=False, period_closed=True,
                           **common) == [rules.Clawback("technician", 1, -11250),
                                         rules.Clawback("installer", 2, -3000)]
    nothing = _snapshot(0)
    assert rules.clawbacks(approval_status="approved", voided=False, period_closed=True,
                           technician_id=1, snapshot=nothing, installer_id=None,
                           installer_snapshot=None) == []
