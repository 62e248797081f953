"""``/admin/settings``: the tenant's settings (admin only: ``settings:write``).

The business name and ``branding`` are what ``GET /tenants/resolve/{code}`` returns; the
business code itself never changes (clients log in with it).
"""
from __future__ import annotations

from typing import Any, Literal

from chalice import Blueprint
from pydantic import Field, StrictBool, field_validator

from chalicelib.api.partial import changes_of
from chalicelib.api.schemas import Body, Bps, Out
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.domain import roles
from chalicelib.domain import tenant_settings as rules
from chalicelib.services import tenant_settings

bp = Blueprint(__name__)

TradeType = Literal["hvac", "plumbing", "electrical", "mold_remediation", "roofing",
                    "pest_control", "general_contracting"]
RegionType = Literal["cooling_dominant", "heating_dominant", "balanced", "storm_prone"]
Frequency = Literal["weekly", "biweekly", "semimonthly", "monthly"]


class DiscountTierIn(Body):
    """A discount of at most ``max_discount_bps`` (below list) pays ``rate_bps``."""

    max_discount_bps: Bps
    rate_bps: Bps


class BrandingIn(Body):
    """null resets a key to its default (display name: the business name)."""

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    primary_color: str | None = Field(default=None, description="#rrggbb")
    logo_url: str | None = Field(default=None, max_length=500)

    @field_validator("primary_color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        problem = rules.color_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value


class SettingsPatch(Body):
    """Only the fields sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    trade_type: TradeType | None = None
    region_type: RegionType | None = None
    timezone: str | None = Field(default=None, max_length=64,
                                 description="IANA name, e.g. America/New_York")
    branding: BrandingIn | None = None
    pay_period_frequency: Frequency | None = Field(default=None, description=(
        "takes effect the day after the current pay period ends, so no existing period "
        "changes; the settings then show `pay_period_schedule` ([{from, frequency}])"))
    default_commission_bps: Bps | None = None
    installer_default_commission_bps: Bps | None = None
    discount_tiers: list[DiscountTierIn] | None = Field(default=None, max_length=50)
    discount_scale_all: StrictBool | None = None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        problem = rules.timezone_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value


class DiscountTierOut(Out):
    max_discount_bps: int
    rate_bps: int


class SettingsOut(Out):
    tenant_id: str
    business_code: str
    name: str
    trade_type: str
    region_type: str
    timezone: str
    branding: dict[str, Any]
    pay_period_frequency: str
    default_commission_bps: int
    installer_default_commission_bps: int
    discount_tiers: list[DiscountTierOut]
    discount_scale_all: bool


NOT_NULL = ("name", "trade_type", "region_type", "timezone", "branding",
            "pay_period_frequency", "default_commission_bps",
            "installer_default_commission_bps", "discount_tiers", "discount_scale_all")


def settings_changes(body: Body) -> dict[str, Any]:
    changes = changes_of(body, NOT_NULL)
    if "branding" in changes:
        branding = changes["branding"]
        changes["branding"] = {k: getattr(branding, k) for k in branding.model_fields_set}
    if "discount_tiers" in changes:
        changes["discount_tiers"] = [t.model_dump() for t in changes["discount_tiers"]]
    return changes


@endpoint(bp, "/admin/settings", "GET", summary="Tenant settings", tag="settings",
          permission=roles.SETTINGS_WRITE, response=SettingsOut)
def get_settings_route(req: ApiRequest) -> dict:
    return tenant_settings.view(tenant_settings.get(req.tenant_id))


@endpoint(bp, "/admin/settings", "PATCH", summary="Update tenant settings", tag="settings",
          permission=roles.SETTINGS_WRITE, body=SettingsPatch, response=SettingsOut)
def update_settings_route(req: ApiRequest) -> dict:
    """``default_commission_bps`` is the tenant default rate (rule level 5);
    ``discount_tiers`` must ascend by ``max_discount_bps``; ``discount_scale_all`` applies
    the scale to every rate-based rule (otherwise only to overrides that enable it)."""
    tenant = tenant_settings.update(req.tenant_id, settings_changes(req.body))
    return tenant_settings.view(tenant)
