"""The heuristic of :mod:`route_order`: nearest neighbour, the given and earliest-deadline
orders, each improved by 2-opt and or-opt, plus seeded perturbation rounds.

Pure (the standard library and the sibling ``route_model``).
"""

from __future__ import annotations

import random

from chalicelib.dispatch.rules.route_model import (
    DIST_EPS,
    LATE_EPS,
    PERTURB_ROUNDS,
    TIME_EPS,
    WORK_BUDGET,
    OutOfBudget,
    Problem,
    better,
)


def nearest_neighbour(p: Problem) -> list[int]:
    left = list(range(p.n))
    order, prev = [], p.n
    while left:
        nxt = min(left, key=lambda k: p.dist[prev][k])
        left.remove(nxt)
        order.append(nxt)
        prev = nxt
    return order


def _nearest_feasible(p: Problem) -> list[int]:
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


def _deadline_order(p: Problem) -> list[int]:
    return sorted(range(p.n), key=lambda k: (p.win_end[k], p.win_start[k], k))


def _local_search(
    p: Problem, order: list[int], budget: list[int]
) -> tuple[list[int], tuple[float, float]]:
    """2-opt and or-opt to a local optimum of the lexicographic goal (or as far as the
    ``budget`` of work reaches)."""
    try:
        return _descend(p, order, budget)
    except OutOfBudget as stop:
        return stop.args[0], p.cost(stop.args[0])


def _descend(
    p: Problem, order: list[int], budget: list[int]
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
            raise OutOfBudget(order)
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


def heuristic_order(p: Problem, given: list[int]) -> list[int]:
    starts = [given, nearest_neighbour(p)]
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
