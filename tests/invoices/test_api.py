"""``/admin/invoices`` through the API (moto): the reference's body, numbering under a
race, customers linked not duplicated, patch/send/payments/void state rules, list
filters with exact totals, tenant isolation, the PDF kept in S3, and DynamoDB calls."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.aws_calls import one_at_a_time
from tests.support.isolation import assert_isolated
from tests.support.payroll_helpers import pdf_text, s3_keys
from tests.support.racing import at_once
from tests.support.reads import counting_reads
from tests.support.sales_helpers import events_of, staff

PATH = "/admin/invoices"
ACCEPT = {"Accept": "application/pdf"}
REFERENCE = {
    "customer_name": "John Doe",
    "customer_email": "[email protected]",
    "line_items": [{"description": "AC Repair", "amount_cents": 15000, "quantity": 1}],
    "due_date": "2026-04-15",
}
EMAIL = "john.doe@example.com"
FUTURE = (date.today() + timedelta(days=30)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()


def _invoice(api, account, **fields):
    body = {**REFERENCE, "customer_email": EMAIL, "due_date": FUTURE, **fields}
    reply = api.post(PATH, body, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _sent(api, account, **fields):
    invoice = _invoice(api, account, **fields)
    reply = api.post(f"{PATH}/{invoice['id']}/send", as_=account)
    assert reply.status == 200, reply.raw
    return reply.data


def test_reference_body_creates_a_draft(api, owner):
    reply = api.post(PATH, REFERENCE, as_=owner)
    assert reply.status == 201, reply.raw
    data = reply.data
    assert data["id"] == 1 and data["invoice_number"] == "INV-000001"
    assert data["status"] == "draft"  # a draft is never overdue
    assert data["line_items"] == [
        {"description": "AC Repair", "amount_cents": 15000, "quantity": 1, "total_cents": 15000}
    ]
    assert (data["subtotal_cents"], data["tax_cents"], data["total_cents"]) == (15000, 0, 15000)
    assert data["balance_cents"] == 15000 and data["paid_cents"] == 0
    # the reference's e-mail is its page's "[email protected]" placeholder: no e-mail
    assert data["customer_name"] == "John Doe" and data["customer_email"] is None
    assert api.get(f"{PATH}/1", as_=owner).data == data
    customer = api.get(f"/admin/customers/{data['customer_id']}", as_=owner).data
    assert customer["email"] is None and customer["name"] == "John Doe"


def test_customers_are_linked_never_duplicated(api, owner):
    first = _invoice(api, owner)
    again = _invoice(api, owner, customer_name="Johnny")
    assert again["customer_id"] == first["customer_id"]
    by_id = _invoice(api, owner, customer_id=first["customer_id"], customer_email=None)
    assert by_id["customer_id"] == first["customer_id"]
    assert by_id["customer_email"] == EMAIL
    assert api.get("/admin/customers", as_=owner).data["total"] == 1
    reply = api.post(PATH, {**REFERENCE, "customer_id": 999}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "customer_id"


def test_tax_and_rounding_once_per_invoice(api, owner):
    lines = [{"description": "Part", "amount_cents": 5, "quantity": 1}] * 2
    data = _invoice(api, owner, line_items=lines, tax_bps=1000)
    assert (data["subtotal_cents"], data["tax_cents"], data["total_cents"]) == (10, 1, 11)
    data = _invoice(
        api, owner, line_items=[{"description": "AC", "amount_cents": 15000}], tax_bps=825
    )
    assert (data["tax_cents"], data["total_cents"]) == (1238, 16238)  # 1237.5 -> even


@pytest.mark.parametrize(
    "change, field",
    [
        ({"line_items": []}, "line_items"),
        ({"line_items": [{"description": "x", "amount_cents": 1, "quantity": 0}]}, "quantity"),
        ({"line_items": [{"description": "x", "amount_cents": 1, "quantity": -2}]}, "quantity"),
        ({"line_items": [{"description": "x", "amount_cents": 1.5, "quantity": 1}]}, "amount"),
        ({"tax_bps": 10001}, "tax_bps"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"customer_name": None, "customer_email": None}, "body"),
    ],
)
def test_bad_input_is_422(api, owner, change, field):
    reply = api.post(PATH, {**REFERENCE, **change}, as_=owner)
    assert reply.status == 422, reply.raw
    assert any(field in d["field"] for d in reply.error["details"]), reply.error


def test_numbers_are_sequential_under_a_race(api, owner):
    bodies = [{**REFERENCE, "customer_email": f"c{n}@example.com"} for n in range(8)]
    with one_at_a_time():
        replies = at_once([lambda b=b: api.post(PATH, b, as_=owner) for b in bodies])
    assert [r.status for r in replies] == [201] * 8, [r.raw for r in replies]
    assert sorted(r.data["id"] for r in replies) == list(range(1, 9))
    assert len({r.data["customer_id"] for r in replies}) == 8
    assert api.get(PATH, as_=owner).data["total"] == 8
    assert _invoice(api, owner)["id"] == 9


def test_racing_invoices_of_one_new_customer_make_one_customer(api, owner):
    body = {**REFERENCE, "customer_email": "new.client@example.com", "due_date": FUTURE}
    with one_at_a_time():
        replies = at_once([lambda: api.post(PATH, body, as_=owner)] * 4)
    assert [r.status for r in replies] == [201] * 4, [r.raw for r in replies]
    assert len({r.data["customer_id"] for r in replies}) == 1
    assert api.get("/admin/customers", as_=owner).data["total"] == 1


def test_a_customers_invoices_for_its_history(api, owner):
    from chalicelib.invoices import service

    first = _invoice(api, owner, due_date=PAST)
    second = _invoice(api, owner)
    _invoice(api, owner, customer_email="someone.else@example.com")
    with counting_reads() as reads:
        got = service.of_customer(owner.tenant_id, first["customer_id"], limit=5)
    assert [i["id"] for i in got] == [second["id"], first["id"]]
    assert dict(reads.calls) == {"Query": 1}
    assert [i["id"] for i in service.of_customer(owner.tenant_id, first["customer_id"], 1)] == [
        second["id"]
    ]


def test_patch_only_while_draft(api, owner):
    invoice = _invoice(api, owner, notes="first")
    reply = api.patch(
        f"{PATH}/{invoice['id']}",
        {"line_items": [{"description": "Tune-up", "amount_cents": 8900, "quantity": 2}],
         "tax_bps": 500, "notes": None},
        as_=owner,
    )  # fmt: skip
    assert reply.status == 200, reply.raw
    data = reply.data
    assert (data["subtotal_cents"], data["tax_cents"], data["total_cents"]) == (17800, 890, 18690)
    assert data["balance_cents"] == 18690 and data["notes"] is None
    reply = api.patch(f"{PATH}/{invoice['id']}", {"tax_bps": None}, as_=owner)
    assert reply.status == 422
    moved = api.patch(f"{PATH}/{invoice['id']}", {"due_date": PAST}, as_=owner).data
    assert moved["due_date"] == PAST and moved["status"] == "draft"
    listed = api.get(f"{PATH}?due_to={PAST}", as_=owner).data
    assert listed["total"] == 1 and listed["items"][0]["id"] == invoice["id"]
    assert api.get(f"{PATH}?due_from={FUTURE}", as_=owner).data["total"] == 0
    assert api.post(f"{PATH}/{invoice['id']}/send", as_=owner).status == 200
    reply = api.patch(f"{PATH}/{invoice['id']}", {"notes": "late"}, as_=owner)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    assert api.patch(f"{PATH}/999", {"notes": "x"}, as_=owner).status == 404


def test_payments_partial_full_and_over_the_balance(api, owner):
    draft = _invoice(api, owner)
    pay = {"amount_cents": 5000, "method": "card", "reference": "ch_1"}
    reply = api.post(f"{PATH}/{draft['id']}/payments", pay, as_=owner)
    assert reply.status == 409  # a draft takes no payment
    invoice = _sent(api, owner)
    assert invoice["status"] == "sent" and invoice["sent_at"]
    reply = api.post(f"{PATH}/{invoice['id']}/payments", pay, as_=owner)
    assert reply.status == 201, reply.raw
    data = reply.data
    assert (data["status"], data["paid_cents"], data["balance_cents"]) == ("partial", 5000, 10000)
    assert data["payments"][0]["reference"] == "ch_1"
    reply = api.post(f"{PATH}/{invoice['id']}/payments", {**pay, "amount_cents": 10001}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "amount_cents"
    for bad in (0, -5, 1.5):
        reply = api.post(
            f"{PATH}/{invoice['id']}/payments", {**pay, "amount_cents": bad}, as_=owner
        )
        assert reply.status == 422
    reply = api.post(f"{PATH}/{invoice['id']}/payments", {**pay, "amount_cents": 10000}, as_=owner)
    data = reply.data
    assert (data["status"], data["balance_cents"], data["paid_cents"]) == ("paid", 0, 15000)
    assert data["paid_at"] and len(data["payments"]) == 2
    assert api.post(f"{PATH}/{invoice['id']}/payments", pay, as_=owner).status == 409
    assert api.post(f"{PATH}/{invoice['id']}/void", as_=owner).status == 409
    assert api.post(f"{PATH}/{invoice['id']}/send", as_=owner).status == 409
    events = events_of(owner.tenant_id, "payment.reconciled")
    assert sorted(e["balance_cents"] for e in events) == [0, 10000]


def test_racing_payments_never_spend_the_balance_twice(api, owner):
    invoice = _sent(api, owner)
    pay = {"amount_cents": 10000, "method": "cash"}
    with one_at_a_time():
        replies = at_once(
            [lambda: api.post(f"{PATH}/{invoice['id']}/payments", pay, as_=owner)] * 4
        )
    assert sorted(r.status for r in replies) == [201, 422, 422, 422], [r.raw for r in replies]
    assert api.get(f"{PATH}/{invoice['id']}", as_=owner).data["balance_cents"] == 5000


def test_void_rules(api, owner):
    draft = _invoice(api, owner)
    reply = api.post(f"{PATH}/{draft['id']}/void", as_=owner)
    assert reply.status == 200 and reply.data["status"] == "void" and reply.data["voided_at"]
    assert api.post(f"{PATH}/{draft['id']}/void", as_=owner).status == 409
    assert api.post(f"{PATH}/{draft['id']}/send", as_=owner).status == 409
    pay = {"amount_cents": 100, "method": "cash"}
    assert api.post(f"{PATH}/{draft['id']}/payments", pay, as_=owner).status == 409
    partial = _sent(api, owner)
    api.post(f"{PATH}/{partial['id']}/payments", pay, as_=owner)
    reply = api.post(f"{PATH}/{partial['id']}/void", as_=owner)
    assert reply.status == 200 and reply.data["paid_cents"] == 100  # payments stay on record


def test_overdue_and_list_filters_with_exact_totals(api, owner):
    other = api.post(PATH, {**REFERENCE, "customer_email": "b@example.com", "due_date": PAST},
                     as_=owner).data  # fmt: skip
    late = _sent(api, owner, due_date=PAST)
    assert late["status"] == "overdue"
    _sent(api, owner)
    paid = _sent(api, owner, due_date=PAST)
    api.post(f"{PATH}/{paid['id']}/payments", {"amount_cents": 15000, "method": "ach"}, as_=owner)
    partial = _sent(api, owner, due_date=PAST)
    api.post(f"{PATH}/{partial['id']}/payments", {"amount_cents": 1, "method": "ach"}, as_=owner)

    def ids(**query):
        params = "&".join(f"{k}={v}" for k, v in query.items())
        body = api.get(f"{PATH}?{params}", as_=owner).data
        assert body["total"] == len(body["items"]), body
        return sorted(i["id"] for i in body["items"])

    assert ids() == [1, 2, 3, 4, 5]
    assert ids(status="overdue") == [late["id"], partial["id"]]
    assert ids(status="sent") == [3]
    assert ids(status="partial") == []
    assert ids(status="draft") == [other["id"]]
    assert ids(status="paid") == [paid["id"]]
    assert ids(customer_id=other["customer_id"]) == [other["id"]]
    assert ids(customer_id=late["customer_id"]) == [2, 3, 4, 5]
    assert ids(due_from=FUTURE) == [3]
    assert ids(due_to=PAST) == [1, 2, 4, 5]
    assert ids(due_to=PAST, status="overdue", customer_id=late["customer_id"]) == [2, 5]
    assert ids(due_from=date.today().isoformat(), status="overdue") == []
    page = api.get(f"{PATH}?limit=2", as_=owner).data
    assert page["total"] == 5 and page["total_pages"] == 3 and page["items"][0]["id"] == 3
    walked = [i["id"] for i in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"{PATH}?limit=2&cursor={page['next_cursor']}", as_=owner).data
        walked += [i["id"] for i in page["items"]]
    assert sorted(walked) == [1, 2, 3, 4, 5]
    assert api.get(f"{PATH}?status=late", as_=owner).status == 400
    assert api.get(f"{PATH}?due_from=2026-05-01&due_to=2026-04-01", as_=owner).status == 400


def test_pdf_is_rendered_branded_and_kept_in_s3(api, owner):
    invoice = _invoice(
        api, owner, tax_bps=825, notes="Thank you",
        line_items=[{"description": "AC Repair", "amount_cents": 15000, "quantity": 1}],
    )  # fmt: skip
    reply = api.get(f"{PATH}/{invoice['id']}/pdf", as_=owner, headers=ACCEPT)
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    text = pdf_text(reply.raw)
    for shown in ("Smith HVAC", "INV-000001", "John Doe", "AC Repair", "$150.00", "$12.38",
                  "$162.38", "Tax (8.25 %)", "Thank you", FUTURE):  # fmt: skip
        assert shown in text, (shown, text)
    keys = s3_keys(owner.tenant_id)
    assert keys == [f"tenants/{owner.tenant_id}/invoices/1/r1-draft.pdf"]
    again = api.get(f"{PATH}/{invoice['id']}/pdf", as_=owner, headers=ACCEPT)
    assert again.raw == reply.raw
    api.post(f"{PATH}/{invoice['id']}/send", as_=owner)
    sent = api.get(f"{PATH}/{invoice['id']}/pdf", as_=owner, headers=ACCEPT)
    assert "Status: sent" in pdf_text(sent.raw)
    assert len(s3_keys(owner.tenant_id)) == 2
    assert api.get(f"{PATH}/99/pdf", as_=owner, headers=ACCEPT).status == 404


def test_roles(api, owner):
    invoice = _invoice(api, owner)
    for role, status in (("manager", 201), ("dispatcher", 403), ("technician", 403)):
        account = staff(owner, role)
        assert api.post(PATH, REFERENCE, as_=account).status == status, role
        assert api.get(f"{PATH}/{invoice['id']}", as_=account).status in (200, 403)


def test_tenant_isolation(api, owner, other):
    invoice = _sent(api, owner, customer_email="secret-client@example.com")
    n = invoice["id"]
    calls = [
        ("GET", f"{PATH}/{n}", None),
        ("PATCH", f"{PATH}/{n}", {"notes": "x"}),
        ("POST", f"{PATH}/{n}/send", None),
        ("POST", f"{PATH}/{n}/payments", {"amount_cents": 100, "method": "cash"}),
        ("POST", f"{PATH}/{n}/void", None),
        ("GET", f"{PATH}/{n}/pdf", None),
    ]
    assert_isolated(api, owner, other, calls, secrets=["secret-client@example.com"])
    body = api.get(PATH, as_=other).data
    assert body["total"] == 0 and body["items"] == []
    assert api.get(f"{PATH}/{n}", as_=owner).data["status"] == "sent"
    # the same customer e-mail in two tenants: two customers, each tenant's own
    mine = _invoice(api, other, customer_email="secret-client@example.com")
    assert mine["id"] == 1


def _calls(reads):
    """The DynamoDB calls of one request but the two rate-limit windows (UpdateItem)."""
    calls = dict(reads.calls)
    assert calls.pop("UpdateItem") == 2, calls
    return calls


def test_dynamodb_calls(api, owner):
    with counting_reads() as reads:
        invoice = _invoice(api, owner)
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        _invoice(api, owner)  # the customer is found by its e-mail pointer
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        api.get(f"{PATH}?limit=1", as_=owner)
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 1, "Query": 1}
    with counting_reads() as reads:
        api.get(f"{PATH}?status=draft&limit=1", as_=owner)
    # a filtered page also reads the day counts of the month it starts in
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 2, "Query": 1}
    with counting_reads() as reads:
        api.post(f"{PATH}/{invoice['id']}/send", as_=owner)
    reads.calls["UpdateItem"] -= 1  # the communications log's id counter
    # + settings (branding); the second transaction is the e-mail's communications log entry
    assert _calls(reads) == {"GetItem": 3, "TransactWriteItems": 2}
    with counting_reads() as reads:
        api.post(f"{PATH}/{invoice['id']}/payments", {"amount_cents": 1, "method": "cash"},
                 as_=owner)  # fmt: skip
    assert _calls(reads) == {"GetItem": 2, "TransactWriteItems": 1}


def _ses_sent() -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def test_send_emails_a_link_to_the_pdf(api, owner):
    import re

    import requests

    invoice = _invoice(api, owner)
    reply = api.post(f"{PATH}/{invoice['id']}/send", as_=owner)
    assert reply.status == 200 and reply.data["emailed_to"] == EMAIL
    [message] = _ses_sent()
    assert message.destinations["ToAddresses"] == [EMAIL]
    assert message.subject == "Invoice INV-000001 from Smith HVAC"
    link = re.search(r'href="([^"]+)"', message.body).group(1).replace("&amp;", "&")
    got = requests.get(link, timeout=10)
    assert got.status_code == 200
    text = pdf_text(got.content)
    assert "INV-000001" in text and "Status: sent" in text and "$150.00" in text
    again = api.post(f"{PATH}/{invoice['id']}/send", as_=owner)  # a re-send: same status
    assert again.data["status"] == "sent" and len(_ses_sent()) == 2
    no_email = _invoice(api, owner, customer_email=None, customer_name="Walk-in")
    reply = api.post(f"{PATH}/{no_email['id']}/send", as_=owner)
    assert reply.data["status"] == "sent" and reply.data["emailed_to"] is None
