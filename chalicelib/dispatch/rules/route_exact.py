"""The exact solver of :mod:`route_order`: Held-Karp with Pareto labels.

Pure (the standard library and the sibling ``route_model``).
"""

from __future__ import annotations

from chalicelib.dispatch.rules.route_model import (
    LABEL_BUDGET,
    LATE_EPS,
    TIME_EPS,
    OutOfBudget,
    Problem,
)


def _held_karp(p: Problem, hard: bool, budget: int) -> list[int] | None:
    """The best order (lexicographic goal), or ``None`` when ``hard`` and no order meets
    every window. A label is (km, clock, lateness, last, parent label)."""
    n = p.n
    dist, travel, ws, we, service = p.dist, p.travel, p.win_start, p.win_end, p.service
    timed = p.timed
    labels: list[list[list[tuple]] | None] = [None] * (1 << n)
    made = [0]

    def add(bucket: list[tuple], label: tuple) -> None:
        made[0] += 1
        if made[0] > budget:
            raise OutOfBudget(None)
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


def exact_order(p: Problem, label_budget: int = LABEL_BUDGET) -> list[int] | None:
    """The optimum, or ``None`` when the labels outgrow ``label_budget``."""
    try:
        order = _held_karp(p, hard=True, budget=label_budget)
        if order is None:
            order = _held_karp(p, hard=False, budget=label_budget)
    except OutOfBudget:
        return None
    return order
