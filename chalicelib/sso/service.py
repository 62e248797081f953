"""SSO (SPEC.md "Auth"): sign in, register and link with a Google, Apple or Microsoft
``id_token``.

Verification: the token must be a compact JWS signed RS256 by a key of the provider's
JWKS (``SSO_<PROVIDER>_JWKS_URL``, cached; ``jwks.py``), issued by the provider, for one
of ``SSO_<PROVIDER>_CLIENT_IDS``, not expired (60 s leeway; pyjwt, ``verify.py``), with the
request's nonce when one was sent (``rules.py``). A provider without client ids is off (400). Every refusal is
401 ``UNAUTHORIZED`` saying why.

An identity (provider + ``sub``) maps to one user through a global pointer, so the login
needs no ``X-Tenant-Id``; a user has at most one identity per provider.

DynamoDB calls (besides rate limiting): login 4, like a password login (the identity
pointer, the user, the MFA BatchGetItem of enrolment and tenant, then the session or the
MFA challenge PutItem); register 1 transaction (the registration's, the two link items
in it); link 1 transaction; unlink 2 (GetItem, a transaction), 3 for an account without a
password (the Query of its other identities); link and unlink besides the caller's account
read of every signed-in route. A token that does not verify reads nothing.
"""

from __future__ import annotations

from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound, RuleViolation, Unauthorized
from chalicelib.core.settings import sso_provider
from chalicelib.mfa import service as mfa
from chalicelib.platform.tx import ConditionFailed
from chalicelib.sso import jwks, rules, store
from chalicelib.sso import verify as verify_token
from chalicelib.sso.rules import Identity

PROVIDERS = rules.PROVIDERS


def _title(provider: str) -> str:
    return rules.TITLES[provider]


def verify(provider: str, id_token: str, nonce: str | None = None) -> Identity:
    """The identity ``id_token`` proves (401 when it proves none)."""
    config = sso_provider(provider)
    if not config.client_ids:
        raise BadRequest(f"{_title(provider)} sign-in is not configured for this API")
    try:
        kid = verify_token.key_id(id_token)
        try:
            key = jwks.signing_key(config.jwks_url, kid)
        except jwks.Unavailable as exc:
            raise Unauthorized(
                f"cannot check the token now: {_title(provider)}'s signing keys are "
                "unavailable; try again later"
            ) from exc
        if key is None:
            raise rules.Rejected(f"identity token is signed by an unknown key (kid {kid!r})")
        return verify_token.identity(
            provider,
            id_token,
            key,
            client_ids=config.client_ids,
            nonce=nonce,
            issuer_override=config.issuer,
        )
    except rules.Rejected as exc:
        raise Unauthorized(exc.message) from exc


def _unknown(provider: str) -> NotFound:
    return NotFound(
        f"no account is linked to this {_title(provider)} identity: register with "
        f"/auth/sso/{provider}/register, or sign in and link it with /auth/sso/{provider}/link"
    )


def login(
    provider: str,
    id_token: str,
    nonce: str | None = None,
    user_agent: str | None = None,
    ip_address: str | None = None,
    tenant_header: str | None = None,
) -> Any:
    """The plain login's answer: the session, or the MFA challenge of an enrolled user.
    ``X-Tenant-Id`` is not needed; when sent, it must be the identity's business."""
    identity = verify(provider, id_token, nonce)
    pointer = store.get_identity(provider, identity.subject)
    if pointer is None:
        raise _unknown(provider)
    if tenant_header and tenant_header.strip() != str(pointer.tenant_id):
        raise Unauthorized(
            f"this {_title(provider)} identity signs in to another business than X-Tenant-Id "
            "names: send no X-Tenant-Id, or that business's"
        )
    user = accounts.get_user(str(pointer.tenant_id), int(pointer.user_id))
    if user is None:
        raise _unknown(provider)
    if not user.active:
        raise Unauthorized("this account is deactivated: ask an admin of your business")
    now = clock.now()
    challenge = mfa.login_challenge(user, now)
    if challenge is not None:
        return challenge
    return accounts.open_session(user, now, user_agent, ip_address)


def _taken(provider: str, failed: list[str]) -> Conflict | None:
    if store.IDENTITY in failed:
        return Conflict(f"this {_title(provider)} identity is already linked to an account")
    if store.LINK in failed:
        return Conflict(
            f"your account already has a {_title(provider)} identity linked: unlink it first"
        )
    return None


def register(
    provider: str,
    id_token: str,
    *,
    nonce: str | None,
    username: str,
    first_name: str | None,
    last_name: str | None,
    company_name: str,
) -> tuple[accounts.Session, Any]:
    """``/auth/register`` without a password: the tenant, its admin (the token's verified
    e-mail, if any) and the link, in one transaction."""
    identity = verify(provider, id_token, nonce)
    now = clock.now()
    try:
        return accounts.register(
            email=identity.email,
            username=username,
            password=None,
            first_name=first_name if first_name is not None else identity.given_name,
            last_name=last_name if last_name is not None else identity.family_name,
            company_name=company_name,
            also=lambda tx, tenant_id, user_id: store.link_in(
                tx, tenant_id, user_id, identity, now
            ),
        )
    except ConditionFailed as exc:
        conflict = _taken(provider, exc.failed)
        if conflict is None:
            raise
        raise conflict from exc


def _link_view(item: Any) -> dict[str, Any]:
    return {
        "provider": item.provider,
        "subject": item.subject,
        "email": item.email,
        "linked_at": item.linked_at,
    }


def link(principal: Principal, provider: str, id_token: str, nonce: str | None) -> dict[str, Any]:
    """Link a verified identity to the signed-in user (409 when it signs in anyone already,
    or the user has one at this provider)."""
    identity = verify(provider, id_token, nonce)
    now = clock.now()
    try:
        store.link(principal.tenant_id, principal.user_id, identity, now)
    except ConditionFailed as exc:
        conflict = _taken(provider, exc.failed)
        if conflict is None:
            raise
        raise conflict from exc
    return {
        "provider": provider,
        "subject": identity.subject,
        "email": identity.email,
        "linked_at": now,
    }


def unlink(principal: Principal, provider: str) -> dict[str, Any]:
    """Remove the user's identity at ``provider`` (nothing to remove is fine). An account
    without a password keeps its last identity (409): it could not sign in any more."""
    tid, uid = principal.tenant_id, principal.user_id
    item = store.get_link(tid, uid, provider)
    if item is None:
        return {"provider": provider, "unlinked": False}
    account = accounts.current_user(principal)
    if not account.password_hash and len(store.links_of(tid, uid)) <= 1:
        raise RuleViolation(
            f"your account has no password and this is its last sign-in identity: set a "
            f"password (POST /auth/password/forgot) before unlinking {_title(provider)}"
        )
    try:
        store.unlink(item)
    except ConditionFailed:
        # changed since it was read: unlinked by a request that got there first (the same
        # outcome), or unlinked and linked again (then it stays)
        return {"provider": provider, "unlinked": store.get_link(tid, uid, provider) is None}
    return {"provider": provider, "unlinked": True}


def links(principal: Principal) -> dict[str, Any]:
    """The signed-in user's linked identities, in provider order."""
    found = {i.provider: i for i in store.links_of(principal.tenant_id, principal.user_id)}
    return {"links": [_link_view(found[p]) for p in PROVIDERS if p in found]}
