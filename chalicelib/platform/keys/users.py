"""Key formats of users: invitations (global, by the hash of their one-time token) and
password-reset codes (one per user)."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


def invitation_key(token_hash: str) -> tuple[str, str]:
    """Global: an invitation is found by the SHA-256 of its token (the link holds no
    tenant)."""
    return f"INVITE#{token_hash}", "INVITE"


def password_reset_key(tenant_id: str, user_id: int) -> tuple[str, str]:
    """The user's pending reset code (a new request replaces it)."""
    return tenant_pk(tenant_id, "PWRESET"), id_sk(user_id)


def user_invitation_key(tenant_id: str, user_id: int) -> tuple[str, str]:
    """The hash of a pending user's current invitation token: a re-sent invitation
    replaces it, so only the newest link works."""
    return tenant_pk(tenant_id, "INVITEUSER"), id_sk(user_id)
