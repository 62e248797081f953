"""Tenant settings (SPEC.md "Tenants, users, roles"): allowed values, defaults, and how a
partial update merges into the stored settings. Pure; no AWS, no HTTP.

Stored shape (the tenant item's ``settings`` map)::

    trade_type, region_type, timezone, pay_period_frequency,
    default_commission_bps, installer_default_commission_bps,
    discount_tiers: [{"max_discount_bps", "rate_bps"}, ...], discount_scale_all,
    branding: {"display_name", "primary_color", "logo_url"?}

``branding`` is what ``GET /tenants/resolve/{code}`` returns; its ``display_name``
follows the business name unless it was set to something else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.commission.rules import CommissionRuleError, validate_discount_tiers
from chalicelib.core.errors import InvalidInput
from chalicelib.core.roles import ROLES
from chalicelib.payperiods.rules import FREQUENCIES

TRADE_TYPES = (
    "hvac",
    "plumbing",
    "electrical",
    "mold_remediation",
    "roofing",
    "pest_control",
    "general_contracting",
)
REGION_TYPES = ("cooling_dominant", "heating_dominant", "balanced", "storm_prone")
DEFAULT_PRIMARY_COLOR = "#2563eb"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

DEFAULTS: dict[str, Any] = {
    "trade_type": "hvac",
    "region_type": "balanced",
    "timezone": "America/New_York",
    "pay_period_frequency": "biweekly",
    "default_commission_bps": 0,
    "installer_default_commission_bps": 0,
    "discount_tiers": [],
    "discount_scale_all": False,
    # roles whose logins need a second factor (mfa): the tenant's MFA policy
    "mfa_required_roles": [],
}


# What a new tenant stores (the rest comes from DEFAULTS when read).
INITIAL_KEYS = (
    "trade_type",
    "region_type",
    "timezone",
    "pay_period_frequency",
    "default_commission_bps",
)
COMMISSION_KEYS = (
    "default_commission_bps",
    "installer_default_commission_bps",
    "discount_tiers",
    "discount_scale_all",
)


class SettingsInputError(InvalidInput):
    """A setting that can never be valid (HTTP 422 naming it)."""


def initial(business_name: str) -> dict[str, Any]:
    """The settings a newly registered business starts with."""
    return {
        **{key: DEFAULTS[key] for key in INITIAL_KEYS},
        "branding": {"display_name": business_name, "primary_color": DEFAULT_PRIMARY_COLOR},
    }


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA timezone, or None."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown timezone {name!r}; use an IANA name such as America/New_York"
    return None


def color_problem(value: str) -> str | None:
    return None if _COLOR.match(value) else "must be a #rrggbb colour"


def effective(settings: Mapping[str, Any], business_name: str) -> dict[str, Any]:
    """Stored settings completed with the defaults."""
    result = {**DEFAULTS, **{k: v for k, v in settings.items() if v is not None}}
    branding = dict(settings.get("branding") or {})
    branding.setdefault("display_name", business_name)
    branding.setdefault("primary_color", DEFAULT_PRIMARY_COLOR)
    result["branding"] = branding
    result["discount_tiers"] = [dict(t) for t in result.get("discount_tiers") or []]
    return result


def merge(
    stored: Mapping[str, Any], old_name: str, changes: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Apply a partial update; returns ``(business_name, settings)`` to store.

    ``changes`` holds only the fields the caller sent. ``branding`` merges key by key;
    when the business is renamed and the display name was following the old name, it
    follows the new one.
    """
    current = effective(stored, old_name)
    name = changes.get("name") or old_name
    result = {k: v for k, v in current.items() if k != "branding"}
    for key, value in changes.items():
        if key in ("name", "branding"):
            continue
        if key not in DEFAULTS:
            raise SettingsInputError(field=key, message="is not a tenant setting")
        result[key] = value
    if "discount_tiers" in changes:
        try:
            tiers = validate_discount_tiers(changes["discount_tiers"] or [])
        except CommissionRuleError as exc:
            raise SettingsInputError(field="discount_tiers", message=str(exc)) from None
        result["discount_tiers"] = [t.to_dict() for t in tiers]
    for key, allowed in (
        ("trade_type", TRADE_TYPES),
        ("region_type", REGION_TYPES),
        ("pay_period_frequency", FREQUENCIES),
    ):
        if result[key] not in allowed:
            raise SettingsInputError(field=key, message=f"must be one of {', '.join(allowed)}")
    if "mfa_required_roles" in changes:
        wanted = changes["mfa_required_roles"] or []
        unknown = [r for r in wanted if r not in ROLES]
        if unknown or not isinstance(wanted, list):
            raise SettingsInputError(
                field="mfa_required_roles", message=f"roles are {', '.join(ROLES)}"
            )
        result["mfa_required_roles"] = sorted(set(wanted), key=ROLES.index)
    problem = timezone_problem(result["timezone"])
    if problem:
        raise SettingsInputError(field="timezone", message=problem)
    branding = dict(current["branding"])
    if name != old_name and branding.get("display_name") == old_name:
        branding["display_name"] = name
    for key, value in (changes.get("branding") or {}).items():
        if value is None:
            branding.pop(key, None)
        else:
            branding[key] = value
    branding.setdefault("display_name", name)
    branding.setdefault("primary_color", DEFAULT_PRIMARY_COLOR)
    problem = color_problem(branding["primary_color"])
    if problem:
        raise SettingsInputError(field="branding.primary_color", message=problem)
    result["branding"] = branding
    return name, result
