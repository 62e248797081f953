"""``GET /admin/technicians``, ``GET /admin/line-items`` and ``/admin/line-items/categories``
over real HTTP against the `make run` stack (dynoxide): every filter, walked by page and by
cursor, gives every entry once, by id, with an exact total; a foreign or altered cursor is
400; the demo seed's counts agree with its items; racing changes of ``active`` and
``category`` keep totals and categories exact."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest

from tests.e2e.conftest import ok, refused
from tests.support.walk import stack_fetch, walk


@pytest.fixture(scope="module")
def shop(stack):
    account = stack.register("Roster Heating")
    headers = account["headers"]
    techs = [
        stack.create(
            "/admin/technicians",
            {"name": f"Tech {n}", "pay_type": "commission", "active": n % 4 != 3},
            headers,
        )
        for n in range(11)
    ]
    for tech in techs[::5]:
        ok(stack.request("DELETE", f"/api/v1/admin/technicians/{tech['id']}", headers=headers))
    ok(
        stack.request(
            "PATCH", f"/api/v1/admin/technicians/{techs[3]['id']}", {"active": True}, headers
        )
    )
    spellings = ("Parts", "parts ", "Maintenance", "Odd [1].x#y|z")
    items = [
        stack.create(
            "/admin/line-items",
            {
                "name": f"Item {n}",
                "category": spellings[n % len(spellings)],
                "price_cents": 100 + n,
                "active": n % 3 != 2,
            },
            headers,
        )
        for n in range(13)
    ]
    for item, change in (
        (items[0], {"category": "Maintenance"}),
        (items[4], {"active": False}),
        (items[7], {"category": " PARTS", "active": True}),
    ):
        ok(stack.request("PATCH", f"/api/v1/admin/line-items/{item['id']}", change, headers))
    techs = [
        ok(stack.request("GET", f"/api/v1/admin/technicians/{t['id']}", headers=headers))
        for t in techs
    ]
    items = [
        ok(stack.request("GET", f"/api/v1/admin/line-items/{i['id']}", headers=headers))
        for i in items
    ]
    return {"headers": headers, "techs": techs, "items": items}


def _walk(stack, headers, path: str, query: str, limit: int, by_cursor: bool):
    got = walk(stack_fetch(stack, headers), f"/api/v1{path}?{query}", limit, by_cursor=by_cursor)
    return got.ids, got.total


def _key(category: str) -> str:
    return " ".join(category.split()).lower()


def _categories(items: list[dict], first: tuple[str, ...] = ()) -> list[dict]:
    """The categories in use with their counts, each spelled as first given: ``first``
    for those whose first item moved away, else the first item's."""
    spelled = {_key(c): c for c in first}
    found: dict[str, dict] = {}
    for item in sorted(items, key=lambda i: i["id"]):
        key = _key(item["category"])
        entry = found.setdefault(
            key,
            {
                "category": spelled.get(key, item["category"]),
                "item_count": 0,
                "active_item_count": 0,
            },
        )
        entry["item_count"] += 1
        entry["active_item_count"] += int(item["active"])
    return sorted(found.values(), key=lambda e: e["category"].lower())


def test_technicians_every_filter_by_page_and_by_cursor(stack, shop):
    techs, headers = shop["techs"], shop["headers"]
    for query, keep in {
        "": lambda t: True,
        "active=true": lambda t: t["active"],
        "active=false": lambda t: not t["active"],
    }.items():
        want = [t["id"] for t in techs if keep(t)]
        assert want, query
        for by_cursor in (False, True):
            got = _walk(stack, headers, "/admin/technicians", query, 3, by_cursor)
            assert got == (want, len(want)), (query, by_cursor)


def test_line_items_every_filter_by_page_and_by_cursor(stack, shop):
    items, headers = shop["items"], shop["headers"]
    filters = [
        (None, None),
        ("PARTS", None),
        ("  maintenance ", None),
        ("odd [1].X#y|z", None),
        ("parts", False),
        (None, True),
        (None, False),
        ("nothing", None),
    ]
    for category, active in filters:
        want = [
            i["id"]
            for i in items
            if (category is None or _key(i["category"]) == _key(category))
            and (active is None or i["active"] == active)
        ]
        assert want or category == "nothing"
        query = "&".join(
            ([f"category={quote(category, safe='')}"] if category is not None else [])
            + ([f"active={str(active).lower()}"] if active is not None else [])
        )
        for by_cursor in (False, True):
            got = _walk(stack, headers, "/admin/line-items", query, 3, by_cursor)
            assert got == (want, len(want)), (query, by_cursor)
    listed = ok(stack.request("GET", "/api/v1/admin/line-items/categories", headers=headers))
    assert listed["items"] == _categories(items, first=("Parts",))  # item 0 moved away


def test_a_cursor_is_refused_by_another_list_and_tenant(stack, shop):
    headers = shop["headers"]
    stranger = stack.register("Stranger Roster")["headers"]
    for path, other_filter in (
        ("/admin/technicians", "active=true"),
        ("/admin/line-items", "category=parts"),
    ):
        body = ok(stack.request("GET", f"/api/v1{path}?limit=2", headers=headers))
        cursor = body["next_cursor"]
        assert cursor, path
        refused(stack, f"/api/v1{path}?limit=2&cursor={cursor}&{other_filter}", headers)
        refused(stack, f"/api/v1{path}?limit=2&cursor={cursor[:-2]}", headers)
        refused(stack, f"/api/v1{path}?limit=2&cursor={cursor}", stranger)


def test_the_demo_seed_is_counted(stack):
    """The seed writes through the services, so its lists' totals are its items."""
    tenant_id = ok(stack.request("GET", "/api/v1/tenants/resolve/demo"))["tenantId"]
    login = ok(
        stack.request(
            "POST",
            "/api/v1/auth/login",
            {"username": "admin", "password": stack.demo["password"]},
            {"X-Tenant-Id": tenant_id},
        )
    )
    headers = {"Authorization": f"Bearer {login['access_token']}", "X-Tenant-Id": tenant_id}
    techs = ok(stack.request("GET", "/api/v1/admin/technicians?limit=200", headers=headers))
    assert techs["total"] == len(techs["items"]) >= 3
    items = ok(stack.request("GET", "/api/v1/admin/line-items?limit=200", headers=headers))
    assert items["total"] == len(items["items"]) >= 5
    listed = ok(stack.request("GET", "/api/v1/admin/line-items/categories", headers=headers))
    assert listed["items"] == _categories(items["items"])


def test_racing_changes_keep_totals_and_categories_exact(stack):
    """Many requests (de)activate the same technicians and move the same items between
    categories at once: every one lands (lost races are read again), and the totals and
    categories equal what the entries say."""
    headers = stack.register("Race Roster")["headers"]
    techs = [
        stack.create("/admin/technicians", {"name": f"R{n}", "pay_type": "hourly"}, headers)
        for n in range(3)
    ]
    items = [
        stack.create(
            "/admin/line-items", {"name": f"I{n}", "category": "A", "price_cents": 1}, headers
        )
        for n in range(3)
    ]
    replies: list[int] = []

    def patch(path: str, body: dict) -> None:
        status, _, _ = stack.request("PATCH", f"/api/v1{path}", body, headers)
        replies.append(status)

    threads = []
    for n in range(6):
        for tech in techs:
            body = {"active": n % 2 == 0}
            threads.append(
                threading.Thread(target=patch, args=(f"/admin/technicians/{tech['id']}", body))
            )
        for item in items:
            body = {"category": "AB"[n % 2], "active": n % 3 != 0}
            threads.append(
                threading.Thread(target=patch, args=(f"/admin/line-items/{item['id']}", body))
            )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert replies == [200] * len(threads)
    now_techs = [
        ok(stack.request("GET", f"/api/v1/admin/technicians/{t['id']}", headers=headers))
        for t in techs
    ]
    for query, keep in (("", None), ("active=true", True), ("active=false", False)):
        body = ok(stack.request("GET", f"/api/v1/admin/technicians?{query}", headers=headers))
        want = [t["id"] for t in now_techs if keep is None or t["active"] == keep]
        assert ([t["id"] for t in body["items"]], body["total"]) == (want, len(want)), query
    now_items = [
        ok(stack.request("GET", f"/api/v1/admin/line-items/{i['id']}", headers=headers))
        for i in items
    ]
    for query, keep in (
        ("category=a", lambda i: i["category"] == "A"),
        ("category=b", lambda i: i["category"] == "B"),
        ("active=true", lambda i: i["active"]),
        ("category=B&active=false", lambda i: i["category"] == "B" and not i["active"]),
    ):
        body = ok(stack.request("GET", f"/api/v1/admin/line-items?{query}", headers=headers))
        want = [i["id"] for i in now_items if keep(i)]
        assert ([i["id"] for i in body["items"]], body["total"]) == (want, len(want)), query
    listed = ok(stack.request("GET", "/api/v1/admin/line-items/categories", headers=headers))
    assert [c for c in listed["items"]] == [c for c in _categories(now_items) if c["item_count"]]
