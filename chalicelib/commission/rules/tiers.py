"""Tiers: the brackets of a tiered plan and the steps of the tenant's discount scale."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from chalicelib.commission.rules.checks import (
    CommissionRuleError,
    _as_sequence,
    _cents,
    _coerce_item,
    _key,
    _rate,
)

_Tier = TypeVar("_Tier")


@dataclass(frozen=True)
class PlanTier:
    """One marginal bracket of a tiered plan.

    ``rate_bps`` is paid on the part of the sale price between the previous
    bracket's ``up_to_cents`` (0 for the first) and this ``up_to_cents``.
    ``up_to_cents`` is ``None`` for the last, open-ended bracket.
    """

    up_to_cents: int | None
    rate_bps: int

    def __post_init__(self) -> None:
        if self.up_to_cents is not None:
            _cents(self.up_to_cents, "up_to_cents")
            if self.up_to_cents == 0:
                raise CommissionRuleError("up_to_cents must be > 0 (or null for the last tier)")
        _rate(self.rate_bps, "rate_bps")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: ``{"up_to_cents": int | None, "rate_bps": int}``."""
        return {"up_to_cents": self.up_to_cents, "rate_bps": self.rate_bps}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanTier:
        """Inverse of :meth:`to_dict`."""
        return cls(up_to_cents=_key(data, "up_to_cents"), rate_bps=_key(data, "rate_bps"))


@dataclass(frozen=True)
class DiscountTier:
    """One step of the tenant's discount scale.

    A discount of at most ``max_discount_bps`` (and above the previous tier's
    maximum) is paid ``rate_bps`` instead of the rule's base rate.
    """

    max_discount_bps: int
    rate_bps: int

    def __post_init__(self) -> None:
        _rate(self.max_discount_bps, "max_discount_bps")
        _rate(self.rate_bps, "rate_bps")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: ``{"max_discount_bps": int, "rate_bps": int}``."""
        return {"max_discount_bps": self.max_discount_bps, "rate_bps": self.rate_bps}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DiscountTier:
        """Inverse of :meth:`to_dict`."""
        return cls(max_discount_bps=_key(data, "max_discount_bps"), rate_bps=_key(data, "rate_bps"))


def _coerced(
    items: list[Any], name: str, cls: type[_Tier], fields: tuple[str, str]
) -> Iterator[tuple[int, _Tier]]:
    """``(index, tier)`` for each item, one at a time, so errors come in list order; a bad
    item raises naming its index (``"tiers[1]: ..."``)."""
    for index, item in enumerate(items):
        try:
            tier = _coerce_item(item, cls, fields)
        except CommissionRuleError as exc:
            raise CommissionRuleError(f"{name}[{index}]: {exc}") from None
        yield index, tier


def validate_tiers(
    tiers: Iterable[PlanTier | Mapping[str, Any] | tuple[int | None, int]],
) -> tuple[PlanTier, ...]:
    """Validate a tiered plan's brackets and return them as a tuple of :class:`PlanTier`.

    Accepts :class:`PlanTier` objects, ``{"up_to_cents", "rate_bps"}`` mappings
    or ``(up_to_cents, rate_bps)`` pairs. Rules: at least one bracket; rates in
    0..10000 bps; ``up_to_cents`` positive integers, strictly ascending; the
    last bracket, and only the last, has ``up_to_cents=None``.

    Raises :class:`CommissionRuleError` naming the offending index, e.g.
    ``"tiers[1]: up_to_cents must be greater than tiers[0] (100000)"``.
    """
    items = _as_sequence(tiers, "tiers")
    if not items:
        raise CommissionRuleError("tiers must contain at least one tier")
    result: list[PlanTier] = []
    for index, tier in _coerced(items, "tiers", PlanTier, ("up_to_cents", "rate_bps")):
        last = index == len(items) - 1
        if tier.up_to_cents is None and not last:
            raise CommissionRuleError(
                f"tiers[{index}]: only the last tier may have up_to_cents null"
            )
        if tier.up_to_cents is not None and last:
            raise CommissionRuleError(
                f"tiers[{index}]: the last tier must have up_to_cents null (open ended)"
            )
        if result and tier.up_to_cents is not None:
            previous = result[-1].up_to_cents
            assert previous is not None
            if tier.up_to_cents <= previous:
                raise CommissionRuleError(
                    f"tiers[{index}]: up_to_cents must be greater than "
                    f"tiers[{index - 1}] ({previous})"
                )
        result.append(tier)
    return tuple(result)


def validate_discount_tiers(
    tiers: Iterable[DiscountTier | Mapping[str, Any] | tuple[int, int]],
) -> tuple[DiscountTier, ...]:
    """Validate a tenant discount scale and return it as a tuple of :class:`DiscountTier`.

    Accepts :class:`DiscountTier` objects, ``{"max_discount_bps", "rate_bps"}``
    mappings or ``(max_discount_bps, rate_bps)`` pairs. May be empty (no
    scale). Both values are in 0..10000 bps and ``max_discount_bps`` is
    strictly ascending. Raises :class:`CommissionRuleError`.
    """
    items = _as_sequence(tiers, "discount_tiers")
    result: list[DiscountTier] = []
    pairs = _coerced(items, "discount_tiers", DiscountTier, ("max_discount_bps", "rate_bps"))
    for index, tier in pairs:
        if result and tier.max_discount_bps <= result[-1].max_discount_bps:
            raise CommissionRuleError(
                f"discount_tiers[{index}]: max_discount_bps must be greater than "
                f"discount_tiers[{index - 1}] ({result[-1].max_discount_bps})"
            )
        result.append(tier)
    return tuple(result)
