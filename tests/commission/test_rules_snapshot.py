"""Unit tests for chalicelib.commission.rules: the snapshot (JSON round trip, immutability)
and clawback."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from chalicelib.commission.rules import (
    CommissionConfig,
    CommissionRuleError,
    CommissionSnapshot,
    SaleLine,
    TechItemOverride,
    TechPlan,
    calculate_commission,
    clawback,
)
from tests.commission.rules_samples import FIVE_THEN_EIGHT, SCALE

# ---------------------------------------------------------------- snapshot & clawback


def test_snapshot_round_trip_and_json() -> None:
    override = TechItemOverride(
        commission_rate_bps=1500, ov_rate_bps=2000, discount_scale_enabled=True
    )
    config = CommissionConfig(100, override=override, discount_tiers=SCALE)
    snap = calculate_commission(SaleLine(85000, list_price_cents=40000, quantity=2), config)
    data = snap.to_dict()
    text = json.dumps(data)
    assert CommissionSnapshot.from_dict(json.loads(text)) == snap
    assert data["rule"] == "tech_item"
    assert data["components"][0]["label"] == "base"
    assert data["discount_tier"] == {"max_discount_bps": 500, "rate_bps": 1000}


def test_snapshot_is_frozen_and_to_dict_is_a_copy() -> None:
    snap = calculate_commission(SaleLine(150000), CommissionConfig(0, plan=FIVE_THEN_EIGHT))
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.commission_cents = 1  # type: ignore[misc]
    data = snap.to_dict()
    original = copy.deepcopy(data)
    data["components"][0]["amount_cents"] = 999
    data["tiers"].append({"up_to_cents": None, "rate_bps": 1})
    assert snap.to_dict() == original


def test_snapshot_keeps_copies_of_mutable_inputs() -> None:
    tiers = [(100000, 500), (None, 800)]
    scale = [(500, 1000), (1000, 700)]
    config = CommissionConfig(0, plan=TechPlan.tiered(tiers), discount_tiers=scale)  # type: ignore[arg-type]
    snap = calculate_commission(SaleLine(150000), config)
    before = snap.to_dict()
    tiers[0] = (1, 10000)
    scale.append((2000, 0))
    assert config.discount_tiers == SCALE[:2]
    assert snap.to_dict() == before


def test_from_dict_rejects_tampering() -> None:
    data = calculate_commission(SaleLine(150000), CommissionConfig(750)).to_dict()
    bad = dict(data, commission_cents=1)
    with pytest.raises(CommissionRuleError, match="sum of the components"):
        CommissionSnapshot.from_dict(bad)
    with pytest.raises(CommissionRuleError, match="schema_version"):
        CommissionSnapshot.from_dict(dict(data, schema_version=99))
    with pytest.raises(CommissionRuleError, match="missing field 'rule'"):
        CommissionSnapshot.from_dict({k: v for k, v in data.items() if k != "rule"})
    with pytest.raises(CommissionRuleError, match="rule must be one of"):
        CommissionSnapshot.from_dict(dict(data, rule="magic"))
    with pytest.raises(CommissionRuleError):
        CommissionSnapshot.from_dict(dict(data, commission_cents=11250.0))


def test_clawback() -> None:
    snap = calculate_commission(SaleLine(150000), CommissionConfig(750))
    assert clawback(snap) == -11250
    assert clawback(calculate_commission(SaleLine(0), CommissionConfig(750))) == 0
    with pytest.raises(CommissionRuleError):
        clawback(snap.to_dict())  # type: ignore[arg-type]
