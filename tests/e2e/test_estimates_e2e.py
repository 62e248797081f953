"""Estimates over real HTTP against the `make run` stack: the reference's "Create an
Estimate" curl verbatim (only the host and the placeholders substituted), then every call
(get, patch while draft, send with the e-mail read from the emulator's SES, the signed
link's view and accept with no login, staff accept and decline, convert into an invoice
and a dispatch job, once), every list filter (status, customer, valid_until range) by page
and by cursor, bad input 422 naming the field, a tampered link 401 and another tenant's
ids 404."""

from __future__ import annotations

import html
import json
import re
import textwrap
import urllib.request
from datetime import date, timedelta

from tests.e2e.conftest import ok
from tests.e2e.test_auth_e2e import curl, needs_curl

PATH = "/api/v1/admin/estimates"
PUBLIC = "/api/v1/public/estimates"
REFERENCE_CURL = """\
curl -X POST https://api.tradekitt.com/api/v1/admin/estimates \\
  -H "Authorization: Bearer <access_token>" \\
  -H "Content-Type: application/json" \\
  -H "X-Tenant-Id: <tenant-uuid>" \\
  -d '{
    "customer_name": "Jane Smith",
    "customer_email": "[email protected]",
    "line_items": [
      {"description": "New HVAC System", "amount_cents": 850000, "quantity": 1},
      {"description": "Installation Labor", "amount_cents": 250000, "quantity": 1}
    ],
    "valid_until": "2026-04-30"
  }'"""
REFERENCE_VALID_UNTIL = "2026-04-30"
SOON = (date.today() + timedelta(days=10)).isoformat()
LATER = (date.today() + timedelta(days=40)).isoformat()


def _mailed_link(stack, to: str, number: str) -> str:
    url = stack.env["AWS_ENDPOINT_URL"] + "/moto-api/data.json"
    with urllib.request.urlopen(url) as resp:  # noqa: S310 - the local emulator
        messages = json.loads(resp.read()).get("ses", {}).get("Message", [])
    links = [
        html.unescape(found.group(1))
        for message in messages
        if to in message.get("destinations", {}).get("ToAddresses", [])
        and number in str(message.get("subject", ""))
        and (found := re.search(r'href="([^"]+)"', str(message.get("body", ""))))
    ]
    assert links, messages
    return links[-1]


def _sub(text: str, token: str, tenant: str) -> str:
    return textwrap.dedent(text).replace("<access_token>", token).replace("<tenant-uuid>", tenant)


def _walk(stack, headers, query: str, limit: int = 2) -> tuple[list[int], int]:
    """Every id of a filtered list, walked by cursor; its total, checked by page too."""
    first = ok(stack.request("GET", f"{PATH}?limit={limit}&{query}", None, headers))
    total, ids, page = first["total"], [i["id"] for i in first["items"]], first
    while page["next_cursor"]:
        page = ok(
            stack.request(
                "GET", f"{PATH}?limit={limit}&{query}&cursor={page['next_cursor']}", None, headers
            )
        )
        ids += [i["id"] for i in page["items"]]
    by_page = []
    for n in range(1, first["total_pages"] + 1):
        by_page += [
            i["id"]
            for i in ok(
                stack.request("GET", f"{PATH}?limit={limit}&page={n}&{query}", None, headers)
            )["items"]
        ]
    assert by_page == ids and len(ids) == total, (query, ids, by_page, total)
    return sorted(ids), total


@needs_curl
def test_reference_estimate_curl_and_every_call(stack):
    account = stack.register("Estimate Cooling")
    headers, tenant, token = account["headers"], account["tenant_id"], account["access_token"]
    command = _sub(REFERENCE_CURL, token, tenant)
    created = curl(stack, command)
    if date.today().isoformat() > REFERENCE_VALID_UNTIL:
        # the reference's valid_until has passed: 422 naming it; the same curl with only
        # that date moved on creates the estimate
        assert created["ok"] is False, created
        assert created["error"]["code"] == "VALIDATION_ERROR"
        assert created["error"]["details"][0]["field"] == "valid_until"
        created = curl(stack, command.replace(REFERENCE_VALID_UNTIL, LATER))
    assert created["ok"] is True, created
    first = created["data"]
    assert first["id"] == 1 and first["estimate_number"] == "EST-000001"
    assert first["status"] == "draft" and first["total_cents"] == 1100000
    assert first["customer_name"] == "Jane Smith" and first["customer_id"] >= 1
    assert ok(stack.request("GET", f"{PATH}/1", None, headers)) == first

    def new(**fields):
        body = {
            "customer_name": "Ann Buyer",
            "customer_email": "ann@example.com",
            "line_items": [{"description": "Heat pump", "amount_cents": 10000, "quantity": 2}],
            "valid_until": SOON,
            **fields,
        }
        return stack.create("/admin/estimates", body, headers)

    def move(n, action, body=None, status=200):
        return ok(stack.request("POST", f"{PATH}/{n}/{action}", body, headers), status)

    def refused(method, path, body, status, field=None):
        code, _, reply = stack.request(method, path, body, headers)
        assert code == status, (method, path, reply)
        if field:
            assert any(field in d["field"] for d in reply["error"]["details"]), reply
        return reply

    # bad input: each a 422 naming the field
    base = {"customer_name": "X", "line_items": [{"description": "A", "amount_cents": 1}],
            "valid_until": SOON}  # fmt: skip
    for change, field in (
        ({"line_items": []}, "line_items"),
        ({"line_items": [{"description": "A", "amount_cents": 1, "quantity": 0}]}, "quantity"),
        ({"line_items": [{"description": "A", "amount_cents": 1, "quantity": -1}]}, "quantity"),
        ({"tax_bps": 10001}, "tax_bps"),
        ({"valid_until": (date.today() - timedelta(days=1)).isoformat()}, "valid_until"),
    ):
        refused("POST", PATH, {**base, **change}, 422, field)

    # patch while draft: totals follow (tax rounded half to even once: 1650 at 825 bps)
    second = new()
    patched = ok(
        stack.request(
            "PATCH", f"{PATH}/{second['id']}", {"tax_bps": 825, "notes": "Side gate"}, headers
        )  # fmt: skip
    )
    assert (patched["subtotal_cents"], patched["tax_cents"], patched["total_cents"]) == (
        20000, 1650, 21650,
    )  # fmt: skip

    # send: the e-mail the emulator's SES recorded carries the signed link
    sent = move(second["id"], "send")
    assert sent["status"] == "sent" and sent["emailed_to"] == "ann@example.com"
    refused("PATCH", f"{PATH}/{second['id']}", {"notes": "x"}, 409)
    link = _mailed_link(stack, "ann@example.com", "EST-000002")
    assert link.endswith(sent["public_url"].rsplit("/", 1)[1])
    link_token = link.rsplit("/", 1)[1]
    # the customer, with no login and no tenant header: view, then accept
    status, _, shown = stack.request("GET", f"{PUBLIC}/{link_token}")
    assert status == 200, shown
    view = shown["data"]
    assert view["estimate_number"] == "EST-000002" and view["total_cents"] == 21650
    assert view["business_name"] == "Estimate Cooling" and view["status"] == "sent"
    status, _, accepted = stack.request("POST", f"{PUBLIC}/{link_token}/accept")
    assert status == 200 and accepted["data"]["status"] == "accepted", accepted
    status, _, again = stack.request("POST", f"{PUBLIC}/{link_token}/decline")
    assert status == 409 and again["error"]["code"] == "CONFLICT"
    tampered = link_token[:-3] + ("AAA" if link_token[-3:] != "AAA" else "BBB")
    for method, suffix in (("GET", ""), ("POST", "/accept")):
        status, _, _ = stack.request(method, f"{PUBLIC}/{tampered}{suffix}")
        assert status == 401
    got = ok(stack.request("GET", f"{PATH}/{second['id']}", None, headers))
    assert got["status"] == "accepted" and got["responded_via"] == "link"

    # staff answers: decline one, accept another (a declined one cannot be accepted)
    third = new(customer_email="cy@example.com", valid_until=LATER)
    refused("POST", f"{PATH}/{third['id']}/accept", None, 409)  # not sent yet
    move(third["id"], "send")
    assert move(third["id"], "decline")["status"] == "declined"
    refused("POST", f"{PATH}/{third['id']}/accept", None, 409)
    fourth = new()
    move(fourth["id"], "send")
    assert move(fourth["id"], "accept")["responded_via"] == "staff"
    # the customer declines through the link
    fifth = new(customer_email="dee@example.com", valid_until=LATER)
    fifth_token = move(fifth["id"], "send")["public_url"].rsplit("/", 1)[1]
    status, _, declined = stack.request("POST", f"{PUBLIC}/{fifth_token}/decline")
    assert status == 200 and declined["data"]["status"] == "declined", declined
    status, _, _ = stack.request("POST", f"{PUBLIC}/{fifth_token}/accept")
    assert status == 409

    # convert: an invoice with the same customer, lines and tax, and a dispatch job; once
    converted = move(
        second["id"], "convert", {"create_job": True, "scheduled_start": f"{LATER}T09:00:00Z"}, 201
    )
    invoice, job = converted["invoice"], converted["job"]
    assert invoice["customer_id"] == second["customer_id"] and invoice["total_cents"] == 21650
    assert invoice["line_items"] == patched["line_items"] and invoice["tax_bps"] == 825
    assert job["customer_id"] == second["customer_id"] and job["title"].startswith("EST-000002")
    assert converted["estimate"]["status"] == "converted"
    assert converted["estimate"]["invoice_id"] == invoice["id"]
    assert converted["estimate"]["job_id"] == job["id"]
    assert ok(stack.request("GET", f"/api/v1/admin/invoices/{invoice['id']}", None, headers))
    assert ok(stack.request("GET", f"/api/v1/admin/dispatch/{job['id']}", None, headers))
    refused("POST", f"{PATH}/{second['id']}/convert", {"create_job": True}, 409)
    refused("POST", f"{PATH}/{third['id']}/convert", {}, 409)  # declined
    plain = move(fourth["id"], "convert", {}, 201)
    assert plain["job"] is None

    # every list filter, by page and by cursor, with exact totals (1 draft, 2 and 4
    # converted, 3 and 5 declined; nothing can have expired within the test)
    ann = second["customer_id"]
    assert fourth["customer_id"] == ann  # linked by e-mail, not duplicated
    assert _walk(stack, headers, "") == ([1, 2, 3, 4, 5], 5)
    assert _walk(stack, headers, "status=draft") == ([1], 1)
    assert _walk(stack, headers, "status=converted") == ([2, 4], 2)
    assert _walk(stack, headers, "status=declined") == ([3, 5], 2)
    assert _walk(stack, headers, "status=sent") == ([], 0)
    assert _walk(stack, headers, "status=accepted") == ([], 0)
    assert _walk(stack, headers, "status=expired") == ([], 0)
    assert _walk(stack, headers, f"customer_id={ann}") == ([2, 4], 2)
    far = [1, 3, 5] if first["valid_until"] >= LATER else [3, 5]
    assert _walk(stack, headers, f"valid_from={LATER}") == (far, len(far))
    assert _walk(stack, headers, f"valid_to={SOON}") == ([2, 4], 2)
    assert _walk(stack, headers, f"valid_from={SOON}&valid_to={SOON}&customer_id={ann}") == (
        [2, 4], 2,
    )  # fmt: skip
    status, _, _ = stack.request("GET", f"{PATH}?status=late", None, headers)
    assert status == 400

    # another tenant: 404 on every id, an empty list
    intruder = stack.register("Estimate Other")["headers"]
    for method, path, body in (
        ("GET", f"{PATH}/1", None),
        ("PATCH", f"{PATH}/1", {"notes": "x"}),
        ("POST", f"{PATH}/1/send", None),
        ("POST", f"{PATH}/3/accept", None),
        ("POST", f"{PATH}/3/decline", None),
        ("POST", f"{PATH}/4/convert", {}),
    ):
        status, _, _ = stack.request(method, path, body, intruder)
        assert status == 404, (method, path, status)
    assert ok(stack.request("GET", PATH, None, intruder))["total"] == 0
