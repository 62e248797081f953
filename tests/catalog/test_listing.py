"""``GET /admin/line-items`` and ``/admin/line-items/categories`` cost what they show
(issue 10): every filter (category in any spelling, active, both), walked by page and by
cursor, returns every item once, by id; ``total`` and the categories' counts stay exact
through creates and changes of ``category`` and ``active`` (also when another request
changed them between the read and the write); pages read O(limit) and the categories two
items whatever the size; cursors are bound to their list, filter and tenant; a GET writes
nothing."""

from __future__ import annotations

import itertools
from urllib.parse import quote

from chalicelib.catalog.rules import category_key
from tests.support.reads import counting_reads, id_pages_read_o_limit
from tests.support.sales_helpers import line_item
from tests.support.walk import api_fetch, api_refused, forged, walk

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
ODD = "Odd [1].x#y|z %5B]"  # brackets, dots, the facet separators and the escape


def _walk(api, account, query: str, limit: int, by_cursor: bool) -> tuple[list[int], int]:
    got = walk(api_fetch(api, account), f"/admin/line-items?{query}", limit, by_cursor=by_cursor)
    return got.ids, got.total


def _book(account, n: int) -> None:
    """``n`` items through the service (as the seed writes them), ids 1..n: categories in
    several spellings, a rare odd one, every 5th item inactive."""
    from chalicelib.catalog import service

    spellings = ["Parts", "parts ", "Maintenance  Plans", "PARTS", "Labor"]
    for number in range(1, n + 1):
        category = ODD if number % 37 == 0 else spellings[number % len(spellings)]
        service.create(
            account.tenant_id,
            {
                "name": f"Item {number}",
                "category": category,
                "price_cents": 100 * number,
                "active": number % 5 != 0,
            },
        )


def _everything(api, account) -> list[dict]:
    return walk(api_fetch(api, account), "/admin/line-items", 200, by_cursor=False).items


def _expected_categories(items: list[dict]) -> list[dict]:
    found: dict[str, dict] = {}
    for item in items:
        entry = found.setdefault(
            category_key(item["category"]),
            {"category": item["category"], "item_count": 0, "active_item_count": 0},
        )
        entry["item_count"] += 1
        entry["active_item_count"] += int(item["active"])
    return sorted(found.values(), key=lambda e: e["category"].lower())


def _query(category: str | None = None, active: bool | None = None) -> str:
    parts = []
    if category is not None:
        parts.append("category=" + quote(category, safe=""))
    if active is not None:
        parts.append(f"active={str(active).lower()}")
    return "&".join(parts)


def test_every_filter_by_page_and_by_cursor_over_several_id_blocks(api, owner):
    """230 items span three blocks of 100 ids; a few change category or active over the
    API."""
    _book(owner, 230)
    for item_id, change in (
        (2, {"category": "Labor", "active": False}),
        (101, {"active": False}),
        (150, {"category": "  parts", "active": False}),
        (200, {"category": ODD}),
    ):
        assert api.patch(f"/admin/line-items/{item_id}", change, as_=owner).status == 200
    items = _everything(api, owner)
    assert [i["id"] for i in items] == list(range(1, 231))
    filters = [
        (None, None),
        ("PARTS", None),
        (" parts  ", None),
        ("maintenance plans", None),
        (ODD.lower(), None),
        ("Labor", False),
        ("parts", True),
        (None, True),
        (None, False),
        ("Nothing", None),
    ]
    for category, active in filters:
        want = [
            i["id"]
            for i in items
            if (category is None or category_key(i["category"]) == category_key(category))
            and (active is None or i["active"] == active)
        ]
        assert want or category == "Nothing"
        query = _query(category, active)
        for limit, by_cursor in itertools.product((29, 80), (False, True)):
            assert _walk(api, owner, query, limit, by_cursor) == (want, len(want)), (
                query,
                limit,
                by_cursor,
            )
    assert api.get("/admin/line-items/categories", as_=owner).data["items"] == (
        _expected_categories(items)
    )

    # reads stay O(limit): page 1, page 20 and a cursor page of 10
    id_pages_read_o_limit(api, owner, "/admin/line-items")
    # a rare category: its matches, the start block's earlier items and at most
    # listing.GAP non-matching items per gap between matches
    with counting_reads() as reads:
        odd = api.get(f"/admin/line-items?{_query(ODD)}&limit=3&page=2", as_=owner).data
    assert [i["id"] for i in odd["items"]] == [148, 185, 200]
    assert reads.queried <= 3 + 100 + 3 * 20
    # the categories: the counts and the spellings, never the items
    with counting_reads() as reads:
        api.get("/admin/line-items/categories", as_=owner)
    assert reads.calls["Query"] == 0 and reads.calls["BatchGetItem"] == 2
    from chalicelib.catalog import service
    from chalicelib.core.pagination import PageRequest

    with counting_reads() as reads:  # (the edge's rate limiter writes its own windows)
        for category, active in filters:
            service.page(
                owner.tenant_id, PageRequest(page=2, limit=10), category=category, active=active
            )
        service.categories(owner.tenant_id)
    assert not any(reads.calls[w] for w in WRITES), reads.calls  # lists write nothing


def test_totals_and_categories_stay_exact_through_creates_and_changes(api, owner):
    def totals() -> dict[str, int]:
        return {
            q: api.get(f"/admin/line-items?{q}", as_=owner).data["total"]
            for q in ("", "active=true", "active=false", "category=parts", "category=LABOR")
        }

    def categories() -> list[tuple[str, int, int]]:
        listed = api.get("/admin/line-items/categories", as_=owner).data["items"]
        return [(c["category"], c["item_count"], c["active_item_count"]) for c in listed]

    assert totals() == dict.fromkeys(totals(), 0) and categories() == []
    a = line_item(api, owner, category="Parts")
    b = line_item(api, owner, category="parts ", active=False)
    c = line_item(api, owner, category="Labor")
    assert totals() == {
        "": 3,
        "active=true": 2,
        "active=false": 1,
        "category=parts": 2,
        "category=LABOR": 1,
    }
    assert categories() == [("Labor", 1, 1), ("Parts", 2, 1)]
    patch = lambda item, body: api.patch(f"/admin/line-items/{item['id']}", body, as_=owner)  # noqa: E731
    assert patch(a, {"category": "labor"}).status == 200  # the first spelling stays
    assert patch(b, {"active": True}).status == 200
    assert patch(b, {"active": True}).status == 200  # again: nothing moves
    assert patch(c, {"category": "LABOR", "price_cents": 1}).status == 200  # same key
    assert patch(c, {"name": "Renamed"}).status == 200
    assert totals() == {
        "": 3,
        "active=true": 3,
        "active=false": 0,
        "category=parts": 1,
        "category=LABOR": 2,
    }
    assert categories() == [("Labor", 2, 2), ("Parts", 1, 1)]
    assert patch(b, {"category": "Install", "active": False}).status == 200
    assert categories() == [("Install", 1, 0), ("Labor", 2, 2)]  # Parts is no longer used
    assert patch(a, {"category": "  PARTS "}).status == 200  # back: its first spelling
    assert categories() == [("Install", 1, 0), ("Labor", 1, 1), ("Parts", 1, 1)]
    # refused writes count nothing
    assert api.patch("/admin/line-items/99", {"active": False}, as_=owner).status == 404
    assert patch(a, {"category": ""}).status == 422
    assert (
        api.post("/admin/line-items", {"name": "X", "category": "Labor"}, as_=owner).status == 422
    )
    assert totals() == {
        "": 3,
        "active=true": 2,
        "active=false": 1,
        "category=parts": 1,
        "category=LABOR": 1,
    }
    # a change of the default rate (commission config) is not a list change
    from chalicelib.catalog import service

    service.set_default_rate(service.get(owner.tenant_id, c["id"]), 250)
    assert totals()["category=LABOR"] == 1


def test_a_change_made_meanwhile_is_read_again(api, owner, monkeypatch):
    """Another request moves the item to another category between this request's read and
    its write: the write's condition (category and active as read) fails, it reads again
    and moves the counts from what the item is now."""
    from chalicelib.catalog import service, store

    item = line_item(api, owner, category="Parts")
    real_get, raced = store.get, []

    def get_then_race(tenant_id, item_id, consistent=False):
        found = real_get(tenant_id, item_id, consistent)
        if not raced:
            raced.append(True)
            service.update(tenant_id, item_id, {"category": "Labor", "active": False})
        return found

    monkeypatch.setattr(store, "get", get_then_race)
    reply = api.patch(f"/admin/line-items/{item['id']}", {"active": True}, as_=owner)
    assert reply.status == 200 and reply.data["active"] is True
    assert reply.data["category"] == "Labor"
    monkeypatch.setattr(store, "get", real_get)
    listed = api.get("/admin/line-items/categories", as_=owner).data["items"]
    assert listed == [{"category": "Labor", "item_count": 1, "active_item_count": 1}]
    assert api.get("/admin/line-items?category=parts", as_=owner).data["total"] == 0
    assert api.get("/admin/line-items?active=true", as_=owner).data["total"] == 1


def test_a_cursor_is_bound_to_its_list_filter_and_tenant(api, owner, other):
    _book(owner, 12)
    _book(other, 12)
    cursor = api.get("/admin/line-items?limit=1", as_=owner).data["next_cursor"]
    parts = api.get("/admin/line-items?limit=1&category=parts", as_=owner).data["next_cursor"]
    assert cursor and parts
    for query in (
        *forged(cursor),
        f"cursor={cursor}&active=true",
        f"cursor={parts}",
        f"cursor={parts}&category=labor",
        f"cursor={parts}&category=parts&active=true",
    ):
        api_refused(api, owner, f"/admin/line-items?limit=1&{query}")
    api_refused(api, other, f"/admin/line-items?limit=1&cursor={cursor}")
    # the same category in another spelling is the same list
    reply = api.get(f"/admin/line-items?limit=1&category=%20PARTS&cursor={parts}", as_=owner)
    assert reply.status == 200 and len(reply.data["items"]) == 1
