"""JWT access, refresh and MFA-challenge tokens (HS256, algorithm pinned on verify).

Customer-portal tokens (``issue_customer``/``decode_customer``) carry an audience of their
own (``<JWT_AUDIENCE>:customer``) and their own types, so a staff route's ``decode`` refuses
them at the audience check and a portal route refuses staff tokens the same way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from chalicelib.core import clock
from chalicelib.core.errors import Unauthorized
from chalicelib.core.settings import get_settings

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
MFA_CHALLENGE = "mfa_challenge"
CUSTOMER_ACCESS = "customer_access"
CUSTOMER_REFRESH = "customer_refresh"
_REQUIRED = ["sub", "tid", "typ", "iss", "aud", "exp", "iat", "jti"]
_CUSTOMER_REQUIRED = ["sub", "sid", "typ", "iss", "aud", "exp", "iat", "jti"]


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: int


def customer_audience() -> str:
    """The audience of customer-portal tokens (never the staff one)."""
    return f"{get_settings().jwt_audience}:customer"


def _issue(
    claims: dict[str, Any], ttl_s: int, now: datetime, audience: str | None = None
) -> IssuedToken:
    settings = get_settings()
    iat = int(now.timestamp())
    jti = uuid.uuid4().hex
    payload = {
        **claims,
        "iss": settings.jwt_issuer,
        "aud": audience or settings.jwt_audience,
        "iat": iat,
        "exp": iat + ttl_s,
        "jti": jti,
    }
    token = jwt.encode(payload, settings.signing_key(), algorithm=ALGORITHM)
    return IssuedToken(token=token, jti=jti, expires_at=iat + ttl_s)


def issue_access(
    tenant_id: str, user_id: int, roles: list[str], session_id: str, now: datetime | None = None
) -> IssuedToken:
    now = now or clock.now()
    return _issue(
        {
            "sub": str(user_id),
            "tid": tenant_id,
            "roles": list(roles),
            "typ": ACCESS,
            "sid": session_id,
        },
        get_settings().access_token_ttl_s,
        now,
    )


def issue_refresh(
    tenant_id: str, user_id: int, session_id: str, now: datetime | None = None
) -> IssuedToken:
    now = now or clock.now()
    return _issue(
        {"sub": str(user_id), "tid": tenant_id, "typ": REFRESH, "sid": session_id},
        get_settings().refresh_token_ttl_s,
        now,
    )


def issue_mfa_challenge(
    tenant_id: str, user_id: int, ttl_s: int, now: datetime | None = None
) -> IssuedToken:
    """The login's second step: names the user, not a session (no access to anything);
    its ``jti`` is the challenge the server keeps."""
    now = now or clock.now()
    return _issue({"sub": str(user_id), "tid": tenant_id, "typ": MFA_CHALLENGE}, ttl_s, now)


def issue_customer(
    account_id: str, session_id: str, kind: str, ttl_s: int, now: datetime | None = None
) -> IssuedToken:
    """A customer-portal token (``kind``: ``CUSTOMER_ACCESS`` or ``CUSTOMER_REFRESH``) of a
    global portal account: no tenant, the customer audience."""
    if kind not in (CUSTOMER_ACCESS, CUSTOMER_REFRESH):
        raise ValueError(f"not a customer token type: {kind!r}")
    now = now or clock.now()
    claims = {"sub": account_id, "sid": session_id, "typ": kind}
    return _issue(claims, ttl_s, now, audience=customer_audience())


def decode_customer(token: str, expected_type: str) -> dict[str, Any]:
    """Verify a customer-portal token like ``decode`` does a staff one, against the
    customer audience (a staff token is refused: wrong audience)."""
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[ALGORITHM],
            audience=customer_audience(),
            issuer=settings.jwt_issuer,
            options={"require": _CUSTOMER_REQUIRED},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("invalid token") from exc
    if claims.get("typ") != expected_type:
        raise Unauthorized(f"wrong token type: expected a {expected_type} token")
    if not all(isinstance(claims.get(k), str) and claims[k] for k in ("sub", "sid")):
        raise Unauthorized("invalid token")
    return claims


def decode(token: str, expected_type: str) -> dict[str, Any]:
    """Verify signature, algorithm, issuer, audience, expiry and token type.

    Any failure is ``Unauthorized`` with a message that says which check failed, without
    echoing the token.
    """
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("invalid token") from exc
    if claims.get("typ") != expected_type:
        raise Unauthorized(f"wrong token type: expected an {expected_type} token")
    if not isinstance(claims.get("sub"), str) or not claims["sub"].isdigit():
        raise Unauthorized("invalid token")
    return claims
