"""The caller's identity, read from ``Authorization: Bearer <access>`` and checked against
``X-Tenant-Id``. The tenant of every read and write comes from here, never from a body.

Customer-portal callers are a ``CustomerPrincipal`` (``authenticate_customer``): a global
portal account, no tenant, no roles; only routes registered with ``audience="customer"``
accept their tokens, and those routes accept no staff token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import roles as role_rules
from chalicelib.core import tokens
from chalicelib.core.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    user_id: int
    roles: tuple[str, ...]
    session_id: str
    claims: Mapping[str, Any]
    # the caller's stored account, loaded (and checked active) by the route decorator
    account: Any = field(default=None, compare=False, repr=False)

    def can(self, permission: str) -> bool:
        return role_rules.can(self.roles, permission)

    @property
    def is_admin(self) -> bool:
        return role_rules.is_admin(self.roles)


@dataclass(frozen=True)
class CustomerPrincipal:
    """A customer-portal account (global, by e-mail), signed in with a customer token."""

    account_id: str
    session_id: str
    claims: Mapping[str, Any]
    # the caller's stored portal account, loaded by the route decorator
    account: Any = field(default=None, compare=False, repr=False)


def bearer_token(headers: Mapping[str, str]) -> str:
    value = headers.get("authorization")
    if not value:
        raise Unauthorized("missing Authorization header")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <access_token>'")
    return token.strip()


def authenticate(headers: Mapping[str, str]) -> Principal:
    """Verify the access token and that ``X-Tenant-Id`` (when sent) names its tenant."""
    claims = tokens.decode(bearer_token(headers), tokens.ACCESS)
    tenant_header = headers.get("x-tenant-id")
    if tenant_header is not None and tenant_header.strip() != claims["tid"]:
        raise Forbidden("X-Tenant-Id does not match the token's tenant")
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise Unauthorized("invalid token")
    return Principal(
        tenant_id=claims["tid"],
        user_id=int(claims["sub"]),
        roles=tuple(roles),
        session_id=str(claims.get("sid", "")),
        claims=claims,
    )


def authenticate_customer(headers: Mapping[str, str]) -> CustomerPrincipal:
    """Verify a customer-portal access token (a staff token is 401: wrong audience)."""
    claims = tokens.decode_customer(bearer_token(headers), tokens.CUSTOMER_ACCESS)
    return CustomerPrincipal(account_id=claims["sub"], session_id=claims["sid"], claims=claims)


def require(principal: Principal, permission: str) -> None:
    if not principal.can(permission):
        raise Forbidden("your role does not allow this action")
