"""Smart dispatch, pure: how well each technician fits a job, as a score from 0 to 100 and
the parts it is made of (SPEC.md "Dispatch": required skills, service zone, distance from
the last GPS fix, that day's load, overlapping bookings).

The weights (``WEIGHTS``, points out of 100), each part rounded half up to whole points and
the score their sum:

- ``skills`` 35: each of the job's required skills is an equal share; a skill the
  technician has earns 60 % of its share at level 1 up to 100 % at level 5
  (``(5 + level) / 10``); one only listed on their roster record (``skills``, no level) counts
  as level 1; a missing one earns nothing. A job that requires none gives everyone 35.
- ``zone`` 20: the technician serves the job's service zone (is in its
  ``technician_ids``); 0 when they do not; a job in no zone gives everyone 20.
- ``distance`` 20: straight-line (great-circle) km from the technician's last GPS fix, else
  their home base, to the job: ``20 * (1 - km / 80)``, 0 from 80 km on; 5 when either end
  is unknown.
- ``load`` 10: the minutes already booked on the job's day (every other job of theirs
  that day but cancelled ones; a job's minutes are its scheduled window, else its
  ``estimated_minutes``, else 60): ``10 * (1 - minutes / 480)``, 0 from a full 8-hour day.
- ``overlap`` 15: none of their open jobs (not cancelled or completed) has a scheduled
  window that overlaps the job's (a window with a start and no end lasts the job's
  ``estimated_minutes``, else 60); 0 otherwise. A job without a scheduled start overlaps
  nothing.

Ranking: highest score first, ties by technician id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.dispatch.rules import geo

WEIGHTS = {"skills": 35, "zone": 20, "distance": 20, "load": 10, "overlap": 15}
FAR_KM = 80.0
UNKNOWN_DISTANCE_POINTS = 5
FULL_DAY_MINUTES = 480
DEFAULT_JOB_MINUTES = 60
TAG_LEVEL = 1  # a roster skill without a level
CANCELLED, COMPLETED = "cancelled", "completed"

Point = tuple[float, float]


def _half_up(value: float) -> int:
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Booking:
    """A job on a technician's day (or the job being dispatched)."""

    job_id: int
    status: str = "pending"
    start: str | None = None  # ISO 8601 UTC
    end: str | None = None
    estimated_minutes: int | None = None

    def minutes(self) -> int:
        start, end = _moment(self.start), _moment(self.end)
        if start is not None and end is not None and end > start:
            return int((end - start).total_seconds() // 60)
        return int(self.estimated_minutes or DEFAULT_JOB_MINUTES)

    def window(self) -> tuple[datetime, datetime] | None:
        start = _moment(self.start)
        if start is None:
            return None
        end = _moment(self.end)
        if end is None or end <= start:
            end = start + timedelta(minutes=int(self.estimated_minutes or DEFAULT_JOB_MINUTES))
        return start, end


def overlaps(a: Booking, b: Booking) -> bool:
    wa, wb = a.window(), b.window()
    return wa is not None and wb is not None and wa[0] < wb[1] and wb[0] < wa[1]


@dataclass(frozen=True)
class JobFacts:
    """The job being dispatched: its booking, required skills (``(as given, key)``), zone
    and point."""

    booking: Booking
    required: tuple[tuple[str, str], ...] = ()
    zone_id: int | None = None
    point: Point | None = None


@dataclass(frozen=True)
class Candidate:
    """A technician as the scoring sees them."""

    technician_id: int
    name: str
    levels: Mapping[str, int] = field(default_factory=dict)  # skill key -> 1..5
    tags: frozenset[str] = frozenset()  # roster skill keys (no level)
    serves_zone: bool = False
    position: Point | None = None
    position_from: str | None = None  # "gps" | "home_base"
    bookings: tuple[Booking, ...] = ()  # their jobs of the job's day


def _skills(job: JobFacts, tech: Candidate) -> tuple[int, list[dict[str, Any]], list[str]]:
    matched: list[dict[str, Any]] = []
    missing: list[str] = []
    share = 0.0
    for shown, key in job.required:
        level = tech.levels.get(key)
        if level is None and key in tech.tags:
            matched.append({"name": shown, "level": None})
            share += (5 + TAG_LEVEL) / 10
        elif level is not None:
            matched.append({"name": shown, "level": level})
            share += (5 + level) / 10
        else:
            missing.append(shown)
    if not job.required:
        return WEIGHTS["skills"], matched, missing
    return _half_up(WEIGHTS["skills"] * share / len(job.required)), matched, missing


def score(job: JobFacts, tech: Candidate) -> dict[str, Any]:
    """One technician's suggestion: the score and its parts."""
    skill_points, matched, missing = _skills(job, tech)
    serves = None if job.zone_id is None else tech.serves_zone
    zone_points = WEIGHTS["zone"] if serves is not False else 0
    km = None
    if job.point is not None and tech.position is not None:
        km = geo.distance_km(job.point, tech.position)
    distance_points = (
        UNKNOWN_DISTANCE_POINTS
        if km is None
        else _half_up(WEIGHTS["distance"] * max(0.0, 1 - km / FAR_KM))
    )
    others = [b for b in tech.bookings if b.job_id != job.booking.job_id]
    day = [b for b in others if b.status != CANCELLED]
    minutes = sum(b.minutes() for b in day)
    load_points = _half_up(WEIGHTS["load"] * max(0.0, 1 - minutes / FULL_DAY_MINUTES))
    clashes = sorted(
        b.job_id
        for b in others
        if b.status not in (CANCELLED, COMPLETED) and overlaps(job.booking, b)
    )
    overlap_points = 0 if clashes else WEIGHTS["overlap"]
    points = {
        "skills": skill_points,
        "zone": zone_points,
        "distance": distance_points,
        "load": load_points,
        "overlap": overlap_points,
    }
    return {
        "technician_id": tech.technician_id,
        "name": tech.name,
        "score": max(0, min(100, sum(points.values()))),
        "matched_skills": matched,
        "missing_skills": missing,
        "serves_zone": serves,
        "distance_km": None if km is None else round(km, 1),
        "distance_from": None if km is None else tech.position_from,
        "jobs_that_day": len(day),
        "scheduled_minutes": minutes,
        "overlapping_job_ids": clashes,
        "points": points,
    }


def rank(job: JobFacts, candidates: Iterable[Candidate]) -> list[dict[str, Any]]:
    """Every candidate's suggestion, highest score first, ties by technician id."""
    return sorted(
        (score(job, tech) for tech in candidates),
        key=lambda s: (-s["score"], s["technician_id"]),
    )
