"""A technician's day as the route optimiser (:mod:`route_order`) sees it: which jobs are
stops, where each one is, its window and time on site, where the day starts and when the
technician leaves.

Pure (the standard library, :mod:`chalicelib.core.errors` types and sibling rules).

- Where a job is: its ``latitude``/``longitude``, else its ZIP's centroid
  (:func:`geo.zip_centroid`); a job with neither is *skipped* (reported, not an error).
- Its window (the times of the arrival): ``scheduled_start`` and ``scheduled_end`` both
  set: arrive between them; only ``scheduled_start``: be there at that time (arriving
  earlier means waiting); only ``scheduled_end``: arrive by then; neither: any time.
- Time on site: ``estimated_minutes``, else :data:`DEFAULT_SERVICE_MINUTES`.
- Where the day starts: the technician's home base, else their last GPS fix, else the
  first stop of the day's current order (``start_of``).
- When they leave: :data:`WORKDAY_START` in the business's timezone on that day, or
  earlier when the earliest appointment needs it (leaving at its time less the drive
  there from the start point; waiting is allowed, so leaving earlier is never later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.dispatch.rules import geo
from chalicelib.dispatch.rules.route_order import (
    DEFAULT_SPEED_KMH,
    RouteResult,
    Stop,
    optimize_route,
)

DEFAULT_SERVICE_MINUTES = 60
WORKDAY_START = time(8, 0)
HOME, GPS, FIRST_STOP = "home", "gps", "first_stop"


@dataclass(frozen=True)
class DayJob:
    """What routing needs of a job (the dispatch job's own fields)."""

    id: int
    latitude: float | None = None
    longitude: float | None = None
    service_zip: str | None = None
    scheduled_start: str | None = None  # ISO 8601 UTC
    scheduled_end: str | None = None
    estimated_minutes: int | None = None


@dataclass(frozen=True)
class DayRoute:
    """The optimiser's answer for a day, with what it was asked: the start point and its
    source (``home``, ``gps`` or ``first_stop``), the departure, and the job ids that had
    no place to go to (``skipped``). ``result`` is ``None`` when no job could be routed."""

    start: geo.Point | None
    start_source: str | None
    departure: datetime | None
    result: RouteResult | None
    skipped: list[int]
    stops: list[Stop]


def point_of(job: DayJob) -> geo.Point | None:
    """The job's coordinates, else its ZIP's centroid, else ``None``."""
    if job.latitude is not None and job.longitude is not None:
        return float(job.latitude), float(job.longitude)
    return geo.zip_centroid(job.service_zip)


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def window_of(job: DayJob) -> tuple[datetime | None, datetime | None]:
    """``(window_start, window_end)`` of the arrival (see the module docstring)."""
    start, end = _instant(job.scheduled_start), _instant(job.scheduled_end)
    if start is not None and end is None:
        return start, start
    return start, end


def stop_of(job: DayJob) -> Stop | None:
    """The job as a stop, or ``None`` when it has no coordinates and no known ZIP."""
    point = point_of(job)
    if point is None:
        return None
    window_start, window_end = window_of(job)
    minutes = job.estimated_minutes
    return Stop(
        id=job.id,
        lat=point[0],
        lng=point[1],
        window_start=window_start,
        window_end=window_end,
        service_minutes=float(minutes) if minutes else float(DEFAULT_SERVICE_MINUTES),
    )


def start_of(
    home: geo.Point | None, last_fix: geo.Point | None, stops: Sequence[Stop]
) -> tuple[geo.Point | None, str | None]:
    """Where the day starts and why: home base, else the last GPS fix, else the first
    stop (``(None, None)`` without stops)."""
    if home is not None:
        return home, HOME
    if last_fix is not None:
        return last_fix, GPS
    if stops:
        return (stops[0].lat, stops[0].lng), FIRST_STOP
    return None, None


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def departure(
    day: date,
    timezone: str | None,
    start: geo.Point,
    stops: Sequence[Stop],
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> datetime:
    """:data:`WORKDAY_START` local on ``day``, or earlier for the earliest appointment."""
    leave = datetime.combine(day, WORKDAY_START, tzinfo=_zone(timezone)).astimezone(UTC)
    for stop in stops:
        due = stop.window_start or stop.window_end
        if due is None:
            continue
        assert isinstance(due, datetime)
        drive = geo.distance_km(start, (stop.lat, stop.lng)) / speed_kmh * 60.0
        leave = min(leave, due - timedelta(minutes=drive))
    return leave


def plan_day(
    day: date,
    timezone: str | None,
    jobs: Sequence[DayJob],
    *,
    home: geo.Point | None = None,
    last_fix: geo.Point | None = None,
) -> DayRoute:
    """Order ``jobs`` (given in the day's current order) for the technician."""
    stops: list[Stop] = []
    skipped: list[int] = []
    for job in jobs:
        stop = stop_of(job)
        if stop is None:
            skipped.append(job.id)
        else:
            stops.append(stop)
    start, source = start_of(home, last_fix, stops)
    if start is None:
        return DayRoute(None, None, None, None, skipped, stops)
    leave = departure(day, timezone, start, stops)
    result = optimize_route(start, stops, start_time=leave)
    return DayRoute(start, source, leave, result, skipped, stops)
