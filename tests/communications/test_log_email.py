"""``communications.service.log_email`` (the interface other features call when they
e-mail a customer): what it records, that it never raises, its DynamoDB calls, and the
invoice send wired to it."""

from __future__ import annotations

from types import SimpleNamespace

from chalicelib.communications import service
from chalicelib.core.pagination import PageRequest
from tests.support.reads import counting_reads

ALL = SimpleNamespace(customer_id=None, channel=None, kind=None)


def _entries(tenant_id, **flt):
    return service.page(tenant_id, SimpleNamespace(**{**vars(ALL), **flt}), PageRequest())


def test_log_email_records_the_email_with_its_status(api, owner):
    tid = owner.tenant_id
    customer = api.post("/admin/customers", {"name": "Ann", "email": "ann@example.com"},
                        as_=owner).data  # fmt: skip
    service.log_email(
        tid, customer_id=customer["id"], to="ann@example.com", kind="estimate",
        subject="Estimate EST-000001", status="sent", ref="1",
    )  # fmt: skip
    service.log_email(tid, customer_id=None, to="x@example.com", kind="verification",
                      subject="Your code", status="failed")  # fmt: skip
    body = _entries(tid)
    assert body["total"] == 2
    newest, oldest = body["items"]
    assert newest["kind"] == "verification" and newest["status"] == "failed"
    assert newest["customer_id"] is None and newest["channel"] == "email"
    assert oldest == {
        **oldest,
        "customer_id": customer["id"],
        "channel": "email",
        "kind": "estimate",
        "to": "ann@example.com",
        "subject": "Estimate EST-000001",
        "status": "sent",
        "ref": "1",
        "direction": "outbound",
    }
    assert oldest["sent_at"] == oldest["occurred_at"] and oldest["sent_at"].endswith("Z")
    assert _entries(tid, customer_id=customer["id"])["total"] == 1
    assert _entries(tid, kind="verification")["total"] == 1
    assert _entries(tid, channel="note")["total"] == 0
    assert service.get(tid, oldest["id"]) == oldest


def test_log_email_never_raises(api, owner, monkeypatch):
    from chalicelib.communications import store

    def broken(*args, **kwargs):
        raise RuntimeError("table unavailable")

    logged = []
    monkeypatch.setattr(store, "create", broken)
    monkeypatch.setattr(service.log, "exception", lambda *args: logged.append(args[0] % args[1:]))
    service.log_email(owner.tenant_id, customer_id=1, to="a@example.com", kind="invoice",
                      subject="Invoice", status="sent")  # fmt: skip
    assert logged == ["could not log the invoice e-mail to customer 1"]
    monkeypatch.undo()
    assert _entries(owner.tenant_id)["total"] == 0


def test_log_email_costs_two_calls(api, owner):
    with counting_reads() as reads:
        service.log_email(owner.tenant_id, customer_id=3, to="a@example.com", kind="invoice",
                          subject="Invoice", status="sent")  # fmt: skip
    assert dict(reads.calls) == {"UpdateItem": 1, "TransactWriteItems": 1}


def test_sending_an_invoice_logs_its_email(api, owner):
    body = {
        "customer_name": "Bo",
        "customer_email": "bo@example.com",
        "line_items": [{"description": "Repair", "amount_cents": 5000}],
        "due_date": "2030-01-01",
    }
    invoice = api.post("/admin/invoices", body, as_=owner).data
    assert api.post(f"/admin/invoices/{invoice['id']}/send", as_=owner).status == 200
    [entry] = _entries(owner.tenant_id)["items"]
    assert (entry["kind"], entry["status"], entry["to"], entry["ref"]) == (
        "invoice", "sent", "bo@example.com", str(invoice["id"]),
    )  # fmt: skip
    assert entry["customer_id"] == invoice["customer_id"]
    assert entry["subject"] == "Invoice INV-000001 from Smith HVAC"
    walk_in = api.post("/admin/invoices", {**body, "customer_email": None,
                                           "customer_name": "Walk-in"}, as_=owner).data  # fmt: skip
    api.post(f"/admin/invoices/{walk_in['id']}/send", as_=owner)
    assert _entries(owner.tenant_id)["total"] == 1  # no e-mail, nothing sent or logged


def test_a_refused_invoice_email_is_logged_failed(api, owner, monkeypatch):
    from chalicelib.platform import email

    def refused(*args, **kwargs):
        raise RuntimeError("MessageRejected")

    monkeypatch.setattr(email, "send", refused)
    body = {
        "customer_name": "Cy",
        "customer_email": "cy@example.com",
        "line_items": [{"description": "Repair", "amount_cents": 5000}],
        "due_date": "2030-01-01",
    }
    invoice = api.post("/admin/invoices", body, as_=owner).data
    reply = api.post(f"/admin/invoices/{invoice['id']}/send", as_=owner)
    assert reply.data["emailed_to"] is None
    [entry] = _entries(owner.tenant_id)["items"]
    assert entry["status"] == "failed" and entry["to"] == "cy@example.com"
