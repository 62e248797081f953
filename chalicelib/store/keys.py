"""Every key format of the single table, and nothing else.

Tenant data keys start with ``T#<tenant_uuid>#`` and are split into one partition per
entity type (``T#<tid>#USER``), so a busy tenant does not make one hot partition.
Global lookup items (business codes, e-mail ownership, rate-limit windows) have their own
prefixes and hold no tenant data beyond the id they point to.
"""
from __future__ import annotations

ID_WIDTH = 10
OUTBOX_SHARDS = 4


def tenant_pk(tenant_id: str, entity: str) -> str:
    """Partition key of one entity type of one tenant."""
    return f"T#{tenant_id}#{entity}"


def id_sk(numeric_id: int) -> str:
    """Zero-padded so that sort order equals numeric order."""
    return f"{numeric_id:0{ID_WIDTH}d}"


# --- tenants -------------------------------------------------------------------------
def tenant_key(tenant_id: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "TENANT"), "META"


def business_code_key(code: str) -> tuple[str, str]:
    return f"BCODE#{code}", "BCODE"


# --- users ---------------------------------------------------------------------------
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


# --- counters, rate limits, events -----------------------------------------------------
def counter_key(tenant_id: str, entity: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "COUNTER"), entity


def rate_window_key(scope: str, subject: str, window_start: int) -> tuple[str, str]:
    return f"RL#{scope}#{subject}", str(window_start)


def event_key(tenant_id: str, created_at: str, event_id: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "EVENT"), f"{created_at}#{event_id}"


def events_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "EVENT")


def outbox_index_key(tenant_id: str, created_at: str, event_id: str) -> tuple[str, str]:
    """Sparse GSI1 entry kept until the event has been handed to delivery."""
    shard = sum(event_id.encode()) % OUTBOX_SHARDS
    return f"OUTBOX#{shard}", f"{created_at}#{tenant_id}#{event_id}"


def outbox_shards() -> list[str]:
    return [f"OUTBOX#{n}" for n in range(OUTBOX_SHARDS)]
