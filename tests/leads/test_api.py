"""``/admin/leads`` through the API (moto): create with each bad input's 422 naming the
field, the status machine and its history, PATCH, the list's filters with exact totals
by page and cursor, conversion to a dispatch job (a customer made or linked by e-mail,
twice 409, a retry after a failure makes no second customer), roles, another tenant."""

from __future__ import annotations

import pytest

from chalicelib.leads import service
from tests.support.reads import counting_reads
from tests.support.sales_helpers import staff

PATH = "/admin/leads"
LEAD = {
    "name": "Dana Fox",
    "email": "dana@example.com",
    "phone": "813-555-0100",
    "source": "web",
    "description": "Water heater leaking",
    "service_address": "1 Main St",
    "service_city": "Tampa",
    "service_state": "FL",
    "service_zip": "33601",
}


def _lead(api, account, **fields):
    reply = api.post(PATH, {**LEAD, **fields}, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _move(api, account, lead_id, status, reason=None, expect=200):
    body = {"status": status} if reason is None else {"status": status, "reason": reason}
    reply = api.post(f"{PATH}/{lead_id}/status", body, as_=account)
    assert reply.status == expect, reply.raw
    return reply.json


def _qualified(api, account, **fields):
    lead = _lead(api, account, **fields)
    _move(api, account, lead["id"], "contacted")
    _move(api, account, lead["id"], "qualified")
    return lead


def _walk(api, account, query: str, limit: int = 2) -> tuple[list[int], int]:
    first = api.get(f"{PATH}?limit={limit}&{query}", as_=account).data
    ids, page = [e["id"] for e in first["items"]], first
    while page["next_cursor"]:
        page = api.get(
            f"{PATH}?limit={limit}&{query}&cursor={page['next_cursor']}", as_=account
        ).data
        ids += [e["id"] for e in page["items"]]
    by_page = []
    for n in range(1, first["total_pages"] + 1):
        got = api.get(f"{PATH}?limit={limit}&page={n}&{query}", as_=account).data
        by_page += [e["id"] for e in got["items"]]
    assert ids == by_page and len(ids) == first["total"], (query, ids, by_page)
    return ids, first["total"]


def test_create_and_get(api, owner):
    lead = _lead(api, owner, email=" Dana@Example.COM ")
    assert lead["id"] == 1 and lead["status"] == "new" and lead["email"] == "dana@example.com"
    assert {k: lead[k] for k in LEAD if k != "email"} == {
        k: v for k, v in LEAD.items() if k != "email"
    }
    assert lead["customer_id"] is lead["estimate_id"] is lead["job_id"] is None
    assert [(h["from"], h["to"], h["by"]) for h in lead["history"]] == [(None, "new", 1)]
    assert api.get(f"{PATH}/1", as_=owner).data == lead
    phone_only = _lead(api, owner, email=None, phone="555", source="referral")
    assert phone_only["email"] is None and phone_only["source"] == "referral"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": None, "phone": None}, "email"),
        ({"email": None, "phone": "  "}, "email"),
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"source": "billboard"}, "source"),
        ({"source": None}, "source"),
        ({"phone": "1" * 41}, "phone"),
        ({"description": "x" * 5001}, "description"),
        ({"service_zip": "1" * 21}, "service_zip"),
    ],
)
def test_bad_leads_are_422_naming_the_field(api, owner, fields, field):
    reply = api.post(PATH, {**LEAD, **fields}, as_=owner)
    assert reply.status == 422, reply.raw
    assert field in [d["field"] for d in reply.error["details"]], reply.raw


def test_the_status_machine_and_its_history(api, owner):
    lead = _lead(api, owner)["id"]
    for status in ("qualified", "new"):
        assert _move(api, owner, lead, status, expect=409)["error"]["code"] == "CONFLICT"
    _move(api, owner, lead, "won", expect=409)  # won only by converting
    _move(api, owner, lead, "contacted")
    _move(api, owner, lead, "contacted", expect=409)
    _move(api, owner, lead, "qualified")
    reply = api.post(f"{PATH}/{lead}/status", {"status": "lost"}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "reason"
    reply = api.post(f"{PATH}/{lead}/status", {"status": "maybe"}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "status"
    lost = _move(api, staff(owner, "dispatcher"), lead, "lost", "Went with a competitor")["data"]
    assert lost["status"] == "lost" and lost["lost_reason"] == "Went with a competitor"
    assert lost["lost_at"] is not None
    for status in ("contacted", "qualified", "new", "lost"):
        _move(api, owner, lead, status, "again", expect=409)
    history = api.get(f"{PATH}/{lead}/history", as_=owner).data["items"]
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "new"), ("new", "contacted"), ("contacted", "qualified"), ("qualified", "lost"),
    ]  # fmt: skip
    assert [h["by"] for h in history] == [1, 1, 1, 900 + 2]  # the dispatcher moved it last
    assert history[-1]["reason"] == "Went with a competitor" and history[-1]["at"].endswith("Z")
    assert lost["history"] == history
    early = _lead(api, owner)["id"]
    assert _move(api, owner, early, "lost", "Spam")["data"]["status"] == "lost"  # from new


def test_patch(api, owner):
    lead = _lead(api, owner)["id"]
    changed = api.patch(f"{PATH}/{lead}", {"phone": "813-555-0199", "description": None},
                        as_=owner).data  # fmt: skip
    assert changed["phone"] == "813-555-0199" and changed["description"] is None
    assert changed["email"] == LEAD["email"]
    reply = api.patch(f"{PATH}/{lead}", {"email": None, "phone": None}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "email"
    assert api.patch(f"{PATH}/{lead}", {"email": None}, as_=owner).data["email"] is None
    for body, field in (({"name": None}, "name"), ({"source": None}, "source"),
                        ({"source": "tv"}, "source"), ({"email": "x"}, "email")):  # fmt: skip
        reply = api.patch(f"{PATH}/{lead}", body, as_=owner)
        assert reply.status == 422 and reply.error["details"][0]["field"] == field, body
    assert api.patch(f"{PATH}/{lead}", {"source": "phone"}, as_=owner).data["source"] == "phone"
    assert _walk(api, owner, "source=phone") == ([lead], 1)
    assert _walk(api, owner, "source=web") == ([], 0)
    _move(api, owner, lead, "lost", "No budget")
    assert api.patch(f"{PATH}/{lead}", {"phone": "1"}, as_=owner).status == 409
    assert api.patch(f"{PATH}/99", {"phone": "1"}, as_=owner).status == 404


def test_list_filters_with_exact_totals(api, owner):
    web = [_lead(api, owner)["id"] for _ in range(3)]
    phone = [_lead(api, owner, source="phone")["id"] for _ in range(2)]
    portal = service.create_for(owner.tenant_id, {"name": "P", "email": "p@example.com"},
                                "portal")["id"]  # fmt: skip
    _move(api, owner, web[0], "contacted")
    _move(api, owner, phone[0], "contacted")
    _move(api, owner, phone[1], "lost", "Spam")
    everything = sorted([*web, *phone, portal], reverse=True)
    assert _walk(api, owner, "") == (everything, 6)
    assert _walk(api, owner, "status=new") == ([portal, web[2], web[1]], 3)
    assert _walk(api, owner, "status=contacted") == ([phone[0], web[0]], 2)
    assert _walk(api, owner, "status=lost") == ([phone[1]], 1)
    assert _walk(api, owner, "status=won") == ([], 0)
    assert _walk(api, owner, "source=web", limit=1) == (sorted(web, reverse=True), 3)
    assert _walk(api, owner, "source=portal") == ([portal], 1)
    assert _walk(api, owner, "source=phone&status=contacted") == ([phone[0]], 1)
    for bad in ("status=open", "source=tv"):
        assert api.get(f"{PATH}?{bad}", as_=owner).status == 400
    with counting_reads() as reads:
        page = api.get(f"{PATH}?limit=2", as_=owner).data
    assert page["total"] == 6 and reads.calls["Query"] == 1 and reads.queried == 2


def test_convert_to_a_job_makes_the_customer(api, owner):
    lead = _qualified(api, owner)["id"]
    reply = api.post(f"{PATH}/{lead}/convert", {"create": "job", "priority": "high",
                     "scheduled_start": "2030-01-05T09:00:00Z",
                     "scheduled_end": "2030-01-05T11:00:00Z"}, as_=owner)  # fmt: skip
    assert reply.status == 201, reply.raw
    got = reply.data
    customer, job, won = got["customer"], got["job"], got["lead"]
    assert (customer["name"], customer["email"], customer["phone"]) == (
        "Dana Fox", "dana@example.com", "813-555-0100",
    )  # fmt: skip
    assert (customer["address"], customer["zip"]) == ("1 Main St", "33601")
    assert job["customer_id"] == customer["id"] and job["title"] == "Dana Fox"
    assert job["priority"] == "high" and job["service_zip"] == "33601"
    assert job["description"] == "Water heater leaking" and job["status"] == "pending"
    assert won["status"] == "won" and won["customer_id"] == customer["id"]
    assert won["job_id"] == job["id"] and won["estimate_id"] is None and won["won_at"]
    assert won["history"][-1]["to"] == "won" and won["history"][-1]["job_id"] == job["id"]
    stored = api.get(f"/admin/customers/{customer['id']}", as_=owner).data
    assert stored["phone"] == "813-555-0100" and stored["city"] == "Tampa"
    assert api.get(f"/admin/dispatch/{job['id']}", as_=owner).data["customer_id"] == customer["id"]
    again = api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner)
    assert again.status == 409 and again.error["code"] == "CONFLICT"
    assert api.get("/admin/customers", as_=owner).data["total"] == 1
    assert api.get(f"{PATH}?status=won", as_=owner).data["total"] == 1
    assert api.get(f"{PATH}?status=qualified", as_=owner).data["total"] == 0


def test_convert_links_the_customer_with_the_email(api, owner):
    existing = api.post("/admin/customers", {"name": "Dana F.", "email": "dana@example.com"},
                        as_=owner).data  # fmt: skip
    lead = _qualified(api, owner, email="DANA@example.com")["id"]
    got = api.post(f"{PATH}/{lead}/convert", {"create": "job", "title": "Install"},
                   as_=owner).data  # fmt: skip
    assert got["customer"]["id"] == existing["id"] and got["customer"]["name"] == "Dana F."
    assert got["job"]["title"] == "Install" and got["job"]["customer_id"] == existing["id"]
    assert api.get("/admin/customers", as_=owner).data["total"] == 1


def test_convert_refusals(api, owner):
    lead = _lead(api, owner)["id"]
    reply = api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner)
    assert reply.status == 409  # not qualified
    reply = api.post(f"{PATH}/{lead}/convert", {"create": "invoice"}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "create"
    qualified = _qualified(api, owner)["id"]
    for body, field in (({"create": "estimate", "valid_until": "2030-01-01"}, "line_items"),
                        ({"create": "estimate", "line_items": [
                            {"description": "x", "amount_cents": 1}]}, "valid_until"),
                        ({"create": "job", "priority": "asap"}, "priority"),
                        ({"create": "job", "scheduled_start": "soon"}, "scheduled_start"),
                        ({"create": "job", "scheduled_start": "2030-01-05T11:00:00Z",
                          "scheduled_end": "2030-01-05T09:00:00Z"}, "scheduled_end")):  # fmt: skip
        reply = api.post(f"{PATH}/{qualified}/convert", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert field in [d["field"] for d in reply.error["details"]], (body, reply.raw)
    # the dispatcher may make a job, not an estimate (billing)
    dispatcher = staff(owner, "dispatcher")
    body = {"create": "estimate", "line_items": [{"description": "x", "amount_cents": 1}],
            "valid_until": "2030-01-01"}  # fmt: skip
    assert api.post(f"{PATH}/{qualified}/convert", body, as_=dispatcher).status == 403
    reply = api.post(f"{PATH}/{qualified}/convert", {"create": "job"}, as_=dispatcher)
    assert reply.status == 201, reply.raw
    assert api.post(f"{PATH}/99/convert", {"create": "job"}, as_=owner).status == 404


def test_a_retry_after_a_failure_makes_no_second_customer(api, owner, monkeypatch):
    from chalicelib.dispatch import service as dispatch

    lead = _qualified(api, owner, email=None, phone="813-555-0111")["id"]  # no e-mail to link
    real = dispatch.create

    def down(*args, **kwargs):
        raise RuntimeError("dispatch unavailable")

    monkeypatch.setattr(dispatch, "create", down)
    assert api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner).status == 500
    half = api.get(f"{PATH}/{lead}", as_=owner).data
    assert half["customer_id"] is not None and half["status"] == "qualified"
    assert api.post(f"{PATH}/{lead}/status", {"status": "lost", "reason": "x"},
                    as_=owner).status == 409  # fmt: skip  # mid-conversion
    monkeypatch.setattr(dispatch, "create", real)
    got = api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner).data
    assert got["customer"]["id"] == half["customer_id"]
    assert api.get("/admin/customers", as_=owner).data["total"] == 1
    assert api.get("/admin/dispatch", as_=owner).data["total"] == 1
    assert got["lead"]["status"] == "won"


def test_a_conversion_under_way_is_409_for_another_request(api, owner):
    from chalicelib.core import clock
    from chalicelib.leads import store

    lead = _qualified(api, owner)["id"]
    item = store.get(owner.tenant_id, lead, consistent=True)
    store.change(item, {"customer_id": 7, "converting": "job",
                        "converting_since": "2030-01-01T00:00:00.000Z",
                        "lease_until": int(clock.time()) + 30}, [])  # fmt: skip
    reply = api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner)
    assert reply.status == 409 and "being converted" in reply.error["message"]
    reply = api.post(f"{PATH}/{lead}/convert", {"create": "estimate", "valid_until": "2030-01-01",
                     "line_items": [{"description": "x", "amount_cents": 1}]}, as_=owner)  # fmt: skip
    assert reply.status == 409 and "under way" in reply.error["message"]


def test_roles_and_another_tenant(api, owner, other):
    lead = _lead(api, owner)["id"]
    tech = staff(owner, "technician")
    for method, path, body in (
        ("POST", PATH, LEAD),
        ("GET", PATH, None),
        ("GET", f"{PATH}/{lead}", None),
        ("PATCH", f"{PATH}/{lead}", {"phone": "1"}),
        ("POST", f"{PATH}/{lead}/status", {"status": "contacted"}),
        ("GET", f"{PATH}/{lead}/history", None),
        ("POST", f"{PATH}/{lead}/convert", {"create": "job"}),
    ):
        assert api.call(method, path, body, as_=tech).status == 403, (method, path)
        if path != PATH:
            foreign = api.call(method, path, body, as_=other)
            assert foreign.status == 404, (method, path, foreign.raw)
    assert api.get(PATH, as_=other).data["total"] == 0
    manager = staff(owner, "manager")
    assert api.get(f"{PATH}/{lead}", as_=manager).status == 200


def test_a_retry_adopts_the_job_a_dead_request_made(api, owner, monkeypatch):
    from chalicelib.core import clock

    lead = _qualified(api, owner)["id"]
    real = service._record

    def died(*args, **kwargs):
        raise RuntimeError("the request died before recording the job")

    monkeypatch.setattr(service, "_record", died)
    assert api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner).status == 500
    monkeypatch.setattr(service, "_record", real)
    assert api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner).status == 409
    later = clock.time() + service.LEASE_S + 1
    monkeypatch.setattr(clock, "time", lambda: later)
    got = api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner).data
    assert api.get("/admin/dispatch", as_=owner).data["total"] == 1  # adopted, not remade
    assert got["lead"]["job_id"] == got["job"]["id"] and got["lead"]["status"] == "won"


def test_racing_converts_make_one_customer_and_one_job(api, owner):
    from tests.support.aws_calls import one_at_a_time
    from tests.support.racing import at_once

    lead = _qualified(api, owner, email=None, phone="813-555-0123")["id"]
    with one_at_a_time():
        replies = at_once(
            [lambda: api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner)] * 3
        )
    statuses = sorted(r.status for r in replies)
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409}, [r.raw for r in replies]
    assert api.get("/admin/customers", as_=owner).data["total"] == 1
    assert api.get("/admin/dispatch", as_=owner).data["total"] == 1
    assert api.get(f"{PATH}/{lead}", as_=owner).data["status"] == "won"
