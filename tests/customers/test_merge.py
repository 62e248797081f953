"""``POST /admin/customers/{id}/merge``: the merged customer leaves the list, the search
and the total; its id answers the survivor; its e-mail (and the e-mails of customers
merged into it before) link new records to the survivor; the global e-mail index follows;
the audit is on the item; into itself 422, twice 409, another tenant's ids 404."""

from __future__ import annotations

from chalicelib.customers import service as customers
from tests.support.reads import counting_reads
from tests.support.sales_helpers import line_item, technician


def _new(api, account, **fields):
    reply = api.post("/admin/customers", fields, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _merge(api, account, into: int, from_id: int):
    return api.post(f"/admin/customers/{into}/merge", {"from_id": from_id}, as_=account)


def test_merge_folds_one_customer_into_another(api, owner, other):
    keep = _new(api, owner, name="Kim Keep", email="kim@example.com")
    dupe = _new(api, owner, name="Kimberly Dupe", email="kim.work@example.com", phone="813-555-1")
    _new(api, owner, name="Bystander")
    reply = _merge(api, owner, keep["id"], dupe["id"])
    assert reply.status == 200, reply.raw
    survivor = reply.data
    assert survivor["id"] == keep["id"] and survivor["name"] == "Kim Keep"
    [merged] = survivor["merged"]
    assert merged["customer_id"] == dupe["id"] and merged["email"] == "kim.work@example.com"
    assert merged["merged_by"] == owner.user["id"] and merged["merged_at"] and merged["via"] is None
    # the merged id answers the survivor
    assert api.get(f"/admin/customers/{dupe['id']}", as_=owner).data == survivor
    # out of the list, the total and the search
    listed = api.get("/admin/customers", as_=owner).data
    assert dupe["id"] not in [c["id"] for c in listed["items"]] and listed["total"] == 2
    assert api.get("/admin/customers?search=kimberly", as_=owner).data["total"] == 0
    assert api.get("/admin/customers?search=813555", as_=owner).data["total"] == 0
    assert api.get("/admin/customers?search=kim", as_=owner).data["total"] == 1
    # the e-mail index names the survivor
    assert customers.tenants_with_email("kim.work@example.com") == [(owner.tenant_id, keep["id"])]
    # a new sale naming the merged e-mail links to the survivor (no new customer)
    sale = {
        "technician_id": technician(api, owner)["id"],
        "item_id": line_item(api, owner)["id"],
        "sale_price_cents": 5000,
        "customer_name": "Kim W",
        "customer_email": "KIM.WORK@example.com",
    }
    reply = api.post("/sales", sale, as_=owner)
    assert reply.status == 201 and reply.data["customer_id"] == keep["id"]
    invoice = {
        "customer_email": "kim.work@example.com",
        "line_items": [{"description": "Fix", "amount_cents": 100, "quantity": 1}],
        "due_date": "2030-01-15",
    }
    reply = api.post("/admin/invoices", invoice, as_=owner)
    assert reply.status == 201 and reply.data["customer_id"] == keep["id"]
    assert api.get("/admin/customers", as_=owner).data["total"] == 2
    reply = api.post("/sales", {**sale, "customer_id": dupe["id"]}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "customer_id"
    # the merged customer cannot be changed, merged again or merged into
    assert api.patch(f"/admin/customers/{dupe['id']}", {"name": "X"}, as_=owner).status == 409
    third = _new(api, owner, name="Third")
    assert _merge(api, owner, keep["id"], dupe["id"]).status == 409  # twice
    assert _merge(api, owner, dupe["id"], third["id"]).status == 409  # into a merged one
    # ids of another tenant's customers are 404, whichever side they are on
    theirs = _new(api, other, name="Theirs")["id"]  # other's only customer: id 1
    assert _merge(api, other, theirs, third["id"]).status == 404
    assert _merge(api, other, third["id"], theirs).status == 404
    while theirs < 6:
        theirs = _new(api, other, name="More of theirs")["id"]
    assert _merge(api, owner, keep["id"], theirs).status == 404  # owner has ids 1-4
    assert _merge(api, owner, theirs, third["id"]).status == 404
    assert api.get("/admin/customers", as_=other).data["total"] == 6
    assert api.get(f"/admin/customers/{keep['id']}", as_=owner).data["merged"] == [merged]


def test_bad_merges(api, owner):
    one = _new(api, owner, name="One")
    reply = _merge(api, owner, one["id"], one["id"])
    assert reply.status == 422 and reply.error["details"][0]["field"] == "from_id"
    for body in ({}, {"from_id": "2"}, {"from_id": 0}, {"from_id": None}):
        reply = api.post(f"/admin/customers/{one['id']}/merge", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == "from_id"
    assert _merge(api, owner, one["id"], 999).status == 404
    assert _merge(api, owner, 999, one["id"]).status == 404


def test_a_merge_of_a_survivor_carries_what_it_holds(api, owner):
    a = _new(api, owner, name="A", email="a@example.com")
    b = _new(api, owner, name="B", email="b@example.com")
    c = _new(api, owner, name="C", email="c@example.com")
    assert _merge(api, owner, b["id"], a["id"]).status == 200
    reply = _merge(api, owner, c["id"], b["id"])
    assert reply.status == 200
    folded = {m["customer_id"]: m["via"] for m in reply.data["merged"]}
    assert folded == {b["id"]: None, a["id"]: b["id"]}
    for cid in (a["id"], b["id"]):  # both answer the last survivor
        assert api.get(f"/admin/customers/{cid}", as_=owner).data["id"] == c["id"]
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        assert customers.tenants_with_email(email) == [(owner.tenant_id, c["id"])]
    assert api.get("/admin/customers", as_=owner).data["total"] == 1
    # an inactive customer merged away leaves the inactive count too
    d = _new(api, owner, name="D", active=False)
    assert api.get("/admin/customers?active=false", as_=owner).data["total"] == 1
    assert _merge(api, owner, c["id"], d["id"]).status == 200
    assert api.get("/admin/customers?active=false", as_=owner).data["total"] == 0
    # the survivor's e-mail change keeps the folded e-mails with it
    reply = api.patch(f"/admin/customers/{c['id']}", {"email": "c2@example.com"}, as_=owner)
    assert reply.status == 200
    assert customers.tenants_with_email("a@example.com") == [(owner.tenant_id, c["id"])]
    assert customers.tenants_with_email("c@example.com") == []


def test_a_survivor_holds_at_most_ten(api, owner):
    keep = _new(api, owner, name="Keep")
    for n in range(10):
        assert _merge(api, owner, keep["id"], _new(api, owner, name=f"M{n}")["id"]).status == 200
    reply = _merge(api, owner, keep["id"], _new(api, owner, name="Eleventh")["id"])
    assert reply.status == 409 and "at most 10" in reply.error["message"]


def test_merge_cost_is_constant(api, owner):
    keep = _new(api, owner, name="Keep")
    dupe = _new(api, owner, name="Dupe", email="dupe@example.com")
    sale = {
        "technician_id": technician(api, owner)["id"],
        "item_id": line_item(api, owner)["id"],
        "sale_price_cents": 100,
        "customer_id": dupe["id"],
    }
    for _ in range(5):
        assert api.post("/sales", sale, as_=owner).status == 201
    with counting_reads() as reads:
        assert _merge(api, owner, keep["id"], dupe["id"]).status == 200
    # two consistent reads, one transaction, the survivor read again; nothing per record
    assert reads.calls["Query"] == 0
    assert reads.calls["TransactWriteItems"] == 1
    assert reads.calls["GetItem"] <= 4


def test_racing_merges_of_one_customer_fold_it_once(api, owner):
    from tests.support.aws_calls import one_at_a_time
    from tests.support.racing import at_once

    dupe = _new(api, owner, name="Dupe", email="race@example.com")
    left, right = _new(api, owner, name="Left"), _new(api, owner, name="Right")
    with one_at_a_time():
        replies = at_once(
            [lambda s=s: _merge(api, owner, s["id"], dupe["id"]) for s in (left, right)]
        )
    assert sorted(r.status for r in replies) == [200, 409], [r.raw for r in replies]
    winner = next(r.data for r in replies if r.status == 200)
    assert [m["customer_id"] for m in winner["merged"]] == [dupe["id"]]
    loser = right if winner["id"] == left["id"] else left
    assert api.get(f"/admin/customers/{loser['id']}", as_=owner).data["merged"] == []
    assert api.get("/admin/customers", as_=owner).data["total"] == 2
    assert customers.tenants_with_email("race@example.com") == [(owner.tenant_id, winner["id"])]
