"""SSO: ``POST /auth/sso/{google|apple|microsoft}`` (sign in with the provider's
``id_token``; no ``X-Tenant-Id``), ``.../register`` (a new business and its admin),
``.../link`` (POST links an identity to the signed-in user, DELETE removes it) and
``GET /auth/sso`` (the signed-in user's identities). One route per provider: the
provider is part of the documented path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.accounts.api import RegisterOut
from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.sso import rules, service
from chalicelib.sso.models import (
    LinkOut,
    LinksOut,
    SsoLoginIn,
    SsoLoginOut,
    SsoRegisterIn,
    UnlinkOut,
)

bp = Blueprint(__name__)
TAG = "auth"
Handler = Callable[[ApiRequest], Any]


def _named(handler: Handler, name: str) -> Handler:
    handler.__name__ = handler.__qualname__ = name
    return handler


def _routes(provider: str) -> None:
    title = rules.TITLES[provider]
    path = f"/auth/sso/{provider}"

    def login(req: ApiRequest) -> Any:
        body: SsoLoginIn = req.body
        return service.login(
            provider,
            body.id_token,
            body.nonce,
            user_agent=req.headers.get("user-agent"),
            ip_address=req.source_ip or None,
            tenant_header=req.headers.get("x-tenant-id"),
        )

    login.__doc__ = (
        f"Verifies the {title} id_token (RS256 against {title}'s keys; issuer, audience, "
        "expiry, and the nonce when one is sent) and answers the plain login's body, or "
        '`{"mfa_required": true, "mfa_challenge_token"}` for a user with MFA (then '
        "`POST /auth/mfa-verify`). No `X-Tenant-Id` needed: the identity names its account "
        "(when sent, it must be that account's business). 401 "
        "for a token that does not verify (the message says why), 404 when no account is "
        f"linked to the identity, 400 when {title} sign-in is not configured."
    )
    endpoint(
        bp,
        path,
        "POST",
        summary=f"Sign in with {title}",
        tag=TAG,
        public=True,
        rate="auth",
        body=SsoLoginIn,
        response=SsoLoginOut,
        errors=(401,),
        tenant_header="optional",
    )(_named(login, f"sso_{provider}_login"))

    def register(req: ApiRequest) -> Any:
        body: SsoRegisterIn = req.body
        session, tenant = service.register(
            provider,
            body.id_token,
            nonce=body.nonce,
            username=body.username,
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

    register.__doc__ = (
        f"`/auth/register` with a {title} id_token instead of e-mail and password: creates "
        "the business and its admin, links the identity and answers what `/auth/register` "
        f"answers. The admin's e-mail is the token's when {title} verified it (else none); "
        "first and last name default to the token's. 409 when the identity is linked "
        "already, or the e-mail or username is taken."
    )
    endpoint(
        bp,
        f"{path}/register",
        "POST",
        summary=f"Register a business with {title}",
        tag=TAG,
        public=True,
        rate="auth",
        body=SsoRegisterIn,
        response=RegisterOut,
        status=201,
        errors=(401,),
    )(_named(register, f"sso_{provider}_register"))

    def link(req: ApiRequest) -> Any:
        body: SsoLoginIn = req.body
        return service.link(req.user, provider, body.id_token, body.nonce)

    link.__doc__ = (
        f"Links the {title} identity of the id_token to the signed-in user, who can then "
        f"sign in with {title}. 409 when that identity is linked to any account already, "
        f"or the user has a {title} identity linked (unlink it first)."
    )
    endpoint(
        bp,
        f"{path}/link",
        "POST",
        summary=f"Link a {title} identity",
        tag=TAG,
        permission=roles.SELF,
        body=SsoLoginIn,
        response=LinkOut,
        status=201,
    )(_named(link, f"sso_{provider}_link"))

    def unlink(req: ApiRequest) -> Any:
        return service.unlink(req.user, provider)

    unlink.__doc__ = (
        f"Removes the signed-in user's {title} identity (`unlinked`: false when there was "
        "none). 409 for an account without a password whose last identity this is."
    )
    endpoint(
        bp,
        f"{path}/link",
        "DELETE",
        summary=f"Unlink the {title} identity",
        tag=TAG,
        permission=roles.SELF,
        response=UnlinkOut,
    )(_named(unlink, f"sso_{provider}_unlink"))


for _provider in rules.PROVIDERS:
    _routes(_provider)


@endpoint(
    bp,
    "/auth/sso",
    "GET",
    summary="The signed-in user's SSO identities",
    tag=TAG,
    permission=roles.SELF,
    response=LinksOut,
)
def links(req: ApiRequest) -> Any:
    """The identities linked to the signed-in user (at most one per provider)."""
    return service.links(req.user)
