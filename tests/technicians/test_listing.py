"""``GET /admin/technicians`` costs what it shows (issue 10): every filter, walked by page
and by cursor, returns every technician once, by id; ``total`` stays exact through
creates, changes of ``active`` and deactivations (also when another request changed
``active`` between the read and the write); pages read O(limit); cursors are bound to
their list, filter and tenant; a GET writes nothing."""

from __future__ import annotations

import itertools

from tests.support.reads import counting_reads, id_pages_read_o_limit
from tests.support.sales_helpers import technician, technician_login
from tests.support.walk import api_fetch, api_refused, forged, walk

FILTERS = {
    "": lambda t: True,
    "active=true": lambda t: t["active"],
    "active=false": lambda t: not t["active"],
}
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def _walk(api, account, query: str, limit: int, by_cursor: bool) -> tuple[list[int], int]:
    got = walk(api_fetch(api, account), f"/admin/technicians?{query}", limit, by_cursor=by_cursor)
    return got.ids, got.total


def _roster(account, n: int) -> None:
    """``n`` technicians through the service (as the seed writes them): ids 1..n, inactive
    where the id is a multiple of 7 and for the whole run 120..135."""
    from chalicelib.technicians import service

    for number in range(1, n + 1):
        active = not (number % 7 == 0 or 120 <= number <= 135)
        service.create(
            account.tenant_id, {"name": f"Tech {number}", "pay_type": "hourly", "active": active}
        )


def _totals(api, account) -> dict[str, int]:
    return {q: api.get(f"/admin/technicians?{q}", as_=account).data["total"] for q in FILTERS}


def test_every_filter_by_page_and_by_cursor_over_several_id_blocks(api, owner):
    """230 technicians span three blocks of 100 ids; a few are deactivated over the API."""
    _roster(owner, 230)
    for tech_id in (3, 101, 199, 200):
        assert api.delete(f"/admin/technicians/{tech_id}", as_=owner).status == 200
    assert api.patch("/admin/technicians/126", {"active": True}, as_=owner).status == 200
    everyone = _walk(api, owner, "", 200, by_cursor=True)[0]
    assert everyone == list(range(1, 231))
    techs = []
    for page in (1, 2):
        techs += api.get(f"/admin/technicians?limit=200&page={page}", as_=owner).data["items"]
    assert [t["id"] for t in techs] == everyone
    for query, keep in FILTERS.items():
        want = [t["id"] for t in techs if keep(t)]
        assert want, query
        for limit, by_cursor in itertools.product((17, 50), (False, True)):
            assert _walk(api, owner, query, limit, by_cursor) == (want, len(want)), (
                query,
                limit,
                by_cursor,
            )

    # reads stay O(limit): page 1, page 20 and a cursor page of 10
    id_pages_read_o_limit(api, owner, "/admin/technicians")
    from chalicelib.core.pagination import PageRequest
    from chalicelib.technicians import service

    with counting_reads() as reads:  # (the edge's rate limiter writes its own windows)
        for active in (None, True, False):
            service.page(owner.tenant_id, PageRequest(page=3, limit=10), active=active)
    assert not any(reads.calls[w] for w in WRITES), reads.calls  # a list writes nothing
    # a filtered page reads its matches and the non-matching runs between them (at most
    # listing.GAP each), not everything before it
    with counting_reads() as reads:
        inactive = api.get("/admin/technicians?active=false&limit=10&page=2", as_=owner).data
    want_inactive = [t["id"] for t in techs if not t["active"]]
    assert [t["id"] for t in inactive["items"]] == want_inactive[10:20]
    assert reads.queried <= 10 + 100 + 10 * 20


def test_totals_stay_exact_through_creates_changes_and_deactivations(api, owner):
    assert _totals(api, owner) == {"": 0, "active=true": 0, "active=false": 0}
    a = technician(api, owner)
    b = technician(api, owner, active=False)
    c, _ = technician_login(api, owner)
    assert _totals(api, owner) == {"": 3, "active=true": 2, "active=false": 1}
    assert api.delete(f"/admin/technicians/{a['id']}", as_=owner).status == 200
    assert api.delete(f"/admin/technicians/{a['id']}", as_=owner).status == 200  # again
    assert api.patch(f"/admin/technicians/{c['id']}", {"active": False}, as_=owner).status == 200
    assert _totals(api, owner) == {"": 3, "active=true": 0, "active=false": 3}
    assert api.patch(f"/admin/technicians/{b['id']}", {"active": True}, as_=owner).status == 200
    assert api.patch(f"/admin/technicians/{b['id']}", {"active": True}, as_=owner).status == 200
    reply = api.patch(f"/admin/technicians/{b['id']}", {"name": "Renamed"}, as_=owner)
    assert reply.status == 200 and reply.data["active"] is True
    assert _totals(api, owner) == {"": 3, "active=true": 1, "active=false": 2}
    # refused writes count nothing
    assert api.patch("/admin/technicians/99", {"active": False}, as_=owner).status == 404
    reply = api.post(
        "/admin/technicians",
        {"name": "Dup", "username": c["username"], "password": "techPassword123!"},
        as_=owner,
    )
    assert reply.status == 409
    assert _totals(api, owner) == {"": 3, "active=true": 1, "active=false": 2}
    listed = api.get("/admin/technicians?active=false", as_=owner).data["items"]
    assert [t["id"] for t in listed] == [a["id"], c["id"]]


def test_a_change_of_active_made_meanwhile_is_read_again(api, owner, monkeypatch):
    """Another request deactivates the technician between this request's read and its
    write: the write's condition (``active`` as read) fails, it reads again and moves the
    counts from what the technician is now."""
    from chalicelib.technicians import service, store

    tech = technician(api, owner)
    real_get, raced = store.get, []

    def get_then_race(tenant_id, technician_id, consistent=False):
        found = real_get(tenant_id, technician_id, consistent)
        if not raced:
            raced.append(True)
            service.update(tenant_id, technician_id, {"active": False})  # the other request
        return found

    monkeypatch.setattr(store, "get", get_then_race)
    reply = api.patch(f"/admin/technicians/{tech['id']}", {"active": True}, as_=owner)
    assert reply.status == 200 and reply.data["active"] is True
    monkeypatch.setattr(store, "get", real_get)
    assert _totals(api, owner) == {"": 1, "active=true": 1, "active=false": 0}


def test_a_cursor_is_bound_to_its_list_filter_and_tenant(api, owner, other):
    _roster(owner, 4)
    _roster(other, 4)
    cursor = api.get("/admin/technicians?limit=1", as_=owner).data["next_cursor"]
    active_cursor = api.get("/admin/technicians?limit=1&active=true", as_=owner).data["next_cursor"]
    assert cursor and active_cursor
    for query in (
        *forged(cursor),
        "cursor=%00",
        f"cursor={cursor}&active=true",
        f"cursor={active_cursor}",
        f"cursor={active_cursor}&active=false",
    ):
        api_refused(api, owner, f"/admin/technicians?limit=1&{query}")
    api_refused(api, other, f"/admin/technicians?limit=1&cursor={cursor}")
    reply = api.get(f"/admin/technicians?limit=1&cursor={active_cursor}&active=true", as_=owner)
    assert reply.status == 200 and [t["id"] for t in reply.data["items"]] == [2]
