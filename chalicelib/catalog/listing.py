"""The price book list (``GET /admin/line-items``) and its categories
(``GET /admin/line-items/categories``) on ``platform.listing``: where the entries are, how
they are counted, and the transaction parts that keep the counts.

One scope (``keys.LINE_ITEMS_ROLLUP_SCOPE``): the tenant's line items, a Query on their
own partition ``T#<tid>#ITEM`` in id order (sort key ``keys.id_sk``), counted in blocks of
100 ids (fine) and 10,000 ids (coarse). The facet is ``catalog.rules.facet``:
``<active>|<category key>``, the two filters. Every write that creates an item or changes
its ``category`` or ``active`` adds ``counted(...)`` to its transaction.

The categories come from the same counts: the facets of the rollup's ``ALL`` item with a
count above 0, summed over its coarse buckets, give every category key in use with its
item and active item counts. Their display spellings are one item per tenant
(``keys.line_item_categories_key``): the spelling a category key was first given,
recorded with ``if_not_exists`` by the write that first used it. So the categories cost
two reads, whatever the number of items.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from chalicelib.catalog import rules, store
from chalicelib.catalog.store import LineItemItem, Part
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.platform.tx import Labelled

ROLLUP = Rollup(keys.LINE_ITEMS_ROLLUP_SCOPE, fine=8, coarse=6)  # blocks of 100 / 10,000 ids


def entry(item_id: int, active: bool, category: str) -> Entry:
    return keys.id_sk(item_id), rules.facet(active, category)


def counted(
    tenant_id: str, item_id: int, old: tuple[bool, str] | None, new: tuple[bool, str]
) -> list[Part]:
    """The parts that count a new item (``old`` None) or a change of its ``(active,
    category)``, and record the new category's spelling if its key is new."""
    before = None if old is None else entry(item_id, *old)
    after = entry(item_id, *new)

    def part(tx: Labelled) -> None:
        rollups.move(tx, tenant_id, ROLLUP, before, after)

    parts = [part]
    if old is None or rules.category_key(old[1]) != rules.category_key(new[1]):
        parts.append(store.keep_spelling(tenant_id, after[1][2:], new[1]))
    return parts


def page(
    tenant_id: str, request: PageRequest, *, category: str | None, active: bool | None
) -> dict[str, Any]:
    """One page of the line items, by id, of ``category`` (any spelling) and ``active``."""
    source = listing.Source.partition(LineItemItem, keys.line_items_pk(tenant_id), descending=False)
    key = None if category is None else rules.category_key(category)
    condition = None
    if key is not None:
        condition = LineItemItem.category_key == key
    if active is not None:
        wanted = LineItemItem.active == active
        condition = wanted if condition is None else condition & wanted
    return listing.page(
        source,
        ROLLUP,
        tenant_id,
        request,
        name="line-items|" + json.dumps([key, active]),
        matches=rules.facet_filter(active, category),
        condition=condition,
    )


def categories(tenant_id: str) -> list[dict[str, Any]]:
    """Every category in use (first spelling given) with how many items, active ones
    counted, by spelling (case-insensitive): the rollup's ``ALL`` item and the spellings
    item, two reads."""
    counts = rollups.load(tenant_id, ROLLUP, None, None)
    found: dict[str, dict[str, int]] = defaultdict(lambda: {"all": 0, "active": 0})
    for facets in counts.by_coarse.values():
        for facet, n in facets.items():
            escaped = facet[2:]
            found[escaped]["all"] += n
            if rules.parse_facet(facet)[0]:
                found[escaped]["active"] += n
    spellings = store.spellings(tenant_id) if found else {}
    listed = [
        {
            "category": spellings.get(escaped) or rules.parse_facet("1|" + escaped)[1],
            "item_count": n["all"],
            "active_item_count": n["active"],
        }
        for escaped, n in found.items()
        if n["all"] > 0
    ]
    return sorted(listed, key=lambda e: (e["category"].lower(), e["category"]))
