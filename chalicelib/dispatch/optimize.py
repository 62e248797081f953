"""``POST /admin/dispatch/optimize-routes`` (SPEC.md "Dispatch", route optimization): per
technician, the order of the day's open jobs that shortens their travel from their start
point while honouring each job's scheduled window (``rules.route_day`` builds the day,
``rules.route_order`` orders it: exact for small days, a heuristic beyond), with the
distance before (the day's current order: its saved ``route_position``, else by scheduled
start) and after; with ``apply`` the new order is saved on the jobs (``route_position``
1, 2...; the board sorts each technician's column by it).

Which jobs: those of the day (its ``scheduled_date``) that have a technician and are not
completed or cancelled; only ``technician_ids``' when given (each must be the tenant's:
422 otherwise; one without jobs gets an empty route). A job with neither coordinates nor
a known ZIP is reported in ``skipped_job_ids`` (and loses a saved position on apply).

DynamoDB calls besides the route decorator's read of the caller's account: one Query of
the day's jobs (gsi1, at most 2,000), one ``BatchGetItem`` of the tenant (its timezone)
and the technicians concerned (another per 99 technicians), one Query of the technicians'
positions only when a technician with stops has no home base; with ``apply``, one
``TransactWriteItems`` per technician whose saved order changes: every open job of that
technician's day is updated or checked as unchanged since it was read (``updated_at``),
plus a ``route.optimized`` event for the board's stream. A technician whose jobs changed
meanwhile is re-read and re-optimised (``tx.retries``), 409 when that keeps failing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, invalid
from chalicelib.dispatch import store
from chalicelib.dispatch.jobs import stream_event
from chalicelib.dispatch.rules import route_day, workflow
from chalicelib.dispatch.store import JobItem
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.settings import service as settings
from chalicelib.technicians import service as technicians

BATCH_KEYS = 99  # technicians per BatchGetItem beside the tenant (100 keys at most)
TX_ITEMS = 99  # jobs per TransactWriteItems beside the stream event (100 items at most)
ROUTE_EVENT = "route.optimized"


def optimize_routes(
    principal: Principal, day: date, technician_ids: list[int] | None, apply: bool
) -> dict[str, Any]:
    """Each technician's route of ``day`` (and with ``apply`` the order saved)."""
    tid, when = principal.tenant_id, day.isoformat()
    wanted = list(dict.fromkeys(technician_ids)) if technician_ids is not None else None
    people: tuple[str | None, dict[int, Any]] | None = None
    fixes: dict[int, tuple[float, float]] | None = None
    routes: dict[int, dict[str, Any]] = {}
    todo: list[int] | None = None
    for _ in retries():
        by_tech = _open_jobs_by_technician(store.on_day(tid, when), wanted)
        if people is None:
            people = _people(tid, wanted, sorted(by_tech))
            todo = list(wanted) if wanted is not None else sorted(by_tech)
        timezone, roster = people
        assert todo is not None
        if fixes is None and any(by_tech.get(t) and _home(roster.get(t)) is None for t in todo):
            fixes = _last_fixes(tid)
        failed = []
        for tech_id in todo:
            jobs = by_tech.get(tech_id, [])
            tech = roster.get(tech_id)
            plan = route_day.plan_day(
                day,
                timezone,
                [_day_job(j) for j in jobs],
                home=_home(tech),
                last_fix=(fixes or {}).get(tech_id),
            )
            name = tech.name if tech is not None else (jobs[0].technician_name or "")
            if apply:
                try:
                    _save(tid, tech_id, when, plan, jobs)
                except (ConditionFailed, Contention):
                    failed.append(tech_id)
                    continue
            routes[tech_id] = _route_view(tech_id, name, plan, apply)
        if not failed:
            break
        todo = failed
    else:
        raise Conflict("the day's jobs are being changed by other requests; retry")
    order = list(wanted) if wanted is not None else sorted(routes)
    return {"date": when, "applied": apply, "routes": [routes[t] for t in order]}


# --- reads -------------------------------------------------------------------------------
def _open_jobs_by_technician(
    jobs: list[JobItem], wanted: list[int] | None
) -> dict[int, list[JobItem]]:
    """The assigned, open jobs by technician, each technician's in the day's current order
    (saved route position, then scheduled start, then id)."""
    keep = None if wanted is None else set(wanted)
    by_tech: dict[int, list[JobItem]] = {}
    for job in jobs:
        if job.technician_id is None or job.status in workflow.FINAL:
            continue
        tech_id = int(job.technician_id)
        if keep is None or tech_id in keep:
            by_tech.setdefault(tech_id, []).append(job)
    for own in by_tech.values():
        own.sort(key=_current_order)
    return by_tech


def _current_order(job: JobItem) -> tuple[int, str, int]:
    position = job.route_position
    return (
        int(position) if position is not None else 1 << 30,
        job.scheduled_start or "~",
        int(job.job_id),
    )


def _people(
    tid: str, wanted: list[int] | None, with_jobs: list[int]
) -> tuple[str | None, dict[int, Any]]:
    """The tenant's timezone and the technicians concerned by id (one ``BatchGetItem``
    per 99, the tenant in the first); a wanted technician that is not the tenant's is
    422."""
    ids = wanted if wanted is not None else with_jobs
    tenant = None
    roster: dict[int, Any] = {}
    for start in range(0, len(ids), BATCH_KEYS):  # nobody concerned: nothing to read
        chunk = ids[start : start + BATCH_KEYS]
        refs = [technicians.ref(tid, t) for t in chunk]
        if start == 0:
            refs.insert(0, accounts.tenant_ref(tid))
        got = get_many(refs)
        if start == 0:
            tenant, got = got[0], got[1:]
        for tech_id, tech in zip(chunk, got, strict=True):
            if tech is not None and tech.tenant_id == tid:
                roster[tech_id] = tech
    if wanted is not None:
        for i, tech_id in enumerate(wanted):
            if tech_id not in roster:
                raise invalid(f"technician_ids.{i}", f"technician {tech_id} does not exist")
    timezone = settings.effective(tenant).get("timezone") if tenant is not None else None
    return timezone, roster


def _home(tech: Any) -> tuple[float, float] | None:
    """The technician's home base, when their record has one."""
    lat = getattr(tech, "home_latitude", None)
    lng = getattr(tech, "home_longitude", None)
    if lat is None or lng is None:
        return None
    return float(lat), float(lng)


def _last_fixes(tid: str) -> dict[int, tuple[float, float]]:
    return {
        int(p.technician_id): (float(p.latitude), float(p.longitude)) for p in store.positions(tid)
    }


def _day_job(job: JobItem) -> route_day.DayJob:
    return route_day.DayJob(
        id=int(job.job_id),
        latitude=None if job.latitude is None else float(job.latitude),
        longitude=None if job.longitude is None else float(job.longitude),
        service_zip=job.service_zip,
        scheduled_start=job.scheduled_start,
        scheduled_end=job.scheduled_end,
        estimated_minutes=None if job.estimated_minutes is None else int(job.estimated_minutes),
    )


# --- apply -------------------------------------------------------------------------------
def _save(tid: str, tech_id: int, day: str, plan: route_day.DayRoute, jobs: list[JobItem]) -> None:
    """Save the new order on the technician's jobs: changed positions written, the rest
    checked unchanged, in one transaction (one per 99 jobs on a larger day)."""
    order = plan.result.order if plan.result is not None else []
    target = {job_id: i + 1 for i, job_id in enumerate(order)}
    now = clock.now()
    at = clock.iso_utc(now)
    changed, same = [], []
    for job in jobs:
        current = None if job.route_position is None else int(job.route_position)
        wanted = target.get(int(job.job_id))
        if wanted == current:
            same.append(job)
        else:
            changed.append((job, {"route_position": wanted, "updated_at": at}))
    if not changed:
        return
    event = stream_event(
        tid, ROUTE_EVENT, {"technician_id": tech_id, "date": day, "order": order}, now
    )
    writes: list[tuple[JobItem, dict[str, Any]] | JobItem] = [*changed, *same]
    for start in range(0, len(writes), TX_ITEMS):
        chunk = writes[start : start + TX_ITEMS]
        last = start + TX_ITEMS >= len(writes)
        store.change_many(
            [w for w in chunk if isinstance(w, tuple)],
            [event] if last else [],
            [w for w in chunk if not isinstance(w, tuple)],
        )


# --- the answer --------------------------------------------------------------------------
def _iso(moment: Any) -> str | None:
    return clock.iso_utc(moment, "seconds") if isinstance(moment, datetime) else None


def _route_view(tech_id: int, name: str, plan: route_day.DayRoute, applied: bool) -> dict[str, Any]:
    result = plan.result
    stops = {s.id: s for s in plan.stops}
    late = set(result.late_ids) if result is not None else set()
    order = [int(j) for j in result.order] if result is not None else []
    arrivals = result.arrivals if result is not None else []
    return {
        "technician_id": tech_id,
        "name": name,
        "start": (
            None
            if plan.start is None
            else {"lat": plan.start[0], "lng": plan.start[1], "source": plan.start_source}
        ),
        "departure": _iso(plan.departure),
        "distance_before_km": round(result.distance_before_km, 3) if result else 0.0,
        "distance_after_km": round(result.distance_after_km, 3) if result else 0.0,
        "order": order,
        "stops": [
            {
                "job_id": job_id,
                "position": i + 1,
                "estimated_arrival": _iso(arrival),
                "window_start": _iso(stops[job_id].window_start),
                "window_end": _iso(stops[job_id].window_end),
                "late": job_id in late,
            }
            for i, (job_id, arrival) in enumerate(zip(order, arrivals, strict=True))
        ],
        "changed": bool(result and result.changed),
        "feasible": result.feasible if result is not None else True,
        "late_job_ids": [int(j) for j in result.late_ids] if result else [],
        "method": result.method if result is not None else "none",
        "skipped_job_ids": plan.skipped,
        "applied": applied,
    }
