"""Property tests for chalicelib.commission.rules against an exact Fraction model."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.commission.rules import (
    RULE_LEVELS,
    CommissionConfig,
    CommissionSnapshot,
    SaleLine,
    TechItemOverride,
    TechPlan,
    calculate_commission,
    clawback,
)

# ---------------------------------------------------------------- property tests

rates = st.integers(min_value=0, max_value=10000)
optional_rates = st.none() | rates


@st.composite
def plan_tiers(draw: st.DrawFn) -> list[tuple[int | None, int]]:
    edges = sorted(draw(st.sets(st.integers(min_value=1, max_value=10**7), max_size=4)))
    bounds: list[int | None] = [*edges, None]
    return [(edge, draw(rates)) for edge in bounds]


@st.composite
def discount_scales(draw: st.DrawFn) -> list[tuple[int, int]]:
    maxima = sorted(draw(st.sets(st.integers(min_value=0, max_value=10000), max_size=4)))
    return [(m, draw(rates)) for m in maxima]


overrides = (
    st.none()
    | st.builds(
        TechItemOverride,
        commission_rate_bps=rates,
        ov_rate_bps=rates,
        discount_scale_enabled=st.booleans(),
    )
    | st.builds(
        TechItemOverride,
        flat_cents=st.integers(min_value=0, max_value=10**6),
        ov_rate_bps=rates,
        discount_scale_enabled=st.booleans(),
    )
)

plans = st.none() | st.builds(TechPlan.percentage, rates) | st.builds(TechPlan.tiered, plan_tiers())

configs = st.builds(
    CommissionConfig,
    tenant_default_rate_bps=rates,
    override=overrides,
    category_rate_bps=optional_rates,
    plan=plans,
    item_default_rate_bps=optional_rates,
    discount_tiers=discount_scales(),
    discount_scale_all=st.booleans(),
)

sales = st.builds(
    SaleLine,
    sale_price_cents=st.integers(min_value=0, max_value=10**9),
    list_price_cents=st.none() | st.integers(min_value=0, max_value=10**8),
    quantity=st.integers(min_value=1, max_value=20),
)


def reference_commission(sale: SaleLine, config: CommissionConfig) -> int:
    """Independent exact model: Fraction arithmetic, Python's round() (exact, ties to even)."""
    price = Fraction(sale.sale_price_cents)
    listed = (
        None if sale.list_price_cents is None else Fraction(sale.list_price_cents * sale.quantity)
    )
    discount = math.floor((listed - price) / listed * 10000) if listed and price < listed else 0

    flat = rate = tiers = None
    ov_rate, scale_flag = 0, config.discount_scale_all
    if config.override is not None:
        flat, rate = config.override.flat_cents, config.override.commission_rate_bps
        ov_rate = config.override.ov_rate_bps
        scale_flag = scale_flag or config.override.discount_scale_enabled
    elif config.category_rate_bps is not None:
        rate = config.category_rate_bps
    elif config.plan is not None:
        rate, tiers = config.plan.rate_bps, config.plan.tiers or None
    elif config.item_default_rate_bps is not None:
        rate = config.item_default_rate_bps
    else:
        rate = config.tenant_default_rate_bps

    total = 0
    if flat is not None:
        total += flat * sale.quantity
    elif scale_flag and config.discount_tiers:
        matching = [t for t in config.discount_tiers if t.max_discount_bps >= discount]
        scale_rate = (matching[0] if matching else config.discount_tiers[-1]).rate_bps
        total += round(price * Fraction(scale_rate, 10000))
    elif tiers is not None:
        lower = Fraction(0)
        for tier in tiers:
            upper = price if tier.up_to_cents is None else min(price, Fraction(tier.up_to_cents))
            total += round(max(Fraction(0), upper - lower) * Fraction(tier.rate_bps, 10000))
            if tier.up_to_cents is None:
                break
            lower = Fraction(tier.up_to_cents)
    else:
        assert rate is not None
        total += round(price * Fraction(rate, 10000))
    if listed is not None and price > listed:
        total += round((price - listed) * Fraction(ov_rate, 10000))
    return total


def _reject_float(text: str) -> Any:
    raise AssertionError(f"float in snapshot JSON: {text}")


@settings(max_examples=200, deadline=None)
@given(sale=sales, config=configs)
def test_matches_exact_fraction_reference(sale: SaleLine, config: CommissionConfig) -> None:
    snap = calculate_commission(sale, config)
    assert type(snap.commission_cents) is int
    assert all(type(c.amount_cents) is int for c in snap.components)
    assert snap.commission_cents == sum(c.amount_cents for c in snap.components)
    assert snap.commission_cents == reference_commission(sale, config)
    assert snap.commission_cents >= 0
    assert snap.rule in RULE_LEVELS
    assert clawback(snap) == -snap.commission_cents


@settings(max_examples=200, deadline=None)
@given(sale=sales, config=configs, other=configs)
def test_snapshot_immutable_and_round_trips(
    sale: SaleLine, config: CommissionConfig, other: CommissionConfig
) -> None:
    snap = calculate_commission(sale, config)
    before = copy.deepcopy(snap.to_dict())
    text = json.dumps(before)
    json.loads(text, parse_float=_reject_float)
    assert CommissionSnapshot.from_dict(json.loads(text)) == snap

    # A new config with different rates (the tenant edits its rules) leaves the snapshot alone.
    changed = dataclasses.replace(
        other,
        tenant_default_rate_bps=(config.tenant_default_rate_bps + 1) % 10001,
        category_rate_bps=None
        if config.category_rate_bps is None
        else (config.category_rate_bps + 7) % 10001,
    )
    calculate_commission(sale, changed)
    assert snap.to_dict() == before
