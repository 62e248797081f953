"""Order a technician's stops for a day: shorter travel, scheduled windows honoured.

Pure (the standard library, :mod:`chalicelib.core.errors` and the sibling ``geo``).

The model
---------
The technician leaves ``start`` (a ``(lat, lng)``) at ``start_time`` and visits every stop
once; the route is open (it ends at the last stop) unless ``return_to_start``. Legs are
great-circle km (:func:`geo.haversine_km`) driven at ``speed_kmh``. At a stop with a
window, arriving before ``window_start`` means waiting until it; arriving after
``window_end`` is *late* (infeasible). Then ``service_minutes`` are spent there.

Times are either all numbers (minutes on any common clock, e.g. minutes since midnight)
or all datetimes (all naive or all aware); mixing them is :class:`InvalidInput`. Without
``start_time`` the technician may leave whenever it suits (only the windows' relations
to each other matter, and nothing waits for a late departure).

The goal, compared lexicographically: first the total lateness in minutes (0 when every
window is met), then the distance. So a feasible order is always preferred, and when no
order can meet every window the one that is least late wins (``feasible`` is then
``False`` and ``late_ids`` names the late stops).

Exact for up to ``exact_limit`` stops (10 by default, at most 12): Held-Karp over (visited
set, last stop) with Pareto labels (distance, clock, lateness), which is exact with
waiting (an earlier clock is never worse); a day whose windows would make more than
:data:`LABEL_BUDGET` labels goes to the heuristic instead (``method`` says which ran). Beyond it: nearest neighbour, the given order and (with
windows) the earliest-deadline order, each improved by 2-opt and or-opt (segments of 1-3
stops, either direction) to a local optimum, plus a few seeded perturbation rounds; every
accepted move keeps the lexicographic goal improving, so windows never get worse.

The given order is kept unless another is strictly better (by 1 m, or by lateness): the
answer is never longer than the given order when that order is feasible, and never
longer than the nearest-neighbour order when that one is.
"""

from __future__ import annotations

import math
import random
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


class _Problem:
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


class _OutOfBudget(Exception):
    """A search spent its budget; ``args[0]`` is the best order it had (or ``None``)."""


# -- exact: Held-Karp with Pareto labels -----------------------------------------------------


def _held_karp(p: _Problem, hard: bool) -> list[int] | None:
    """The best order (lexicographic goal), or ``None`` when ``hard`` and no order meets
    every window. A label is (km, clock, lateness, last, parent label)."""
    n = p.n
    dist, travel, ws, we, service = p.dist, p.travel, p.win_start, p.win_end, p.service
    timed = p.timed
    labels: list[list[list[tuple]] | None] = [None] * (1 << n)
    made = [0]

    def add(bucket: list[tuple], label: tuple) -> None:
        made[0] += 1
        if made[0] > LABEL_BUDGET:
            raise _OutOfBudget(None)
        km, clock, late = label[0], label[1], label[2]
        for other in bucket:
            if other[0] <= km and other[1] <= clock and other[2] <= late:
                return  # dominated (or equal): keep the first
        bucket[:] = [o for o in bucket if not (km <= o[0] and clock <= o[1] and late <= o[2])]
        bucket.append(label)

    def step(label: tuple | None, j: int, k: int) -> tuple | None:
        km0, clock0, late0 = (0.0, p.t0, 0.0) if label is None else label[:3]
        arrive = clock0 + travel[j][k]
        late = late0
        if arrive > we[k] + TIME_EPS:
            if hard:
                return None
            late += arrive - we[k]
        clock = max(arrive, ws[k]) + service[k] if timed else 0.0
        return (km0 + dist[j][k], clock, late, k, label)

    for k in range(n):
        mask = 1 << k
        row = labels[mask] = [[] for _ in range(n)]
        label = step(None, n, k)
        if label is not None:
            row[k].append(label)
    for mask in range(1, 1 << n):
        row = labels[mask]
        if row is None:
            continue
        for j in range(n):
            bucket = row[j]
            if not bucket:
                continue
            for k in range(n):
                bit = 1 << k
                if mask & bit:
                    continue
                target = labels[mask | bit]
                if target is None:
                    target = labels[mask | bit] = [[] for _ in range(n)]
                for label in bucket:
                    nxt = step(label, j, k)
                    if nxt is not None:
                        add(target[k], nxt)
        if mask != (1 << n) - 1:
            labels[mask] = None  # every extension of this set is made: free it
    final = labels[(1 << n) - 1]
    if final is None:
        return None
    ends = []
    for j in range(n):
        for label in final[j]:
            km = label[0] + (dist[j][n] if p.return_to_start else 0.0)
            ends.append((label[2], km, label))
    if not ends:
        return None
    least_late = min(e[0] for e in ends)
    _, _, best = min((e for e in ends if e[0] <= least_late + LATE_EPS), key=lambda e: e[1])
    order = []
    while best is not None:
        order.append(best[3])
        best = best[4]
    return order[::-1]


def _exact(p: _Problem) -> list[int] | None:
    """The optimum, or ``None`` when the labels outgrow :data:`LABEL_BUDGET`."""
    try:
        order = _held_karp(p, hard=True)
        if order is None:
            order = _held_karp(p, hard=False)
    except _OutOfBudget:
        return None
    return order


# -- heuristic: construction + 2-opt / or-opt + perturbation --------------------------------


def _nearest_neighbour(p: _Problem) -> list[int]:
    left = list(range(p.n))
    order, prev = [], p.n
    while left:
        nxt = min(left, key=lambda k: p.dist[prev][k])
        left.remove(nxt)
        order.append(nxt)
        prev = nxt
    return order


def _nearest_feasible(p: _Problem) -> list[int]:
    """Nearest neighbour among the stops still reachable in their windows (the most
    urgent one when none is)."""
    left = list(range(p.n))
    order, prev, t = [], p.n, p.t0
    while left:
        ok = [k for k in left if t + p.travel[prev][k] <= p.win_end[k] + TIME_EPS]
        if ok:
            nxt = min(
                ok, key=lambda k: (max(t + p.travel[prev][k], p.win_start[k]), p.dist[prev][k])
            )
        else:
            nxt = min(left, key=lambda k: (p.win_end[k], p.dist[prev][k]))
        left.remove(nxt)
        arrive = t + p.travel[prev][nxt]
        t = max(arrive, p.win_start[nxt]) + p.service[nxt]
        order.append(nxt)
        prev = nxt
    return order


def _deadline_order(p: _Problem) -> list[int]:
    return sorted(range(p.n), key=lambda k: (p.win_end[k], p.win_start[k], k))


def _local_search(
    p: _Problem, order: list[int], budget: list[int]
) -> tuple[list[int], tuple[float, float]]:
    """2-opt and or-opt to a local optimum of the lexicographic goal (or as far as the
    ``budget`` of work reaches)."""
    try:
        return _descend(p, order, budget)
    except _OutOfBudget as stop:
        return stop.args[0], p.cost(stop.args[0])


def _descend(
    p: _Problem, order: list[int], budget: list[int]
) -> tuple[list[int], tuple[float, float]]:
    n, dist, ret, start = p.n, p.dist, p.return_to_start, p.n
    cost = p.cost(order)
    if n < 2:
        return order, cost

    def node(r: list[int], i: int) -> int:
        """r[i], with the start before the first stop (and after the last one when the
        route returns; -1 means nothing follows)."""
        if i < 0:
            return start
        if i >= len(r):
            return start if ret else -1
        return r[i]

    def d(a: int, b: int) -> float:
        return 0.0 if b == -1 or a == -1 else dist[a][b]

    timed, travel, svc = p.timed, p.travel, p.service
    ws, we = p.win_start, p.win_end
    pre_t: list[float] = []  # the clock leaving each position of ``order``
    pre_late: list[float] = []  # the lateness up to and including each position

    def prefix() -> None:
        t, late, prev = p.t0, 0.0, start
        pre_t.clear()
        pre_late.clear()
        for k in order:
            arrive = t + travel[prev][k]
            if arrive > we[k] + TIME_EPS:
                late += arrive - we[k]
            t = max(arrive, ws[k]) + svc[k]
            prev = k
            pre_t.append(t)
            pre_late.append(late)

    def late_from(candidate: list[int], lo: int, bound: float) -> float | None:
        """The lateness of ``candidate`` (equal to ``order`` before ``lo``), or ``None``
        as soon as it passes ``bound``."""
        if lo == 0:
            t, late, prev = p.t0, 0.0, start
        else:
            t, late, prev = pre_t[lo - 1], pre_late[lo - 1], candidate[lo - 1]
        for idx in range(lo, n):
            k = candidate[idx]
            arrive = t + travel[prev][k]
            if arrive > we[k] + TIME_EPS:
                late += arrive - we[k]
                if late > bound:
                    return None
            t = max(arrive, ws[k]) + svc[k]
            prev = k
        return late

    def consider(candidate: list[int], delta: float, lo: int) -> bool:
        nonlocal order, cost
        if cost[0] <= LATE_EPS and delta >= -DIST_EPS:
            return False  # feasible already: only a shorter order can be better
        budget[0] -= 1 + (n - lo if timed else 0)
        if budget[0] < 0:
            raise _OutOfBudget(order)
        if timed:
            late = late_from(candidate, lo, cost[0] + LATE_EPS)
            if late is None:
                return False
            new = (late, cost[1] + delta)
        else:
            new = (0.0, cost[1] + delta)
        if better(new, cost):
            order, cost = candidate, new
            if timed:
                prefix()
            return True
        return False

    if timed:
        prefix()
    improved = True
    while improved:
        improved = False
        # 2-opt: reverse order[i..j]
        for i in range(n - 1):
            for j in range(i + 1, n):
                r = order
                a, b = node(r, i - 1), node(r, j + 1)
                delta = d(a, r[j]) + d(r[i], b) - d(a, r[i]) - d(r[j], b)
                if delta < -DIST_EPS or cost[0] > LATE_EPS:
                    if consider(r[:i] + r[i : j + 1][::-1] + r[j + 1 :], delta, i):
                        improved = True
        # or-opt: move order[i..i+L-1] (maybe reversed) between two other stops
        for length in (1, 2, 3):
            if length >= n:
                break
            i = 0
            while i + length <= n:
                r = order
                seg = r[i : i + length]
                a, b = node(r, i - 1), node(r, i + length)
                removed = d(a, seg[0]) + d(seg[-1], b) - d(a, b)
                rest = r[:i] + r[i + length :]
                moved = False
                for pos in range(len(rest) + 1):
                    if pos == i:
                        continue
                    x, y = node(rest, pos - 1), node(rest, pos)
                    for piece in (seg, seg[::-1]) if length > 1 else (seg,):
                        added = d(x, piece[0]) + d(piece[-1], y) - d(x, y)
                        delta = added - removed
                        if delta < -DIST_EPS or cost[0] > LATE_EPS:
                            if consider(rest[:pos] + piece + rest[pos:], delta, min(i, pos)):
                                moved = improved = True
                                break
                    if moved:
                        break
                i += 1
    return order, p.cost(order)


def _perturb(order: list[int], rng: random.Random) -> list[int]:
    """Double bridge: cut into four parts A B C D and join A C B D."""
    n = len(order)
    a, b, c = sorted(rng.sample(range(1, n), 3))
    return order[:a] + order[b:c] + order[a:b] + order[c:]


def _heuristic(p: _Problem, given: list[int]) -> list[int]:
    starts = [given, _nearest_neighbour(p)]
    if p.timed:
        starts += [_nearest_feasible(p), _deadline_order(p)]
    best, best_cost = None, None
    budget = [WORK_BUDGET]
    for start in starts:
        order, cost = _local_search(p, list(start), budget)
        if best_cost is None or better(cost, best_cost):
            best, best_cost = order, cost
    assert best is not None and best_cost is not None
    if p.n >= 8:
        rng = random.Random(p.n)  # deterministic: the same day gives the same answer
        for _ in range(PERTURB_ROUNDS):
            if budget[0] <= 0:
                break
            order, cost = _local_search(p, _perturb(best, rng), budget)
            if better(cost, best_cost):
                best, best_cost = order, cost
    return best


# -- the API ---------------------------------------------------------------------------------


def optimize_route(
    start: geo.Point,
    stops: Sequence[Stop],
    *,
    start_time: Time | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    return_to_start: bool = False,
    exact_limit: int = EXACT_LIMIT,
) -> RouteResult:
    """The stop order that shortens the day's travel from ``start`` while honouring the
    windows (see the module docstring). Bad input is :class:`InvalidInput` naming the
    field (``start.lat``, ``stops.<i>.window_end``, ``speed_kmh``...)."""
    p = _Problem(start, stops, start_time, speed_kmh, return_to_start)
    given = list(range(p.n))
    if p.n <= 1:
        order, method = given, "given"
    elif p.n <= min(exact_limit, MAX_EXACT_LIMIT) and (exact := _exact(p)) is not None:
        order, method = exact, "exact"
    else:
        order, method = _heuristic(p, given), "heuristic"
    if not better(p.cost(order), p.cost(given)):
        order, method = given, "given"
    late_before, km_before, _, _ = p.walk(given)
    late, km, late_stops, arrivals = p.walk(order)
    ids = [s.id for s in p.stops]
    return RouteResult(
        order=[ids[i] for i in order],
        given_order=ids,
        distance_before_km=km_before,
        distance_after_km=km,
        feasible_before=late_before == 0.0,
        feasible=late == 0.0,
        late_ids=[ids[i] for i in late_stops],
        lateness_minutes=late,
        arrivals=[p.as_time(a) for a in arrivals],
        method=method,
    )


def route_km(start: geo.Point, stops: Sequence[Stop], *, return_to_start: bool = False) -> float:
    """Travel of the stops in the given order from ``start``."""
    p = _Problem(start, stops, None, DEFAULT_SPEED_KMH, return_to_start)
    return p.km(range(p.n))


def nearest_neighbour_order(start: geo.Point, stops: Sequence[Stop]) -> list[Hashable]:
    """Ids in nearest-neighbour order from ``start`` (ties: the earlier stop), windows
    ignored: the baseline the optimizer is measured against."""
    p = _Problem(start, stops, None, DEFAULT_SPEED_KMH, False)
    return [p.stops[i].id for i in _nearest_neighbour(p)]
