"""``/admin/settings``: the tenant's settings (admin only: ``settings:write``),
``/admin/settings/branding`` (display name, colours, logo and favicon uploaded through
presigned POSTs: ``settings.branding``), and ``/admin/commission-config/tenant``: the
tenant-wide commission part of them (default rates and the discount scale, rule level 5),
open to managers too (``commission:write``).

The business name and ``branding`` are what ``GET /tenants/resolve/{code}`` returns; the
business code itself never changes (clients log in with it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from chalice import Blueprint
from pydantic import BeforeValidator, Field, StrictBool

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Body, Bps, Out, changes_of, checked_by
from chalicelib.payperiods.rules import FREQUENCIES
from chalicelib.settings import branding, rules
from chalicelib.settings import service as tenant_settings
from chalicelib.settings.models import (
    BrandingIn,
    BrandingOut,
    BrandingPatch,
    BrandingUploadOut,
    FaviconUploadIn,
    LogoUploadIn,
)

bp = Blueprint(__name__)

TradeType = Literal[rules.TRADE_TYPES]  # type: ignore[valid-type]
RegionType = Literal[rules.REGION_TYPES]  # type: ignore[valid-type]
Frequency = Literal[FREQUENCIES]  # type: ignore[valid-type]
TimeZone = Annotated[str, checked_by(rules.timezone_problem)]
Currency = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    checked_by(rules.currency_problem),
]
NOT_NULL = (
    "name",
    "trade_type",
    "region_type",
    "timezone",
    "currency",
    "branding",
    "pay_period_frequency",
    *rules.COMMISSION_KEYS,
)
BRANDING = "/admin/settings/branding"


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


class ProfilePatch(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    trade_type: TradeType | None = None
    region_type: RegionType | None = None
    timezone: TimeZone | None = Field(
        default=None, max_length=64, description="IANA name, e.g. America/New_York"
    )
    currency: Currency | None = Field(
        default=None, description="ISO 4217 code (e.g. USD, CAD, EUR); amounts stay cents"
    )
    branding: BrandingIn | None = Field(
        default=None,
        description="texts and colours; the logo and favicon: /admin/settings/branding",
    )
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
    currency: str
    branding: BrandingOut
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
    return _view(tenant_settings.get(req.tenant_id))


def _view(tenant: Any) -> dict[str, Any]:
    return {**tenant_settings.view(tenant), "branding": branding.of_tenant(tenant)}


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
    the scale to every rate-based rule (otherwise only to overrides that enable it). A new
    ``pay_period_frequency`` applies from the day after the current pay period ends (no
    existing period changes). ``mfa_required_roles`` is the MFA policy of the logins."""
    tenant = tenant_settings.update(req.tenant_id, changes_of(req.body, NOT_NULL))
    return _view(tenant)


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


# --- branding: texts, colours, and the logo and favicon uploaded through S3 -------------
@endpoint(
    bp,
    BRANDING,
    "GET",
    summary="Tenant branding",
    tag="settings",
    permission=roles.SETTINGS_WRITE,
    response=BrandingOut,
)
def get_branding(req: ApiRequest) -> Any:
    """What ``GET /tenants/resolve/{code}`` shows, with the files' object keys; the logo
    and favicon as presigned GET links (1 hour) or null."""
    return branding.get(req.tenant_id)


@endpoint(
    bp,
    BRANDING,
    "PATCH",
    summary="Update tenant branding",
    tag="settings",
    permission=roles.SETTINGS_WRITE,
    body=BrandingPatch,
    response=BrandingOut,
)
def update_branding(req: ApiRequest) -> Any:
    """Only the keys sent change; null resets one. Colours are ``#rrggbb`` (422 naming
    the field). ``logo_key`` / ``favicon_key`` confirm an upload: the key a
    ``logo-upload`` / ``favicon-upload`` issued for this business, once the file is in S3
    (checked: there, of the announced type, within the limit; else 422 naming the field)."""
    return branding.update(req.tenant_id, changes_of(req.body))


@endpoint(
    bp,
    f"{BRANDING}/logo-upload",
    "POST",
    summary="Upload a logo (presigned S3 POST)",
    tag="settings",
    permission=roles.SETTINGS_WRITE,
    body=LogoUploadIn,
    response=BrandingUploadOut,
    status=201,
)
def logo_upload(req: ApiRequest) -> Any:
    """A presigned S3 POST (15 minutes) for a png, jpeg, svg+xml or x-icon logo of at most
    ``size_bytes`` (<= 2 MB, enforced by S3); then PATCH the branding with ``logo_key``."""
    body: LogoUploadIn = req.body
    return branding.issue(req.tenant_id, "logo", body.content_type, body.size_bytes)


@endpoint(
    bp,
    f"{BRANDING}/favicon-upload",
    "POST",
    summary="Upload a favicon (presigned S3 POST)",
    tag="settings",
    permission=roles.SETTINGS_WRITE,
    body=FaviconUploadIn,
    response=BrandingUploadOut,
    status=201,
)
def favicon_upload(req: ApiRequest) -> Any:
    """As the logo's, for a favicon of at most 512 KB; then PATCH the branding with
    ``favicon_key``."""
    body: FaviconUploadIn = req.body
    return branding.issue(req.tenant_id, "favicon", body.content_type, body.size_bytes)
