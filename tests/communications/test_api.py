"""``/admin/customer-communications`` through the API (moto): notes and calls with each
bad input's 422 naming the field, the list newest first with every filter's exact total
by page and cursor, roles, another tenant's ids 404, and the DynamoDB calls of page 1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.communications import service
from tests.support.reads import counting_reads
from tests.support.sales_helpers import staff

PATH = "/admin/customer-communications"


def _customer(api, account, name="Ann", email="ann@example.com"):
    return api.post("/admin/customers", {"name": name, "email": email}, as_=account).data["id"]


def _add(api, account, **fields):
    reply = api.post(PATH, {"kind": "note", "body": "Prefers mornings", **fields}, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _ago(**delta) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _walk(api, account, query: str, limit: int = 2) -> tuple[list[int], int]:
    first = api.get(f"{PATH}?limit={limit}&{query}", as_=account).data
    ids, page = [e["id"] for e in first["items"]], first
    while page["next_cursor"]:
        page = api.get(f"{PATH}?limit={limit}&{query}&cursor={page['next_cursor']}",
                       as_=account).data  # fmt: skip
        ids += [e["id"] for e in page["items"]]
    by_page = []
    for n in range(1, first["total_pages"] + 1):
        by_page += [e["id"] for e in
                    api.get(f"{PATH}?limit={limit}&page={n}&{query}", as_=account).data["items"]]  # fmt: skip
    assert ids == by_page and len(ids) == first["total"], (query, ids, by_page)
    return ids, first["total"]


def test_notes_and_calls(api, owner):
    ann = _customer(api, owner)
    note = _add(api, owner, customer_id=ann)
    assert note["channel"] == note["kind"] == "note" and note["direction"] is None
    assert note["customer_id"] == ann and note["body"] == "Prefers mornings"
    assert note["status"] is None and note["created_by"] == 1
    assert note["occurred_at"] == note["created_at"]
    call = _add(api, owner, customer_id=ann, kind="call", body="Quote follow-up",
                duration_seconds=240, occurred_at="2026-01-05T09:30:00-05:00",
                subject="Estimate")  # fmt: skip
    assert call["direction"] == "outbound" and call["duration_seconds"] == 240
    assert call["occurred_at"] == "2026-01-05T14:30:00.000Z" and call["subject"] == "Estimate"
    inbound = _add(api, owner, customer_id=ann, kind="call", body="Asked", direction="inbound")
    assert inbound["direction"] == "inbound"
    assert api.get(f"{PATH}/{call['id']}", as_=owner).data == call


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "email"}, "kind"),
        ({"kind": None}, "kind"),
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"direction": "inbound"}, "direction"),
        ({"kind": "call", "direction": "sideways"}, "direction"),
        ({"duration_seconds": 30}, "duration_seconds"),
        ({"kind": "call", "duration_seconds": -1}, "duration_seconds"),
        ({"kind": "call", "duration_seconds": 86401}, "duration_seconds"),
        ({"kind": "call", "duration_seconds": "60"}, "duration_seconds"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2999-12-31T00:00:00Z"}, "occurred_at"),
        ({"customer_id": 0}, "customer_id"),
        ({"customer_id": "1"}, "customer_id"),
    ],
)
def test_bad_entries_are_422_naming_the_field(api, owner, fields, field):
    ann = _customer(api, owner)
    body = {"customer_id": ann, "kind": "note", "body": "Hi", **fields}
    reply = api.post(PATH, body, as_=owner)
    assert reply.status == 422, reply.raw
    assert field in [d["field"] for d in reply.error["details"]], reply.raw


def test_unknown_or_foreign_customer_is_404(api, owner, other):
    theirs = _customer(api, other, name="Theirs", email="t@example.com")
    for customer_id in (theirs, 999):
        reply = api.post(PATH, {"customer_id": customer_id, "kind": "note", "body": "x"},
                         as_=owner)  # fmt: skip
        assert reply.status == 404 and reply.error["code"] == "NOT_FOUND"
        assert api.get(f"{PATH}?customer_id={customer_id}", as_=owner).status == 404


def test_list_newest_first_with_every_filter(api, owner):
    tid = owner.tenant_id
    ann = _customer(api, owner)
    bo = _customer(api, owner, name="Bo", email="bo@example.com")
    old_note = _add(api, owner, customer_id=ann, occurred_at=_ago(days=40))["id"]
    call = _add(api, owner, customer_id=bo, kind="call", body="c", occurred_at=_ago(days=2))["id"]
    service.log_email(tid, customer_id=ann, to="ann@example.com", kind="invoice",
                      subject="Invoice INV-000001", status="sent", ref="1")  # fmt: skip
    service.log_email(tid, customer_id=bo, to="bo@example.com", kind="estimate",
                      subject="Estimate", status="failed")  # fmt: skip
    new_note = _add(api, owner, customer_id=bo)["id"]
    invoice_mail, estimate_mail = old_note + 2, old_note + 3
    everything = [new_note, estimate_mail, invoice_mail, call, old_note]
    assert _walk(api, owner, "") == (everything, 5)
    assert _walk(api, owner, f"customer_id={ann}") == ([invoice_mail, old_note], 2)
    assert _walk(api, owner, f"customer_id={bo}") == ([new_note, estimate_mail, call], 3)
    assert _walk(api, owner, "channel=email") == ([estimate_mail, invoice_mail], 2)
    assert _walk(api, owner, "channel=note") == ([new_note, old_note], 2)
    assert _walk(api, owner, "channel=call") == ([call], 1)
    assert _walk(api, owner, "kind=invoice") == ([invoice_mail], 1)
    assert _walk(api, owner, "kind=note", limit=1) == ([new_note, old_note], 2)
    assert _walk(api, owner, f"customer_id={bo}&channel=email") == ([estimate_mail], 1)
    assert _walk(api, owner, f"customer_id={ann}&kind=call") == ([], 0)
    for bad in ("channel=fax", "kind=Bad%20Kind", "customer_id=x", "customer_id=0"):
        assert api.get(f"{PATH}?{bad}", as_=owner).status == 400, bad


def test_roles_and_another_tenant(api, owner, other):
    ann = _customer(api, owner)
    for role in ("manager", "dispatcher"):
        _add(api, staff(owner, role), customer_id=ann)
        assert api.get(PATH, as_=staff(owner, role)).data["total"] >= 1
    tech = staff(owner, "technician")
    assert api.post(PATH, {"customer_id": ann, "kind": "note", "body": "x"}, as_=tech).status == 403
    assert api.get(PATH, as_=tech).status == 403
    assert api.get(f"{PATH}/1", as_=tech).status == 403
    assert api.get(f"{PATH}/1", as_=other).status == 404
    assert api.get(PATH, as_=other).data["total"] == 0
    assert api.get(f"{PATH}/99", as_=owner).status == 404


def test_page_one_reads_its_page(api, owner):
    ann = _customer(api, owner)
    for n in range(12):
        service.log_email(owner.tenant_id, customer_id=ann, to="ann@example.com",
                          kind="follow_up", subject=f"#{n}", status="sent")  # fmt: skip
    with counting_reads() as reads:
        page = api.get(f"{PATH}?limit=5&customer_id={ann}", as_=owner).data
    assert page["total"] == 12 and len(page["items"]) == 5
    assert reads.calls["Query"] == 1 and reads.queried == 5
    with counting_reads() as reads:
        page = api.get(f"{PATH}?limit=5&kind=follow_up", as_=owner).data
    # a filtered page reads the day bucket its matches are in (platform.listing's runs)
    assert page["total"] == 12 and reads.calls["Query"] == 1 and reads.queried <= 12


def test_racing_entries_keep_exact_counts(api, owner):
    from tests.support.aws_calls import one_at_a_time
    from tests.support.racing import at_once

    ann = _customer(api, owner)
    body = {"customer_id": ann, "kind": "call", "body": "Race"}
    with one_at_a_time():
        replies = at_once([lambda: api.post(PATH, body, as_=owner)] * 6)
    assert [r.status for r in replies] == [201] * 6, [r.raw for r in replies]
    assert len({r.data["id"] for r in replies}) == 6
    assert api.get(f"{PATH}?customer_id={ann}&channel=call", as_=owner).data["total"] == 6
    assert api.get(PATH, as_=owner).data["total"] == 6
