"""``/admin/service-zones``: create, read, list, change and delete zones; ZIP claims (one
active zone per ZIP), bad input, roles, tenant isolation, exact totals, and what a
place's zone lookup costs."""

from __future__ import annotations

from tests.support.isolation import assert_isolated
from tests.support.reads import counting_reads
from tests.support.sales_helpers import staff, technician

PATH = "/admin/service-zones"
SQUARE = [[28.0, -82.6], [28.0, -82.4], [27.8, -82.4], [27.8, -82.6]]
TAMPA = {"name": "Tampa North", "zip_codes": ["33601", "33602-1234"]}


def _zone(api, account, **fields):
    reply = api.post(PATH, {**TAMPA, **fields}, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def test_create_get_list_update_delete(api, owner):
    tech = technician(api, owner)
    zone = _zone(api, owner, polygon=SQUARE, technician_ids=[tech["id"]], description="north")
    assert zone["id"] == 1 and zone["name"] == "Tampa North"
    assert zone["zip_codes"] == ["33601", "33602"]  # 5 digits, sorted
    assert zone["polygon"] == SQUARE and zone["technician_ids"] == [tech["id"]]
    assert zone["active"] is True and zone["description"] == "north"
    assert zone["created_at"] and zone["updated_at"]
    assert api.get(f"{PATH}/1", as_=owner).data == zone
    page = api.get(PATH, as_=owner).data
    assert page == {
        "items": [zone],
        "total": 1,
        "page": 1,
        "limit": 50,
        "total_pages": 1,
        "next_cursor": None,
    }
    reply = api.patch(f"{PATH}/1", {"name": "Tampa N", "polygon": []}, as_=owner)
    assert reply.status == 200, reply.raw
    assert reply.data["name"] == "Tampa N" and reply.data["polygon"] is None
    assert reply.data["zip_codes"] == ["33601", "33602"]  # untouched
    # a zone keeps an area: clearing the ZIPs of a zone without polygon is 422
    reply = api.patch(f"{PATH}/1", {"zip_codes": []}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "zip_codes"
    reply = api.delete(f"{PATH}/1", as_=owner)
    assert reply.status == 200 and reply.data == {"id": 1, "deleted": True}
    assert api.get(f"{PATH}/1", as_=owner).status == 404
    assert api.delete(f"{PATH}/1", as_=owner).status == 404
    assert api.get(PATH, as_=owner).data["total"] == 0
    # its ZIPs are free again
    assert _zone(api, owner)["zip_codes"] == ["33601", "33602"]


def test_a_zip_belongs_to_one_active_zone(api, owner):
    first = _zone(api, owner)
    reply = api.post(PATH, {"name": "Overlap", "zip_codes": ["33602", "33603"]}, as_=owner)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    assert "33602 (zone 1)" in reply.error["message"]
    assert api.get(PATH, as_=owner).data["total"] == 1  # nothing was written
    second = _zone(api, owner, name="South", zip_codes=["33603"])
    reply = api.patch(f"{PATH}/{second['id']}", {"zip_codes": ["33603", "33601"]}, as_=owner)
    assert reply.status == 409 and "33601 (zone 1)" in reply.error["message"]
    # deactivating releases the ZIPs (the zone keeps its list)...
    reply = api.patch(f"{PATH}/{first['id']}", {"active": False}, as_=owner)
    assert reply.status == 200 and reply.data["zip_codes"] == ["33601", "33602"]
    reply = api.patch(f"{PATH}/{second['id']}", {"zip_codes": ["33603", "33601"]}, as_=owner)
    assert reply.status == 200, reply.raw
    # ...so re-activating it while another zone holds one of them is 409
    reply = api.patch(f"{PATH}/{first['id']}", {"active": True}, as_=owner)
    assert reply.status == 409 and f"33601 (zone {second['id']})" in reply.error["message"]
    reply = api.patch(f"{PATH}/{first['id']}", {"active": True, "zip_codes": ["33602"]}, as_=owner)
    assert reply.status == 200 and reply.data["active"] is True
    # an inactive zone claims nothing, so two inactive zones may list the same ZIP
    _zone(api, owner, name="Old A", zip_codes=["33604"], active=False)
    _zone(api, owner, name="Old B", zip_codes=["33604"], active=False)


def test_bad_input(api, owner, other):
    their_tech = technician(api, other)
    cases = [
        ({"zip_codes": ["33601"]}, "name"),
        ({"name": "x"}, "zip_codes"),  # neither ZIPs nor a polygon
        ({"name": "x", "zip_codes": ["3360"]}, "zip_codes.0"),
        ({"name": "x", "zip_codes": ["00000"]}, "zip_codes.0"),
        ({"name": "x", "polygon": [[28, -82], [28.1, -82]]}, "polygon"),
        ({"name": "x", "polygon": [[91, -82], [28.1, -82], [28, -82.1]]}, "polygon.0.0"),
        ({"name": "x", "polygon": [[28, -182], [28.1, -82], [28, -82.1]]}, "polygon.0.1"),
        ({"name": "x", "polygon": [[1, 1], [2, 2], [3, 3]]}, "polygon"),
        ({"name": "x", "polygon": "square"}, "polygon"),
        ({"name": "x", "zip_codes": ["33601"], "technician_ids": [99]}, "technician_ids.0"),
        (
            {"name": "x", "zip_codes": ["33601"], "technician_ids": [their_tech["id"]]},
            "technician_ids.0",
        ),
        ({"name": "x", "zip_codes": ["33601"], "active": "yes"}, "active"),
    ]
    for body, field in cases:
        reply = api.post(PATH, body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"].startswith(field), (body, reply.raw)
    assert api.get(PATH, as_=owner).data["total"] == 0
    zone = _zone(api, owner)
    for body in ({"name": None}, {"technician_ids": None}, {"polygon": [[1, 2]]}):
        assert api.patch(f"{PATH}/{zone['id']}", body, as_=owner).status == 422, body
    assert api.get(f"{PATH}/abc", as_=owner).status == 404
    assert api.get(f"{PATH}?active=maybe", as_=owner).status == 400


def test_roles(api, owner):
    zone = _zone(api, owner)
    dispatcher = staff(owner, "dispatcher")
    manager = staff(owner, "manager", 901)
    assert api.get(PATH, as_=dispatcher).status == 200
    assert api.get(f"{PATH}/{zone['id']}", as_=dispatcher).status == 200
    body = {"name": "By dispatcher", "zip_codes": ["33610"]}
    assert api.post(PATH, body, as_=dispatcher).status == 403
    assert api.patch(f"{PATH}/{zone['id']}", {"name": "n"}, as_=dispatcher).status == 403
    assert api.delete(f"{PATH}/{zone['id']}", as_=dispatcher).status == 403
    assert api.post(PATH, body, as_=manager).status == 201


def test_another_tenants_zones_are_not_found(api, owner, other):
    zone = _zone(api, owner, description="secret-zone-note")
    path = f"{PATH}/{zone['id']}"
    assert_isolated(
        api,
        owner,
        other,
        [("GET", path, None), ("PATCH", path, {"name": "mine"}), ("DELETE", path, None)],
        secrets=["secret-zone-note"],
    )
    assert api.get(PATH, as_=other).data["total"] == 0
    # the other tenant may claim the same ZIPs: claims are per tenant
    assert _zone(api, other)["zip_codes"] == ["33601", "33602"]
    assert api.get(path, as_=owner).data == zone


def test_totals_filters_and_cursors(api, owner):
    for n in range(7):
        _zone(api, owner, name=f"Z{n}", zip_codes=[f"3360{n + 1}"], active=n % 3 != 0)
    api.patch(f"{PATH}/2", {"active": False}, as_=owner)
    api.delete(f"{PATH}/3", as_=owner)

    def ids(query: str) -> tuple[list[int], int]:
        page = api.get(f"{PATH}?limit=2&{query}", as_=owner).data
        total, seen = page["total"], [z["id"] for z in page["items"]]
        while page["next_cursor"]:
            page = api.get(f"{PATH}?limit=2&{query}&cursor={page['next_cursor']}", as_=owner).data
            seen += [z["id"] for z in page["items"]]
        return seen, total

    assert ids("") == ([1, 2, 4, 5, 6, 7], 6)
    assert ids("active=true") == ([5, 6], 2)
    assert ids("active=false") == ([1, 2, 4, 7], 4)
    page2 = api.get(f"{PATH}?limit=2&page=2&active=false", as_=owner).data
    assert [z["id"] for z in page2["items"]] == [4, 7] and page2["total_pages"] == 2


def test_zone_lookup_is_bounded(api, owner):
    from chalicelib.zones import service

    tid = owner.tenant_id
    with counting_reads() as reads:
        assert service.zone_id_of(tid, "33601", None, None) is None
    assert reads.calls == {"BatchGetItem": 1}  # no zones: the counts say so
    zip_zone = _zone(api, owner, technician_ids=[technician(api, owner)["id"]])
    with counting_reads() as reads:
        assert service.zone_id_of(tid, "33601", None, None) == zip_zone["id"]
    assert reads.calls == {"BatchGetItem": 1}
    with counting_reads() as reads:
        found = service.zone_of(tid, "33602-0001", None, None)
    assert found == {
        "id": zip_zone["id"],
        "name": "Tampa North",
        "technician_ids": zip_zone["technician_ids"],
        "active": True,
    }
    assert reads.calls == {"BatchGetItem": 1, "GetItem": 1}
    with counting_reads() as reads:  # a ZIP in no zone and no polygon zones: no Query
        assert service.zone_id_of(tid, "33629", 27.9, -82.5) is None
    assert reads.calls == {"BatchGetItem": 1}
    square = _zone(api, owner, name="Square", zip_codes=[], polygon=SQUARE)
    for _ in range(3):
        _zone(api, owner, name="Far", zip_codes=[], polygon=[[40, -75], [40.1, -75], [40, -75.1]])
    with counting_reads() as reads:
        assert service.zone_id_of(tid, "33629", 27.9, -82.5) == square["id"]
    assert reads.calls == {"BatchGetItem": 1, "Query": 1}
    with counting_reads() as reads:  # the ZIP's centroid (33629 is in the square)
        assert service.zone_of(tid, "33629", None, None)["id"] == square["id"]
    assert reads.calls == {"BatchGetItem": 1, "Query": 1}
    assert service.zone_id_of(tid, "33601", 27.9, -82.5) == zip_zone["id"]  # the ZIP wins
    assert service.zone_id_of(tid, None, 41.0, -74.0) is None
    api.patch(f"{PATH}/{square['id']}", {"active": False}, as_=owner)
    assert service.zone_id_of(tid, "33629", 27.9, -82.5) is None
