"""Invoices over real HTTP against the `make run` stack: the reference's "Create an
Invoice" curl verbatim (only the host and the placeholders substituted), then every call
(get, patch while draft, send with the e-mail read from the emulator's SES and its PDF
link opened, payments partial and full, overpayment 422, void, the PDF
and its stored copy) and every list filter (status with overdue, customer, due range) by
page and by cursor, and another tenant's ids 404."""

from __future__ import annotations

import html
import json
import re
import textwrap
import urllib.request
from datetime import date, timedelta

from tests.e2e.conftest import ok
from tests.e2e.test_auth_e2e import curl, needs_curl
from tests.support.payroll_helpers import pdf_text

PATH = "/api/v1/admin/invoices"
REFERENCE_CURL = """\
curl -X POST https://api.tradekitt.com/api/v1/admin/invoices \\
  -H "Authorization: Bearer <access_token>" \\
  -H "Content-Type: application/json" \\
  -H "X-Tenant-Id: <tenant-uuid>" \\
  -d '{
    "customer_name": "John Doe",
    "customer_email": "[email protected]",
    "line_items": [
      {"description": "AC Repair", "amount_cents": 15000, "quantity": 1}
    ],
    "due_date": "2026-04-15"
  }'"""
FUTURE = (date.today() + timedelta(days=20)).isoformat()
PAST = (date.today() - timedelta(days=2)).isoformat()


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
def test_reference_invoice_curl_and_every_call(stack):
    account = stack.register("Invoice Cooling")
    headers, tenant, token = account["headers"], account["tenant_id"], account["access_token"]
    created = curl(stack, _sub(REFERENCE_CURL, token, tenant))
    assert created["ok"] is True, created
    invoice = created["data"]
    assert invoice["id"] == 1 and invoice["invoice_number"] == "INV-000001"
    assert invoice["status"] == "draft" and invoice["total_cents"] == 15000
    assert invoice["customer_name"] == "John Doe" and invoice["customer_id"] >= 1
    assert ok(stack.request("GET", f"{PATH}/1", None, headers)) == invoice

    def new(**fields):
        body = {
            "customer_name": "Ann Buyer",
            "customer_email": "ann@example.com",
            "line_items": [{"description": "Tune-up", "amount_cents": 10000, "quantity": 2}],
            "due_date": FUTURE,
            **fields,
        }
        return stack.create("/admin/invoices", body, headers)

    def move(n, action, body=None, status=200):
        return ok(stack.request("POST", f"{PATH}/{n}/{action}", body, headers), status)

    # patch while draft: totals follow (tax rounded half to even once: 1650 at 825 bps)
    second = new()
    patched = ok(
        stack.request(
            "PATCH", f"{PATH}/{second['id']}", {"tax_bps": 825, "notes": "Gate code 12"}, headers
        )  # fmt: skip
    )
    assert (patched["subtotal_cents"], patched["tax_cents"], patched["total_cents"]) == (
        20000, 1650, 21650,
    )  # fmt: skip
    sent = move(second["id"], "send")
    assert sent["status"] == "sent"
    status, _, body = stack.request("PATCH", f"{PATH}/{second['id']}", {"notes": "x"}, headers)
    assert status == 409 and body["error"]["code"] == "CONFLICT"
    # payments: partial, over the balance 422, full
    partial = move(second["id"], "payments",
                   {"amount_cents": 1650, "method": "card", "reference": "ch_e2e"}, 201)  # fmt: skip
    assert (partial["status"], partial["balance_cents"]) == ("partial", 20000)
    status, _, body = stack.request(
        "POST", f"{PATH}/{second['id']}/payments", {"amount_cents": 20001, "method": "card"},
        headers,
    )  # fmt: skip
    assert status == 422 and body["error"]["details"][0]["field"] == "amount_cents"
    paid = move(second["id"], "payments", {"amount_cents": 20000, "method": "ach"}, 201)
    assert (paid["status"], paid["balance_cents"], paid["paid_cents"]) == ("paid", 0, 21650)
    status, _, _ = stack.request("POST", f"{PATH}/{second['id']}/void", None, headers)
    assert status == 409
    # a draft takes no payment; void
    third = new(customer_email="cy@example.com", due_date=PAST)
    status, _, _ = stack.request(
        "POST", f"{PATH}/{third['id']}/payments", {"amount_cents": 1, "method": "cash"}, headers
    )
    assert status == 409
    assert move(third["id"], "void")["status"] == "void"
    # overdue: sent, due before today
    late = new(due_date=PAST)
    sent_late = move(late["id"], "send")
    assert sent_late["status"] == "overdue" and sent_late["emailed_to"] == "ann@example.com"
    # the e-mail the emulator's SES recorded, and the PDF its link opens (no login)
    link = _mailed_link(stack, "ann@example.com", "INV-000004")
    with urllib.request.urlopen(link) as resp:  # noqa: S310 - the local emulator
        mailed = pdf_text(resp.read())
    assert "INV-000004" in mailed and "Status: overdue" in mailed
    # the PDF, served and kept
    pdf_headers = {**headers, "Accept": "application/pdf"}
    status, got, raw = stack.request("GET", f"{PATH}/{second['id']}/pdf", None, pdf_headers)
    assert status == 200 and got["Content-Type"] == "application/pdf"
    text = pdf_text(raw)
    for shown in ("Invoice Cooling", "INV-000002", "Ann Buyer", "Tune-up", "$216.50", "paid"):
        assert shown in text, (shown, text)
    assert stack.request("GET", f"{PATH}/{second['id']}/pdf", None, pdf_headers)[2] == raw

    # every list filter, by page and by cursor, with exact totals
    ann = second["customer_id"]
    assert late["customer_id"] == ann  # linked by e-mail, not duplicated
    assert _walk(stack, headers, "") == ([1, 2, 3, 4], 4)
    assert _walk(stack, headers, "status=draft") == ([1], 1)
    assert _walk(stack, headers, "status=paid") == ([2], 1)
    assert _walk(stack, headers, "status=void") == ([3], 1)
    assert _walk(stack, headers, "status=overdue") == ([4], 1)
    assert _walk(stack, headers, "status=sent") == ([], 0)
    assert _walk(stack, headers, "status=partial") == ([], 0)
    assert _walk(stack, headers, f"customer_id={ann}") == ([2, 4], 2)
    assert _walk(stack, headers, f"due_from={FUTURE}") == ([2], 1)
    assert _walk(stack, headers, f"due_to={PAST}") == ([1, 3, 4], 3)
    assert _walk(stack, headers, "due_from=2026-04-15&due_to=2026-04-15") == ([1], 1)
    assert _walk(stack, headers, f"customer_id={ann}&status=overdue&due_to={PAST}") == ([4], 1)
    status, _, _ = stack.request("GET", f"{PATH}?status=late", None, headers)
    assert status == 400

    # another tenant: 404 on every id, an empty list
    intruder = stack.register("Invoice Other")["headers"]
    for method, path, body in (
        ("GET", f"{PATH}/2", None),
        ("PATCH", f"{PATH}/1", {"notes": "x"}),
        ("POST", f"{PATH}/1/send", None),
        ("POST", f"{PATH}/4/payments", {"amount_cents": 1, "method": "cash"}),
        ("POST", f"{PATH}/1/void", None),
        ("GET", f"{PATH}/2/pdf", None),
    ):
        status, _, _ = stack.request(method, path, body, {**intruder, "Accept": "*/*"})
        assert status == 404, (method, path, status)
    assert ok(stack.request("GET", PATH, None, intruder))["total"] == 0
