"""Key formats of mfa: a user's second factors and the login challenges."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- mfa: enrolment (TOTP secret, backup codes) and login challenges ----------------------
def mfa_key(tenant_id: str, user_id: int) -> tuple[str, str]:
    """A user's enrolment: the TOTP secret (encrypted), the last accepted time step and
    the hashed backup codes."""
    return tenant_pk(tenant_id, "MFA"), id_sk(user_id)


def mfa_challenge_key(tenant_id: str, challenge_id: str) -> tuple[str, str]:
    """One login's second step (the challenge token's ``jti``; TTL 5 minutes)."""
    return tenant_pk(tenant_id, "MFACHAL"), challenge_id
