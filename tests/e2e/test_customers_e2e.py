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
