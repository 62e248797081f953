"""The scheduled SLA sweep (``app.py``: every 5 minutes; ``make tick`` fires it locally):
record the deadlines that passed while nothing moved their job.

It reads only what is due: each shard of the due index (``keys.SLA_DUE_PARTITIONS``) is one
Query of the entries whose deadline is before now, earliest first, at most ``PER_SHARD``
a run (the rest wait for the next run). Per due job: one consistent GetItem and one
TransactWriteItems (``dispatch.service.check_sla``: the violation, its counts, the job's
flag and the due entries, together). It never reads the whole table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.platform import keys
from chalicelib.sla import rules, store

PER_SHARD = 250
BUDGET_S = 20.0  # inside the function's 30 s timeout (.chalice/config.json)


def sweep(now: datetime | None = None) -> dict[str, Any]:
    """Record every missed deadline found; ``{"checked", "recorded", "stale"}`` (jobs
    looked at, jobs with a violation recorded, index entries dropped because their job no
    longer runs that deadline)."""
    from chalicelib.dispatch import service as dispatch  # dispatch imports sla.service

    now = now or clock.now()
    before = rules.iso(now)
    deadline = clock.monotonic() + BUDGET_S
    done: dict[tuple[str, int], bool] = {}
    stale = 0
    for partition in keys.SLA_DUE_PARTITIONS:
        if clock.monotonic() > deadline:
            break  # the next run goes on
        for entry in store.due_before(partition, before, PER_SHARD):
            job = (entry.tenant_id, int(entry.job_id))
            if job not in done:
                done[job] = dispatch.check_sla(*job, now)
            if not done[job] and store.forget(entry):
                stale += 1
            if clock.monotonic() > deadline:
                break
    return {"checked": len(done), "recorded": sum(done.values()), "stale": stale}
