"""Key formats of SLA management: the policies, the violations and the due index."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk

SLA_DUE_SHARDS = 4


# --- sla: policies, violations, the sweep's due index -------------------------------------
# The tenant's policies are one item (``GET /admin/sla`` and a job's creation read it
# with one key). A violation's main key is its job and kind, so it is written once (a
# conditional put); gsi1 ``SLAVIOLDUE`` lists the tenant's by deadline and gsi2
# ``SLAVIOLTECH#<tech>`` one technician's (sparse), both ``<due>#<job id>#<kind>`` and
# counted by their rollup scopes (``SlaRollupScopes``; day / month, facet
# ``<kind>|<priority>``).
def sla_policy_key(tenant_id: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "SLA"), "POLICY"


def sla_violation_key(tenant_id: str, job_id: int, kind: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "SLAVIOL"), f"{id_sk(job_id)}#{kind}"


def sla_violations_by_due_pk(tenant_id: str) -> str:
    """gsi1: the tenant's violations, by deadline."""
    return tenant_pk(tenant_id, "SLAVIOLDUE")


def sla_violations_by_technician_pk(tenant_id: str, technician_id: int) -> str:
    """gsi2: one technician's violations, by deadline."""
    return tenant_pk(tenant_id, "SLAVIOLTECH", id_sk(technician_id))


def sla_violation_due_key(tenant_id: str, due: str, job_id: int, kind: str) -> tuple[str, str]:
    """The violation's gsi1 entry."""
    return sla_violations_by_due_pk(tenant_id), f"{due}#{id_sk(job_id)}#{kind}"


def sla_violation_technician_key(
    tenant_id: str, technician_id: int, due: str, job_id: int, kind: str
) -> tuple[str, str]:
    """The violation's gsi2 entry."""
    return (
        sla_violations_by_technician_pk(tenant_id, technician_id),
        f"{due}#{id_sk(job_id)}#{kind}",
    )


# The sweep's due index: one entry per running deadline of every tenant's jobs, in a few
# global partitions (the shard from the tenant and job) sorted by the deadline, so a sweep
# reads only the deadlines that have passed. Written and removed in the job's own
# transactions; it holds no tenant data beyond the ids it points to.
def sla_due_key(tenant_id: str, job_id: int, kind: str, due: str) -> tuple[str, str]:
    shard = sum(f"{tenant_id}#{job_id}".encode()) % SLA_DUE_SHARDS
    return f"SLADUE#{shard}", f"{due}#{tenant_id}#{id_sk(job_id)}#{kind}"


SLA_DUE_PARTITIONS = tuple(f"SLADUE#{n}" for n in range(SLA_DUE_SHARDS))


class SlaRollupScopes:
    """Rollup scopes (``platform.rollups``) of ``GET /admin/sla/violations``: the tenant's
    (gsi1 ``SLAVIOLDUE``) and one technician's (gsi2 ``SLAVIOLTECH#<tech>``). A namespace,
    not module functions: they are not table keys (``rollup_pk`` makes the partition)."""

    VIOLATIONS: tuple[str, ...] = ("SLAVIOLDUE",)

    @staticmethod
    def technician(technician_id: int) -> tuple[str, ...]:
        return ("SLAVIOLTECH", id_sk(technician_id))
