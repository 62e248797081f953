"""platform.rollups: counts move with the entries they count, in the same transaction."""

from __future__ import annotations

import pytest

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import rollups
from chalicelib.platform.tx import labelled_transaction
from tests.platform.test_listing import FILTERS, PK, ROLLUP, TENANT, Thing, _expected, _page, _seed


@pytest.fixture
def entries(aws):
    return _seed(60)


def test_counts_follow_moves_and_removals(entries):
    sort, facet = entries[0]
    with labelled_transaction() as tx:
        tx.update("thing", Thing(PK, sort), [Thing.facet.set("rare")])
        rollups.move(tx, TENANT, ROLLUP, (sort, facet), (sort, "rare"))
    assert _page(PageRequest(), matches=FILTERS["rare"])["total"] == len(
        _expected(entries, True, FILTERS["rare"])
    ) + (facet != "rare")
    with labelled_transaction() as tx:
        tx.delete("thing", Thing(PK, sort))
        rollups.move(tx, TENANT, ROLLUP, (sort, "rare"), None)
    assert _page(PageRequest())["total"] == len(entries) - 1


def test_a_move_that_changes_nothing_writes_nothing(aws):
    with labelled_transaction() as tx:
        rollups.move(tx, TENANT, ROLLUP, ("2026-01-01#1", "a"), ("2026-01-01#1", "a"))
        assert tx.labels == []
        tx.create("thing", Thing(PK, "2026-01-01#1", facet="a"))


def test_put_counts_writes_what_the_moves_would(entries):
    copy = rollups.Rollup(("LISTTEST", "COPY"), ROLLUP.fine, ROLLUP.coarse)
    assert rollups.put_counts(TENANT, copy, entries) >= 2
    for low, high in ((None, None), ("2026-02-01", "2026-02-20#~")):
        moved = rollups.load(TENANT, ROLLUP, low, high)
        put = rollups.load(TENANT, copy, low, high)
        for matches in FILTERS.values():
            assert moved.total(matches) == put.total(matches)
    assert rollups.put_counts(TENANT, copy, []) == 1
    assert rollups.load(TENANT, copy, None, None).total() == 0
