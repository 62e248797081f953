"""Pure commission engine: who gets paid what for one sold line item.

No AWS, no HTTP, no I/O: the standard library, :mod:`chalicelib.core.money` and
:mod:`chalicelib.core.errors` only. Money is ``int`` cents, rates are ``int`` basis
points; floats are never used and every component is rounded half-to-even to a
whole cent exactly once.

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

Every invalid input raises :class:`CommissionRuleError` (an ``InvalidInput`` of
:mod:`chalicelib.core.errors`, so a ``ValueError``) with a message suitable for an
HTTP 422 response.
"""

from __future__ import annotations

# One module per job, each importing only the ones before it:
# checks (the error, the vocabulary, value checks) -> tiers (plan brackets, discount scale)
# -> inputs (override, plan, config, sale line) -> snapshot (the result) -> engine
# -> config (stored settings as the engine's input).
from chalicelib.commission.rules.checks import (
    PLAN_KINDS,
    ROLES,
    RULE_LEVELS,
    CommissionRuleError,
)
from chalicelib.commission.rules.config import (
    INSTALLER,
    TECHNICIAN,
    TenantCommission,
    commissions,
    installer_config,
    override_from_dict,
    plan_from_dict,
    plan_to_dict,
    seller_config,
)
from chalicelib.commission.rules.engine import (
    ResolvedRule,
    calculate_commission,
    clawback,
    compute_discount_bps,
    resolve_rule,
    select_discount_tier,
)
from chalicelib.commission.rules.inputs import (
    CommissionConfig,
    SaleLine,
    TechItemOverride,
    TechPlan,
)
from chalicelib.commission.rules.snapshot import (
    SNAPSHOT_SCHEMA_VERSION,
    CommissionSnapshot,
    Component,
)
from chalicelib.commission.rules.tiers import (
    DiscountTier,
    PlanTier,
    validate_discount_tiers,
    validate_tiers,
)

__all__ = [
    "INSTALLER",
    "PLAN_KINDS",
    "ROLES",
    "RULE_LEVELS",
    "SNAPSHOT_SCHEMA_VERSION",
    "TECHNICIAN",
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
    "TenantCommission",
    "calculate_commission",
    "clawback",
    "commissions",
    "compute_discount_bps",
    "installer_config",
    "override_from_dict",
    "plan_from_dict",
    "plan_to_dict",
    "resolve_rule",
    "select_discount_tier",
    "seller_config",
    "validate_discount_tiers",
    "validate_tiers",
]
