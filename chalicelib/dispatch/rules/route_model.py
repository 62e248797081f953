"""The input model of :mod:`route_order`: stops, the result, validation and the clock.

Pure (the standard library, :mod:`chalicelib.core.errors` and the sibling ``geo``).
:class:`Problem` checks the input and holds the km/minute matrices every solver shares;
:func:`better` is the lexicographic goal (lateness, then km).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.core.errors import InvalidInput
from chalicelib.dispatch.rules import geo

DEFAULT_SPEED_KMH = 40.0
EXACT_LIMIT = 10
MAX_EXACT_LIMIT = 12  # past it Held-Karp's 2^n states cost more than a request may spend
LABEL_BUDGET = 300_000  # exact: labels a call may make (windows can multiply them) before
# it gives the day to the heuristic instead
DIST_EPS = 1e-6  # km: an order must beat another by more than this (1 mm) to replace it
LATE_EPS = 1e-6  # minutes
TIME_EPS = 1e-9  # minutes: arriving this close after a window's end is still on time
PERTURB_ROUNDS = 8  # heuristic: perturbation rounds per run (seeded: deterministic)
# heuristic: the most move evaluations (each costs a step per stop it re-times) one call
# may spend, so a day that cannot meet its windows stays well under a second; counted,
# not timed, so the same day always gives the same answer
WORK_BUDGET = 1_500_000

Time = float | int | datetime


@dataclass(frozen=True)
class Stop:
    """One job to visit. ``window_start``/``window_end`` are optional (either alone is
    allowed); ``service_minutes`` is the time spent on site."""

    id: Hashable
    lat: float
    lng: float
    window_start: Time | None = None
    window_end: Time | None = None
    service_minutes: float = 0.0


@dataclass(frozen=True)
class RouteResult:
    """``order``: the stop ids in the new order. ``distance_before_km`` is the given
    order's travel, ``distance_after_km`` the new order's (never more when the given
    order is feasible). ``feasible_before``/``feasible``: whether the given/new order meets
    every window; ``late_ids``: the new order's late stops. ``arrivals``: per stop of
    ``order``, its arrival (a datetime or minutes, like the input; ``None`` without a
    start time until the first windowed stop fixes the clock). ``method``: ``"exact"``,
    ``"heuristic"`` or ``"given"`` (the given order was kept: nothing was better)."""

    order: list[Hashable]
    given_order: list[Hashable]
    distance_before_km: float
    distance_after_km: float
    feasible_before: bool
    feasible: bool
    late_ids: list[Hashable]
    lateness_minutes: float
    arrivals: list[Time | None]
    method: str

    @property
    def saved_km(self) -> float:
        return self.distance_before_km - self.distance_after_km

    @property
    def changed(self) -> bool:
        return self.order != self.given_order


class Problem:
    """Stops as indices 0..n-1, the start as index n; matrices of km and minutes."""

    def __init__(
        self,
        start: geo.Point,
        stops: Sequence[Stop],
        start_time: Time | None,
        speed_kmh: float,
        return_to_start: bool,
    ) -> None:
        if not isinstance(speed_kmh, int | float) or isinstance(speed_kmh, bool):
            raise InvalidInput("speed must be a number", field="speed_kmh")
        if not (math.isfinite(speed_kmh) and speed_kmh > 0):
            raise InvalidInput("speed must be more than 0", field="speed_kmh")
        start = geo.check_point(start[0], start[1], lat_field="start.lat", lng_field="start.lng")
        seen: set[Hashable] = set()
        points = []
        for i, stop in enumerate(stops):
            if stop.id in seen:
                raise InvalidInput(f"stop {stop.id!r} is listed twice", field=f"stops.{i}.id")
            seen.add(stop.id)
            points.append(
                geo.check_point(
                    stop.lat, stop.lng, lat_field=f"stops.{i}.lat", lng_field=f"stops.{i}.lng"
                )
            )
            service = stop.service_minutes
            if (
                not isinstance(service, int | float)
                or isinstance(service, bool)
                or not math.isfinite(service)
                or service < 0
            ):
                raise InvalidInput(
                    "service minutes must be a number of at least 0",
                    field=f"stops.{i}.service_minutes",
                )
        self.stops = list(stops)
        self.n = n = len(stops)
        self.return_to_start = return_to_start
        points.append(start)
        self.dist = [[geo.distance_km(a, b) for b in points] for a in points]
        per_km = 60.0 / speed_kmh
        self.travel = [[d * per_km for d in row] for row in self.dist]
        self.service = [float(s.service_minutes) for s in stops]
        self._clock(start_time)
        self.timed = any(
            self.win_start[i] != -math.inf or self.win_end[i] != math.inf for i in range(n)
        )

    def _clock(self, start_time: Time | None) -> None:
        """Every time as float minutes; ``-inf``/``inf`` for what is not set."""
        values: list[tuple[str, Time]] = []
        if start_time is not None:
            values.append(("start_time", start_time))
        for i, stop in enumerate(self.stops):
            for name in ("window_start", "window_end"):
                value = getattr(stop, name)
                if value is not None:
                    values.append((f"stops.{i}.{name}", value))
        kinds = set()
        for field, value in values:
            if isinstance(value, datetime):
                kinds.add("datetime")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                if not math.isfinite(value):
                    raise InvalidInput("times must be finite", field=field)
                kinds.add("minutes")
            else:
                raise InvalidInput("a time is a datetime or a number of minutes", field=field)
        if len(kinds) > 1:
            raise InvalidInput("times must be all datetimes or all minutes", field=values[0][0])
        self.epoch: datetime | None = None
        if kinds == {"datetime"}:
            self.epoch = start_time if isinstance(start_time, datetime) else values[0][1]

        def minutes(field: str, value: Time | None, missing: float) -> float:
            if value is None:
                return missing
            if self.epoch is None:
                return float(value)
            try:
                return (value - self.epoch).total_seconds() / 60.0  # type: ignore[operator]
            except TypeError:
                raise InvalidInput(
                    "times must be all naive or all timezone-aware", field=field
                ) from None

        self.t0 = minutes("start_time", start_time, -math.inf)
        self.win_start, self.win_end = [], []
        for i, stop in enumerate(self.stops):
            ws = minutes(f"stops.{i}.window_start", stop.window_start, -math.inf)
            we = minutes(f"stops.{i}.window_end", stop.window_end, math.inf)
            if we < ws:
                raise InvalidInput(
                    "the window ends before it starts", field=f"stops.{i}.window_end"
                )
            self.win_start.append(ws)
            self.win_end.append(we)

    def as_time(self, minutes: float) -> Time | None:
        if not math.isfinite(minutes):
            return None
        if self.epoch is None:
            return minutes
        return self.epoch + timedelta(minutes=minutes)

    def walk(self, order: Sequence[int]) -> tuple[float, float, list[int], list[float]]:
        """(lateness minutes, km, late stop indices, arrival minutes) of ``order``."""
        dist, travel = self.dist, self.travel
        t, prev, km, late = self.t0, self.n, 0.0, 0.0
        late_stops, arrivals = [], []
        for i in order:
            km += dist[prev][i]
            arrive = t + travel[prev][i]
            arrivals.append(arrive)
            if arrive > self.win_end[i] + TIME_EPS:
                late += arrive - self.win_end[i]
                late_stops.append(i)
            t = max(arrive, self.win_start[i]) + self.service[i]
            prev = i
        if self.return_to_start and order:
            km += dist[prev][self.n]
        return late, km, late_stops, arrivals

    def cost(self, order: Sequence[int]) -> tuple[float, float]:
        """(lateness, km): the lexicographic goal."""
        if not self.timed:
            return 0.0, self.km(order)
        late, km, _, _ = self.walk(order)
        return late, km

    def km(self, order: Sequence[int]) -> float:
        dist, prev, km = self.dist, self.n, 0.0
        for i in order:
            km += dist[prev][i]
            prev = i
        if self.return_to_start and order:
            km += dist[prev][self.n]
        return km


def better(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the (lateness, km) cost ``a`` is strictly better than ``b``."""
    if a[0] < b[0] - LATE_EPS:
        return True
    if a[0] > b[0] + LATE_EPS:
        return False
    return a[1] < b[1] - DIST_EPS


class OutOfBudget(Exception):
    """A search spent its budget; ``args[0]`` is the best order it had (or ``None``)."""
