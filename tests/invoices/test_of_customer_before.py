"""``invoices.service.of_customer(..., before=)``: a customer's invoices after a position
(due date, id), for the customer history's next page: one Query of at most ``limit``."""

from __future__ import annotations

from chalicelib.invoices import service
from tests.support.reads import counting_reads

LINES = [{"description": "Work", "amount_cents": 100, "quantity": 1}]


def test_of_customer_from_a_position(api, owner):
    cid = api.post("/admin/customers", {"name": "Ivy"}, as_=owner).data["id"]
    made = []
    for due in ("2030-01-03", "2030-01-01", "2030-01-03", "2030-01-02"):
        body = {"customer_id": cid, "line_items": LINES, "due_date": due}
        reply = api.post("/admin/invoices", body, as_=owner)
        assert reply.status == 201, reply.raw
        made.append((due, reply.data["id"]))
    order = sorted(made, reverse=True)
    tid = owner.tenant_id
    assert [(i["due_date"], i["id"]) for i in service.of_customer(tid, cid)] == order
    with counting_reads() as reads:
        rest = service.of_customer(tid, cid, limit=2, before=order[1])
    assert [(i["due_date"], i["id"]) for i in rest] == order[2:]
    assert dict(reads.calls) == {"Query": 1} and reads.queried == 2
