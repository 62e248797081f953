"""Customer fields: billing address, tags, ``active`` and the ``?active=`` filter (exact
totals, by page and by cursor, with and without ``search``); bad inputs name the field."""

from __future__ import annotations

from tests.support.reads import counting_reads

ANN = {
    "name": "Ann Lee",
    "email": "ann@example.com",
    "address": "1 Service Rd",
    "city": "Tampa",
    "state": "FL",
    "zip": "33601",
    "billing_address": {"address": "PO Box 9", "city": "Miami", "state": "FL", "zip": "33101"},
    "tags": ["VIP", "vip", " Net 30 "],
}


def test_billing_address_and_tags(api, owner):
    reply = api.post("/admin/customers", ANN, as_=owner)
    assert reply.status == 201, reply.raw
    ann = reply.data
    assert ann["billing_address"] == ANN["billing_address"]
    assert (ann["address"], ann["city"], ann["zip"]) == ("1 Service Rd", "Tampa", "33601")
    assert ann["tags"] == ["VIP", "Net 30"] and ann["active"] is True and ann["merged"] == []
    # a PATCH of the billing address changes the keys sent (null clears one)
    reply = api.patch(
        f"/admin/customers/{ann['id']}",
        {"billing_address": {"address": "PO Box 10", "zip": None}, "tags": ["residential"]},
        as_=owner,
    )
    assert reply.status == 200, reply.raw
    assert reply.data["billing_address"] == {
        "address": "PO Box 10",
        "city": "Miami",
        "state": "FL",
        "zip": None,
    }
    assert reply.data["tags"] == ["residential"]
    reply = api.patch(
        f"/admin/customers/{ann['id']}", {"billing_address": None, "tags": []}, as_=owner
    )
    assert reply.data["billing_address"] is None and reply.data["tags"] == []
    plain = api.post("/admin/customers", {"name": "Plain"}, as_=owner).data
    assert plain["billing_address"] is None and plain["tags"] == [] and plain["active"] is True


def test_bad_fields_name_the_field(api, owner):
    cid = api.post("/admin/customers", {"name": "Target"}, as_=owner).data["id"]
    for body, field in [
        ({"name": "X", "tags": ["x" * 31]}, "tags.0"),
        ({"name": "X", "tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"name": "X", "tags": ["<b>"]}, "tags"),
        ({"name": "X", "tags": "vip"}, "tags"),
        ({"name": "X", "billing_address": {"zip": "1" * 21}}, "billing_address.zip"),
        ({"name": "X", "billing_address": "PO Box 1"}, "billing_address"),
        ({"name": "X", "active": "maybe"}, "active"),
    ]:
        reply = api.post("/admin/customers", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == field, (body, reply.error)
    reply = api.patch(f"/admin/customers/{cid}", {"active": None}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "active"
    reply = api.get("/admin/customers?active=perhaps", as_=owner)  # a bad query is 400
    assert reply.status == 400 and reply.error["details"][0]["field"] == "active"


def _ids(api, owner, query: str) -> tuple[list[int], int]:
    data = api.get(f"/admin/customers?{query}", as_=owner).data
    return [c["id"] for c in data["items"]], data["total"]


def test_active_filter_is_exact_by_page_and_by_cursor(api, owner):
    made = [
        api.post("/admin/customers", {"name": f"Pat {n}"}, as_=owner).data["id"] for n in range(7)
    ]
    for cid in made[1::2]:  # 2, 4, 6 inactive
        reply = api.patch(f"/admin/customers/{cid}", {"active": False}, as_=owner)
        assert reply.status == 200 and reply.data["active"] is False
    inactive = sorted(made[1::2], reverse=True)
    active = sorted(set(made) - set(inactive), reverse=True)
    assert _ids(api, owner, "active=false") == (inactive, 3)
    assert _ids(api, owner, "active=true") == (active, 4)
    assert _ids(api, owner, "") == (sorted(made, reverse=True), 7)  # nothing hidden
    assert _ids(api, owner, "active=true&page=2&limit=3") == (active[3:], 4)
    first = api.get("/admin/customers?active=true&limit=2", as_=owner).data
    rest = api.get(f"/admin/customers?active=true&limit=2&cursor={first['next_cursor']}", as_=owner)
    assert [c["id"] for c in first["items"] + rest.data["items"]] == active
    # a cursor of one filter is not one of another
    other = api.get(f"/admin/customers?active=false&cursor={first['next_cursor']}", as_=owner)
    assert other.status == 400
    # search with active: the search entries carry it
    assert _ids(api, owner, "search=pat&active=false") == ([made[1], made[3], made[5]], 3)
    assert _ids(api, owner, "search=pat&active=true")[1] == 4
    # back to active
    assert api.patch(f"/admin/customers/{made[1]}", {"active": True}, as_=owner).data["active"]
    assert _ids(api, owner, "active=false")[1] == 2
    assert _ids(api, owner, "search=pat 1&active=true") == ([made[1]], 1)


def test_active_page_reads_o_limit(api, owner):
    from chalicelib.customers import service as customers

    tid = owner.tenant_id
    for n in range(60):
        customers.create(tid, {"name": f"C {n}", **({"active": False} if n % 2 else {})})
    with counting_reads() as reads:
        data = api.get("/admin/customers?active=false&limit=5", as_=owner).data
    assert data["total"] == 30 and len(data["items"]) == 5
    # one Query over the run of id blocks that holds the matches (platform.listing): at most
    # the blocks of 100 ids it needs, whatever the tenant's size
    assert reads.calls["Query"] == 1 and reads.queried <= 100
