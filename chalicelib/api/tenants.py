"""``GET /tenants/resolve/{code}``: find a business by its code (public)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.schemas import Out
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.settings import get_settings
from chalicelib.services import accounts

bp = Blueprint(__name__)


class Branding(Out):
    display_name: str
    primary_color: str


class ResolveOut(Out):
    """Keys exactly as the seed documents them (published clients read ``tenantId``)."""

    businessCode: str
    businessName: str
    apiUrl: str
    tenantId: str
    branding: Branding


@endpoint(bp, "/tenants/resolve/{code}", "GET", summary="Resolve a tenant by business code",
          tag="auth", public=True, response=ResolveOut)
def resolve(req: ApiRequest) -> dict:
    """Case-insensitive; 404 ``NOT_FOUND`` for an unknown code."""
    tenant = accounts.resolve_tenant(req.params["code"])
    return accounts.tenant_view(tenant, get_settings().api_url)
