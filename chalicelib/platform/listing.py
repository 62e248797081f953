"""The one way every list reads a page (SPEC.md "Lists"): O(limit), whatever the size.

A list is a ``Source`` (a Query: a partition of the table or of an index, ordered by its
sort key) counted by a ``rollups.Rollup`` kept in the same transactions as the entries.

- ``total`` comes from the rollup (``ALL`` plus the coarse items the range cuts), never
  from the items.
- Page 1 is one Query with ``Limit``.
- Page N (``page=``) first locates the fine bucket (a day, a block of ids) where its
  offset falls, then queries from that bucket's start: it reads the entries of that
  bucket before the offset, then ``limit`` entries.
- A ``cursor=`` (a previous page's ``next_cursor``) continues after the last entry
  returned, with the Query's exclusive start key: ``limit`` entries.
- A filter the key condition cannot express has its facets counted by the rollup, so
  the query visits only the buckets that hold matches. A run of more than ``GAP``
  non-matching entries between two matches is jumped with a new Query instead of being
  read (the documented bound: a filtered page reads its matches and at most ``GAP``
  non-matching entries per gap, plus the start bucket's earlier entries).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.pagination import PageRequest, page_body
from chalicelib.platform import cursors, keys, rollups
from chalicelib.platform.rollups import TOP, Counts, Matches, Rollup
from chalicelib.platform.table import take
from chalicelib.platform.tx import Labelled

GAP = 20  # non-matching entries a filtered query reads through rather than re-querying
MAX_PAGE_SIZE = 1000  # DynamoDB Limit of one request of a filtered run


@dataclass(frozen=True)
class Source:
    """Where a list's entries are: ``hash_value`` of the table (``hash_attr`` ``pk``,
    ``sort_attr`` ``sk``) or of ``index``, in ``sort_attr`` order (``descending``: newest
    first)."""

    model: Any
    hash_attr: Any
    sort_attr: Any
    hash_value: str
    index: Any = None
    descending: bool = True

    @classmethod
    def partition(cls, model: Any, hash_value: str, *, descending: bool = True) -> Source:
        """The items of ``model`` in the table's partition ``hash_value`` (by ``sk``)."""
        return cls(model, model.pk, model.sk, hash_value, descending=descending)

    @classmethod
    def on_index(cls, model: Any, index: str, hash_value: str) -> Source:
        """The items of ``model`` under ``hash_value`` in its index ``index`` (``"gsi1"``:
        attributes ``gsi1pk``/``gsi1sk``), newest (highest sort key) first."""
        attr = functools.partial(getattr, model)
        return cls(model, attr(f"{index}pk"), attr(f"{index}sk"), hash_value, index=attr(index))

    def key_of(self, item: Any) -> dict[str, str]:
        """The exclusive start key that resumes the Query after ``item``."""
        names = dict.fromkeys(("pk", "sk", self.hash_attr.attr_name, self.sort_attr.attr_name))
        return {name: str(getattr(item, name)) for name in names}

    def sort_of(self, item: Any) -> str:
        return str(getattr(item, self.sort_attr.attr_name))


def equal_to(pairs: Iterable[tuple[Any, Any]]) -> Any:
    """The filter condition ``attr == value`` for every pair whose value is not None (and
    them all together), or None when every value is None."""
    condition = None
    for attr, value in pairs:
        if value is not None:
            condition = (attr == value) if condition is None else condition & (attr == value)
    return condition


def plan_runs(
    buckets: Iterable[tuple[str, int, int]], need: int, gap: int = GAP
) -> list[tuple[str, str, int]]:
    """The stretches to query for the next ``need`` matches: ``(first bucket, last bucket,
    entries in them)`` in list order, from ``(bucket, matching, all)`` in list order. More
    than ``gap`` non-matching entries between two matches start a new stretch."""
    runs: list[tuple[str, str, int]] = []
    skipped = 0
    for bucket, matching, entries in buckets:
        if need <= 0:
            break
        if matching == 0:
            skipped += entries
            continue
        if runs and skipped <= gap:
            first, _, count = runs[-1]
            runs[-1] = (first, bucket, count + skipped + entries)
        else:
            runs.append((bucket, bucket, entries))
        skipped = 0
        need -= matching
    return runs


def _between(low: str | None, high: str | None, lo: str | None, hi: str | None):
    """The narrower of two inclusive ranges (None: open)."""
    return (max(filter(None, (low, lo)), default=None), min(filter(None, (high, hi)), default=None))


def _range_condition(attr: Any, low: str | None, high: str | None) -> Any:
    if low is not None and high is not None:
        return attr.between(low, high)
    if low is not None:
        return attr >= low
    if high is not None:
        return attr <= high
    return None


def _query(
    source: Source,
    low: str | None,
    high: str | None,
    *,
    limit: int,
    page_size: int,
    condition: Any = None,
    start: dict[str, str] | None = None,
) -> list[Any]:
    target = source.index if source.index is not None else source.model
    results = target.query(
        source.hash_value,
        _range_condition(source.sort_attr, low, high),
        filter_condition=condition,
        scan_index_forward=not source.descending,
        limit=limit,
        page_size=max(1, page_size),
        last_evaluated_key={k: {"S": v} for k, v in start.items()} if start else None,
    )
    return take(results, limit)


def _bucket_bounds(source: Source, first: str, last: str) -> tuple[str, str]:
    """Inclusive sort-key bounds of the buckets ``first``..``last`` (in list order)."""
    older, newer = (last, first) if source.descending else (first, last)
    return older, newer + TOP


def _before(counts: Counts, bucket: str, matches: Matches, descending: bool) -> int:
    """Matching entries that come before fine bucket ``bucket`` in list order."""
    seen = 0
    for walked, matching, _ in counts.walk(None, matches, descending):
        if walked == bucket or (walked < bucket if descending else walked > bucket):
            break
        if len(walked) < len(bucket) and bucket.startswith(walked):
            break
        seen += matching
    return seen


def page(
    source: Source,
    rollup: Rollup,
    tenant_id: str,
    request: PageRequest,
    *,
    name: str,
    low: str | None = None,
    high: str | None = None,
    matches: Matches = None,
    condition: Any = None,
) -> dict[str, Any]:
    """One page of the entries of ``source`` with sort keys ``low``..``high`` (inclusive
    whole buckets; None: open) whose facet ``matches`` (``condition``: the same filter as
    a DynamoDB filter expression). ``name`` names the list and its filters: a cursor is
    valid only for the same tenant, scope, range and name."""
    binding = "|".join((tenant_id, "/".join(rollup.scope), low or "", high or "", name))
    counts = rollups.load(tenant_id, rollup, low, high)
    total = counts.total(matches)
    position = cursors.read(request.cursor, binding) if request.cursor else None
    offset = position.offset if position else request.offset
    items: list[Any] = []
    if offset < total:
        items = _read(
            source, counts, request.limit, offset, position, low, high, matches, condition
        )
    next_cursor = None
    if items and offset + len(items) < total:
        last = items[-1]
        next_cursor = cursors.issue(
            binding,
            cursors.Position(offset + len(items), source.sort_of(last), source.key_of(last)),
        )
    return page_body(items, total, request, offset=offset, next_cursor=next_cursor)


def _read(
    source: Source,
    counts: Counts,
    limit: int,
    offset: int,
    position: cursors.Position | None,
    low: str | None,
    high: str | None,
    matches: Matches,
    condition: Any,
) -> list[Any]:
    descending = source.descending
    start: str | None = None  # fine bucket the page starts in (None: the list's first)
    skip = 0  # matching entries of the start bucket to pass over
    if position is not None:
        start = counts.rollup.fine_of(position.sort)
    elif offset:
        located = counts.locate(offset, matches, descending)
        if located is None:
            return []
        start, skip = located
    if matches is None:
        lo, hi = low, high
        if start is not None and position is None:  # from the start of the located bucket
            if descending:
                hi = min(filter(None, (high, start + TOP)))
            else:
                lo = max(filter(None, (low, start)))
        got = _query(
            source,
            lo,
            hi,
            limit=skip + limit,
            page_size=skip + limit,
            start=position.key if position else None,
        )
        return got[skip:]
    need = limit + skip
    if position is not None:  # the start bucket's matches already returned
        need += offset - _before(counts, start, matches, descending)  # type: ignore[arg-type]
    found: list[Any] = []
    resume = position.key if position else None
    for first, last, entries in plan_runs(counts.walk(start, matches, descending), need):
        lo, hi = _between(low, high, *_bucket_bounds(source, first, last))
        found += _query(
            source,
            lo,
            hi,
            limit=skip + limit - len(found),
            page_size=min(MAX_PAGE_SIZE, entries),
            condition=condition,
            start=resume,
        )
        resume = None
        if len(found) >= skip + limit:
            break
    return found[skip : skip + limit]


@dataclass(frozen=True)
class ActiveList:
    """A list over one partition in id order whose one filter is ``active`` (facet "1" or
    "0"): the technicians, the service zones, the form templates. ``partition(tenant_id)``
    is the partition key; ``rollup`` counts it (by id blocks)."""

    name: str
    model: Any
    partition: Callable[[str], str]
    rollup: Rollup

    @staticmethod
    def facet(active: bool) -> str:
        return "1" if active else "0"

    def entry(self, item_id: int, active: bool) -> rollups.Entry:
        return keys.id_sk(item_id), self.facet(active)

    def counted(
        self, tenant_id: str, item_id: int, old: bool | None, new: bool | None
    ) -> Callable[[Labelled], None]:
        """The transaction part that counts a new item (``old`` None), a removed one
        (``new`` None) or a change of ``active``."""
        before = None if old is None else self.entry(item_id, old)
        after = None if new is None else self.entry(item_id, new)

        def part(tx: Labelled) -> None:
            rollups.move(tx, tenant_id, self.rollup, before, after)

        return part

    def page(self, tenant_id: str, request: PageRequest, *, active: bool | None) -> dict:
        """One page in id order (only the active or inactive ones when ``active`` says)."""
        source = Source.partition(self.model, self.partition(tenant_id), descending=False)
        wanted = None if active is None else self.facet(active)
        return page(
            source,
            self.rollup,
            tenant_id,
            request,
            name=f"{self.name}|active={wanted}",
            matches=None if wanted is None else (lambda f: f == wanted),
            condition=None if active is None else self.model.active == active,
        )
