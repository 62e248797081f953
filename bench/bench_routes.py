"""Dispatch route optimization (``chalicelib.dispatch.rules.route_order``) and the ZIP
centroid table (``geo``): pure code, no AWS.

- optimal rate against brute force (every permutation) on seeded random days of 2-8 stops,
  with and without windows (the exact solver), and of the heuristic alone on the same days;
- 50-stop days: mean saving over the given order and over nearest neighbour, how many came
  out longer than nearest neighbour (must be 0), and the time of ``optimize_route``;
- the exact solver's time at its limit (10 stops);
- ZIP lookup: cold load (a fresh interpreter importing ``geo`` and looking one ZIP up),
  the table's load in-process, and its size on disk.

Asserts nothing."""

from __future__ import annotations

import gzip
import itertools
import math
import random
import statistics
import subprocess
import sys
import time

from bench.common import ROOT

SMALL_DAYS = 200
BIG_DAYS = 20
BIG_WINDOW_DAYS = 10
SPEED = 40.0


def _random_day(rng: random.Random, n: int, windows: float = 0.0):  # noqa: ANN202
    from chalicelib.dispatch.rules.route_order import Stop

    lat0, lng0 = rng.uniform(30, 45), rng.uniform(-120, -75)
    stops = []
    for i in range(n):
        ws = we = None
        if rng.random() < windows:
            ws = rng.choice(range(480, 900, 30))
            we = ws + rng.choice((60, 120, 180, 240))
        stops.append(
            Stop(
                f"j{i}",
                lat0 + rng.uniform(-0.3, 0.3),
                lng0 + rng.uniform(-0.3, 0.3),
                ws,
                we,
                rng.choice((0, 15, 30, 45, 60)),
            )
        )
    return (lat0 + rng.uniform(-0.2, 0.2), lng0 + rng.uniform(-0.2, 0.2)), stops


def _schedule(start, stops, order, start_time=None):  # noqa: ANN001, ANN202
    """(lateness, km, arrivals), computed here, not by the module."""
    from chalicelib.dispatch.rules.geo import haversine_km

    by_id = {s.id: s for s in stops}
    here, t, km, late, arrivals = start, -math.inf if start_time is None else start_time, 0, 0, []
    for sid in order:
        s = by_id[sid]
        leg = haversine_km(here[0], here[1], s.lat, s.lng)
        km += leg
        arrive = t + leg / SPEED * 60
        arrivals.append(arrive)
        if s.window_end is not None and arrive > s.window_end + 1e-9:
            late += arrive - s.window_end
        t = max(arrive, -math.inf if s.window_start is None else s.window_start)
        t += s.service_minutes
        here = (s.lat, s.lng)
    return late, km, arrivals


def _feasible_day(rng: random.Random, n: int):  # noqa: ANN202
    """Windows (30% of the stops, +-1-3 h) around a hidden random order's arrivals, so a
    feasible order exists; short visits (a 50-stop day)."""
    from chalicelib.dispatch.rules.route_order import Stop

    start, stops = _random_day(rng, n)
    rng.shuffle(stops)
    stops = [Stop(s.id, s.lat, s.lng, None, None, rng.randint(3, 10)) for s in stops]
    _, _, arrivals = _schedule(start, stops, [s.id for s in stops], 480)
    out = []
    for s, arrive in zip(stops, arrivals, strict=True):
        if rng.random() < 0.3:
            ws, we = arrive - rng.uniform(60, 180), arrive + rng.uniform(60, 180)
            out.append(Stop(s.id, s.lat, s.lng, ws, we, s.service_minutes))
        else:
            out.append(s)
    rng.shuffle(out)
    return start, out


def _brute(start, stops, start_time):  # noqa: ANN001, ANN202
    best = None
    for perm in itertools.permutations([s.id for s in stops]):
        late, km, _ = _schedule(start, stops, perm, start_time)
        if best is None or late < best[0] - 1e-6 or (abs(late - best[0]) <= 1e-6 and km < best[1]):
            best = (late, km)
    return best


def _not_worse(ours, best) -> bool:  # noqa: ANN001
    if ours[0] > best[0] + 1e-6:
        return False
    return abs(ours[0] - best[0]) > 1e-6 or ours[1] <= best[1] + 1e-6


def _small_days() -> dict:
    from chalicelib.dispatch.rules.route_order import optimize_route

    rng = random.Random(12)
    exact = heuristic = windowed = 0
    gaps = []
    for _ in range(SMALL_DAYS):
        n = rng.randint(2, 8)
        start, stops = _random_day(rng, n, windows=rng.choice((0.0, 0.5, 1.0)))
        start_time = rng.choice((None, 480))
        windowed += any(s.window_end is not None for s in stops)
        best = _brute(start, stops, start_time)
        ours = optimize_route(start, stops, start_time=start_time)
        exact += _not_worse(_schedule(start, stops, ours.order, start_time)[:2], best)
        alone = optimize_route(start, stops, start_time=start_time, exact_limit=0)
        cost = _schedule(start, stops, alone.order, start_time)[:2]
        heuristic += _not_worse(cost, best)
        if best[0] == 0 and cost[0] == 0 and best[1] > 0:
            gaps.append(cost[1] / best[1] - 1)
    return {
        "days": SMALL_DAYS,
        "stops": "2-8",
        "days_with_windows": windowed,
        "optimal_rate": exact / SMALL_DAYS,
        "heuristic_alone_optimal_rate": heuristic / SMALL_DAYS,
        "heuristic_alone_mean_gap_pct": round(100 * statistics.fmean(gaps), 3) if gaps else 0,
    }


def _big_days() -> dict:
    from chalicelib.dispatch.rules.route_order import nearest_neighbour_order, optimize_route

    rng = random.Random(50)
    rows = []
    for k in range(BIG_DAYS + BIG_WINDOW_DAYS):
        windows = k >= BIG_DAYS
        start, stops = _feasible_day(rng, 50) if windows else _random_day(rng, 50)
        start_time = 480 if windows else None
        started = time.perf_counter()
        result = optimize_route(start, stops, start_time=start_time)
        took = time.perf_counter() - started
        nn = _schedule(start, stops, nearest_neighbour_order(start, stops), start_time)
        given = _schedule(start, stops, [s.id for s in stops], start_time)
        after = _schedule(start, stops, result.order, start_time)
        rows.append((windows, took, given, nn, after, result.feasible))

    def summary(part: list) -> dict:
        return {
            "days": len(part),
            "mean_saving_vs_given_pct": round(
                100 * statistics.fmean(1 - r[4][1] / r[2][1] for r in part), 1
            ),
            "mean_saving_vs_nearest_neighbour_pct": round(
                100 * statistics.fmean(1 - r[4][1] / r[3][1] for r in part), 1
            ),
            "longer_than_feasible_nearest_neighbour": sum(
                1 for r in part if r[3][0] == 0 and r[4][1] > r[3][1] + 1e-9
            ),
            "nearest_neighbour_infeasible": sum(1 for r in part if r[3][0] > 0),
            "longer_than_feasible_given": sum(
                1 for r in part if r[2][0] == 0 and r[4][1] > r[2][1] + 1e-9
            ),
            "ours_feasible": sum(1 for r in part if r[5]),
            "mean_km_given_nn_ours": [
                round(statistics.fmean(r[i][1] for r in part), 1) for i in (2, 3, 4)
            ],
            "seconds_mean": round(statistics.fmean(r[1] for r in part), 3),
            "seconds_max": round(max(r[1] for r in part), 3),
        }

    return {
        "no_windows": summary([r for r in rows if not r[0]]),
        "windows_30pct": summary([r for r in rows if r[0]]),
    }


def _exact_limit_time() -> dict:
    from chalicelib.dispatch.rules.route_order import optimize_route

    rng = random.Random(10)
    plain, windowed = [], []
    for _ in range(5):
        start, stops = _random_day(rng, 10)
        started = time.perf_counter()
        optimize_route(start, stops)
        plain.append(time.perf_counter() - started)
        start, stops = _random_day(rng, 10, windows=0.5)
        started = time.perf_counter()
        optimize_route(start, stops, start_time=480)
        windowed.append(time.perf_counter() - started)
    return {
        "stops": 10,
        "seconds_max_no_windows": round(max(plain), 3),
        "seconds_max_half_windowed": round(max(windowed), 3),
    }


COLD = (
    "import time; t = time.perf_counter()\n"
    "from chalicelib.dispatch.rules import geo\n"
    "i = time.perf_counter(); geo.zip_centroid('77429'); e = time.perf_counter()\n"
    "print(i - t, e - i)\n"
)


def _zip_lookup() -> dict:
    from chalicelib.dispatch.rules import geo

    imports, firsts = [], []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        imports.append(float(out[0]))
        firsts.append(float(out[1]))
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        geo.load_zip_table()
        loads.append(time.perf_counter() - started)
    table = geo.load_zip_table()
    started = time.perf_counter()
    for code in range(501, 99_999, 7):
        table.get(f"{code:05d}")
    lookups = (99_999 - 501) // 7
    per_lookup = (time.perf_counter() - started) / lookups
    return {
        "zips": len(table),
        "file": str(geo.ZIP_DATA_PATH.relative_to(ROOT)),
        "bytes_on_disk": geo.ZIP_DATA_PATH.stat().st_size,
        "bytes_uncompressed": len(gzip.decompress(geo.ZIP_DATA_PATH.read_bytes())),
        "cold_import_geo_ms_median": round(1000 * statistics.median(imports), 1),
        "cold_first_lookup_ms_median": round(1000 * statistics.median(firsts), 1),
        "table_load_ms_median": round(1000 * statistics.median(loads), 1),
        "lookup_us": round(1e6 * per_lookup, 2),
    }


def run() -> dict:
    return {
        "small_days_vs_brute_force": _small_days(),
        "fifty_stop_days": _big_days(),
        "exact_solver_at_its_limit": _exact_limit_time(),
        "zip_centroids": _zip_lookup(),
    }
