"""Customer communications and leads over real HTTP against the `make run` stack: an
invoice e-mail logged by the send, notes and calls (each bad input's 422 naming its field,
an unknown customer 404), every list filter of both lists by page and by cursor with exact
totals, the lead status machine with its history, PATCH, conversion to a job and to an
estimate (a new customer, a customer linked by e-mail, twice 409), and another tenant's
ids 404."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.e2e.conftest import ok

COMMS = "/api/v1/admin/customer-communications"
LEADS = "/api/v1/admin/leads"
FUTURE = (date.today() + timedelta(days=20)).isoformat()


def _walk(stack, headers, path: str, query: str, limit: int = 2) -> tuple[list[int], int]:
    """Every id of a filtered list, walked by cursor; its total, checked by page too."""
    first = ok(stack.request("GET", f"{path}?limit={limit}&{query}", None, headers))
    ids, page = [i["id"] for i in first["items"]], first
    while page["next_cursor"]:
        page = ok(stack.request(
            "GET", f"{path}?limit={limit}&{query}&cursor={page['next_cursor']}", None, headers
        ))  # fmt: skip
        ids += [i["id"] for i in page["items"]]
    by_page = []
    for n in range(1, first["total_pages"] + 1):
        got = ok(stack.request("GET", f"{path}?limit={limit}&page={n}&{query}", None, headers))
        by_page += [i["id"] for i in got["items"]]
    assert by_page == ids and len(ids) == first["total"], (query, ids, by_page)
    return ids, first["total"]


def _refused(stack, method, path, body, headers, status, field=None):
    code, _, answer = stack.request(method, path, body, headers)
    assert code == status, (method, path, body, answer)
    if field is not None:
        assert field in [d["field"] for d in answer["error"]["details"]], answer


def test_communications_log_over_http(stack):
    account = stack.register("Comms Cooling")
    headers = account["headers"]
    ann = stack.create("/admin/customers", {"name": "Ann", "email": "ann@example.com"}, headers)
    bo = stack.create("/admin/customers", {"name": "Bo", "phone": "813-555-0100"}, headers)
    # the invoice send logs its e-mail
    invoice = stack.create("/admin/invoices", {
        "customer_id": ann["id"],
        "line_items": [{"description": "Tune-up", "amount_cents": 9900}],
        "due_date": FUTURE,
    }, headers)  # fmt: skip
    sent = ok(stack.request("POST", f"/api/v1/admin/invoices/{invoice['id']}/send", None, headers))
    assert sent["emailed_to"] == "ann@example.com"
    [mail] = ok(stack.request("GET", f"{COMMS}?channel=email", None, headers))["items"]
    assert (mail["kind"], mail["status"], mail["to"], mail["ref"]) == (
        "invoice", "sent", "ann@example.com", str(invoice["id"]),
    )  # fmt: skip
    assert mail["customer_id"] == ann["id"] and mail["subject"].startswith("Invoice INV-000001")
    assert ok(stack.request("GET", f"{COMMS}/{mail['id']}", None, headers)) == mail

    # notes and calls
    long_ago = (datetime.now(UTC) - timedelta(days=45)).strftime("%Y-%m-%dT%H:%M:%SZ")
    note = stack.create("/admin/customer-communications",
                        {"customer_id": ann["id"], "kind": "note", "body": "Gate code 12"},
                        headers)  # fmt: skip
    assert note["channel"] == "note" and note["direction"] is None
    call = stack.create("/admin/customer-communications", {
        "customer_id": bo["id"], "kind": "call", "body": "Asked for a quote",
        "direction": "inbound", "duration_seconds": 300, "occurred_at": long_ago,
    }, headers)  # fmt: skip
    assert call["direction"] == "inbound" and call["occurred_at"].startswith(long_ago[:19])
    later = stack.create("/admin/customer-communications",
                         {"customer_id": bo["id"], "kind": "call", "body": "Called back"},
                         headers)  # fmt: skip
    assert later["direction"] == "outbound"
    base = {"customer_id": ann["id"], "kind": "note", "body": "x"}
    for body, field in (
        ({**base, "kind": "email"}, "kind"),
        ({**base, "body": ""}, "body"),
        ({**base, "direction": "outbound"}, "direction"),
        ({**base, "duration_seconds": 10}, "duration_seconds"),
        ({**base, "kind": "call", "duration_seconds": 90000}, "duration_seconds"),
        ({**base, "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({**base, "occurred_at": "last tuesday"}, "occurred_at"),
    ):
        _refused(stack, "POST", COMMS, body, headers, 422, field)
    _refused(stack, "POST", COMMS, {**base, "customer_id": 999}, headers, 404)

    # every filter, by page and by cursor
    everything = [later["id"], note["id"], mail["id"], call["id"]]
    assert _walk(stack, headers, COMMS, "") == (everything, 4)
    assert _walk(stack, headers, COMMS, f"customer_id={ann['id']}") == (
        [note["id"], mail["id"]], 2,
    )  # fmt: skip
    assert _walk(stack, headers, COMMS, f"customer_id={bo['id']}", limit=1) == (
        [later["id"], call["id"]], 2,
    )  # fmt: skip
    assert _walk(stack, headers, COMMS, "channel=call") == ([later["id"], call["id"]], 2)
    assert _walk(stack, headers, COMMS, "channel=note") == ([note["id"]], 1)
    assert _walk(stack, headers, COMMS, "kind=invoice") == ([mail["id"]], 1)
    assert _walk(stack, headers, COMMS, f"customer_id={bo['id']}&channel=email") == ([], 0)
    for bad in ("channel=sms", "kind=Not%20One", "customer_id=abc"):
        _refused(stack, "GET", f"{COMMS}?{bad}", None, headers, 400)
    _refused(stack, "GET", f"{COMMS}?customer_id=999", None, headers, 404)

    intruder = stack.register("Comms Other")["headers"]
    _refused(stack, "GET", f"{COMMS}/{note['id']}", None, intruder, 404)
    _refused(stack, "GET", f"{COMMS}?customer_id={ann['id']}", None, intruder, 404)
    _refused(stack, "POST", COMMS, base, intruder, 404)
    assert ok(stack.request("GET", COMMS, None, intruder))["total"] == 0


def test_leads_over_http(stack):
    account = stack.register("Leads Plumbing")
    headers = account["headers"]
    web = {"name": "Dana Fox", "email": "dana@example.com", "source": "web",
           "description": "Water heater leaking", "service_address": "1 Main St",
           "service_city": "Tampa", "service_state": "FL", "service_zip": "33601"}  # fmt: skip
    dana = stack.create("/admin/leads", web, headers)
    assert dana["status"] == "new" and dana["history"][0]["to"] == "new"
    eli = stack.create("/admin/leads", {"name": "Eli", "phone": "813-555-0111",
                                        "source": "phone"}, headers)  # fmt: skip
    fay = stack.create("/admin/leads", {"name": "Fay", "email": "fay@example.com",
                                        "source": "referral"}, headers)  # fmt: skip
    gus = stack.create("/admin/leads", {"name": "Gus", "phone": "1", "source": "phone"}, headers)
    for body, field in (
        ({"name": "Nobody", "source": "web"}, "email"),
        ({"name": "Bad", "phone": "1", "source": "tv"}, "source"),
        ({"phone": "1", "source": "web"}, "name"),
        ({"name": "Bad", "email": "nope", "source": "web"}, "email"),
    ):
        _refused(stack, "POST", LEADS, body, headers, 422, field)
    assert ok(stack.request("GET", f"{LEADS}/{dana['id']}", None, headers)) == dana

    def move(lead, status, reason=None, expect=200):
        body = {"status": status, **({"reason": reason} if reason else {})}
        code, _, answer = stack.request("POST", f"{LEADS}/{lead}/status", body, headers)
        assert code == expect, (lead, status, answer)
        return answer

    move(dana["id"], "qualified", expect=409)
    move(dana["id"], "won", expect=409)
    move(dana["id"], "contacted")
    move(dana["id"], "qualified")
    move(eli["id"], "contacted")
    move(eli["id"], "qualified")
    move(fay["id"], "contacted")
    _refused(stack, "POST", f"{LEADS}/{gus['id']}/status", {"status": "lost"}, headers, 422,
             "reason")  # fmt: skip
    lost = move(gus["id"], "lost", "Out of area")["data"]
    assert lost["lost_reason"] == "Out of area"
    move(gus["id"], "contacted", expect=409)
    history = ok(stack.request("GET", f"{LEADS}/{gus['id']}/history", None, headers))["items"]
    assert [(h["from"], h["to"], h["reason"]) for h in history] == [
        (None, "new", None), ("new", "lost", "Out of area"),
    ]  # fmt: skip
    assert all(h["by"] == 1 and h["at"] for h in history)

    # PATCH
    patched = ok(stack.request("PATCH", f"{LEADS}/{fay['id']}",
                               {"phone": "813-555-0122", "source": "web"}, headers))  # fmt: skip
    assert patched["phone"] == "813-555-0122" and patched["source"] == "web"
    _refused(stack, "PATCH", f"{LEADS}/{fay['id']}", {"email": None, "phone": None}, headers,
             422, "email")  # fmt: skip
    _refused(stack, "PATCH", f"{LEADS}/{gus['id']}", {"phone": "2"}, headers, 409)

    # every list filter, by page and by cursor
    ids = [gus["id"], fay["id"], eli["id"], dana["id"]]
    assert _walk(stack, headers, LEADS, "") == (ids, 4)
    assert _walk(stack, headers, LEADS, "status=qualified") == ([eli["id"], dana["id"]], 2)
    assert _walk(stack, headers, LEADS, "status=contacted") == ([fay["id"]], 1)
    assert _walk(stack, headers, LEADS, "status=lost") == ([gus["id"]], 1)
    assert _walk(stack, headers, LEADS, "source=web", limit=1) == ([fay["id"], dana["id"]], 2)
    assert _walk(stack, headers, LEADS, "source=phone") == ([gus["id"], eli["id"]], 2)
    assert _walk(stack, headers, LEADS, "source=referral") == ([], 0)
    assert _walk(stack, headers, LEADS, "source=phone&status=qualified") == ([eli["id"]], 1)
    for bad in ("status=open", "source=tv"):
        _refused(stack, "GET", f"{LEADS}?{bad}", None, headers, 400)

    # convert to a job: a new customer from the lead
    _refused(stack, "POST", f"{LEADS}/{fay['id']}/convert", {"create": "job"}, headers, 409)
    converted = ok(stack.request("POST", f"{LEADS}/{eli['id']}/convert",
                                 {"create": "job", "priority": "high"}, headers), 201)  # fmt: skip
    customer, job = converted["customer"], converted["job"]
    assert customer["name"] == "Eli" and customer["phone"] == "813-555-0111"
    assert job["customer_id"] == customer["id"] and job["priority"] == "high"
    assert converted["lead"]["status"] == "won" and converted["lead"]["job_id"] == job["id"]
    _refused(stack, "POST", f"{LEADS}/{eli['id']}/convert", {"create": "job"}, headers, 409)
    # convert to an estimate: the customer with the lead's e-mail is linked
    existing = stack.create("/admin/customers", {"name": "Dana F.", "email": "dana@example.com"},
                            headers)  # fmt: skip
    _refused(stack, "POST", f"{LEADS}/{dana['id']}/convert", {"create": "estimate"}, headers,
             422, "line_items")  # fmt: skip
    body = {"create": "estimate", "valid_until": FUTURE,
            "line_items": [{"description": "Water heater", "amount_cents": 120000}]}  # fmt: skip
    converted = ok(stack.request("POST", f"{LEADS}/{dana['id']}/convert", body, headers), 201)
    estimate = converted["estimate"]
    assert converted["customer"]["id"] == existing["id"]
    assert estimate["customer_id"] == existing["id"] and estimate["total_cents"] == 120000
    assert converted["lead"]["estimate_id"] == estimate["id"]
    assert ok(stack.request("GET", f"/api/v1/admin/estimates/{estimate['id']}", None,
                            headers))["customer_id"] == existing["id"]  # fmt: skip
    _refused(stack, "POST", f"{LEADS}/{dana['id']}/convert", body, headers, 409)
    assert _walk(stack, headers, LEADS, "status=won") == ([eli["id"], dana["id"]], 2)

    intruder = stack.register("Leads Other")["headers"]
    for method, path, payload in (
        ("GET", f"{LEADS}/{fay['id']}", None),
        ("PATCH", f"{LEADS}/{fay['id']}", {"phone": "3"}),
        ("POST", f"{LEADS}/{fay['id']}/status", {"status": "qualified"}),
        ("GET", f"{LEADS}/{fay['id']}/history", None),
        ("POST", f"{LEADS}/{fay['id']}/convert", {"create": "job"}),
    ):
        _refused(stack, method, path, payload, intruder, 404)
    assert ok(stack.request("GET", LEADS, None, intruder))["total"] == 0
