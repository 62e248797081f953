"""Pure commission engine: who gets paid what for one sold line item.

No AWS, no HTTP, no I/O, standard library only. Money is ``int`` cents, rates
are ``int`` basis points (see :mod:`chalicelib.domain.money`); floats are never
used and every component is rounded half-to-even to a whole cent exactly once.

Inputs
------
* :class:`SaleLine` -- one sold line item.

  - ``sale_price_cents`` is the **total** price of the line (all units).
  - ``quantity`` (default 1) multiplies the **unit** ``list_price_cents`` for
    the discount and overage comparisons, and multiplies ``flat_cents``.
  - ``list_price_cents`` may be ``None`` (no list price known): the discount is
    then 0 and no overage is paid. A list price of ``0`` is a real price: the
    whole sale is above it.

* :class:`CommissionConfig` -- everything the resolver may need for that sale
  and **one** earner. The caller looks up the rules for the earner and role
  and passes them in; the engine never fetches anything.

Rule resolution (most specific wins)
------------------------------------
1. ``tech_item``      -- :class:`TechItemOverride` for this technician + item:
   either ``commission_rate_bps`` or ``flat_cents`` (per unit), plus
   ``ov_rate_bps`` and ``discount_scale_enabled``.
2. ``tech_category``  -- the technician's rate for the item's category.
3. ``tech_plan``      -- the technician's default :class:`TechPlan` for the
   role: ``percentage`` (one rate) or ``tiered`` (marginal brackets, e.g.
   "5 % on the first $1,000 and 8 % above": a $1,500 sale pays
   $50.00 + $40.00 = $90.00). Brackets apply to this line's sale price only
   (they are not cumulative across a pay period). Each bracket is its own
   component (``tier_1``, ``tier_2``, ...), rounded once.
4. ``item_default``   -- the line item's default commission rate.
5. ``tenant_default`` -- the tenant's default rate (always present).

Roles: a sale may also name an installer. Compute the installer's commission
with a second call whose config holds the installer's rules and
``role="installer"`` (its plan must be an installer plan). The role is stamped
on the snapshot.

Discount scale
--------------
``discount_bps = floor((list_total - sale_price) * 10000 / list_total)`` where
``list_total = list_price_cents * quantity``; it is 0 when the line is sold at
or above list, or when there is no (or a zero) list price. **Flooring** means a
discount only reaches a tier boundary when it actually meets it (9.999 % counts
as 999 bps, not 1000).

The tenant's scale is a list of :class:`DiscountTier` ``(max_discount_bps,
rate_bps)`` strictly ascending by ``max_discount_bps``. The first tier whose
``max_discount_bps >= discount_bps`` wins (a discount exactly on a boundary
belongs to that tier); a discount beyond the last tier uses the **last tier's
rate** (add a final ``(10000, 0)`` tier to pay nothing on deep discounts).

The scale applies when the winning rule is rate based (never to
``flat_cents``) **and** either the winning ``tech_item`` override has
``discount_scale_enabled`` or the tenant flag ``discount_scale_all`` is on; and
the tenant has at least one tier (otherwise nothing changes). When it applies,
the tier's rate **replaces** the base rate and is applied to the whole sale
price as a single ``base`` component -- for a tiered plan it replaces the
brackets too. It applies at a 0 % discount as well (the first tier's rate).

Overage
-------
Only a ``tech_item`` override carries ``ov_rate_bps``. It is paid, on top of
the base (or flat) commission, on ``sale_price_cents - list_total`` when that
is positive, as an ``overage`` component. Nothing is paid at or below list.

Result
------
:func:`calculate_commission` returns a frozen :class:`CommissionSnapshot`: the
winning rule, copies of its parameters, the discount information, the labelled
components and ``commission_cents`` (their sum). It holds only immutable
values, so later config changes never alter an existing snapshot.
``to_dict()`` / ``from_dict()`` convert it to and from plain JSON data.
:func:`clawback` gives the negative adjustment for voiding a sale in a closed
period.

Every invalid input raises :class:`CommissionRuleError` (a ``ValueError``)
with a message suitable for an HTTP 422 response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping, TypeVar

from chalicelib.domain import money

__all__ = [
    "PLAN_KINDS",
    "ROLES",
    "RULE_LEVELS",
    "SNAPSHOT_SCHEMA_VERSION",
    "CommissionConfig",
    "CommissionRuleError",
    "CommissionSnapshot",
    "Component",
    "DiscountTier",
    "PlanTier",
    "ResolvedRule",
    "SaleLine",
    "TechItemOverride",
    "TechPlan",
    "calculate_commission",
    "clawback",
    "compute_discount_bps",
    "resolve_rule",
    "select_discount_tier",
    "validate_discount_tiers",
    "validate_tiers",
]

RuleLevel = Literal["tech_item", "tech_category", "tech_plan", "item_default", "tenant_default"]
Role = Literal["technician", "installer"]
PlanKind = Literal["percentage", "tiered"]

#: Rule levels, most specific first.
RULE_LEVELS: tuple[str, ...] = ("tech_item", "tech_category", "tech_plan", "item_default", "tenant_default")
#: Earner roles; each role has its own plan.
ROLES: tuple[str, ...] = ("technician", "installer")
#: Kinds of :class:`TechPlan`.
PLAN_KINDS: tuple[str, ...] = ("percentage", "tiered")
#: Version of the :meth:`CommissionSnapshot.to_dict` layout.
SNAPSHOT_SCHEMA_VERSION = 1

_T = TypeVar("_T")


class CommissionRuleError(ValueError):
    """Invalid commission rule, configuration, sale line or snapshot data."""


# --------------------------------------------------------------------------
# validation helpers (translate money's TypeError/ValueError into our error)
# --------------------------------------------------------------------------


def _checked(check: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    try:
        return check(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise CommissionRuleError(str(exc)) from None


def _rate(value: object, name: str) -> int:
    return _checked(money.require_bps, value, name)


def _optional_rate(value: object, name: str) -> int | None:
    return None if value is None else _rate(value, name)


def _cents(value: object, name: str) -> int:
    return _checked(money.require_non_negative_cents, value, name)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise CommissionRuleError(f"{name} must be a boolean, got {type(value).__name__}")
    return value


def _choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise CommissionRuleError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _set(obj: object, name: str, value: object) -> None:
    """Normalise a field of a frozen dataclass during ``__post_init__``."""
    object.__setattr__(obj, name, value)


# --------------------------------------------------------------------------
# tiers
# --------------------------------------------------------------------------


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


def _key(data: Mapping[str, Any], key: str) -> Any:
    if not isinstance(data, Mapping):
        raise CommissionRuleError(f"expected an object, got {type(data).__name__}")
    if key not in data:
        raise CommissionRuleError(f"missing field {key!r}")
    return data[key]


def _coerce_item(item: object, cls: type[_T], fields: tuple[str, str]) -> _T:
    if isinstance(item, cls):
        return item
    if isinstance(item, Mapping):
        return cls.from_dict(item)  # type: ignore[attr-defined]
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return cls(*item)
    raise CommissionRuleError(
        f"expected a {cls.__name__}, an object with {fields[0]!r} and {fields[1]!r}, or a pair"
    )


def _as_sequence(tiers: object, name: str) -> list[Any]:
    if isinstance(tiers, (str, bytes, Mapping)) or not isinstance(tiers, Iterable):
        raise CommissionRuleError(f"{name} must be a list")
    return list(tiers)


def validate_tiers(tiers: Iterable[PlanTier | Mapping[str, Any] | tuple[int | None, int]]) -> tuple[PlanTier, ...]:
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
    for index, item in enumerate(items):
        try:
            tier = _coerce_item(item, PlanTier, ("up_to_cents", "rate_bps"))
        except CommissionRuleError as exc:
            raise CommissionRuleError(f"tiers[{index}]: {exc}") from None
        last = index == len(items) - 1
        if tier.up_to_cents is None and not last:
            raise CommissionRuleError(f"tiers[{index}]: only the last tier may have up_to_cents null")
        if tier.up_to_cents is not None and last:
            raise CommissionRuleError(f"tiers[{index}]: the last tier must have up_to_cents null (open ended)")
        if result and tier.up_to_cents is not None:
            previous = result[-1].up_to_cents
            assert previous is not None
            if tier.up_to_cents <= previous:
                raise CommissionRuleError(
                    f"tiers[{index}]: up_to_cents must be greater than tiers[{index - 1}] ({previous})"
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
    for index, item in enumerate(items):
        try:
            tier = _coerce_item(item, DiscountTier, ("max_discount_bps", "rate_bps"))
        except CommissionRuleError as exc:
            raise CommissionRuleError(f"discount_tiers[{index}]: {exc}") from None
        if result and tier.max_discount_bps <= result[-1].max_discount_bps:
            raise CommissionRuleError(
                f"discount_tiers[{index}]: max_discount_bps must be greater than "
                f"discount_tiers[{index - 1}] ({result[-1].max_discount_bps})"
            )
        result.append(tier)
    return tuple(result)


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TechItemOverride:
    """Rule for one technician selling one specific item (level 1).

    Exactly one of ``commission_rate_bps`` (percentage of the sale price) or
    ``flat_cents`` (fixed amount per unit) must be set. ``ov_rate_bps`` is paid
    on the amount sold above list. ``discount_scale_enabled`` turns the
    tenant's discount scale on for this rule (ignored with ``flat_cents``).
    """

    commission_rate_bps: int | None = None
    flat_cents: int | None = None
    ov_rate_bps: int = 0
    discount_scale_enabled: bool = False

    def __post_init__(self) -> None:
        if (self.commission_rate_bps is None) == (self.flat_cents is None):
            raise CommissionRuleError("override must set exactly one of commission_rate_bps or flat_cents")
        _optional_rate(self.commission_rate_bps, "commission_rate_bps")
        if self.flat_cents is not None:
            _cents(self.flat_cents, "flat_cents")
        _rate(self.ov_rate_bps, "ov_rate_bps")
        _flag(self.discount_scale_enabled, "discount_scale_enabled")


@dataclass(frozen=True)
class TechPlan:
    """A technician's default plan for one role (level 3).

    ``kind="percentage"`` needs ``rate_bps`` and no tiers; ``kind="tiered"``
    needs ``tiers`` (see :func:`validate_tiers`) and no ``rate_bps``. Prefer the
    :meth:`percentage` and :meth:`tiered` constructors.
    """

    kind: PlanKind
    rate_bps: int | None = None
    tiers: tuple[PlanTier, ...] = ()
    role: Role = "technician"

    def __post_init__(self) -> None:
        _choice(self.kind, "plan kind", PLAN_KINDS)
        _choice(self.role, "plan role", ROLES)
        if self.kind == "percentage":
            if self.rate_bps is None:
                raise CommissionRuleError("a percentage plan needs rate_bps")
            _rate(self.rate_bps, "rate_bps")
            if _as_sequence(self.tiers, "tiers"):
                raise CommissionRuleError("a percentage plan must not have tiers")
            _set(self, "tiers", ())
        else:
            if self.rate_bps is not None:
                raise CommissionRuleError("a tiered plan must not have rate_bps (use tiers)")
            _set(self, "tiers", validate_tiers(self.tiers))

    @classmethod
    def percentage(cls, rate_bps: int, role: Role = "technician") -> TechPlan:
        """A flat-percentage plan."""
        return cls(kind="percentage", rate_bps=rate_bps, role=role)

    @classmethod
    def tiered(
        cls,
        tiers: Iterable[PlanTier | Mapping[str, Any] | tuple[int | None, int]],
        role: Role = "technician",
    ) -> TechPlan:
        """A marginal-bracket plan, e.g. ``TechPlan.tiered([(100000, 500), (None, 800)])``."""
        return cls(kind="tiered", tiers=validate_tiers(tiers), role=role)


@dataclass(frozen=True)
class CommissionConfig:
    """Everything the resolver may need for one sale and one earner.

    ``override``, ``category_rate_bps``, ``plan`` and ``item_default_rate_bps``
    are optional (``None`` = not configured) and are tried in that order;
    ``tenant_default_rate_bps`` is the final fallback. ``discount_tiers`` is
    the tenant's discount scale; ``discount_scale_all`` applies it to every
    rate-based rule. ``role`` is the earner's role and must match ``plan.role``.
    Lists passed in are copied into tuples.
    """

    tenant_default_rate_bps: int
    override: TechItemOverride | None = None
    category_rate_bps: int | None = None
    plan: TechPlan | None = None
    item_default_rate_bps: int | None = None
    discount_tiers: tuple[DiscountTier, ...] = ()
    discount_scale_all: bool = False
    role: Role = "technician"

    def __post_init__(self) -> None:
        _rate(self.tenant_default_rate_bps, "tenant_default_rate_bps")
        if self.override is not None and not isinstance(self.override, TechItemOverride):
            raise CommissionRuleError("override must be a TechItemOverride")
        _optional_rate(self.category_rate_bps, "category_rate_bps")
        _choice(self.role, "role", ROLES)
        if self.plan is not None:
            if not isinstance(self.plan, TechPlan):
                raise CommissionRuleError("plan must be a TechPlan")
            if self.plan.role != self.role:
                raise CommissionRuleError(f"plan is a {self.plan.role} plan but the role is {self.role}")
        _optional_rate(self.item_default_rate_bps, "item_default_rate_bps")
        _set(self, "discount_tiers", validate_discount_tiers(self.discount_tiers))
        _flag(self.discount_scale_all, "discount_scale_all")


@dataclass(frozen=True)
class SaleLine:
    """One sold line: ``sale_price_cents`` is the line TOTAL; ``list_price_cents`` is per unit."""

    sale_price_cents: int
    list_price_cents: int | None = None
    quantity: int = 1

    def __post_init__(self) -> None:
        _cents(self.sale_price_cents, "sale_price_cents")
        if self.list_price_cents is not None:
            _cents(self.list_price_cents, "list_price_cents")
        _checked(money.require_int, self.quantity, "quantity")
        if self.quantity < 1:
            raise CommissionRuleError(f"quantity must be >= 1, got {self.quantity}")

    @property
    def list_total_cents(self) -> int | None:
        """``list_price_cents * quantity``, or ``None`` when there is no list price."""
        return None if self.list_price_cents is None else self.list_price_cents * self.quantity


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------


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
        _checked(money.require_int, self.amount_cents, "amount_cents")
        if self.basis_cents is not None:
            _checked(money.require_int, self.basis_cents, "basis_cents")
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
        _cents(self.sale_price_cents, "sale_price_cents")
        if self.list_price_cents is not None:
            _cents(self.list_price_cents, "list_price_cents")
        if _checked(money.require_int, self.quantity, "quantity") < 1:
            raise CommissionRuleError(f"quantity must be >= 1, got {self.quantity}")
        _optional_rate(self.rate_bps, "rate_bps")
        if self.flat_cents is not None:
            _cents(self.flat_cents, "flat_cents")
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
        total = _checked(money.require_int, self.commission_cents, "commission_cents")
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
            tiers=tuple(PlanTier.from_dict(t) for t in _as_sequence(_key(data, "tiers"), "tiers")),
            ov_rate_bps=_key(data, "ov_rate_bps"),
            discount_bps=_key(data, "discount_bps"),
            discount_scale_applied=_key(data, "discount_scale_applied"),
            discount_scale_source=_key(data, "discount_scale_source"),
            discount_scale=tuple(
                DiscountTier.from_dict(t) for t in _as_sequence(_key(data, "discount_scale"), "discount_scale")
            ),
            discount_tier=None if tier is None else DiscountTier.from_dict(tier),
            effective_rate_bps=_key(data, "effective_rate_bps"),
            components=tuple(
                Component.from_dict(c) for c in _as_sequence(_key(data, "components"), "components")
            ),
            commission_cents=_key(data, "commission_cents"),
            schema_version=version,
        )


# --------------------------------------------------------------------------
# engine
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedRule:
    """The rule that wins for a config (before looking at the sale).

    Exactly one of ``rate_bps``, ``flat_cents`` or ``tiers`` describes the base
    commission. ``discount_scale_enabled`` is the override's own flag.
    """

    level: str
    rate_bps: int | None = None
    flat_cents: int | None = None
    plan_kind: str | None = None
    tiers: tuple[PlanTier, ...] = ()
    ov_rate_bps: int = 0
    discount_scale_enabled: bool = False


def resolve_rule(config: CommissionConfig) -> ResolvedRule:
    """Pick the most specific configured rule (see the module docstring)."""
    if not isinstance(config, CommissionConfig):
        raise CommissionRuleError("config must be a CommissionConfig")
    override = config.override
    if override is not None:
        return ResolvedRule(
            level="tech_item",
            rate_bps=override.commission_rate_bps,
            flat_cents=override.flat_cents,
            ov_rate_bps=override.ov_rate_bps,
            discount_scale_enabled=override.discount_scale_enabled,
        )
    if config.category_rate_bps is not None:
        return ResolvedRule(level="tech_category", rate_bps=config.category_rate_bps)
    plan = config.plan
    if plan is not None:
        return ResolvedRule(level="tech_plan", rate_bps=plan.rate_bps, plan_kind=plan.kind, tiers=plan.tiers)
    if config.item_default_rate_bps is not None:
        return ResolvedRule(level="item_default", rate_bps=config.item_default_rate_bps)
    return ResolvedRule(level="tenant_default", rate_bps=config.tenant_default_rate_bps)


def compute_discount_bps(sale_price_cents: int, list_total_cents: int | None) -> int:
    """Discount of a line in bps, **floored**: ``floor((list - sale) * 10000 / list)``.

    ``list_total_cents`` is the list price of the whole line (unit list price
    x quantity). Returns 0 when sold at or above list, or when the list total
    is ``None`` or 0. Always in 0..10000.
    """
    sale = _cents(sale_price_cents, "sale_price_cents")
    if list_total_cents is None:
        return 0
    listed = _cents(list_total_cents, "list_total_cents")
    if listed == 0 or sale >= listed:
        return 0
    return (listed - sale) * money.BPS_DENOMINATOR // listed


def select_discount_tier(discount_bps: int, tiers: Iterable[DiscountTier]) -> DiscountTier | None:
    """First tier whose ``max_discount_bps >= discount_bps``; past the end, the last tier.

    Returns ``None`` when there are no tiers. ``tiers`` are validated with
    :func:`validate_discount_tiers`.
    """
    scale = validate_discount_tiers(tiers)
    if not scale:
        return None
    for tier in scale:
        if tier.max_discount_bps >= discount_bps:
            return tier
    return scale[-1]


def _tiered_components(amount_cents: int, tiers: tuple[PlanTier, ...]) -> tuple[Component, ...]:
    """Split ``amount_cents`` over marginal brackets; one rounded component per bracket used.

    ``tier_1`` is always present (possibly 0); later brackets only when part of
    the amount falls into them.
    """
    components: list[Component] = []
    lower = 0
    for index, tier in enumerate(tiers, start=1):
        upper = amount_cents if tier.up_to_cents is None else min(amount_cents, tier.up_to_cents)
        portion = max(0, upper - lower)
        if portion > 0 or index == 1:
            components.append(
                Component(
                    label=f"tier_{index}",
                    amount_cents=money.apply_bps(portion, tier.rate_bps),
                    basis_cents=portion,
                    rate_bps=tier.rate_bps,
                )
            )
        if tier.up_to_cents is None or amount_cents <= tier.up_to_cents:
            break
        lower = tier.up_to_cents
    return tuple(components)


def calculate_commission(sale: SaleLine, config: CommissionConfig) -> CommissionSnapshot:
    """Compute the commission for one sale line and one earner.

    Resolves the rule (:func:`resolve_rule`), applies the discount scale when
    it is enabled, adds the overage, and returns an immutable
    :class:`CommissionSnapshot`. Raises :class:`CommissionRuleError` on
    invalid input.
    """
    if not isinstance(sale, SaleLine):
        raise CommissionRuleError("sale must be a SaleLine")
    rule = resolve_rule(config)
    price = sale.sale_price_cents
    list_total = sale.list_total_cents
    discount = compute_discount_bps(price, list_total)

    scale_source: str | None = None
    if rule.flat_cents is None and config.discount_tiers:
        if rule.discount_scale_enabled:
            scale_source = "override"
        elif config.discount_scale_all:
            scale_source = "tenant"
    matched = select_discount_tier(discount, config.discount_tiers) if scale_source else None

    components: list[Component] = []
    effective_rate: int | None = None
    if rule.flat_cents is not None:
        components.append(Component(label="flat", amount_cents=rule.flat_cents * sale.quantity))
    elif matched is not None:
        effective_rate = matched.rate_bps
    elif rule.plan_kind == "tiered":
        components.extend(_tiered_components(price, rule.tiers))
    else:
        effective_rate = rule.rate_bps
    if effective_rate is not None:
        components.append(
            Component(
                label="base",
                amount_cents=money.apply_bps(price, effective_rate),
                basis_cents=price,
                rate_bps=effective_rate,
            )
        )

    if rule.ov_rate_bps and list_total is not None and price > list_total:
        above = price - list_total
        components.append(
            Component(
                label="overage",
                amount_cents=money.apply_bps(above, rule.ov_rate_bps),
                basis_cents=above,
                rate_bps=rule.ov_rate_bps,
            )
        )

    return CommissionSnapshot(
        rule=rule.level,
        role=config.role,
        sale_price_cents=price,
        list_price_cents=sale.list_price_cents,
        quantity=sale.quantity,
        rate_bps=rule.rate_bps,
        flat_cents=rule.flat_cents,
        plan_kind=rule.plan_kind,
        tiers=rule.tiers,
        ov_rate_bps=rule.ov_rate_bps,
        discount_bps=discount,
        discount_scale_applied=matched is not None,
        discount_scale_source=scale_source,
        discount_scale=config.discount_tiers if matched is not None else (),
        discount_tier=matched,
        effective_rate_bps=effective_rate,
        components=tuple(components),
        commission_cents=sum(item.amount_cents for item in components),
    )


def clawback(snapshot: CommissionSnapshot) -> int:
    """Negative adjustment (cents) reversing ``snapshot``, for voiding a sale in a closed period."""
    if not isinstance(snapshot, CommissionSnapshot):
        raise CommissionRuleError("snapshot must be a CommissionSnapshot")
    return -snapshot.commission_cents
