"""Counts kept on write, so that a list knows its total, and where page N starts, without
reading its items (SPEC.md "Lists").

A list's entries are sorted by a sort key whose prefixes are its *buckets*: the first
``fine`` characters (the day ``2026-01-15`` of ``2026-01-15#0000000042``, or the block of
100 ids ``00000000`` of ``0000000042``) and the first ``coarse`` characters (the month, or
the block of 10,000 ids). Each entry also has a *facet*: the values its list's filters
look at, as one string (``approved|paid|0``). A *scope* (the tenant's sales, one
technician's sales) keeps, in its own partition:

- item ``ALL``: a number ``n#<coarse>#<facet>`` per coarse bucket and facet;
- item ``C#<coarse>``: a number ``n#<fine>#<facet>`` per fine bucket of it and facet.

Every write that adds, removes or re-facets an entry adds ``move`` to its own transaction
(ADD -1 and +1 on those items), so counts and entries never disagree. Reading a total
costs ``ALL`` plus the coarse items the range cuts through (one consistent
``BatchGetItem``); locating page N costs at most one more coarse item.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pynamodb.attributes import NumberAttribute

from chalicelib.platform import keys
from chalicelib.platform.batch import get_raw, put_raw
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import Labelled

Entry = tuple[str, str]  # (sort key, facet)
Matches = Callable[[str], bool] | None  # which facets a filter keeps (None: all)
TOP = "~"  # sorts after every character our sort keys use after a bucket prefix


@dataclass(frozen=True)
class Rollup:
    """How one scope of a list counts: its partition and its bucket prefix lengths."""

    scope: tuple[str, ...]
    fine: int
    coarse: int

    def fine_of(self, sort: str) -> str:
        return sort[: self.fine]

    def coarse_of(self, sort: str) -> str:
        return sort[: self.coarse]


@register
class RollupItem(BaseItem):
    """A scope's counts; its attributes are named by bucket and facet and read raw."""


def _name(bucket: str, facet: str) -> str:
    return f"n#{bucket}#{facet}"


def move(
    tx: Labelled, tenant_id: str, rollup: Rollup, old: Entry | None, new: Entry | None
) -> None:
    """Count an entry that appears (``old`` None), disappears (``new`` None) or changes
    bucket or facet, inside ``tx``. Nothing is written when nothing moves."""
    move_all(tx, tenant_id, rollup, [(old, new)])


def moved(
    tenant_id: str,
    old: dict[Rollup, Entry],
    after: dict[Rollup, Entry],
) -> Callable[[Labelled], None]:
    """The transaction part that moves an item's entries, by rollup, from ``old`` to
    ``after`` (a rollup on one side only is an addition or a removal)."""

    def part(tx: Labelled) -> None:
        for rollup in dict.fromkeys([*old, *after]):
            move(tx, tenant_id, rollup, old.get(rollup), after.get(rollup))

    return part


def move_all(
    tx: Labelled,
    tenant_id: str,
    rollup: Rollup,
    moves: Iterable[tuple[Entry | None, Entry | None]],
) -> None:
    """``move`` for several entries of one scope in one transaction (which may change each
    rollup item once): their deltas are summed into one update per item."""
    deltas: dict[str, Counter[str]] = defaultdict(Counter)
    for old, new in moves:
        for entry, sign in ((old, -1), (new, 1)):
            if entry is None:
                continue
            sort, facet = entry
            coarse = rollup.coarse_of(sort)
            deltas[keys.ROLLUP_ALL][_name(coarse, facet)] += sign
            deltas[keys.rollup_coarse_sk(coarse)][_name(rollup.fine_of(sort), facet)] += sign
    pk = keys.rollup_pk(tenant_id, rollup.scope)
    for sk, attrs in deltas.items():
        actions = [NumberAttribute(attr_name=n).add(d) for n, d in sorted(attrs.items()) if d]
        if actions:
            tx.update("rollup", RollupItem(pk, sk), actions)


def _parse(raw: dict | None) -> dict[str, dict[str, int]]:
    """``{bucket: {facet: n}}`` from a rollup item's raw attributes."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for name, value in (raw or {}).items():
        if not name.startswith("n#"):
            continue
        bucket, _, facet = name[2:].partition("#")
        n = int(value["N"])
        if n:
            found[bucket][facet] = n
    return found


def _sum(facets: dict[str, int], matches: Matches) -> int:
    return sum(n for facet, n in facets.items() if matches is None or matches(facet))


@dataclass
class Counts:
    """What a scope's counts say about the sort keys ``low``..``high`` (inclusive; None is
    open). Range bounds are whole fine buckets (a day, not a time of day)."""

    tenant_id: str
    rollup: Rollup
    low: str | None
    high: str | None
    by_coarse: dict[str, dict[str, int]]
    by_fine: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    # --- the range ---------------------------------------------------------------------
    def _covers(self, bucket: str) -> bool:
        """Every key of ``bucket`` lies in the range."""
        return (self.low is None or self.low <= bucket) and (
            self.high is None or bucket + TOP <= self.high
        )

    def _touches(self, bucket: str) -> bool:
        """Some key of ``bucket`` may lie in the range."""
        return (self.low is None or bucket + TOP >= self.low) and (
            self.high is None or bucket <= self.high
        )

    def _fine_in_range(self, fine: str) -> bool:
        n = len(fine)
        return (self.low is None or fine >= self.low[:n]) and (
            self.high is None or fine <= self.high[:n]
        )

    # --- reading -----------------------------------------------------------------------
    def fine(self, coarse: str) -> dict[str, dict[str, int]]:
        """``{fine bucket: {facet: n}}`` of one coarse bucket, in range (read on demand)."""
        if coarse not in self.by_fine:
            pk = keys.rollup_pk(self.tenant_id, self.rollup.scope)
            (raw,) = get_raw([(pk, keys.rollup_coarse_sk(coarse))], consistent=True)
            self.by_fine[coarse] = _parse(raw)
        return {f: c for f, c in self.by_fine[coarse].items() if self._fine_in_range(f)}

    def coarse_buckets(self, descending: bool) -> list[str]:
        return sorted((c for c in self.by_coarse if self._touches(c)), reverse=descending)

    def in_coarse(self, coarse: str, matches: Matches) -> int:
        if self._covers(coarse):
            return _sum(self.by_coarse.get(coarse, {}), matches)
        return sum(_sum(facets, matches) for facets in self.fine(coarse).values())

    def total(self, matches: Matches = None) -> int:
        return sum(self.in_coarse(c, matches) for c in self.coarse_buckets(False))

    def locate(self, offset: int, matches: Matches, descending: bool) -> tuple[str, int] | None:
        """The fine bucket holding the entry at ``offset`` (0-based, in list order) and
        how many matching entries of that bucket come before it; None past the end."""
        seen = 0
        for coarse in self.coarse_buckets(descending):
            n = self.in_coarse(coarse, matches)
            if seen + n <= offset:
                seen += n
                continue
            fine = self.fine(coarse)
            for bucket in sorted(fine, reverse=descending):
                m = _sum(fine[bucket], matches)
                if seen + m > offset:
                    return bucket, offset - seen
                seen += m
        return None

    def walk(
        self, start: str | None, matches: Matches, descending: bool
    ) -> Iterator[tuple[str, int, int]]:
        """``(bucket, matching, all)`` in list order from fine bucket ``start`` (None: the
        first), where ``bucket`` is a fine bucket, or a whole coarse bucket that holds no
        match (passed over without reading its fine counts)."""
        start_coarse = self.rollup.coarse_of(start) if start is not None else None
        for coarse in self.coarse_buckets(descending):
            if start_coarse is not None and (
                coarse > start_coarse if descending else coarse < start_coarse
            ):
                continue
            if coarse != start_coarse and matches is not None:
                if self.in_coarse(coarse, matches) == 0:
                    yield coarse, 0, self.in_coarse(coarse, None)
                    continue
            fine = self.fine(coarse)
            for bucket in sorted(fine, reverse=descending):
                if coarse == start_coarse and (bucket > start if descending else bucket < start):  # type: ignore[operator]
                    continue
                yield bucket, _sum(fine[bucket], matches), _sum(fine[bucket], None)


def load(tenant_id: str, rollup: Rollup, low: str | None, high: str | None) -> Counts:
    """One consistent read of the scope's ``ALL`` item and of the coarse items that the
    range's bounds cut through."""
    pk = keys.rollup_pk(tenant_id, rollup.scope)
    edges = sorted(
        {rollup.coarse_of(bound) for bound in (low, high) if bound and len(bound) > rollup.coarse}
    )
    raws = get_raw(
        [(pk, keys.ROLLUP_ALL), *((pk, keys.rollup_coarse_sk(c)) for c in edges)], consistent=True
    )
    counts = Counts(tenant_id, rollup, low, high, _parse(raws[0]))
    counts.by_fine.update({c: _parse(raw) for c, raw in zip(edges, raws[1:], strict=True)})
    return counts


def put_counts(tenant_id: str, rollup: Rollup, entries: Iterable[Entry]) -> int:
    """Write a scope's counts from all of its ``entries`` (replacing what was there), for
    bulk loads and recounts while nothing else writes the scope; returns how many items
    were written."""
    by_coarse: dict[str, Counter[str]] = defaultdict(Counter)
    by_fine: dict[str, Counter[str]] = defaultdict(Counter)
    for sort, facet in entries:
        coarse = rollup.coarse_of(sort)
        by_coarse[keys.ROLLUP_ALL][_name(coarse, facet)] += 1
        by_fine[keys.rollup_coarse_sk(coarse)][_name(rollup.fine_of(sort), facet)] += 1
    pk = keys.rollup_pk(tenant_id, rollup.scope)
    items = {**by_coarse, **by_fine} or {keys.ROLLUP_ALL: Counter()}
    raw = [
        {"pk": {"S": pk}, "sk": {"S": sk}, **{n: {"N": str(c)} for n, c in counts.items()}}
        for sk, counts in items.items()
    ]
    put_raw(raw)
    return len(raw)
