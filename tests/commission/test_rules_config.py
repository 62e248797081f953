"""Pure commission rules: stored settings (plans, overrides, tenant defaults) as the
engine's input, for the seller and the installer."""

from __future__ import annotations

import pytest

from chalicelib.commission import rules
from chalicelib.commission.rules import CommissionRuleError, SaleLine

TENANT = rules.TenantCommission(default_rate_bps=200, installer_default_rate_bps=100)


def test_plans_round_trip_and_are_validated():
    tiered = {
        "kind": "tiered",
        "rate_bps": None,
        "tiers": [{"up_to_cents": 100000, "rate_bps": 500}, {"up_to_cents": None, "rate_bps": 800}],
    }
    assert rules.plan_to_dict(rules.plan_from_dict(tiered, "technician")) == tiered
    flat = {"kind": "percentage", "rate_bps": 650, "tiers": []}
    plan = rules.plan_from_dict(flat, "installer")
    assert plan.role == "installer" and rules.plan_to_dict(plan) == flat
    for bad in (
        {"kind": "percentage"},
        {"kind": "tiered", "tiers": []},
        {"kind": "bonus", "rate_bps": 5},
        {"kind": "tiered", "tiers": [{"up_to_cents": 5, "rate_bps": 1}]},
    ):
        with pytest.raises(CommissionRuleError):
            rules.plan_from_dict(bad, "technician")


def _seller(**kw):
    defaults = {"override": None, "category_rate_bps": None, "plan": None, "item_default_bps": None}
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
        "tenant_default",
        "installer",
        1500,
    )
    plan = {
        "kind": "tiered",
        "tiers": [{"up_to_cents": 100000, "rate_bps": 100}, {"up_to_cents": None, "rate_bps": 300}],
    }
    _, installer = rules.commissions(line, seller, rules.installer_config(TENANT, plan))
    assert installer is not None
    assert (installer.rule, installer.commission_cents) == ("tech_plan", 1000 + 1500)


def test_tenant_commission_from_settings():
    assert rules.TenantCommission.from_settings({}) == rules.TenantCommission()
    got = rules.TenantCommission.from_settings(
        {
            "default_commission_bps": 500,
            "discount_tiers": [{"max_discount_bps": 1000, "rate_bps": 300}],
            "discount_scale_all": True,
        }
    )
    assert got.default_rate_bps == 500 and got.discount_scale_all is True
    line = SaleLine(sale_price_cents=90000, list_price_cents=100000)  # 10% off
    snapshot, _ = rules.commissions(
        line,
        rules.seller_config(
            got, override=None, category_rate_bps=None, plan=None, item_default_bps=None
        ),
        None,
    )
    assert snapshot.discount_scale_source == "tenant" and snapshot.commission_cents == 2700
