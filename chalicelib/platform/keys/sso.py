"""Key formats of sso: the global identity pointers and each user's linked identities."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- sso: provider identities -> users ----------------------------------------------------
def sso_identity_key(provider: str, subject: str) -> tuple[str, str]:
    """Global: one provider identity (``sub``) -> the tenant and user it signs in, so an
    SSO login needs no ``X-Tenant-Id`` and an identity maps to one user."""
    return f"SSO#{provider}#{subject}", "SSO"


def sso_links_pk(tenant_id: str, user_id: int) -> str:
    """The identities one user linked (sort key: the provider; at most one each)."""
    return tenant_pk(tenant_id, "SSOLINK", id_sk(user_id))


def sso_link_key(tenant_id: str, user_id: int, provider: str) -> tuple[str, str]:
    return sso_links_pk(tenant_id, user_id), provider
