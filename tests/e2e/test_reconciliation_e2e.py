"""Payment reconciliation over real HTTP against the `make run` stack: a Stripe-style
export matches an invoice sent in the test (paid, and a webhook endpoint receives
``payment.reconciled``, verified with ``standardwebhooks``), an unmatched row matched by
hand, ignore, every list filter (status, import) by page and by cursor, the import's
summary, the same file again, a malformed file 422 naming its line, and another tenant's
ids 404."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import ok
from tests.support.receiver import Receiver

PATH = "/api/v1/admin/reconciliation"
TODAY = date.today()
SOON = (TODAY + timedelta(days=20)).isoformat()
DELIVERY_TIMEOUT_S = 15
HEADER = "id,Created (UTC),Amount,Currency,Description,Customer Email,Customer Name\n"


def _invoice(stack, headers, email: str, cents: int) -> dict:
    body = {
        "customer_name": "Pat Payer",
        "customer_email": email,
        "line_items": [{"description": "Furnace repair", "amount_cents": cents, "quantity": 1}],
        "due_date": SOON,
    }
    invoice = stack.create("/admin/invoices", body, headers)
    return ok(stack.request("POST", f"/api/v1/admin/invoices/{invoice['id']}/send", None, headers))


def _walk(stack, headers, query: str) -> list[int]:
    """Every row id of a filtered list by cursor, checked against the same by page."""
    first = ok(stack.request("GET", f"{PATH}/rows?limit=1&{query}", None, headers))
    ids, page = [r["id"] for r in first["items"]], first
    while page["next_cursor"]:
        url = f"{PATH}/rows?limit=1&{query}&cursor={page['next_cursor']}"
        page = ok(stack.request("GET", url, None, headers))
        ids += [r["id"] for r in page["items"]]
    by_page = []
    for n in range(1, first["total_pages"] + 1):
        url = f"{PATH}/rows?limit=1&page={n}&{query}"
        by_page += [r["id"] for r in ok(stack.request("GET", url, None, headers))["items"]]
    assert ids == by_page and len(ids) == first["total"], (query, ids, by_page)
    return ids


def test_stripe_export_pays_an_invoice_and_the_rest_waits(stack):
    account = stack.register("Reconcile Heating")
    headers = account["headers"]
    with Receiver() as receiver:
        hook = ok(
            stack.request(
                "POST",
                "/api/v1/admin/webhooks",
                {"url": receiver.url, "events": ["payment.reconciled"]},
                headers,
            ),
            201,
        )
        invoice = _invoice(stack, headers, "pat@example.com", 18950)
        other = _invoice(stack, headers, "lee@example.com", 5000)
        txn = f"ch_{uuid.uuid4().hex[:14]}"
        csv = (
            HEADER
            + f"{txn},{TODAY} 14:03:00,189.50,usd,Payment for {invoice['invoice_number']},,\n"
            + f"ch_x{uuid.uuid4().hex[:8]},{TODAY} 15:00:00,20.00,usd,tip jar,,Someone\n"
            + f"re_{uuid.uuid4().hex[:8]},{TODAY} 16:00:00,-5.00,usd,refund,,\n"
        )
        summary = ok(stack.request("POST", f"{PATH}/import", {"csv": csv}, headers), 201)
        assert summary["layout"] == "stripe" and summary["duplicate"] is False
        assert (summary["rows"], summary["matched"], summary["unmatched"], summary["skipped"]) == (
            3, 1, 1, 1,
        )  # fmt: skip
        [got] = receiver.wait_for(1, DELIVERY_TIMEOUT_S)
    payload = Webhook(hook["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "payment.reconciled"
    assert payload["data"]["invoice_id"] == invoice["id"]
    assert payload["data"]["source"] == "reconciliation"
    assert payload["data"]["payment"]["amount_cents"] == 18950
    paid = ok(stack.request("GET", f"/api/v1/admin/invoices/{invoice['id']}", None, headers))
    assert paid["status"] == "paid" and paid["payments"][0]["reference"] == txn

    # the rows: every filter, by page and by cursor
    import_id = summary["id"]
    assert len(_walk(stack, headers, f"import_id={import_id}")) == 2
    [waiting] = _walk(stack, headers, "status=unmatched")
    assert _walk(stack, headers, f"status=matched&import_id={import_id}") != []
    assert _walk(stack, headers, "status=ignored") == []
    row = ok(stack.request("GET", f"{PATH}/rows?status=unmatched", None, headers))["items"][0]
    assert row["line"] == 3 and row["reason"] and row["customer_name"] == "Someone"

    # ignore, then match it by hand after all: the other invoice takes the 20.00
    ignored = ok(stack.request("POST", f"{PATH}/{waiting}/ignore", None, headers))
    assert ignored["status"] == "ignored"
    assert _walk(stack, headers, "status=ignored") == [waiting]
    body = {"invoice_id": other["id"]}
    matched = ok(stack.request("POST", f"{PATH}/{waiting}/match", body, headers))
    assert matched["status"] == "matched" and matched["match_method"] == "manual"
    status, _, error = stack.request("POST", f"{PATH}/{waiting}/match", body, headers)
    assert status == 409 and error["error"]["code"] == "CONFLICT"
    status, _, _ = stack.request("POST", f"{PATH}/{waiting}/ignore", None, headers)
    assert status == 409
    left = ok(stack.request("GET", f"/api/v1/admin/invoices/{other['id']}", None, headers))
    assert (left["status"], left["balance_cents"]) == ("partial", 3000)
    current = ok(stack.request("GET", f"{PATH}/imports/{import_id}", None, headers))
    assert (current["matched"], current["unmatched"], current["ignored"]) == (2, 0, 0)

    # the same file again changes nothing; a malformed one is 422 naming its line
    status, _, again = stack.request("POST", f"{PATH}/import", {"csv": csv}, headers)
    assert status == 200 and again["data"]["duplicate"] is True
    assert again["data"]["id"] == import_id
    bad = HEADER + f'ch_b,{TODAY},1.00,usd,"never closed,,\n'
    status, _, error = stack.request("POST", f"{PATH}/import", {"csv": bad}, headers)
    assert status == 422 and error["error"]["details"][0]["line"] == 2

    # the export as a raw text/csv body, a layout of its own mapped in the query
    raw = f"Posted,Amt,Memo\n{TODAY},12.34,bank transfer {uuid.uuid4().hex[:6]}\n".encode()
    url = (
        f"{stack.base_url}{PATH}/import?date_column=Posted&amount_column=Amt&reference_column=Memo"
    )
    status, _, body = stack.request(
        "POST", url, raw, {**headers, "Content-Type": "text/csv; charset=utf-8"}
    )
    assert status == 201 and body["data"]["layout"] == "mapped", body
    [mapped] = ok(
        stack.request("GET", f"{PATH}/rows?import_id={body['data']['id']}", None, headers)
    )["items"]
    assert mapped["amount_cents"] == 1234 and mapped["status"] == "unmatched"
    ok(stack.request("POST", f"{PATH}/{mapped['id']}/ignore", None, headers))

    # another tenant: the rows, the import and a match of the first tenant's row are 404
    intruder = stack.register("Other Reconcile")["headers"]
    assert ok(stack.request("GET", f"{PATH}/rows", None, intruder))["total"] == 0
    status, _, _ = stack.request("GET", f"{PATH}/imports/{import_id}", None, intruder)
    assert status == 404
    status, _, _ = stack.request("POST", f"{PATH}/{waiting}/ignore", None, intruder)
    assert status == 404
    # and the first tenant cannot pay the intruder's invoice 3 (it has only 1 and 2)
    foreign = [_invoice(stack, intruder, "x@example.com", 2000) for _ in range(3)][-1]
    assert foreign["id"] == 3
    mine = HEADER + f"ch_m{uuid.uuid4().hex[:8]},{TODAY},20.00,usd,,,\n"
    ok(stack.request("POST", f"{PATH}/import", {"csv": mine}, headers), 201)
    row = ok(stack.request("GET", f"{PATH}/rows?status=unmatched", None, headers))["items"][0]
    assert row["external_id"].startswith("ch_m")
    body = {"invoice_id": foreign["id"]}
    status, _, _ = stack.request("POST", f"{PATH}/{row['id']}/match", body, headers)
    assert status == 404
    theirs = ok(stack.request("GET", f"/api/v1/admin/invoices/{foreign['id']}", None, intruder))
    assert theirs["balance_cents"] == 2000
