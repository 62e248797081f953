"""``/admin/line-items``: the price book, its categories, validation, roles, isolation."""

from __future__ import annotations

from tests.support.isolation import assert_isolated
from tests.support.sales_helpers import line_item, staff


def test_create_get_list_update(api, owner):
    reply = api.post(
        "/admin/line-items",
        {
            "name": "Annual maintenance package",
            "category": "  Maintenance  Plans ",
            "price_cents": 150000,
            "sku": "AMP-1",
            "default_commission_bps": 500,
        },
        as_=owner,
    )
    assert reply.status == 201, reply.raw
    item = reply.data
    assert item["id"] == 1 and item["category"] == "Maintenance Plans"
    assert item["price_cents"] == 150000 and item["default_commission_bps"] == 500
    assert item["active"] is True
    assert api.get("/admin/line-items/1", as_=owner).data == item

    reply = api.patch("/admin/line-items/1", {"price_cents": 160000, "sku": None}, as_=owner)
    assert reply.status == 200
    assert reply.data["price_cents"] == 160000 and reply.data["sku"] is None
    assert reply.data["name"] == "Annual maintenance package"

    line_item(api, owner, name="Capacitor", category="Parts", price_cents=4500)
    line_item(api, owner, name="Old thing", category="parts", price_cents=100, active=False)
    page = api.get("/admin/line-items?page=2&limit=2", as_=owner).data
    assert [i["name"] for i in page["items"]] == ["Old thing"]
    assert (page["total"], page["page"], page["limit"], page["total_pages"]) == (3, 2, 2, 2)
    parts = api.get("/admin/line-items?category=PARTS", as_=owner).data
    assert [i["name"] for i in parts["items"]] == ["Capacitor", "Old thing"]
    active = api.get("/admin/line-items?active=true", as_=owner).data
    assert active["total"] == 2


def test_categories(api, owner):
    line_item(api, owner, category="Parts")
    line_item(api, owner, category="parts ", active=False)
    line_item(api, owner, category="Maintenance")
    reply = api.get("/admin/line-items/categories", as_=owner)
    assert reply.status == 200
    assert reply.data["items"] == [
        {"category": "Maintenance", "item_count": 1, "active_item_count": 1},
        {"category": "Parts", "item_count": 2, "active_item_count": 1},
    ]


def test_bad_input_is_422_naming_the_field(api, owner):
    cases = [
        ({"name": "X", "price_cents": -1}, "price_cents"),
        ({"name": "X", "price_cents": 10.5}, "price_cents"),
        ({"name": "X", "price_cents": "100"}, "price_cents"),
        ({"name": "X"}, "price_cents"),
        ({"price_cents": 100}, "name"),
        ({"name": "X", "price_cents": 100, "category": ""}, "category"),
        (
            {"name": "X", "price_cents": 100, "default_commission_bps": 10001},
            "default_commission_bps",
        ),
        ({"name": "X", "price_cents": 100, "active": "yes"}, "active"),
    ]
    for body, field in cases:
        reply = api.post("/admin/line-items", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == field, body
    assert api.get("/admin/line-items", as_=owner).data["total"] == 0
    item = line_item(api, owner)
    reply = api.patch(f"/admin/line-items/{item['id']}", {"price_cents": None}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "price_cents"
    assert api.get("/admin/line-items/99", as_=owner).status == 404


def test_roles(api, owner):
    line_item(api, owner)
    technician = staff(owner, "technician")
    assert api.get("/admin/line-items", as_=technician).status == 200  # to pick items
    assert api.get("/admin/line-items/1", as_=technician).status == 200
    assert (
        api.post("/admin/line-items", {"name": "X", "price_cents": 1}, as_=technician).status == 403
    )
    assert api.patch("/admin/line-items/1", {"name": "X"}, as_=technician).status == 403
    dispatcher = staff(owner, "dispatcher")
    assert (
        api.post("/admin/line-items", {"name": "X", "price_cents": 1}, as_=dispatcher).status == 403
    )
    manager = staff(owner, "manager")
    assert api.post("/admin/line-items", {"name": "X", "price_cents": 1}, as_=manager).status == 201


def test_tenant_isolation(api, owner, other):
    item = line_item(api, owner, name="Secret Widget")
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"/admin/line-items/{item['id']}", None),
            ("PATCH", f"/admin/line-items/{item['id']}", {"name": "Hijacked"}),
        ],
        secrets=["Secret Widget"],
    )
    assert api.get("/admin/line-items", as_=other).data["total"] == 0
    assert api.get("/admin/line-items/categories", as_=other).data["items"] == []
