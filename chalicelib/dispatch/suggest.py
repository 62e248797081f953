"""``GET /admin/dispatch/{id}/suggestions``: the active technicians ranked for a job by
``rules.suggest`` (skills, service zone, distance, that day's load, overlapping bookings).

The job's point is its coordinates, else its ZIP's centroid (``rules.geo``); a
technician's is their last GPS fix (the board's positions), else their home base.
A cancelled or completed job has no suggestions (409).

DynamoDB calls besides the route decorator's read of the caller, whatever the tenant's
number of jobs: one GetItem (the job), one Query of the active technicians (at most
``technicians.MAX_ACTIVE``, 200, by id), one Query of the job's day (gsi1), one Query of
the positions, and, when the job requires skills or is in a zone, one BatchGetItem per
100 keys (the required skills' catalogue entries, the technicians' levels, the zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict
from chalicelib.dispatch import store
from chalicelib.dispatch.jobs import _job
from chalicelib.dispatch.rules import geo, workflow
from chalicelib.dispatch.rules import suggest as rules
from chalicelib.platform.batch import MAX_KEYS, get_many
from chalicelib.platform.table import chunked
from chalicelib.skills import service as skills
from chalicelib.technicians import service as technicians
from chalicelib.zones import service as zones


def _read(refs: Sequence[Any]) -> list[Any]:
    found: list[Any] = []
    for chunk in chunked(list(refs), MAX_KEYS):
        found += get_many(chunk)
    return found


def _booking(job: Any) -> rules.Booking:
    return rules.Booking(
        job_id=int(job.job_id),
        status=job.status,
        start=job.scheduled_start,
        end=job.scheduled_end,
        estimated_minutes=None if job.estimated_minutes is None else int(job.estimated_minutes),
    )


def _point(lat: Any, lng: Any) -> tuple[float, float] | None:
    return None if lat is None or lng is None else (float(lat), float(lng))


def suggestions(principal: Principal, job_id: int) -> dict[str, Any]:
    tid = principal.tenant_id
    job = _job(tid, job_id)
    if job.status in workflow.FINAL:
        raise Conflict(f"dispatch job {job_id} is {job.status}: there is no one to suggest")
    roster = technicians.active(tid)
    by_tech: dict[int, list[rules.Booking]] = {}
    for other in store.on_day(tid, job.scheduled_date):
        if other.technician_id is not None:
            by_tech.setdefault(int(other.technician_id), []).append(_booking(other))
    positions = {int(p.technician_id): p for p in store.positions(tid)}

    required = list(dict.fromkeys(job.required_skills or []))
    tech_ids = [int(t.technician_id) for t in roster]
    levels_lookup = skills.required_levels(tid, tech_ids, required)
    zone_id = None if job.zone_id is None else int(job.zone_id)
    wanted = [*levels_lookup.refs, *([zones.ref(tid, zone_id)] if zone_id is not None else [])]
    got = _read(wanted) if wanted else []
    levels = levels_lookup.levels(got[: len(levels_lookup.refs)])
    zone = zones.summary(got[-1]) if zone_id is not None else None
    serving = set(zone["technician_ids"]) if zone else set()

    point, located = _point(job.latitude, job.longitude), "job"
    if point is None:
        point, located = geo.zip_centroid(job.service_zip), "zip"
    facts = rules.JobFacts(
        booking=_booking(job),
        required=tuple((s, skills.name_key(s)) for s in required if skills.name_key(s)),
        zone_id=zone_id if zone else None,
        point=point,
    )
    candidates = []
    for tech in roster:
        tech_id = int(tech.technician_id)
        fix = positions.get(tech_id)
        position, source = (_point(fix.latitude, fix.longitude), "gps") if fix else (None, None)
        if position is None:
            home = _point(
                getattr(tech, "home_latitude", None), getattr(tech, "home_longitude", None)
            )
            position, source = home, ("home_base" if home else None)
        candidates.append(
            rules.Candidate(
                technician_id=tech_id,
                name=tech.name,
                levels=levels.get(tech_id, {}),
                tags=frozenset(skills.name_key(s) for s in tech.skills or []),
                serves_zone=tech_id in serving,
                position=position,
                position_from=source,
                bookings=tuple(by_tech.get(tech_id, ())),
            )
        )
    ranked = rules.rank(facts, candidates)
    return {
        "job_id": job_id,
        "scheduled_date": job.scheduled_date,
        "zone_id": zone_id,
        "latitude": None if point is None else point[0],
        "longitude": None if point is None else point[1],
        "location_from": None if point is None else located,
        "required_skills": required,
        "weights": dict(rules.WEIGHTS),
        "items": ranked,
        "total": len(ranked),
    }
