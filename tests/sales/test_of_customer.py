"""A customer's sales (``sales.service.of_customer``): newest first on gsi3, bounded, from
a position; another customer's are not in it."""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.sales import service as sales
from tests.support.sales_helpers import line_item, technician


def test_of_customer_newest_first_bounded_and_from_a_position(api, owner):
    cid = api.post("/admin/customers", {"name": "Sal"}, as_=owner).data["id"]
    body = {
        "technician_id": technician(api, owner)["id"],
        "item_id": line_item(api, owner)["id"],
        "sale_price_cents": 100,
    }
    today = date.today()
    made = []
    for offset in (5, 1, 3, 1):
        day = (today - timedelta(days=offset)).isoformat()
        reply = api.post("/sales", {**body, "customer_id": cid, "sale_date": day}, as_=owner)
        assert reply.status == 201, reply.raw
        made.append((day, reply.data["id"]))
    api.post("/sales", {**body, "customer_name": "Another"}, as_=owner)
    order = sorted(made, reverse=True)
    tid = owner.tenant_id
    got = [(s.sale_date, int(s.sale_id)) for s in sales.of_customer(tid, cid)]
    assert got == order
    assert [int(s.sale_id) for s in sales.of_customer(tid, cid, limit=2)] == [
        i for _, i in order[:2]
    ]
    rest = sales.of_customer(tid, cid, before=order[1])
    assert [(s.sale_date, int(s.sale_id)) for s in rest] == order[2:]
