"""``/admin/settings``: the tenant's settings (admin only: ``settings:write``), and
``/admin/commission-config/tenant``: the tenant-wide commission part of them (default
rates and the discount scale, rule level 5), open to managers too (``commission:write``).

The business name and ``branding`` are what ``GET /tenants/resolve/{code}`` returns; the
business code itself never changes (clients log in with it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from chalice import Blueprint
from pydantic import Field, StrictBool

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Body, Bps, Out, changes_of, checked_by
from chalicelib.payperiods.rules import FREQUENCIES
from chalicelib.settings import rules
from chalicelib.settings import service as tenant_settings

bp = Blueprint(__name__)

TradeType = Literal[rules.TRADE_TYPES]  # type: ignore[valid-type]
RegionType = Literal[rules.REGION_TYPES]  # type: ignore[valid-type]
Frequency = Literal[FREQUENCIES]  # type: ignore[valid-type]
Color = Annotated[str, checked_by(rules.color_problem)]
TimeZone = Annotated[str, checked_by(rules.timezone_problem)]
NOT_NULL = (
    "name",
    "trade_type",
    "region_type",
    "timezone",
    "branding",
    "pay_period_frequency",
    *rules.COMMISSION_KEYS,
)


class DiscountTierIn(Body):
    """A discount of at most ``max_discount_bps`` (below list) pays ``rate_bps``."""

    max_discount_bps: Bps
    rate_bps: Bps


class DiscountTierOut(Out):
    max_discount_bps: int
    rate_bps: int


class TenantCommissionPatch(Body):
    default_commission_bps: Bps | None = None
    installer_default_commission_bps: Bps | None = None
    discount_tiers: list[DiscountTierIn] | None = Field(default=None, max_length=50)
    discount_scale_all: StrictBool | None = None


class TenantCommissionOut(Out):
    default_commission_bps: int
    installer_default_commission_bps: int
    discount_tiers: list[DiscountTierOut]
    discount_scale_all: bool


class BrandingIn(Body):
    """null resets a key to its default (display name: the business name)."""

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    primary_color: Color | None = Field(default=None, description="#rrggbb")
    logo_url: str | None = Field(default=None, max_length=500)


class ProfilePatch(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    trade_type: TradeType | None = None
    region_type: RegionType | None = None
    timezone: TimeZone | None = Field(
        default=None, max_length=64, description="IANA name, e.g. America/New_York"
    )
    branding: BrandingIn | None = None
    pay_period_frequency: Frequency | None = Field(
        default=None,
        description=(
            "takes effect the day after the current pay period ends, so no existing period "
            "changes; the settings then show `pay_period_schedule` ([{from, frequency}])"
        ),
    )


class SettingsPatch(TenantCommissionPatch, ProfilePatch):
    """Only the fields sent change."""

    mfa_required_roles: list[Literal[roles.ROLES]] | None = Field(  # type: ignore[valid-type]
        default=None,
        max_length=4,
        description=(
            'roles whose logins need a second factor (e.g. ["admin", "manager"]): '
            "without an authenticator they get an e-mail code"
        ),
    )


class ProfileOut(Out):
    tenant_id: str
    business_code: str
    name: str
    trade_type: str
    region_type: str
    timezone: str
    branding: dict[str, Any]
    pay_period_frequency: str


class SettingsOut(TenantCommissionOut, ProfileOut):
    mfa_required_roles: list[str] = []


@endpoint(
    bp,
    "/admin/settings",
    "GET",
    summary="Tenant settings",
    tag="settings",
    permission=roles.SETTINGS_WRITE,
    response=SettingsOut,
)
def get_settings_route(req: ApiRequest) -> Any:
    return tenant_settings.view(tenant_settings.get(req.tenant_id))


@endpoint(
    bp,
    "/admin/settings",
    "PATCH",
    summary="Update tenant settings",
    tag="settings",
    permission=roles.SETTINGS_WRITE,
    body=SettingsPatch,
    response=SettingsOut,
)
def update_settings_route(req: ApiRequest) -> Any:
    """``default_commission_bps`` is the tenant default rate (rule level 5);
    ``discount_tiers`` must ascend by ``max_discount_bps``; ``discount_scale_all`` applies
    the scale to every rate-based rule (otherwise only to overrides that enable it)."""
    tenant = tenant_settings.update(req.tenant_id, changes_of(req.body, NOT_NULL))
    return tenant_settings.view(tenant)


@endpoint(
    bp,
    "/admin/commission-config/tenant",
    "GET",
    summary="Tenant default rates and discount scale",
    tag="commission-config",
    permission=roles.COMMISSION_CONFIG,
    response=TenantCommissionOut,
)
def get_tenant_commission(req: ApiRequest) -> Any:
    return tenant_settings.commission_view(tenant_settings.get(req.tenant_id))


@endpoint(
    bp,
    "/admin/commission-config/tenant",
    "PATCH",
    summary="Update tenant default rates and discount scale",
    tag="commission-config",
    permission=roles.COMMISSION_CONFIG,
    body=TenantCommissionPatch,
    response=TenantCommissionOut,
)
def update_tenant_commission(req: ApiRequest) -> Any:
    """The same values as in ``/admin/settings``, open to managers too."""
    tenant = tenant_settings.update(req.tenant_id, changes_of(req.body, NOT_NULL))
    return tenant_settings.commission_view(tenant)
