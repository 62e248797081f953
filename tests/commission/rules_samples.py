"""Shared sample rules for the chalicelib.commission.rules unit tests."""

from __future__ import annotations

from chalicelib.commission.rules import CommissionSnapshot, DiscountTier, TechPlan

FIVE_THEN_EIGHT = TechPlan.tiered([(100000, 500), (None, 800)])  # 5 % on first $1,000, 8 % above
SCALE = (DiscountTier(500, 1000), DiscountTier(1000, 700), DiscountTier(2000, 500))


def amounts(snapshot: CommissionSnapshot) -> dict[str, int]:
    return {c.label: c.amount_cents for c in snapshot.components}
