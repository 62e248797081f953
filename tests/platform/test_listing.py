"""platform.listing over a list of its own (moto): every page, walked by ``page`` and by
``cursor``, in both orders, filtered or not, over a date range or not, returns every entry
once and in order, ``total`` is exact, and what a page reads stays O(limit)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from pynamodb.attributes import UnicodeAttribute

from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import listing, rollups
from chalicelib.platform.table import BaseItem
from chalicelib.platform.tx import labelled_transaction
from tests.support.reads import counting_reads

TENANT = "7d1c0f6e-0000-4000-8000-00000000aaaa"
OTHER = "7d1c0f6e-0000-4000-8000-00000000bbbb"
PK = f"T#{TENANT}#LISTTEST"
ROLLUP = rollups.Rollup(("LISTTEST",), 10, 7)
FACETS = ("a", "b", "rare")


class Thing(BaseItem):
    facet = UnicodeAttribute()


def _source(descending: bool = True) -> listing.Source:
    return listing.Source(Thing, Thing.pk, Thing.sk, PK, descending=descending)


def _seed(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` entries over ~4 months, ids increasing, several per day; facets mostly a/b."""
    rng = random.Random(seed)
    day, entries = date(2026, 1, 20), []
    for number in range(1, n + 1):
        if rng.random() < 0.35:
            day += timedelta(days=rng.choice((1, 1, 2, 9)))
        facet = "rare" if rng.random() < 0.04 else rng.choice(("a", "a", "b"))
        sort = f"{day.isoformat()}#{number:010d}"
        with labelled_transaction() as tx:
            tx.create("thing", Thing(PK, sort, facet=facet))
            rollups.move(tx, TENANT, ROLLUP, None, (sort, facet))
        entries.append((sort, facet))
    return entries


@pytest.fixture(scope="module")
def shared():
    """One seeded table for the tests that only read (seeding costs more than reading)."""
    from moto import mock_aws

    from chalicelib.platform import table
    from tests.support.aws import create_resources

    with mock_aws():
        table.reset_connections()
        create_resources("test")
        yield _seed(160)
    table.reset_connections()


def _expected(entries, descending, matches, low=None, high=None):
    kept = [
        s
        for s, f in entries
        if (matches is None or matches(f))
        and (low is None or s >= low)
        and (high is None or s <= high)
    ]
    return sorted(kept, reverse=descending)


def _page(request, descending=True, matches=None, low=None, high=None, tenant=TENANT):
    condition = None if matches is None else Thing.facet.is_in(*[f for f in FACETS if matches(f)])
    return listing.page(
        _source(descending),
        ROLLUP,
        tenant,
        request,
        name=f"test|{matches and sorted(f for f in FACETS if matches(f))}",
        low=low,
        high=high,
        matches=matches,
        condition=condition,
    )


FILTERS = {
    "all": None,
    "a": lambda f: f == "a",
    "b or rare": lambda f: f in ("b", "rare"),
    "rare": lambda f: f == "rare",
}
RANGES = {"open": (None, None), "feb-mar": ("2026-02-03", "2026-03-17#~")}


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("filter_name", list(FILTERS))
@pytest.mark.parametrize("range_name", list(RANGES))
def test_pages_and_cursors_return_every_entry_once_in_order(
    shared, descending, filter_name, range_name
):
    entries = shared
    matches, (low, high) = FILTERS[filter_name], RANGES[range_name]
    want = _expected(entries, descending, matches, low, high)
    for limit in (3, 50):
        by_page, page_no, total_pages = [], 1, None
        while True:
            body = _page(PageRequest(page=page_no, limit=limit), descending, matches, low, high)
            assert body["total"] == len(want)
            total_pages = body["total_pages"]
            by_page += [t.sk for t in body["items"]]
            if page_no >= max(total_pages, 1):
                break
            page_no += 1
        assert by_page == want, (limit, filter_name)
        by_cursor, cursor, pages = [], None, 0
        while True:
            body = _page(PageRequest(limit=limit, cursor=cursor), descending, matches, low, high)
            assert body["page"] == pages + 1
            by_cursor += [t.sk for t in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert by_cursor == want, (limit, filter_name)
        assert pages == max(total_pages, 1)
    empty = _page(PageRequest(page=total_pages + 1, limit=50), descending, matches, low, high)
    assert empty["items"] == [] and empty["next_cursor"] is None


def test_what_a_page_reads_is_o_limit(shared):
    entries = shared
    biggest_day = max(
        sum(1 for s, _ in entries if s[:10] == day) for day in {s[:10] for s, _ in entries}
    )
    with counting_reads() as reads:
        first = _page(PageRequest(limit=20))
    assert reads.queried == 20 and reads.calls["Query"] == 1
    assert reads.items <= 20 + 10  # the rollup items
    with counting_reads() as reads:
        _page(PageRequest(page=9, limit=20))
    assert reads.queried <= 20 + biggest_day
    cursor = first["next_cursor"]
    for _ in range(5):
        with counting_reads() as reads:
            body = _page(PageRequest(limit=20, cursor=cursor))
        assert reads.queried == 20 and reads.calls["Query"] == 1
        cursor = body["next_cursor"]


def test_a_rare_filter_skips_what_does_not_match(shared):
    entries = shared
    rare = FILTERS["rare"]
    matching = len(_expected(entries, True, rare))
    with counting_reads() as reads:
        body = _page(PageRequest(limit=50), matches=rare)
    assert body["total"] == matching and len(body["items"]) == min(50, matching)
    # reads the matches, the non-matching entries of their days, and gaps of at most GAP
    assert reads.queried < len(entries) / 2


def test_a_cursor_works_only_for_its_own_list_and_tenant(shared):
    cursor = _page(PageRequest(limit=5))["next_cursor"]
    assert cursor
    for bad in (
        cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
        "x" + cursor,
        cursor.split(".")[0],
        "not-a-cursor",
    ):
        with pytest.raises(BadRequest):
            _page(PageRequest(limit=5, cursor=bad))
    with pytest.raises(BadRequest):  # another filter
        _page(PageRequest(limit=5, cursor=cursor), matches=FILTERS["a"])
    with pytest.raises(BadRequest):  # another range
        _page(PageRequest(limit=5, cursor=cursor), low="2026-02-01")
    with pytest.raises(BadRequest):  # another tenant
        _page(PageRequest(limit=5, cursor=cursor), tenant=OTHER)


def test_plan_runs_jumps_long_gaps():
    buckets = [("d9", 2, 2), ("d8", 0, 30), ("d7", 1, 5), ("d6", 0, 80), ("d5", 3, 3)]
    assert listing.plan_runs(buckets, need=100, gap=50) == [("d9", "d7", 37), ("d5", "d5", 3)]
    assert listing.plan_runs(buckets, need=100, gap=20) == [
        ("d9", "d9", 2),
        ("d7", "d7", 5),
        ("d5", "d5", 3),
    ]
    assert listing.plan_runs(buckets, need=2, gap=50) == [("d9", "d9", 2)]
    assert listing.plan_runs(buckets, need=3, gap=10) == [("d9", "d9", 2), ("d7", "d7", 5)]
    assert listing.plan_runs([], need=5) == []
