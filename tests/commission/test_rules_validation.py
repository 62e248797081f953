"""Unit tests for chalicelib.commission.rules: input validation and its messages."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.commission.rules import (
    CommissionConfig,
    CommissionRuleError,
    PlanTier,
    SaleLine,
    TechItemOverride,
    TechPlan,
    calculate_commission,
    validate_discount_tiers,
    validate_tiers,
)
from tests.commission.rules_samples import SCALE

# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"commission_rate_bps": 100, "flat_cents": 100},
        {"commission_rate_bps": 10001},
        {"commission_rate_bps": -1},
        {"commission_rate_bps": True},
        {"commission_rate_bps": 5.0},
        {"flat_cents": -1},
        {"flat_cents": 1.5},
        {"commission_rate_bps": 100, "ov_rate_bps": 10001},
        {"commission_rate_bps": 100, "discount_scale_enabled": 1},
    ],
)
def test_override_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CommissionRuleError):
        TechItemOverride(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tenant_default_rate_bps": 10001},
        {"tenant_default_rate_bps": 7.5},
        {"tenant_default_rate_bps": 100, "category_rate_bps": -5},
        {"tenant_default_rate_bps": 100, "item_default_rate_bps": False},
        {"tenant_default_rate_bps": 100, "discount_scale_all": "yes"},
        {"tenant_default_rate_bps": 100, "discount_tiers": [(1000, 500), (500, 700)]},
        {"tenant_default_rate_bps": 100, "override": {"commission_rate_bps": 5}},
        {"tenant_default_rate_bps": 100, "plan": {"kind": "percentage"}},
    ],
)
def test_config_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CommissionRuleError):
        CommissionConfig(**kwargs)


@pytest.mark.parametrize(
    "args",
    [
        (-1,),
        (1.5,),
        (True,),
        (100, -1),
        (100, 1.0),
        (100, 100, 0),
        (100, 100, -2),
        (100, 100, True),
    ],
)
def test_sale_validation(args: tuple[Any, ...]) -> None:
    with pytest.raises(CommissionRuleError):
        SaleLine(*args)


def test_errors_are_value_errors_with_clear_messages() -> None:
    with pytest.raises(ValueError, match="sale_price_cents must be >= 0 cents, got -1"):
        SaleLine(-1)
    with pytest.raises(ValueError, match="rate_bps must be an integer, got float"):
        CommissionConfig(100, category_rate_bps=7.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one of commission_rate_bps or flat_cents"):
        TechItemOverride()


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "at least one tier"),
        ([(100000, 500)], r"tiers\[0\]: the last tier must have up_to_cents null"),
        ([(None, 500), (None, 800)], r"tiers\[0\]: only the last tier"),
        (
            [(100000, 500), (100000, 600), (None, 800)],
            r"tiers\[1\]: up_to_cents must be greater than tiers\[0\] \(100000\)",
        ),
        ([(200000, 500), (100000, 600), (None, 800)], r"tiers\[1\]"),
        ([(0, 500), (None, 800)], r"tiers\[0\]: up_to_cents must be > 0"),
        ([(-5, 500), (None, 800)], r"tiers\[0\]: up_to_cents must be >= 0"),
        ([(100000, 10001), (None, 800)], r"tiers\[0\]: rate_bps must be between 0 and 10000"),
        ([(100000, 5.5), (None, 800)], r"tiers\[0\]: rate_bps must be an integer"),
        ([(1.5, 500), (None, 800)], r"tiers\[0\]: up_to_cents must be an integer"),
        ([{"up_to_cents": 100}, (None, 800)], r"tiers\[0\]: missing field 'rate_bps'"),
        ([(1, 2, 3)], r"tiers\[0\]: expected a PlanTier"),
        ("abc", "tiers must be a list"),
    ],
)
def test_validate_tiers_errors(tiers: Any, message: str) -> None:
    with pytest.raises(CommissionRuleError, match=message):
        validate_tiers(tiers)


def test_validate_tiers_accepts_pairs_dicts_and_objects() -> None:
    expected = (PlanTier(100000, 500), PlanTier(None, 800))
    assert validate_tiers([(100000, 500), (None, 800)]) == expected
    assert (
        validate_tiers(
            [{"up_to_cents": 100000, "rate_bps": 500}, {"up_to_cents": None, "rate_bps": 800}]
        )
        == expected
    )
    assert validate_tiers(list(expected)) == expected
    assert validate_tiers([(None, 800)]) == (PlanTier(None, 800),)


def test_validate_discount_tiers() -> None:
    assert validate_discount_tiers([]) == ()
    assert (
        validate_discount_tiers([(500, 1000), {"max_discount_bps": 1000, "rate_bps": 700}])
        == SCALE[:2]
    )
    with pytest.raises(
        CommissionRuleError, match=r"discount_tiers\[1\]: max_discount_bps must be greater"
    ):
        validate_discount_tiers([(500, 1000), (500, 700)])
    with pytest.raises(
        CommissionRuleError, match=r"discount_tiers\[0\]: max_discount_bps must be between"
    ):
        validate_discount_tiers([(10001, 1000)])


def test_plan_validation() -> None:
    with pytest.raises(CommissionRuleError, match="needs rate_bps"):
        TechPlan(kind="percentage")
    with pytest.raises(CommissionRuleError, match="must not have tiers"):
        TechPlan(kind="percentage", rate_bps=5, tiers=(PlanTier(None, 5),))
    with pytest.raises(CommissionRuleError, match="must not have rate_bps"):
        TechPlan(kind="tiered", rate_bps=5, tiers=(PlanTier(None, 5),))
    with pytest.raises(CommissionRuleError, match="plan kind"):
        TechPlan(kind="bonus")  # type: ignore[arg-type]
    assert TechPlan(kind="tiered", tiers=[(None, 5)]).tiers == (PlanTier(None, 5),)  # type: ignore[arg-type]


def test_calculate_rejects_wrong_types() -> None:
    with pytest.raises(CommissionRuleError):
        calculate_commission({"sale_price_cents": 1}, CommissionConfig(1))  # type: ignore[arg-type]
    with pytest.raises(CommissionRuleError):
        calculate_commission(SaleLine(1), {"tenant_default_rate_bps": 1})  # type: ignore[arg-type]
