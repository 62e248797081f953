"""Key formats of platform items: counters, rate limits, events, the outbox index,
rollups, idempotency."""

from __future__ import annotations

from chalicelib.platform.keys.base import OUTBOX_SHARDS, tenant_pk


# --- platform: counters, rate limits, events, idempotency -----------------------------
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


def rollup_pk(tenant_id: str, scope: tuple[str, ...]) -> str:
    """Partition of one list scope's counts (``("SALES",)``, ``("SALES", "TECH", <id>)``):
    item ``ROLLUP_ALL`` counts per coarse bucket, ``rollup_coarse_sk(c)`` per fine bucket
    of coarse bucket ``c`` (``platform.rollups``)."""
    return tenant_pk(tenant_id, "ROLLUP", *scope)


ROLLUP_ALL = "ALL"


def rollup_coarse_sk(coarse: str) -> str:
    return f"C#{coarse}"


def idempotency_pk(tenant_id: str) -> str:
    """Static partition of a tenant's Powertools idempotency records (sort key: the
    Powertools ``<prefix>#<hash of the Idempotency-Key header>``)."""
    return tenant_pk(tenant_id, "IDEMPOTENCY")
