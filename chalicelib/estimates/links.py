"""The customer's signed link to an estimate: a JWT (HS256) naming the tenant and the
estimate, expiring at the end of the estimate's ``valid_until`` day (UTC).

It can never pass for an access token or any other token of the API: it is signed with
a key of its own, derived (HMAC-SHA256) from the app's signing key, and carries its own
audience and ``typ`` (``core.tokens.decode`` checks the audience, the issuer and
``sub``, none of which it has). A tampered, foreign or expired link is 401; one that
names no estimate of the tenant 404.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, time
from typing import Any

import jwt

from chalicelib.core import clock
from chalicelib.core.errors import Unauthorized
from chalicelib.core.settings import get_settings

ALGORITHM = "HS256"
AUDIENCE = "tradekitt:estimate-link"
TYPE = "estimate_link"
_CONTEXT = b"tradekitt estimate link v1"
_REQUIRED = ["tid", "eid", "typ", "aud", "exp", "iat"]


def _key() -> bytes:
    secret = get_settings().signing_key().encode()
    return hmac.new(secret, _CONTEXT, hashlib.sha256).digest()


def issue(tenant_id: str, estimate_id: int, expires_on: date) -> str:
    """A link token for the estimate, valid until ``expires_on`` 00:00 UTC."""
    exp = int(datetime.combine(expires_on, time(0, 0), tzinfo=UTC).timestamp())
    payload = {
        "tid": tenant_id,
        "eid": int(estimate_id),
        "typ": TYPE,
        "aud": AUDIENCE,
        "iat": int(clock.now().timestamp()),
        "exp": exp,
    }
    return jwt.encode(payload, _key(), algorithm=ALGORITHM)


def verify(token: str) -> tuple[str, int]:
    """The (tenant, estimate id) a link names; 401 when it is tampered, foreign or
    expired."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _key(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": _REQUIRED},
            leeway=0,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("this estimate link has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("invalid estimate link") from exc
    tid, eid = claims.get("tid"), claims.get("eid")
    if claims.get("typ") != TYPE or not isinstance(tid, str) or not isinstance(eid, int):
        raise Unauthorized("invalid estimate link")
    if isinstance(eid, bool) or eid < 1:
        raise Unauthorized("invalid estimate link")
    return tid, eid


def url(token: str) -> str:
    """The link the customer opens: the public route that shows the estimate (a client
    page may read it and offer accept / decline)."""
    return f"{get_settings().api_url.rstrip('/')}/api/v1/public/estimates/{token}"
