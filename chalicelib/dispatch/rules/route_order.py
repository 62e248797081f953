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

from collections.abc import Hashable, Sequence

from chalicelib.core.errors import InvalidInput
from chalicelib.dispatch.rules import geo
from chalicelib.dispatch.rules.route_exact import exact_order
from chalicelib.dispatch.rules.route_heuristic import heuristic_order, nearest_neighbour
from chalicelib.dispatch.rules.route_model import (
    DEFAULT_SPEED_KMH,
    DIST_EPS,
    EXACT_LIMIT,
    LABEL_BUDGET,
    LATE_EPS,
    MAX_EXACT_LIMIT,
    PERTURB_ROUNDS,
    TIME_EPS,
    WORK_BUDGET,
    Problem,
    RouteResult,
    Stop,
    Time,
    better,
)

__all__ = [
    "DEFAULT_SPEED_KMH",
    "DIST_EPS",
    "EXACT_LIMIT",
    "LABEL_BUDGET",
    "LATE_EPS",
    "MAX_EXACT_LIMIT",
    "PERTURB_ROUNDS",
    "TIME_EPS",
    "WORK_BUDGET",
    "InvalidInput",
    "RouteResult",
    "Stop",
    "Time",
    "nearest_neighbour_order",
    "optimize_route",
    "route_km",
]

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
    p = Problem(start, stops, start_time, speed_kmh, return_to_start)
    given = list(range(p.n))
    if p.n <= 1:
        order, method = given, "given"
    elif (
        p.n <= min(exact_limit, MAX_EXACT_LIMIT)
        and (exact := exact_order(p, LABEL_BUDGET)) is not None
    ):
        order, method = exact, "exact"
    else:
        order, method = heuristic_order(p, given), "heuristic"
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
    p = Problem(start, stops, None, DEFAULT_SPEED_KMH, return_to_start)
    return p.km(range(p.n))


def nearest_neighbour_order(start: geo.Point, stops: Sequence[Stop]) -> list[Hashable]:
    """Ids in nearest-neighbour order from ``start`` (ties: the earlier stop), windows
    ignored: the baseline the optimizer is measured against."""
    p = Problem(start, stops, None, DEFAULT_SPEED_KMH, False)
    return [p.stops[i].id for i in nearest_neighbour(p)]
