"""Tenant settings (SPEC.md "Tenants, users, roles"): allowed values, defaults, and how a
partial update merges into the stored settings. Pure; no AWS, no HTTP.

Stored shape (the tenant item's ``settings`` map)::

    trade_type, region_type, timezone, pay_period_frequency,
    default_commission_bps, installer_default_commission_bps,
    discount_tiers: [{"max_discount_bps", "rate_bps"}, ...], discount_scale_all,
    currency, mfa_required_roles,
    branding: {"display_name", "primary_color", "secondary_color"?, "accent_color"?,
               "logo_key"?, "favicon_key"?}

``branding`` is what ``GET /tenants/resolve/{code}`` returns (``branding_view``: the
object keys become presigned links); its ``display_name`` follows the business name
unless it was set to something else. A logo or favicon is only ever the key of an object
uploaded through the API's presigned POST (``settings.branding``), never a free URL.
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
COLOR_KEYS = ("primary_color", "secondary_color", "accent_color")
# What a PATCH of the branding may set besides the uploaded files.
BRANDING_TEXT_KEYS = ("display_name", *COLOR_KEYS)
# The uploaded files: kind -> (stored key, the largest file accepted).
UPLOAD_KINDS: dict[str, tuple[str, int]] = {
    "logo": ("logo_key", 2 * 1024 * 1024),
    "favicon": ("favicon_key", 512 * 1024),
}
# Image types a logo or favicon may have, and the extension its object key gets.
IMAGE_TYPES: dict[str, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/svg+xml": "svg",
    "image/x-icon": "ico",
}
# ISO 4217 currency codes in use (2026; funds and precious metals left out).
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
    """.split()
)

DEFAULTS: dict[str, Any] = {
    "trade_type": "hvac",
    "region_type": "balanced",
    "timezone": "America/New_York",
    "pay_period_frequency": "biweekly",
    "currency": "USD",
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
    "currency",
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


def currency_problem(code: str) -> str | None:
    """Why ``code`` is not an ISO 4217 currency code (upper case, e.g. USD), or None."""
    if code in CURRENCIES:
        return None
    return f"unknown currency {code!r}; use an ISO 4217 code such as USD, CAD or EUR"


def upload_problem(kind: str, content_type: str, size_bytes: int) -> tuple[str, str] | None:
    """``(field, why)`` when a ``kind`` file of this type and size cannot be uploaded."""
    if content_type not in IMAGE_TYPES:
        return "content_type", f"must be one of {', '.join(IMAGE_TYPES)}"
    limit = UPLOAD_KINDS[kind][1]
    if not 1 <= size_bytes <= limit:
        return "size_bytes", f"a {kind} is 1 to {limit} bytes ({limit // 1024} KB)"
    return None


def stored_file_problem(kind: str, key: str, stored: Mapping[str, Any] | None) -> str | None:
    """Why the uploaded object ``stored`` (``{"size", "content_type"}`` or None: not
    there) cannot be the tenant's ``kind``, or None."""
    if stored is None:
        return "has not been uploaded yet: POST the file to the presigned upload first"
    ext = key.rsplit(".", 1)[-1]
    if stored.get("content_type") not in IMAGE_TYPES or IMAGE_TYPES[stored["content_type"]] != ext:
        return f"the uploaded file is not the image type its upload was issued for ({ext})"
    limit = UPLOAD_KINDS[kind][1]
    if not 1 <= int(stored.get("size") or 0) <= limit:
        return f"the uploaded file is not 1 to {limit} bytes"
    return None


def branding_of(settings: Mapping[str, Any], business_name: str) -> dict[str, Any]:
    """The stored branding completed with the defaults: every text key (colours not set
    are None) and the uploaded files' object keys (None when there is none). A legacy
    free ``logo_url`` is not shown: branding only points at uploaded objects."""
    stored = dict(settings.get("branding") or {})
    result: dict[str, Any] = {key: stored.get(key) for key in BRANDING_TEXT_KEYS}
    result["display_name"] = result["display_name"] or business_name
    result["primary_color"] = result["primary_color"] or DEFAULT_PRIMARY_COLOR
    for stored_key, _ in UPLOAD_KINDS.values():
        result[stored_key] = stored.get(stored_key)
    return result


def merge_branding(
    stored: Mapping[str, Any], old_name: str, name: str, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The branding to store after ``changes`` (keys of ``BRANDING_TEXT_KEYS`` and the
    stored file keys; None resets a key to its default). When the business is renamed, a
    display name that was following the old name follows the new one."""
    branding = {k: v for k, v in branding_of(stored, old_name).items() if v is not None}
    if name != old_name and branding.get("display_name") == old_name:
        branding["display_name"] = name
    allowed = (*BRANDING_TEXT_KEYS, *(k for k, _ in UPLOAD_KINDS.values()))
    for key, value in changes.items():
        if key not in allowed:
            raise SettingsInputError(field=f"branding.{key}", message="is not a branding key")
        if value is None:
            branding.pop(key, None)
        else:
            branding[key] = value
    branding.setdefault("display_name", name)
    branding.setdefault("primary_color", DEFAULT_PRIMARY_COLOR)
    for key in COLOR_KEYS:
        problem = color_problem(branding[key]) if key in branding else None
        if problem:
            raise SettingsInputError(field=f"branding.{key}", message=problem)
    return branding


def effective(settings: Mapping[str, Any], business_name: str) -> dict[str, Any]:
    """Stored settings completed with the defaults."""
    result = {**DEFAULTS, **{k: v for k, v in settings.items() if v is not None}}
    result["branding"] = branding_of(settings, business_name)
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
    for key, problem_of in (("timezone", timezone_problem), ("currency", currency_problem)):
        problem = problem_of(result[key])
        if problem:
            raise SettingsInputError(field=key, message=problem)
    result["branding"] = merge_branding(stored, old_name, name, changes.get("branding") or {})
    return name, result
