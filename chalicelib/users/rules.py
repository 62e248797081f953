"""Pure rules of staff users: which roles an invitation may give, one-time tokens and
codes, and how long they live."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from chalicelib.core import roles
from chalicelib.core.errors import invalid

INVITATION_TTL = timedelta(days=7)
RESET_CODE_TTL = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5  # wrong codes that void a reset
CODE_DIGITS = 6
# Technicians' logins are made with their roster record (/admin/technicians).
STAFF_ROLES = (roles.ADMIN, roles.MANAGER, roles.DISPATCHER)


def staff_roles(requested: list[str]) -> list[str]:
    """Known staff roles, deduplicated in order; 422 naming ``roles`` otherwise."""
    seen: list[str] = []
    for role in requested:
        if role not in STAFF_ROLES:
            raise invalid(
                "roles", f"unknown staff role {role!r}; expected one of {', '.join(STAFF_ROLES)}"
            )
        if role not in seen:
            seen.append(role)
    if not seen:
        raise invalid("roles", "at least one role is required")
    return seen


def new_token() -> str:
    """An invitation's one-time token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    """A password-reset code: six digits."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(key: str, tenant_id: str, user_id: int, code: str) -> str:
    """What is stored of a reset code: an HMAC-SHA256 under the signing key, bound to the
    user (a stolen table does not give the six digits away by brute force)."""
    message = f"pwreset|{tenant_id}|{user_id}|{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def status(active: bool, pending: bool) -> str:
    """``pending`` (invited, not accepted), ``active`` or ``inactive``."""
    if not active:
        return "inactive"
    return "pending" if pending else "active"


def invitation_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/accept-invitation?token={token}"
