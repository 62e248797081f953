"""``GET /admin/customers`` over real HTTP against the `make run` stack (dynoxide): the list
and ``search=`` walked by page and by cursor give every customer once, in order, with an
exact total; customers made by sales are counted and found; a foreign or altered cursor
is 400; racing creates and renames keep the total and the search exact."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest

from tests.e2e.conftest import ok, refused
from tests.support.walk import stack_fetch, walk

PEOPLE = [
    {"name": "John Doe", "email": "john@acme.com", "phone": "(813) 555-0101", "zip": "33601"},
    {"name": "Johnny Johnson"},
    {"name": "Mary Doe-Smith", "email": "mds@example.com", "zip": "SW1A 1AA"},
    {"name": "Sam Lee", "phone": "813.555.7777"},
    {"name": "Sam Lee"},
    {"name": "Pat Doe", "city": "Tampa"},
]


@pytest.fixture(scope="module")
def shop(stack):
    account = stack.register("Customer Cooling")
    headers = account["headers"]
    made = [stack.create("/admin/customers", body, headers) for body in PEOPLE]
    tech = stack.create("/admin/technicians", {"name": "Tess", "pay_type": "commission"}, headers)
    item = stack.create(
        "/admin/line-items",
        {"name": "Tune", "category": "Maintenance", "price_cents": 900},
        headers,
    )
    sale = {"technician_id": tech["id"], "item_id": item["id"], "sale_price_cents": 900}
    for name, email in (
        ("Walt Walker", "walt@example.com"),
        ("Dee Doe", None),
        ("Walt", "walt@example.com"),
    ):
        body = {**sale, "customer_name": name, **({"customer_email": email} if email else {})}
        stack.create("/sales", body, headers)
    for n in range(9):
        made.append(stack.create("/admin/customers", {"name": f"Filler {n}"}, headers))
    return {"headers": headers, "made": made}


def _get(stack, headers, query: str) -> dict:
    return ok(stack.request("GET", f"/api/v1/admin/customers?{query}", headers=headers))


def _walk(stack, headers, query: str, limit: int, by_cursor: bool) -> tuple[list[str], int]:
    url = f"/api/v1/admin/customers?{query}"
    got = walk(stack_fetch(stack, headers), url, limit, by_cursor=by_cursor)
    return [f"{c['id']}:{c['name']}" for c in got.items], got.total


def test_the_list_and_every_search_by_page_and_by_cursor(stack, shop):
    headers = shop["headers"]
    everything = _get(stack, headers, "limit=200")
    ids = [c["id"] for c in everything["items"]]
    assert ids == sorted(ids, reverse=True) and everything["total"] == len(ids) == 17
    names = {c["id"]: c["name"] for c in everything["items"]}
    sams = sorted((i for i, n in names.items() if n == "Sam Lee"), reverse=True)
    searches = {
        "": [f"{i}:{names[i]}" for i in ids],
        # by term A-Z ("doe" before "doe-smith"), newest first within a term
        "doe": ["Dee Doe", "Pat Doe", "John Doe", "Mary Doe-Smith"],
        "JOHN": ["John Doe", "Johnny Johnson"],
        "813-555": ["John Doe", "Sam Lee"],  # phone digits
        "336": ["John Doe"],  # ZIP
        "sw1a": ["Mary Doe-Smith"],
        "walt@": ["Walt Walker"],  # made by a sale, then linked by its e-mail
        "walker": ["Walt Walker"],
        "sam": ["Sam Lee", "Sam Lee"],
        "filler": [f"Filler {n}" for n in range(9)],  # "filler 0" < "filler 1" < ...
        "tampa": [],  # the city is not searched
        "ohn": [],  # prefixes only
    }
    for text, want in searches.items():
        query = f"search={quote(text)}" if text else ""
        for by_cursor in (False, True):
            got, total = _walk(stack, headers, query, 2, by_cursor)
            if text:
                got = [g.split(":", 1)[1] for g in got]
            assert (got, total) == (want, len(want)), (text, by_cursor)
    assert [c["id"] for c in _get(stack, headers, "search=sam")["items"]] == sams


def test_a_cursor_is_refused_by_another_list_prefix_and_tenant(stack, shop):
    headers = shop["headers"]
    plain = _get(stack, headers, "limit=2")["next_cursor"]
    found = _get(stack, headers, "search=doe&limit=1")["next_cursor"]
    stranger = stack.register("Stranger Plumbing")["headers"]
    for query, who in (
        (f"cursor={plain}&search=doe", headers),
        (f"cursor={found}", headers),
        (f"cursor={found}&search=do", headers),
        (f"cursor={plain[:-2]}", headers),
        (f"cursor={plain}", stranger),
        (f"cursor={found}&search=doe", stranger),
    ):
        refused(stack, f"/api/v1/admin/customers?limit=2&{query}", who)


def test_racing_creates_and_renames_keep_total_and_search_exact(stack):
    headers = stack.register("Race Roofing")["headers"]
    first = [stack.create("/admin/customers", {"name": f"Rae {n}"}, headers) for n in range(4)]
    replies: list[int] = []

    def call(method: str, path: str, body: dict) -> None:
        status, _, _ = stack.request(method, f"/api/v1/admin/customers{path}", body, headers)
        replies.append(status)

    threads = [
        threading.Thread(target=call, args=("POST", "", {"name": f"Racer {n}"})) for n in range(8)
    ]
    for n, customer in enumerate(first):  # two renames of each, racing each other
        for name in (f"Left {n}", f"Right {n}"):
            threads.append(
                threading.Thread(target=call, args=("PATCH", f"/{customer['id']}", {"name": name}))
            )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(replies) == [200] * 8 + [201] * 8
    assert _get(stack, headers, "")["total"] == 12
    assert _get(stack, headers, "search=racer")["total"] == 8
    assert _get(stack, headers, "search=rae")["total"] == 0
    final = {c["id"]: c["name"] for c in _get(stack, headers, "limit=200")["items"]}
    for customer in first:  # only the name that won is found
        name = final[customer["id"]]
        assert name.split()[0] in ("Left", "Right")
        loser = ("Right " if name.startswith("Left") else "Left ") + name.split()[1]
        assert [c["id"] for c in _get(stack, headers, f"search={quote(name)}")["items"]] == [
            customer["id"]
        ]
        assert _get(stack, headers, f"search={quote(loser)}")["total"] == 0


# --- fields, the active filter, merge and history (issue 13) --------------------------------
def test_tags_billing_address_and_the_active_filter(stack):
    headers = stack.register("Tagged Tiling")["headers"]
    made = [
        stack.create(
            "/admin/customers",
            {
                "name": f"Tia {n}",
                "tags": ["VIP", "vip", "net 30"] if n == 0 else [],
                **({"billing_address": {"address": "PO Box 1", "zip": "33101"}} if n == 0 else {}),
            },
            headers,
        )
        for n in range(5)
    ]
    assert made[0]["tags"] == ["VIP", "net 30"]
    assert made[0]["billing_address"] == {
        "address": "PO Box 1",
        "city": None,
        "state": None,
        "zip": "33101",
    }
    url = f"/api/v1/admin/customers/{made[0]['id']}"
    patched = ok(stack.request("PATCH", url, {"tags": ["commercial"], "active": False}, headers))
    assert patched["tags"] == ["commercial"] and patched["active"] is False
    ok(
        stack.request(
            "PATCH", f"/api/v1/admin/customers/{made[3]['id']}", {"active": False}, headers
        )
    )
    inactive = [made[3]["id"], made[0]["id"]]
    active = [c["id"] for c in reversed(made) if c["id"] not in inactive]
    for query, want in (("active=false", inactive), ("active=true", active)):
        for by_cursor in (False, True):
            got, total = _walk(stack, headers, query, 2, by_cursor)
            assert ([int(g.split(":")[0]) for g in got], total) == (want, len(want)), query
        got, total = _walk(stack, headers, f"{query}&search=tia", 1, True)  # by name A-Z
        assert ([int(g.split(":")[0]) for g in got], total) == (sorted(want), len(want))
    assert _get(stack, headers, "")["total"] == 5  # inactive ones are still listed
    for body, field in (
        ({"name": "X", "tags": ["<x>"]}, "tags"),
        ({"name": "X", "tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"name": "X", "billing_address": {"state": "S" * 51}}, "billing_address.state"),
    ):
        status, _, reply = stack.request("POST", "/api/v1/admin/customers", body, headers)
        assert status == 422 and reply["error"]["details"][0]["field"] == field, reply
    status, _, reply = stack.request("PATCH", url, {"active": None}, headers)
    assert status == 422 and reply["error"]["details"][0]["field"] == "active"
    refused(stack, "/api/v1/admin/customers?active=sometimes", headers)


def _history(stack, headers, customer_id: int, query: str = "limit=200"):
    return stack.request(
        "GET", f"/api/v1/admin/customers/{customer_id}/history?{query}", headers=headers
    )


def test_merge_and_the_history_over_http(stack):
    headers = stack.register("Merging Masonry")["headers"]
    keep = stack.create("/admin/customers", {"name": "Kay", "email": "kay@example.com"}, headers)
    dupe = stack.create("/admin/customers", {"name": "Kay Dup", "email": "kd@example.com"}, headers)
    tech = stack.create("/admin/technicians", {"name": "Ty", "pay_type": "commission"}, headers)
    item = stack.create(
        "/admin/line-items", {"name": "Tune", "category": "Service", "price_cents": 900}, headers
    )
    sale = {"technician_id": tech["id"], "item_id": item["id"], "sale_price_cents": 900}
    lines = [{"description": "Work", "amount_cents": 2500, "quantity": 1}]
    stack.create("/sales", {**sale, "customer_id": keep["id"]}, headers)
    stack.create("/admin/dispatch", {"title": "Leak", "customer_id": keep["id"]}, headers)
    stack.create(
        "/admin/invoices",
        {"customer_id": keep["id"], "line_items": lines, "due_date": "2030-01-15"},
        headers,
    )
    stack.create(
        "/admin/estimates",
        {"customer_id": keep["id"], "line_items": lines, "valid_until": "2030-01-15"},
        headers,
    )
    # the duplicate's records, one linked by its e-mail (no new customer)
    linked = stack.create(
        "/admin/dispatch", {"title": "Dup job", "customer_email": "KD@example.com"}, headers
    )
    assert linked["customer_id"] == dupe["id"]
    stack.create("/sales", {**sale, "customer_email": "kd@example.com"}, headers)

    merge = f"/api/v1/admin/customers/{keep['id']}/merge"
    status, _, body = stack.request("POST", merge, {"from_id": keep["id"]}, headers)
    assert status == 422 and body["error"]["details"][0]["field"] == "from_id"
    survivor = ok(stack.request("POST", merge, {"from_id": dupe["id"]}, headers))
    assert survivor["id"] == keep["id"] and survivor["merged"][0]["customer_id"] == dupe["id"]
    assert stack.request("POST", merge, {"from_id": dupe["id"]}, headers)[0] == 409
    shown = ok(stack.request("GET", f"/api/v1/admin/customers/{dupe['id']}", headers=headers))
    assert shown["id"] == keep["id"]
    assert _get(stack, headers, "")["total"] == 1
    assert _get(stack, headers, "search=kd%40")["total"] == 0
    # a new record naming the merged e-mail links to the survivor
    after = stack.create("/sales", {**sale, "customer_email": "kd@example.com"}, headers)
    assert after["customer_id"] == keep["id"]

    full = ok(_history(stack, headers, keep["id"]))
    items = full["items"]
    assert full["next_cursor"] is None and len(items) == 7
    assert sorted(e["type"] for e in items) == ["estimate", "invoice", "job", "job"] + ["sale"] * 3
    assert {e["customer_id"] for e in items} == {keep["id"], dupe["id"]}
    orders = [(e["date"], e["type"], e["id"]) for e in items]
    assert orders == sorted(orders, reverse=True)
    walked, cursor = [], None
    while True:
        page = ok(
            _history(
                stack, headers, keep["id"], "limit=2" + (f"&cursor={cursor}" if cursor else "")
            )
        )
        walked += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == items
    assert ok(_history(stack, headers, dupe["id"]))["items"] == items  # the merged id
    refused(stack, f"/api/v1/admin/customers/{keep['id']}/history?page=2", headers)
    stranger = stack.register("Stranger Stucco")["headers"]
    assert _history(stack, stranger, keep["id"])[0] == 404
    mine = stack.create("/admin/customers", {"name": "Mine"}, stranger)  # its id 1
    # the owner's id 2 names nothing of the stranger's, on either side of a merge
    dupe_merge = f"/api/v1/admin/customers/{dupe['id']}/merge"
    assert stack.request("POST", dupe_merge, {"from_id": mine["id"]}, stranger)[0] == 404
    theirs = f"/api/v1/admin/customers/{mine['id']}/merge"
    assert stack.request("POST", theirs, {"from_id": dupe["id"]}, stranger)[0] == 404
