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
