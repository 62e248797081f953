"""``/admin/estimates`` and the public signed link through the API (moto): the reference's
body, numbering under a race, customers linked, bad input 422 naming the field, patch
while draft, send with the e-mail and its signed link, accept / decline by the link and
by staff, expiry, the list's filters with exact totals, convert into an invoice and a job
(once, and safely retried), the service functions other features call, roles, tenant
isolation and DynamoDB calls."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.aws_calls import one_at_a_time
from tests.support.isolation import assert_isolated
from tests.support.racing import at_once
from tests.support.reads import counting_reads
from tests.support.sales_helpers import events_of, staff

PATH = "/admin/estimates"
PUBLIC = "/public/estimates"
REFERENCE = {
    "customer_name": "Jane Smith",
    "customer_email": "[email protected]",
    "line_items": [
        {"description": "New HVAC System", "amount_cents": 850000, "quantity": 1},
        {"description": "Installation Labor", "amount_cents": 250000, "quantity": 1},
    ],
    "valid_until": "2026-04-30",
}
EMAIL = "jane.smith@example.com"
FUTURE = (date.today() + timedelta(days=30)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()


def _estimate(api, account, **fields):
    body = {**REFERENCE, "customer_email": EMAIL, "valid_until": FUTURE, **fields}
    reply = api.post(PATH, body, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _sent(api, account, **fields):
    estimate = _estimate(api, account, **fields)
    reply = api.post(f"{PATH}/{estimate['id']}/send", as_=account)
    assert reply.status == 200, reply.raw
    return reply.data


def _accepted(api, account, **fields):
    estimate = _sent(api, account, **fields)
    reply = api.post(f"{PATH}/{estimate['id']}/accept", as_=account)
    assert reply.status == 200, reply.raw
    return reply.data


def _token(sent) -> str:
    return sent["public_url"].rsplit("/", 1)[1]


class _Later:
    """``clock.now`` moved by ``offset`` (the service's clock; tokens keep real time)."""

    def __init__(self, monkeypatch):
        from chalicelib.core import clock

        real = clock.now
        self.offset = timedelta(0)
        monkeypatch.setattr(clock, "now", lambda: real() + self.offset)


@pytest.fixture
def later(monkeypatch):
    return _Later(monkeypatch)


def test_reference_body_creates_a_draft(api, owner, monkeypatch):
    from chalicelib.core import clock

    # the reference's valid_until (2026-04-30) as the reference wrote it, before that day
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 4, 1, 12, tzinfo=UTC))
    reply = api.post(PATH, REFERENCE, as_=owner)
    assert reply.status == 201, reply.raw
    data = reply.data
    assert data["id"] == 1 and data["estimate_number"] == "EST-000001"
    assert data["status"] == "draft" and data["valid_until"] == "2026-04-30"
    assert (data["subtotal_cents"], data["tax_cents"], data["total_cents"]) == (
        1100000, 0, 1100000,
    )  # fmt: skip
    assert data["line_items"][1] == {
        "description": "Installation Labor", "amount_cents": 250000, "quantity": 1,
        "total_cents": 250000,
    }  # fmt: skip
    # the reference's e-mail is its page's "[email protected]" placeholder: no e-mail
    assert data["customer_name"] == "Jane Smith" and data["customer_email"] is None
    assert data["invoice_id"] is None and data["job_id"] is None
    assert api.get(f"{PATH}/1", as_=owner).data == data
    customer = api.get(f"/admin/customers/{data['customer_id']}", as_=owner).data
    assert customer["name"] == "Jane Smith"


def test_customers_are_linked_never_duplicated(api, owner):
    first = _estimate(api, owner)
    again = _estimate(api, owner, customer_name="Janie")
    assert again["customer_id"] == first["customer_id"]
    by_id = _estimate(api, owner, customer_id=first["customer_id"], customer_email=None)
    assert by_id["customer_id"] == first["customer_id"] and by_id["customer_email"] == EMAIL
    assert api.get("/admin/customers", as_=owner).data["total"] == 1
    reply = api.post(PATH, {**REFERENCE, "valid_until": FUTURE, "customer_id": 999}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "customer_id"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"line_items": []}, "line_items"),
        ({"line_items": [{"description": "x", "amount_cents": 1, "quantity": 0}]}, "quantity"),
        ({"line_items": [{"description": "x", "amount_cents": 1, "quantity": -2}]}, "quantity"),
        ({"line_items": [{"description": "x", "amount_cents": 1.5, "quantity": 1}]}, "amount"),
        ({"line_items": [{"description": "", "amount_cents": 1, "quantity": 1}]}, "description"),
        ({"tax_bps": 10001}, "tax_bps"),
        ({"valid_until": PAST}, "valid_until"),
        ({"valid_until": "2026-02-30"}, "valid_until"),
        ({"valid_until": None}, "valid_until"),
        ({"customer_name": None, "customer_email": None}, "body"),
        ({"customer_email": "not-an-email"}, "customer_email"),
    ],
)
def test_bad_input_is_422(api, owner, change, field):
    reply = api.post(PATH, {**REFERENCE, "valid_until": FUTURE, **change}, as_=owner)
    assert reply.status == 422, reply.raw
    assert any(field in d["field"] for d in reply.error["details"]), reply.error


def test_numbers_are_sequential_under_a_race(api, owner):
    bodies = [
        {**REFERENCE, "valid_until": FUTURE, "customer_email": f"c{n}@example.com"}
        for n in range(6)
    ]
    with one_at_a_time():
        replies = at_once([lambda b=b: api.post(PATH, b, as_=owner) for b in bodies])
    assert [r.status for r in replies] == [201] * 6, [r.raw for r in replies]
    assert sorted(r.data["id"] for r in replies) == list(range(1, 7))
    assert api.get(PATH, as_=owner).data["total"] == 6
    assert _estimate(api, owner)["estimate_number"] == "EST-000007"


def test_patch_only_while_draft(api, owner):
    estimate = _estimate(api, owner, notes="first")
    n = estimate["id"]
    reply = api.patch(
        f"{PATH}/{n}",
        {"line_items": [{"description": "Tune-up", "amount_cents": 8900, "quantity": 2}],
         "tax_bps": 500, "notes": None},
        as_=owner,
    )  # fmt: skip
    assert reply.status == 200, reply.raw
    data = reply.data
    assert (data["subtotal_cents"], data["tax_cents"], data["total_cents"]) == (17800, 890, 18690)
    assert data["notes"] is None
    for bad, field in (({"tax_bps": None}, "tax_bps"), ({"valid_until": PAST}, "valid_until"),
                       ({"line_items": []}, "line_items"), ({"tax_bps": 10001}, "tax_bps")):  # fmt: skip
        reply = api.patch(f"{PATH}/{n}", bad, as_=owner)
        assert reply.status == 422 and field in reply.error["details"][0]["field"], reply.raw
    later = (date.today() + timedelta(days=90)).isoformat()
    moved = api.patch(f"{PATH}/{n}", {"valid_until": later}, as_=owner).data
    assert moved["valid_until"] == later
    assert api.get(f"{PATH}?valid_from={later}", as_=owner).data["total"] == 1
    assert api.get(f"{PATH}?valid_to={FUTURE}", as_=owner).data["total"] == 0
    assert api.post(f"{PATH}/{n}/send", as_=owner).status == 200
    reply = api.patch(f"{PATH}/{n}", {"notes": "late"}, as_=owner)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    assert api.patch(f"{PATH}/999", {"notes": "x"}, as_=owner).status == 404


def _ses_sent() -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def test_send_emails_the_signed_link_and_the_customer_accepts_without_a_login(api, owner):
    estimate = _estimate(api, owner, tax_bps=825)
    reply = api.post(f"{PATH}/{estimate['id']}/send", as_=owner)
    assert reply.status == 200, reply.raw
    sent = reply.data
    assert sent["status"] == "sent" and sent["sent_at"] and sent["emailed_to"] == EMAIL
    [message] = _ses_sent()
    assert message.destinations["ToAddresses"] == [EMAIL]
    assert message.subject == "Estimate EST-000001 from Smith HVAC"
    assert "$11907.50" in message.body and FUTURE in message.body
    link = re.search(r'href="([^"]+)"', message.body).group(1).replace("&amp;", "&")
    assert link == sent["public_url"] and link.startswith("http://testserver/api/v1/public/")
    token = link.rsplit("/", 1)[1]
    # the public view: no login, no tenant header
    shown = api.get(f"{PUBLIC}/{token}")
    assert shown.status == 200, shown.raw
    assert shown.data["estimate_number"] == "EST-000001" and shown.data["status"] == "sent"
    assert shown.data["business_name"] == "Smith HVAC" and shown.data["total_cents"] == 1190750
    assert "customer_id" not in shown.data
    # a re-send mails the same estimate again
    again = api.post(f"{PATH}/{estimate['id']}/send", as_=owner)
    assert again.status == 200 and len(_ses_sent()) == 2
    accepted = api.post(f"{PUBLIC}/{token}/accept")
    assert accepted.status == 200 and accepted.data["status"] == "accepted"
    got = api.get(f"{PATH}/{estimate['id']}", as_=owner).data
    assert got["status"] == "accepted" and got["responded_via"] == "link" and got["responded_at"]
    for action in ("accept", "decline"):  # answered already
        reply = api.post(f"{PUBLIC}/{token}/{action}")
        assert reply.status == 409 and reply.error["code"] == "CONFLICT", reply.raw
    assert api.post(f"{PATH}/{estimate['id']}/send", as_=owner).status == 409
    # the view still answers, showing the answer
    assert api.get(f"{PUBLIC}/{token}").data["status"] == "accepted"
    # each e-mail is in the customer's communications log
    from chalicelib.communications import service as communications

    logged = communications.of_customer(owner.tenant_id, estimate["customer_id"])
    assert [(c["kind"], c["status"], c["ref"]) for c in logged] == [
        ("estimate", "sent", "EST-000001")
    ] * 2
    assert logged[0]["subject"] == "Estimate EST-000001 from Smith HVAC"
    # no e-mail: sent, emailed_to null, the link still given to staff
    walk_in = _estimate(api, owner, customer_email=None, customer_name="Walk-in")
    reply = api.post(f"{PATH}/{walk_in['id']}/send", as_=owner)
    assert reply.data["emailed_to"] is None and reply.data["public_url"]
    assert len(_ses_sent()) == 2


def test_a_bad_link_is_401_and_never_an_access_token(api, owner):
    sent = _sent(api, owner)
    token = _token(sent)
    head, body, sig = token.split(".")
    tampered = f"{head}.{body}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    for bad in (tampered, "not-a-token", owner.access_token):
        for method, suffix in (("GET", ""), ("POST", "/accept"), ("POST", "/decline")):
            reply = api.call(method, f"{PUBLIC}/{bad}{suffix}")
            assert reply.status == 401 and reply.error["code"] == "UNAUTHORIZED", reply.raw
    # the link is no access token
    reply = api.get("/auth/me", headers={"Authorization": f"Bearer {token}",
                                         "X-Tenant-Id": owner.tenant_id})  # fmt: skip
    assert reply.status == 401
    assert api.get(f"{PATH}/{sent['id']}", as_=owner).data["status"] == "sent"


def test_an_expired_link_is_401(api, owner):
    from chalicelib.estimates import links

    yesterday = date.today() - timedelta(days=1)
    token = links.issue(owner.tenant_id, 1, yesterday)
    _sent(api, owner)
    reply = api.get(f"{PUBLIC}/{token}")
    assert reply.status == 401 and "expired" in reply.error["message"]
    tomorrow = links.issue(owner.tenant_id, 1, date.today() + timedelta(days=1))
    assert api.get(f"{PUBLIC}/{tomorrow}").status == 200
    unknown = links.issue(owner.tenant_id, 77, date.today() + timedelta(days=1))
    assert api.get(f"{PUBLIC}/{unknown}").status == 404


def test_staff_answers_and_expiry(api, owner, later):
    draft = _estimate(api, owner)
    for action in ("accept", "decline"):
        reply = api.post(f"{PATH}/{draft['id']}/{action}", as_=owner)
        assert reply.status == 409 and "not been sent" in reply.error["message"]
    declined = _sent(api, owner)
    reply = api.post(f"{PATH}/{declined['id']}/decline", as_=owner)
    assert reply.status == 200 and reply.data["status"] == "declined"
    assert reply.data["responded_via"] == "staff"
    reply = api.post(f"{PATH}/{declined['id']}/accept", as_=owner)
    assert reply.status == 409 and "declined" in reply.error["message"]
    assert api.post(f"{PUBLIC}/{_token(declined)}/accept").status == 409
    today_only = _sent(api, owner, valid_until=date.today().isoformat())
    assert today_only["status"] == "sent"
    later.offset = timedelta(days=2)  # past its valid_until
    got = api.get(f"{PATH}/{today_only['id']}", as_=owner).data
    assert got["status"] == "expired"
    for action in ("accept", "decline"):
        reply = api.post(f"{PATH}/{today_only['id']}/{action}", as_=owner)
        assert reply.status == 409 and "expired" in reply.error["message"], reply.raw
        # the link (still within its real-time validity here) names an expired estimate
        assert api.post(f"{PUBLIC}/{_token(today_only)}/{action}").status == 409
    assert api.post(f"{PATH}/{today_only['id']}/send", as_=owner).status == 409
    later.offset = timedelta(0)
    stale_draft = _estimate(api, owner, valid_until=(date.today() + timedelta(days=1)).isoformat())
    later.offset = timedelta(days=2)
    reply = api.post(f"{PATH}/{stale_draft['id']}/send", as_=owner)
    assert reply.status == 409 and "valid_until" in reply.error["message"]
    assert api.get(f"{PATH}/{stale_draft['id']}", as_=owner).data["status"] == "draft"
    assert api.post(f"{PATH}/999/accept", as_=owner).status == 404


def test_list_filters_with_exact_totals(api, owner, later):
    draft = _estimate(api, owner, customer_email="b@example.com")  # 1
    soon = (date.today() + timedelta(days=1)).isoformat()
    expiring = _sent(api, owner, valid_until=soon)  # 2: expired two days later
    _sent(api, owner)  # 3: sent
    accepted = _accepted(api, owner)  # 4
    declined = _sent(api, owner, valid_until=soon)  # 5
    api.post(f"{PATH}/{declined['id']}/decline", as_=owner)
    later.offset = timedelta(days=3)

    def ids(**query):
        params = "&".join(f"{k}={v}" for k, v in query.items())
        body = api.get(f"{PATH}?{params}", as_=owner).data
        assert body["total"] == len(body["items"]), body
        return sorted(i["id"] for i in body["items"])

    assert ids() == [1, 2, 3, 4, 5]
    assert ids(status="expired") == [expiring["id"]]
    assert ids(status="sent") == [3]
    assert ids(status="draft") == [draft["id"]]
    assert ids(status="accepted") == [accepted["id"]]
    assert ids(status="declined") == [declined["id"]]
    assert ids(status="converted") == []
    assert ids(customer_id=draft["customer_id"]) == [1]
    assert ids(customer_id=expiring["customer_id"]) == [2, 3, 4, 5]
    assert ids(valid_to=soon) == [2, 5]
    assert ids(valid_from=FUTURE) == [1, 3, 4]
    assert ids(valid_from=soon, valid_to=soon, status="expired") == [2]
    assert ids(valid_from=(date.today() + timedelta(days=3)).isoformat(), status="expired") == []
    page = api.get(f"{PATH}?limit=2", as_=owner).data
    assert page["total"] == 5 and page["total_pages"] == 3
    walked = [i["id"] for i in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"{PATH}?limit=2&cursor={page['next_cursor']}", as_=owner).data
        walked += [i["id"] for i in page["items"]]
    assert sorted(walked) == [1, 2, 3, 4, 5]
    assert api.get(f"{PATH}?status=late", as_=owner).status == 400
    assert api.get(f"{PATH}?valid_from=2026-05-01&valid_to=2026-04-01", as_=owner).status == 400


def test_convert_makes_an_invoice_and_a_job_once(api, owner):
    estimate = _accepted(api, owner, tax_bps=825, notes="Gate code 12")
    n = estimate["id"]
    reply = api.post(
        f"{PATH}/{n}/convert",
        {"create_job": True, "scheduled_start": "2030-05-04T09:00:00Z", "priority": "high"},
        as_=owner,
    )
    assert reply.status == 201, reply.raw
    invoice, job, after = reply.data["invoice"], reply.data["job"], reply.data["estimate"]
    assert invoice["customer_id"] == estimate["customer_id"] and invoice["status"] == "draft"
    assert invoice["line_items"] == estimate["line_items"]
    assert (invoice["tax_bps"], invoice["total_cents"]) == (825, estimate["total_cents"])
    assert invoice["notes"] == "Gate code 12"
    assert invoice["due_date"] == (date.today() + timedelta(days=30)).isoformat()
    assert job["customer_id"] == estimate["customer_id"] and job["status"] == "pending"
    assert job["title"] == "EST-000001: New HVAC System" and job["priority"] == "high"
    assert job["scheduled_start"] == "2030-05-04T09:00:00Z"
    assert after["status"] == "converted" and after["converted_at"]
    assert (after["invoice_id"], after["job_id"]) == (invoice["id"], job["id"])
    assert api.get(f"{PATH}/{n}", as_=owner).data == after
    assert api.get(f"/admin/invoices/{invoice['id']}", as_=owner).data == invoice
    assert [e["id"] for e in events_of(owner.tenant_id, "dispatch.created")] == [job["id"]]
    again = api.post(f"{PATH}/{n}/convert", {"create_job": True}, as_=owner)
    assert again.status == 409 and "already converted" in again.error["message"]
    assert api.get("/admin/invoices", as_=owner).data["total"] == 1
    assert api.get(f"{PATH}?status=converted", as_=owner).data["total"] == 1
    # without a job, and only an accepted estimate
    plain = _accepted(api, owner)
    reply = api.post(f"{PATH}/{plain['id']}/convert", {"due_date": FUTURE}, as_=owner)
    assert reply.status == 201 and reply.data["job"] is None
    assert reply.data["invoice"]["due_date"] == FUTURE
    for estimate in (_estimate(api, owner), _sent(api, owner)):
        reply = api.post(f"{PATH}/{estimate['id']}/convert", {}, as_=owner)
        assert reply.status == 409 and "accepted" in reply.error["message"]
    reply = api.post(f"{PATH}/{plain['id']}/convert", {"create_job": "yes"}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "create_job"
    # the job's own checks come before anything is written
    other = _accepted(api, owner)
    for bad, field in (
        ({"scheduled_start": "2030-05-04T11:00:00Z", "scheduled_end": "2030-05-04T09:00:00Z"},
         "scheduled_end"),
        ({"service_zip": "00000"}, "service_zip"),
        ({"latitude": 27.9}, "longitude"),
    ):  # fmt: skip
        reply = api.post(f"{PATH}/{other['id']}/convert", {"create_job": True, **bad}, as_=owner)
        assert reply.status == 422, reply.raw
        assert field in reply.error["details"][0]["field"], reply.raw
    assert api.get(f"{PATH}/{other['id']}", as_=owner).data["invoice_id"] is None
    assert api.post(f"{PATH}/999/convert", {}, as_=owner).status == 404


def test_a_failed_job_is_retried_without_a_second_invoice(api, owner, monkeypatch):
    from chalicelib.dispatch import service as dispatch

    estimate = _accepted(api, owner)
    real = dispatch.create
    failures = iter([RuntimeError("dispatch down")])

    def flaky(principal, data):
        for failure in failures:
            raise failure
        return real(principal, data)

    monkeypatch.setattr(dispatch, "create", flaky)
    reply = api.post(f"{PATH}/{estimate['id']}/convert", {"create_job": True}, as_=owner)
    assert reply.status == 500
    half = api.get(f"{PATH}/{estimate['id']}", as_=owner).data
    assert half["status"] == "accepted" and half["invoice_id"] == 1 and half["job_id"] is None
    reply = api.post(f"{PATH}/{estimate['id']}/convert", {"create_job": True}, as_=owner)
    assert reply.status == 201, reply.raw
    assert reply.data["invoice"]["id"] == 1 and reply.data["job"]["id"] >= 1
    assert api.get("/admin/invoices", as_=owner).data["total"] == 1
    assert reply.data["estimate"]["status"] == "converted"


def test_racing_converts_make_one_invoice(api, owner):
    estimate = _accepted(api, owner)
    with one_at_a_time():
        replies = at_once([lambda: api.post(f"{PATH}/{estimate['id']}/convert", {}, as_=owner)] * 3)
    assert sorted(r.status for r in replies) == [201, 409, 409], [r.raw for r in replies]
    assert api.get("/admin/invoices", as_=owner).data["total"] == 1


def test_service_functions_for_other_features(api, owner):
    from chalicelib.core.errors import InvalidInput, ValidationFailed
    from chalicelib.estimates import service

    tid = owner.tenant_id
    made = service.create_for(
        tid,
        {"customer_name": "Portal Pat", "customer_email": "pat@example.com",
         "line_items": [{"description": "Quote", "amount_cents": 1000, "quantity": 3}],
         "valid_until": FUTURE},
        actor="portal",
    )  # fmt: skip
    assert made["estimate_number"] == "EST-000001" and made["total_cents"] == 3000
    with pytest.raises(InvalidInput) as rule:  # a rule's 422 (the route answers the same)
        service.create_for(tid, {**REFERENCE, "valid_until": PAST}, actor="portal")
    assert rule.value.field == "valid_until"
    with pytest.raises(ValidationFailed) as exc:
        service.create_for(tid, {**REFERENCE, "line_items": []}, actor="portal")
    assert exc.value.details[0]["field"] == "line_items"
    second = _estimate(api, owner, customer_email="pat@example.com")
    _estimate(api, owner, customer_email="someone.else@example.com")
    with counting_reads() as reads:
        got = service.of_customer(tid, made["customer_id"], limit=5)
    assert [e["id"] for e in got] == [second["id"], made["id"]] and got[0]["created_at"]
    assert dict(reads.calls) == {"Query": 1}
    assert [e["id"] for e in service.of_customer(tid, made["customer_id"], 1)] == [second["id"]]
    assert service.of_customer(tid, 999) == []
    from chalicelib.core.errors import RuleViolation

    with pytest.raises(RuleViolation, match="not been sent"):
        service.respond(tid, made["id"], True, "portal")
    api.post(f"{PATH}/{made['id']}/send", as_=owner)
    assert service.respond(tid, made["id"], False, "portal")["status"] == "declined"
    with pytest.raises(RuleViolation, match="declined"):
        service.respond(tid, made["id"], True, "portal")
    from chalicelib.core.errors import NotFound

    with pytest.raises(NotFound):
        service.respond(api.register("Elsewhere Air").tenant_id, made["id"], True, "portal")


def test_roles(api, owner):
    estimate = _estimate(api, owner)
    body = {**REFERENCE, "valid_until": FUTURE}
    for role, status in (("manager", 201), ("dispatcher", 403), ("technician", 403)):
        account = staff(owner, role)
        assert api.post(PATH, body, as_=account).status == status, role
        expected = 200 if status == 201 else 403
        assert api.get(f"{PATH}/{estimate['id']}", as_=account).status == expected


def test_tenant_isolation(api, owner, other):
    estimate = _sent(api, owner, customer_email="secret-client@example.com")
    n = estimate["id"]
    calls = [
        ("GET", f"{PATH}/{n}", None),
        ("PATCH", f"{PATH}/{n}", {"notes": "x"}),
        ("POST", f"{PATH}/{n}/send", None),
        ("POST", f"{PATH}/{n}/accept", None),
        ("POST", f"{PATH}/{n}/decline", None),
        ("POST", f"{PATH}/{n}/convert", {}),
    ]
    assert_isolated(api, owner, other, calls, secrets=["secret-client@example.com"])
    body = api.get(PATH, as_=other).data
    assert body["total"] == 0 and body["items"] == []
    assert api.get(f"{PATH}/{n}", as_=owner).data["status"] == "sent"
    assert _estimate(api, other, customer_email="secret-client@example.com")["id"] == 1


def _calls(reads):
    """The DynamoDB calls of one request but the rate-limit windows (UpdateItem)."""
    calls = dict(reads.calls)
    calls["UpdateItem"] = calls.get("UpdateItem", 0) - 2
    return {k: v for k, v in calls.items() if v}


def test_dynamodb_calls(api, owner, monkeypatch):
    from chalicelib.communications import service as communications

    # the communications log's own calls are its owner's to count
    monkeypatch.setattr(communications, "log_email", lambda *a, **kw: None)
    with counting_reads() as reads:
        estimate = _estimate(api, owner)
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        api.get(f"{PATH}?limit=1", as_=owner)
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 1, "Query": 1}
    with counting_reads() as reads:
        sent = api.post(f"{PATH}/{estimate['id']}/send", as_=owner).data
    assert _calls(reads) == {"GetItem": 3, "TransactWriteItems": 1}  # + settings (name)
    with counting_reads() as reads:
        api.get(f"{PUBLIC}/{_token(sent)}")
    calls = dict(reads.calls)
    calls["UpdateItem"] = calls.get("UpdateItem", 0) - 1  # the public route's IP window
    assert {k: v for k, v in calls.items() if v} == {"GetItem": 2}
    with counting_reads() as reads:
        api.post(f"{PATH}/{estimate['id']}/accept", as_=owner)
    assert _calls(reads) == {"GetItem": 2, "TransactWriteItems": 1}
    with counting_reads() as reads:
        api.post(f"{PATH}/{estimate['id']}/convert", {}, as_=owner)
    # caller; lease (GetItem + TransactWriteItems); the invoice's BatchGetItem and its
    # transaction with the estimate's invoice_id; the final TransactWriteItems
    assert _calls(reads) == {"GetItem": 2, "BatchGetItem": 1, "TransactWriteItems": 3}


def test_racing_answers_apply_once(api, owner):
    estimate = _sent(api, owner)
    token = _token(estimate)
    with one_at_a_time():
        replies = at_once(
            [
                lambda: api.post(f"{PUBLIC}/{token}/accept"),
                lambda: api.post(f"{PATH}/{estimate['id']}/decline", as_=owner),
            ]
        )
    assert sorted(r.status for r in replies) == [200, 409], [r.raw for r in replies]
    final = api.get(f"{PATH}/{estimate['id']}", as_=owner).data["status"]
    assert final == next(r.data["status"] for r in replies if r.status == 200)
    assert api.get(f"{PATH}?status={final}", as_=owner).data["total"] == 1
    assert api.get(f"{PATH}?status=sent", as_=owner).data["total"] == 0


def test_a_conversion_that_died_holds_its_lease_a_minute(api, owner, later):
    from chalicelib.estimates import moves

    estimate = _accepted(api, owner)
    moves._claim(owner.tenant_id, estimate["id"], "dead-request")  # noqa: SLF001 - took it, died
    reply = api.post(f"{PATH}/{estimate['id']}/convert", {}, as_=owner)
    assert reply.status == 409 and "being converted" in reply.error["message"]
    later.offset = timedelta(seconds=moves.LEASE_S + 1)
    reply = api.post(f"{PATH}/{estimate['id']}/convert", {}, as_=owner)
    assert reply.status == 201, reply.raw
    assert reply.data["estimate"]["status"] == "converted"
