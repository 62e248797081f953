"""Key formats of accounts: tenants, users, sessions, and their global lookups."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- accounts: tenants, users, sessions -----------------------------------------------
def tenant_key(tenant_id: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "TENANT"), "META"


def business_code_key(code: str) -> tuple[str, str]:
    return f"BCODE#{code}", "BCODE"


def user_key(tenant_id: str, user_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "USER"), id_sk(user_id)


def users_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "USER")


def username_key(tenant_id: str, username: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "USERNAME"), username


def email_key(email: str) -> tuple[str, str]:
    """Global: one staff account per e-mail address."""
    return f"EMAIL#{email}", "EMAIL"


def owner_username_key(username: str) -> tuple[str, str]:
    """Global: usernames chosen at self-service registration are unique across tenants."""
    return f"OWNERNAME#{username}", "OWNERNAME"


def session_key(tenant_id: str, session_id: str) -> tuple[str, str]:
    """A refresh-token family (one login session)."""
    return tenant_pk(tenant_id, "SESSION"), session_id


# Staff users (not technicians' logins) in id order: the users' ``gsi1`` (sparse), counted
# by the rollup scope ``STAFF_USERS_ROLLUP_SCOPE`` (facet: ``<active 1|0>|<roles,sorted>``).
STAFF_USERS_ROLLUP_SCOPE = ("STAFFUSER",)


def staff_users_pk(tenant_id: str) -> str:
    """``gsi1pk`` of a staff user (``gsi1sk`` is ``id_sk(user_id)``)."""
    return tenant_pk(tenant_id, "STAFFUSER")


def invited_email_key(tenant_id: str, email: str) -> tuple[str, str]:
    """An e-mail invited in this tenant (the global ``email_key`` is taken when the
    invitation is accepted)."""
    return tenant_pk(tenant_id, "USEREMAIL"), email


def user_sessions_pk(tenant_id: str, user_id: int) -> str:
    """``gsi1pk`` of a live session (``gsi1sk`` its time-ordered id); a revoked session
    leaves the index."""
    return tenant_pk(tenant_id, "USERSESSION", id_sk(user_id))
