"""Pure sales rules: dates, statuses and clawbacks."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.commission import rules as commission_rules
from chalicelib.commission.rules import SaleLine
from chalicelib.sales import rules

TODAY = date(2026, 3, 20)
TENANT = commission_rules.TenantCommission(default_rate_bps=200, installer_default_rate_bps=100)


def _seller(**kw):
    defaults = {"override": None, "category_rate_bps": None, "plan": None, "item_default_bps": None}
    return commission_rules.seller_config(TENANT, **{**defaults, **kw})


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
    for status, given, field in [
        ("unpaid", date(2026, 3, 1), "payment_date"),
        ("paid", date(2026, 3, 21), "payment_date"),
        ("settled", None, "status"),
    ]:
        with pytest.raises(rules.SaleInputError) as err:
            rules.payment_update(status, given, None, TODAY)
        assert err.value.field == field


def test_approval_moves():
    rules.check_approval("pending", "approved", voided=False)
    rules.check_approval("pending", "rejected", voided=False)
    for current, target, voided in [
        ("approved", "rejected", False),
        ("rejected", "approved", False),
        ("approved", "approved", False),
        ("pending", "approved", True),
    ]:
        with pytest.raises(rules.SaleRuleError):
            rules.check_approval(current, target, voided=voided)
    with pytest.raises(ValueError):
        rules.check_approval("pending", "pending", voided=False)
    assert rules.earns_commission("approved", False)
    assert not rules.earns_commission("approved", True)
    assert not rules.earns_commission("pending", False)
    assert not rules.earns_commission("rejected", False)


def _snapshot(cents_rate: int, price: int = 150000) -> dict:
    line = SaleLine(sale_price_cents=price, list_price_cents=price)
    snapshot, _ = commission_rules.commissions(line, _seller(item_default_bps=cents_rate), None)
    return snapshot.to_dict()


def test_clawbacks_only_for_earned_commission_in_closed_periods():
    seller, installer = _snapshot(750), _snapshot(200)
    common = {
        "technician_id": 1,
        "snapshot": seller,
        "installer_id": 2,
        "installer_snapshot": installer,
    }
    assert (
        rules.clawbacks(approval_status="approved", voided=False, period_closed=False, **common)
        == []
    )
    assert (
        rules.clawbacks(approval_status="pending", voided=False, period_closed=True, **common) == []
    )
    assert (
        rules.clawbacks(approval_status="approved", voided=True, period_closed=True, **common) == []
    )
    assert rules.clawbacks(
        approval_status="approved", voided=False, period_closed=True, **common
    ) == [rules.Clawback("technician", 1, -11250), rules.Clawback("installer", 2, -3000)]
    nothing = _snapshot(0)
    assert (
        rules.clawbacks(
            approval_status="approved",
            voided=False,
            period_closed=True,
            technician_id=1,
            snapshot=nothing,
            installer_id=None,
            installer_snapshot=None,
        )
        == []
    )
