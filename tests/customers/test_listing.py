"""``GET /admin/customers`` costs what it shows (issue 10): newest first, walked by page and
by cursor, every customer once; ``total`` from the rollup, exact through creates (admin
and sales) and updates; ``search=`` by prefix through the search-key entries, kept exact
by creates and updates (also racing ones); bounded reads; cursors bound to their list,
prefix and tenant; no GET writes."""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from urllib.parse import quote

import pytest

from chalicelib.customers import search, store
from chalicelib.customers import service as customers
from chalicelib.platform import keys
from tests.support.aws_calls import wrapped
from tests.support.reads import counting_reads
from tests.support.sales_helpers import SEED_COMMISSION_CONFIG, close_period, record, seed_catalog
from tests.support.walk import Walk, api_fetch, api_refused, forged, walk

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


def _get(api, account, query: str = "") -> dict:
    reply = api.get(f"/admin/customers?{query}", as_=account)
    assert reply.status == 200, reply.raw
    return reply.data


def _walk(api, account, query: str, limit: int, by_cursor: bool) -> Walk:
    """The list walked to its end: every page says its number, the last has no cursor."""
    got = walk(api_fetch(api, account), f"/admin/customers?{query}", limit, by_cursor=by_cursor)
    assert [data["page"] for data in got.pages] == list(range(1, len(got.pages) + 1)), got.pages
    assert got.pages[-1]["next_cursor"] is None
    return got


def _search(api, account, text: str, **extra) -> list[str]:
    query = "&".join([f"search={quote(text)}", *(f"{k}={v}" for k, v in extra.items())])
    return [c["name"] for c in _get(api, account, query)["items"]]


def _create(api, account, **fields) -> dict:
    reply = api.post("/admin/customers", fields, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _entries(tenant_id: str) -> set[tuple[str, str, int]]:
    """Every search-key entry of the tenant (term, sort key, customer id)."""
    return {
        (str(e.term), str(e.sk), int(e.customer_id))
        for e in store.CustomerSearchItem.query(keys.customer_search_pk(tenant_id))
    }


def _expected_entries(tenant_id: str, customer_ids) -> set[tuple[str, str, int]]:
    want = set()
    for customer_id in customer_ids:
        c = store.get(tenant_id, customer_id, consistent=True)
        for term, field in search.terms(c.name, c.email, c.phone, c.zip):
            want.add(
                (
                    term,
                    keys.customer_search_key(tenant_id, term, field, customer_id)[1],
                    customer_id,
                )
            )
    return want


def test_the_list_walked_by_page_and_by_cursor_is_newest_first(api, owner):
    made = [_create(api, owner, name=f"Walker {n}")["id"] for n in range(23)]
    want = sorted(made, reverse=True)
    for limit in (1, 4, 23, 50):
        by_page = _walk(api, owner, "", limit, by_cursor=False)
        assert (by_page.ids, by_page.total) == (want, 23), limit
        assert _walk(api, owner, "", limit, by_cursor=True).ids == want, limit
    assert _get(api, owner, "page=7&limit=4")["items"] == []


SEARCHABLE = [
    # name, email, phone, zip, city
    ("John Doe", "john@acme.com", "(813) 555-0101", "33601", "Tampa"),
    ("Johnny Johnson", None, None, None, None),
    ("Mary Doe-Smith", "mds@example.com", "+1 727 555 0199", "SW1A 1AA", "London"),
    ("Sam Lee", None, None, None, None),
    ("Sam Lee", None, None, None, None),
    ("Élodie Marchand", None, "813.555.7777", None, None),
    ("A", None, None, None, None),
    ("A#B", None, None, None, None),
]


@pytest.fixture
def book(api, owner):
    found = {}
    for name, email, phone, zip_code, city in SEARCHABLE:
        body = {"name": name, "email": email, "phone": phone, "zip": zip_code, "city": city}
        c = _create(api, owner, **{k: v for k, v in body.items() if v is not None})
        found[c["id"]] = c
    return found


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("john", ["John Doe", "Johnny Johnson"]),  # term A-Z, each customer once
        ("JOHN", ["John Doe", "Johnny Johnson"]),  # case-insensitive
        ("  John   D ", ["John Doe"]),  # white space runs count as one
        ("johns", ["Johnny Johnson"]),  # a later word of the name
        ("doe", ["John Doe", "Mary Doe-Smith"]),
        ("john@", ["John Doe"]),  # the e-mail
        ("mds@ex", ["Mary Doe-Smith"]),
        ("813-555", ["John Doe", "Élodie Marchand"]),  # the phone's digits
        ("(813) 555 7", ["Élodie Marchand"]),
        ("1727", ["Mary Doe-Smith"]),
        ("336", ["John Doe"]),  # the ZIP
        ("sw1a 1", ["Mary Doe-Smith"]),
        ("sam", ["Sam Lee", "Sam Lee"]),
        ("élo", ["Élodie Marchand"]),
        ("a#", ["A#B"]),  # not "A": the "#" that ends a term is no part of it
        ("a", ["A", "A#B"]),
        # prefixes only: no substrings, no city, address or notes
        ("ohn", []),
        ("acme", []),
        ("tampa", []),
        ("smith", []),  # "Doe-Smith" is one word
        ("555", []),  # phone digits start with the area code
        ("zzz", []),
    ],
)
def test_search_by_prefix(api, owner, book, text, names):
    assert _search(api, owner, text) == names
    assert _get(api, owner, f"search={quote(text)}")["total"] == len(names)


def test_search_is_newest_first_within_a_term_and_blank_is_no_search(api, owner, book):
    sams = sorted((c["id"] for c in book.values() if c["name"] == "Sam Lee"), reverse=True)
    assert [c["id"] for c in _get(api, owner, "search=sam")["items"]] == sams
    assert _get(api, owner, "search=%20%20")["total"] == len(SEARCHABLE)


def test_search_walked_by_page_and_by_cursor_returns_each_customer_once(api, owner):
    # every customer matches "pat" by one term or several (name, later word, e-mail)
    made = {}
    for n in range(14):
        body = {"name": f"Pat {n:02d}" if n % 3 else f"Kim Patel{n}"}
        if n % 4 == 0:
            body["email"] = f"pat{n}@example.com"
        made[_create(api, owner, **body)["id"]] = body
    _create(api, owner, name="Kim Other")
    everything = [c["id"] for c in _get(api, owner, "search=pat&limit=200")["items"]]
    assert sorted(everything) == sorted(made)
    for limit in (1, 3, 5, 14):
        by_page = _walk(api, owner, "search=pat", limit, by_cursor=False)
        assert (by_page.ids, by_page.total) == (everything, 14), limit
        assert _walk(api, owner, "search=PAT", limit, by_cursor=True).ids == everything, limit


def test_totals_and_entries_stay_exact_through_creates_and_updates(api, owner, other):
    seed_catalog(api, owner)
    assert (
        api.put("/admin/commission-config/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner).status
        == 200
    )
    jane = _create(api, owner, name="Jane Doe", email="jane@example.com", zip="33601")
    sale = {"technician_id": 1, "item_id": 5, "sale_price_cents": 100}
    walt = record(api, owner, {**sale, "customer_name": "Walt Walker", "customer_email": "w@x.io"})
    record(api, owner, {**sale, "customer_name": "Walt", "customer_email": "W@x.io"})  # linked
    only_name = record(api, owner, {**sale, "customer_name": "Nameless Ned"})
    assert (_get(api, owner)["total"], _get(api, other)["total"]) == (3, 0)
    assert _search(api, owner, "walker") == ["Walt Walker"]
    assert _search(api, owner, "w@x") == ["Walt Walker"]
    assert _search(api, owner, "ned") == ["Nameless Ned"]
    ids = [jane["id"], walt["customer_id"], only_name["customer_id"]]
    assert _entries(owner.tenant_id) == _expected_entries(owner.tenant_id, ids)

    # a sale that fails (closed pay period) creates and counts no customer
    day = (customers_today() - timedelta(days=40)).isoformat()
    close_period(owner.tenant_id, customers_today() - timedelta(days=40))
    reply = api.post("/sales", {**sale, "sale_date": day, "customer_name": "Ghost"}, as_=owner)
    assert reply.status == 409, reply.raw
    assert _get(api, owner)["total"] == 3 and _search(api, owner, "ghost") == []

    # updates swap the terms, never the count
    for changes in (
        {"name": "Janet Roe"},
        {"email": "janet@example.com", "zip": None},
        {"phone": "(555) 010-2000", "notes": "gate"},
        {"name": "JANET ROE"},  # the same terms
        {"city": "Orlando"},
        {"name": "Jan Q Public", "email": None, "phone": None, "zip": "10001"},
    ):
        reply = api.patch(f"/admin/customers/{jane['id']}", changes, as_=owner)
        assert reply.status == 200, (changes, reply.raw)
        assert _entries(owner.tenant_id) == _expected_entries(owner.tenant_id, ids), changes
        assert _get(api, owner)["total"] == 3
    assert _search(api, owner, "jane") == [] and _search(api, owner, "doe") == []
    assert _search(api, owner, "janet") == [] and _search(api, owner, "5550") == []
    assert _search(api, owner, "public") == ["Jan Q Public"]
    assert _search(api, owner, "100") == ["Jan Q Public"]
    assert _search(api, owner, "q p") == []  # later words are single words
    assert _get(api, owner, "search=jan")["total"] == 1


def customers_today():
    from chalicelib.core import clock

    return clock.today_in("America/New_York")


def test_a_racing_update_is_retried_on_what_it_is_now(api, owner, monkeypatch):
    jane = _create(api, owner, name="Jane Doe", phone="813-555-0101")
    real_update = store.update
    raced = []

    def racing_update(customer, changes, now):
        if not raced:  # another request renames her between the read and the write
            raced.append(1)
            real_update(
                store.get(owner.tenant_id, jane["id"], consistent=True), {"name": "Ann Bee"}, now
            )
        return real_update(customer, changes, now)

    monkeypatch.setattr(store, "update", racing_update)
    reply = api.patch(f"/admin/customers/{jane['id']}", {"phone": "727-000-1111"}, as_=owner)
    assert reply.status == 200, reply.raw
    assert (reply.data["name"], reply.data["phone"]) == ("Ann Bee", "727-000-1111")
    assert _entries(owner.tenant_id) == _expected_entries(owner.tenant_id, [jane["id"]])
    assert _search(api, owner, "bee") == ["Ann Bee"] and _search(api, owner, "doe") == []


def test_a_stale_update_never_leaves_old_terms(aws):
    tenant = "7d1c0f6e-0000-4000-8000-00000000cccc"
    customer = customers.create(tenant, {"name": "Old Name"})
    customers.update(tenant, int(customer.customer_id), {"name": "New Name"})
    from chalicelib.platform.tx import ConditionFailed

    with pytest.raises(ConditionFailed) as failed:  # the item as read before the rename
        store.update(customer, {"name": "Other Name"}, customer.created_at)
    assert failed.value.failed == ["customer"]
    assert _entries(tenant) == _expected_entries(tenant, [int(customer.customer_id)])


def test_a_broad_search_is_refused_past_the_cap(api, owner, monkeypatch):
    from chalicelib.customers import listing

    monkeypatch.setattr(listing, "MAX_MATCHES", 3)
    for n in range(3):
        _create(api, owner, name=f"Cap {n}")
    assert _get(api, owner, "search=cap")["total"] == 3  # 3 entries: at the cap
    _create(api, owner, name="Capra")
    reply = api.get("/admin/customers?search=cap", as_=owner)
    assert reply.status == 400 and reply.error["code"] == "BAD_REQUEST", reply.raw
    assert "more than 3" in reply.error["message"]
    assert _search(api, owner, "capr") == ["Capra"]
    assert _get(api, owner)["total"] == 4  # the list itself has no cap


def test_long_names_have_a_bounded_number_of_entries(api, owner):
    words = [f"w{n:03d}" for n in range(60)]
    name = " ".join(["First", *words])[:200]
    seed_catalog(api, owner)
    api.put("/admin/commission-config/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner)
    sale = record(
        api,
        owner,
        {"technician_id": 1, "item_id": 5, "sale_price_cents": 100, "customer_name": name},
    )
    created = _create(api, owner, name=name, email="long@example.com", phone="1", zip="2")
    per_customer = search.MAX_WORDS + 1
    assert len(_entries(owner.tenant_id)) == per_customer + per_customer + 3
    assert _search(api, owner, "w007") == [name, name]  # the 8th later word
    assert _search(api, owner, "w008") == []  # past MAX_WORDS
    assert sale["customer_id"] != created["id"]


def test_pages_read_o_limit_and_gets_write_nothing(api, owner):
    tid = owner.tenant_id
    for n in range(1, 251):
        customers.create(tid, {"name": f"Cust {n}", "phone": f"555-{n:04d}"})
    with counting_reads() as reads:
        first = _get(api, owner, "limit=10")
    assert [c["id"] for c in first["items"]] == list(range(250, 240, -1))
    assert first["total"] == 250 and reads.queried == 10 and reads.calls["Query"] == 1
    assert reads.items <= 10 + 2  # the page and the rollup items
    with counting_reads() as reads:
        deep = _get(api, owner, "limit=10&page=20")
    assert [c["id"] for c in deep["items"]] == list(range(60, 50, -1))
    assert reads.queried <= 10 + 100  # the page and the earlier ids of its block of 100
    with counting_reads() as reads:
        nxt = _get(api, owner, f"limit=10&cursor={first['next_cursor']}")
    assert [c["id"] for c in nxt["items"]] == list(range(240, 230, -1))
    assert reads.queried == 10
    with counting_reads() as reads:
        found = _get(api, owner, "search=cust%2012&limit=5")
    assert found["total"] == 11  # "cust 12" and "cust 120".."cust 129"
    assert [c["id"] for c in found["items"]] == [12, 120, 121, 122, 123]
    assert reads.queried == 11 and reads.calls["Query"] == 1
    assert reads.calls["BatchGetItem"] == 1 and _batch_read(reads) == 5
    with counting_reads() as reads:
        more = _get(api, owner, f"search=cust%2012&limit=5&cursor={found['next_cursor']}")
    assert [c["id"] for c in more["items"]] == [124, 125, 126, 127, 128]
    assert reads.queried == 11 and _batch_read(reads) == 5
    with writes_seen() as writes:
        for query in ("", "page=3", "search=555-01", f"cursor={first['next_cursor']}"):
            _get(api, owner, query)
        api.get("/admin/customers/7", as_=owner)
    assert writes and all(pk.startswith("RL#") for pk in writes), writes  # rate limits only


def _batch_read(reads) -> int:
    """Items read by BatchGetItem and GetItem besides the caller's account."""
    return reads.items - reads.queried - 1


@contextlib.contextmanager
def writes_seen():
    """The partition keys every DynamoDB write names while the block runs (and no Scan)."""
    seen: list[str] = []

    def spying(call, client, operation, params):
        if client.meta.service_model.service_name == "dynamodb":
            assert operation != "Scan"
            if operation in WRITES:
                seen.append(str(params.get("Key", {}).get("pk", {}).get("S", "?")))
        return call(client, operation, params)

    with wrapped(spying):
        yield seen


def test_a_cursor_is_bound_to_its_list_prefix_and_tenant(api, owner, other):
    for account in (owner, other):
        for n in range(3):
            _create(api, account, name=f"Bound {n}")
    plain = _get(api, owner, "limit=1")["next_cursor"]
    found = _get(api, owner, "search=bound&limit=1")["next_cursor"]
    assert plain and found
    for query in (
        *forged(plain),
        "cursor=%00",
        f"cursor={plain}&search=bound",  # the plain list's cursor on a search
        f"cursor={found}",  # a search's cursor on the plain list
        f"cursor={found}&search=boun",  # another prefix
        f"cursor={found[:-2]}&search=bound",
    ):
        api_refused(api, owner, f"/admin/customers?limit=1&{query}")
    for query, account in itertools.product(
        (f"cursor={plain}", f"cursor={found}&search=bound"), (other,)
    ):
        reply = api.get(f"/admin/customers?limit=1&{query}", as_=account)
        assert reply.status == 400, (query, reply.raw)
    # the same prefix, spelt differently, is the same search
    assert _get(api, owner, f"search=BOUND&limit=1&cursor={found}")["items"]
