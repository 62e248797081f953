"""The engine's result: labelled components and the immutable commission snapshot."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.commission.rules.checks import (
    PLAN_KINDS,
    ROLES,
    RULE_LEVELS,
    CommissionRuleError,
    _as_sequence,
    _choice,
    _flag,
    _int,
    _key,
    _optional_cents,
    _optional_rate,
    _rate,
    _sale,
    _set,
)
from chalicelib.commission.rules.tiers import DiscountTier, PlanTier

#: Version of the :meth:`CommissionSnapshot.to_dict` layout.
SNAPSHOT_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Component:
    """One labelled part of a commission, already rounded to whole cents.

    Labels: ``base`` (rate x sale price), ``flat`` (flat_cents x quantity),
    ``tier_1``, ``tier_2``, ... (tiered plan brackets) and ``overage``.
    ``basis_cents`` and ``rate_bps`` are the amount the rate was applied to and
    the rate (both ``None`` for ``flat``).
    """

    label: str
    amount_cents: int
    basis_cents: int | None = None
    rate_bps: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label:
            raise CommissionRuleError("component label must be a non-empty string")
        _int(self.amount_cents, "amount_cents")
        if self.basis_cents is not None:
            _int(self.basis_cents, "basis_cents")
        _optional_rate(self.rate_bps, "rate_bps")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {
            "label": self.label,
            "amount_cents": self.amount_cents,
            "basis_cents": self.basis_cents,
            "rate_bps": self.rate_bps,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Component:
        """Inverse of :meth:`to_dict`."""
        return cls(
            label=_key(data, "label"),
            amount_cents=_key(data, "amount_cents"),
            basis_cents=data.get("basis_cents"),
            rate_bps=data.get("rate_bps"),
        )


@dataclass(frozen=True)
class CommissionSnapshot:
    """Immutable record of one commission calculation.

    * ``rule`` -- the winning level (one of :data:`RULE_LEVELS`); ``role``.
    * The sale: ``sale_price_cents`` (total), ``list_price_cents`` (unit or
      ``None``), ``quantity``.
    * The rule's parameters: ``rate_bps`` (configured rate of a rate-based
      rule), ``flat_cents`` (per unit), ``plan_kind`` and ``tiers`` (for
      ``tech_plan``), ``ov_rate_bps``.
    * Discount info: ``discount_bps``, ``discount_scale_applied``,
      ``discount_scale_source`` (``"override"``, ``"tenant"`` or ``None``),
      ``discount_scale`` (the tiers used) and ``discount_tier`` (the match).
    * ``effective_rate_bps`` -- the single rate applied to the whole sale
      price for the ``base`` component (``None`` for flat and for unscaled
      tiered plans).
    * ``components`` and ``commission_cents`` (their sum; checked).
    """

    rule: str
    role: str
    sale_price_cents: int
    list_price_cents: int | None
    quantity: int
    components: tuple[Component, ...]
    commission_cents: int
    rate_bps: int | None = None
    flat_cents: int | None = None
    plan_kind: str | None = None
    tiers: tuple[PlanTier, ...] = ()
    ov_rate_bps: int = 0
    discount_bps: int = 0
    discount_scale_applied: bool = False
    discount_scale_source: str | None = None
    discount_scale: tuple[DiscountTier, ...] = ()
    discount_tier: DiscountTier | None = None
    effective_rate_bps: int | None = None
    schema_version: int = field(default=SNAPSHOT_SCHEMA_VERSION)

    def __post_init__(self) -> None:
        _choice(self.rule, "rule", RULE_LEVELS)
        _choice(self.role, "role", ROLES)
        _sale(self.sale_price_cents, self.list_price_cents, self.quantity)
        _optional_rate(self.rate_bps, "rate_bps")
        _optional_cents(self.flat_cents, "flat_cents")
        if self.plan_kind is not None:
            _choice(self.plan_kind, "plan_kind", PLAN_KINDS)
        _rate(self.ov_rate_bps, "ov_rate_bps")
        _rate(self.discount_bps, "discount_bps")
        _flag(self.discount_scale_applied, "discount_scale_applied")
        if self.discount_scale_source is not None:
            _choice(self.discount_scale_source, "discount_scale_source", ("override", "tenant"))
        if self.discount_tier is not None and not isinstance(self.discount_tier, DiscountTier):
            raise CommissionRuleError("discount_tier must be a DiscountTier")
        _optional_rate(self.effective_rate_bps, "effective_rate_bps")
        _set(self, "components", tuple(self.components))
        _set(self, "tiers", tuple(self.tiers))
        _set(self, "discount_scale", tuple(self.discount_scale))
        for item in self.components:
            if not isinstance(item, Component):
                raise CommissionRuleError("components must be Component objects")
        total = _int(self.commission_cents, "commission_cents")
        if total != sum(item.amount_cents for item in self.components):
            raise CommissionRuleError("commission_cents must equal the sum of the components")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (ints, strings, bools, ``None``, lists, dicts) -- no floats."""
        return {
            "schema_version": self.schema_version,
            "rule": self.rule,
            "role": self.role,
            "sale_price_cents": self.sale_price_cents,
            "list_price_cents": self.list_price_cents,
            "quantity": self.quantity,
            "rate_bps": self.rate_bps,
            "flat_cents": self.flat_cents,
            "plan_kind": self.plan_kind,
            "tiers": [tier.to_dict() for tier in self.tiers],
            "ov_rate_bps": self.ov_rate_bps,
            "discount_bps": self.discount_bps,
            "discount_scale_applied": self.discount_scale_applied,
            "discount_scale_source": self.discount_scale_source,
            "discount_scale": [tier.to_dict() for tier in self.discount_scale],
            "discount_tier": None if self.discount_tier is None else self.discount_tier.to_dict(),
            "effective_rate_bps": self.effective_rate_bps,
            "components": [item.to_dict() for item in self.components],
            "commission_cents": self.commission_cents,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CommissionSnapshot:
        """Rebuild a snapshot from :meth:`to_dict` output.

        Raises :class:`CommissionRuleError` on missing fields, a different
        schema version, or components that do not add up.
        """
        version = _key(data, "schema_version")
        if version != SNAPSHOT_SCHEMA_VERSION:
            raise CommissionRuleError(f"unsupported snapshot schema_version {version!r}")
        tier = _key(data, "discount_tier")
        return cls(
            rule=_key(data, "rule"),
            role=_key(data, "role"),
            sale_price_cents=_key(data, "sale_price_cents"),
            list_price_cents=_key(data, "list_price_cents"),
            quantity=_key(data, "quantity"),
            rate_bps=_key(data, "rate_bps"),
            flat_cents=_key(data, "flat_cents"),
            plan_kind=_key(data, "plan_kind"),
            tiers=_items(data, "tiers", PlanTier.from_dict),
            ov_rate_bps=_key(data, "ov_rate_bps"),
            discount_bps=_key(data, "discount_bps"),
            discount_scale_applied=_key(data, "discount_scale_applied"),
            discount_scale_source=_key(data, "discount_scale_source"),
            discount_scale=_items(data, "discount_scale", DiscountTier.from_dict),
            discount_tier=None if tier is None else DiscountTier.from_dict(tier),
            effective_rate_bps=_key(data, "effective_rate_bps"),
            components=_items(data, "components", Component.from_dict),
            commission_cents=_key(data, "commission_cents"),
            schema_version=version,
        )


def _items(
    data: Mapping[str, Any], key: str, build: Callable[[Mapping[str, Any]], Any]
) -> tuple[Any, ...]:
    """The list under ``key``, each entry rebuilt by ``build`` (a ``from_dict``)."""
    return tuple(build(entry) for entry in _as_sequence(_key(data, key), key))
