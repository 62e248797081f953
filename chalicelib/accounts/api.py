"""Staff authentication (register, login, refresh, logout, me) and
``GET /tenants/resolve/{code}``: find a business by its code (public)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import AliasChoices, ConfigDict, Field, RootModel

from chalicelib.accounts import service as accounts
from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Body, Email, Out, Password, Username, id_from, reference_example
from chalicelib.core.settings import get_settings
from chalicelib.mfa import service as mfa
from chalicelib.mfa.models import ChallengeOut
from chalicelib.settings import branding as tenant_branding
from chalicelib.settings import service as tenant_settings

bp = Blueprint(__name__)


class RegisterIn(Body):
    model_config = reference_example(
        {
            "email": "jane@smithhvac.com",
            "username": "mycompany",
            "password": "securePassword123!",
            "first_name": "Jane",
            "last_name": "Smith",
            "company_name": "Smith HVAC",
        }
    )

    email: Email
    username: Username
    password: Password
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    company_name: str = Field(min_length=1, max_length=200)


class LoginIn(Body):
    model_config = reference_example({"username": "admin", "password": "your-password"})

    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Body):
    model_config = reference_example({"refresh_token": "eyJ..."})

    refresh_token: str = Field(min_length=1)


class UserOut(Out):
    id: int = id_from("user_id")
    username: str
    name: str = Field(validation_alias=AliasChoices("name", "display_name"))
    is_admin: bool
    roles: list[str]


class TokensOut(Out):
    model_config = reference_example(
        {
            "access_token": "eyJ...",
            "refresh_token": "eyJ...",
            "user": {
                "id": 1,
                "username": "admin",
                "name": "Admin User",
                "is_admin": True,
                "roles": ["admin"],
            },
        }
    )

    access_token: str
    refresh_token: str
    user: UserOut


class LoginOut(RootModel[TokensOut | ChallengeOut]):
    """Either the session (``access_token``, ``refresh_token``, ``user``) or, when the
    user has MFA or their role's logins need it, the challenge (``mfa_required``: true,
    ``mfa_challenge_token``; then ``POST /auth/mfa-verify``). A user who must use MFA but
    has not enrolled gets the challenge with ``mfa_enrolment_required``: true and
    ``methods``: ["email"] too."""

    model_config = ConfigDict(
        defer_build=True,
        json_schema_extra={
            "examples": [
                TokensOut.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
                ChallengeOut.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
            ]
        },
    )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        """The login answers exactly one of its two bodies: ``oneOf``, not ``anyOf``."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        if "anyOf" in target:
            target["oneOf"] = target.pop("anyOf")
        return schema


class RegisterOut(TokensOut):
    model_config = reference_example(
        {
            "access_token": "eyJ...",
            "refresh_token": "eyJ...",
            "user": {
                "id": 1,
                "username": "mycompany",
                "name": "Jane Smith",
                "is_admin": True,
                "roles": ["admin"],
            },
            "business_code": "SMITHHVAC",
            "business_name": "Smith HVAC",
            "tenant_id": "3f1c2a9e-5b7d-4e8f-9a1b-2c3d4e5f6a7b",
        }
    )

    business_code: str
    business_name: str
    tenant_id: str


class RefreshOut(Out):
    model_config = reference_example({"access_token": "eyJ...", "refresh_token": "eyJ..."})

    access_token: str
    refresh_token: str


class MeOut(UserOut):
    email: str | None
    first_name: str | None
    last_name: str | None
    tenant_id: str
    technician_id: int | None


class LogoutOut(Out):
    logged_out: bool


@endpoint(
    bp,
    "/auth/register",
    "POST",
    summary="Register a business and its first admin",
    tag="auth",
    public=True,
    rate="auth",
    body=RegisterIn,
    response=RegisterOut,
    status=201,
)
def register(req: ApiRequest) -> Any:
    """Creates the tenant (business code from the company name, suffixed on collision) and
    an admin user, and returns tokens for immediate auto-login. 409 when the e-mail or
    username is taken."""
    body: RegisterIn = req.body
    session, tenant = accounts.register(
        email=str(body.email),
        username=body.username,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        company_name=body.company_name,
    )
    return {
        "access_token": session.access_token,
        "refresh_token": session.refresh_token,
        "user": session.user,
        "business_code": tenant.business_code,
        "business_name": tenant.name,
        "tenant_id": tenant.tenant_id,
    }


@endpoint(
    bp,
    "/auth/login",
    "POST",
    summary="Log in with username and password",
    tag="auth",
    public=True,
    rate="auth",
    body=LoginIn,
    response=LoginOut,
    tenant_header="required",
)
def login(req: ApiRequest) -> Any:
    """Needs ``X-Tenant-Id``. Five failed attempts in a row lock the account for 15 minutes
    (429 with ``Retry-After``). A user with MFA (or whose role the tenant's
    ``mfa_required_roles`` names) gets ``{"mfa_required": true, "mfa_challenge_token"}``
    instead of tokens: then ``POST /auth/mfa-verify``."""
    body: LoginIn = req.body
    return accounts.login(
        req.required_tenant(),
        body.username,
        body.password,
        user_agent=req.headers.get("user-agent"),
        ip_address=req.source_ip or None,
        second_factor=mfa.login_challenge,
    )


@endpoint(
    bp,
    "/auth/refresh",
    "POST",
    summary="Exchange a refresh token for new tokens",
    tag="auth",
    public=True,
    rate="auth",
    body=RefreshIn,
    response=RefreshOut,
    tenant_header="optional",
)
def refresh(req: ApiRequest) -> Any:
    """Refresh tokens are single use: the response carries a rotated ``refresh_token``;
    presenting an already-used one revokes the whole session."""
    body: RefreshIn = req.body
    return accounts.refresh(req.headers.get("x-tenant-id"), body.refresh_token)


@endpoint(
    bp,
    "/auth/logout",
    "POST",
    summary="End the current session",
    tag="auth",
    permission=roles.SELF,
    response=LogoutOut,
)
def logout(req: ApiRequest) -> Any:
    """Revokes the session's refresh tokens. The access token expires on its own (15 min)."""
    accounts.logout(req.tenant_id, req.user.session_id)
    return {"logged_out": True}


@endpoint(
    bp,
    "/auth/me",
    "GET",
    summary="The signed-in user",
    tag="auth",
    permission=roles.SELF,
    response=MeOut,
)
def me(req: ApiRequest) -> Any:
    return accounts.current_user(req.user)


# --- tenants: find a business by its code (public) --------------------------------------


class Branding(Out):
    display_name: str
    primary_color: str
    # always answered (null when not set); optional so the reference's example stays valid
    secondary_color: str | None = Field(default=None, description="#rrggbb, or null")
    accent_color: str | None = Field(default=None, description="#rrggbb, or null")
    logo_url: str | None = Field(
        default=None, description="a presigned GET of the logo (1 hour), or null"
    )
    favicon_url: str | None = Field(
        default=None, description="a presigned GET of the favicon, or null"
    )


class ResolveOut(Out):
    """Keys exactly as the seed documents them (published clients read ``tenantId``)."""

    model_config = reference_example(
        {
            "businessCode": "MYCOMPANY",
            "businessName": "My Company LLC",
            "apiUrl": "https://api.tradekitt.com",
            "tenantId": "uuid-here",
            "branding": {"display_name": "My Company", "primary_color": "#2563eb"},
        }
    )

    businessCode: str
    businessName: str
    apiUrl: str
    tenantId: str
    branding: Branding


@endpoint(
    bp,
    "/tenants/resolve/{code}",
    "GET",
    summary="Resolve a tenant by business code",
    tag="auth",
    public=True,
    response=ResolveOut,
)
def resolve(req: ApiRequest) -> Any:
    """Case-insensitive; 404 ``NOT_FOUND`` for an unknown code. ``branding``: the display
    name and colours (``/admin/settings/branding``) and the logo and favicon as presigned
    GET links (1 hour) or null."""
    tenant = accounts.resolve_tenant(req.params["code"])
    shown = tenant_branding.public_view(tenant_settings.effective(tenant)["branding"])
    return {**accounts.tenant_view(tenant, get_settings().api_url), "branding": shown}
