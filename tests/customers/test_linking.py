"""Sales, jobs, invoices and estimates that name a customer by e-mail link to the existing
record (never a duplicate); a new e-mail makes one customer, found by the next record."""

from __future__ import annotations

from tests.support.sales_helpers import line_item, technician


def _total(api, owner) -> int:
    return api.get("/admin/customers", as_=owner).data["total"]


def _made(reply) -> int:
    assert reply.status == 201, reply.raw
    return reply.data["customer_id"]


def test_every_source_links_by_email(api, owner):
    ada = api.post("/admin/customers", {"name": "Ada", "email": "ada@example.com"}, as_=owner)
    ada_id = ada.data["id"]
    sale = {
        "technician_id": technician(api, owner)["id"],
        "item_id": line_item(api, owner)["id"],
        "sale_price_cents": 100,
    }
    lines = [{"description": "Work", "amount_cents": 100, "quantity": 1}]
    sources = [
        ("/sales", {**sale, "customer_name": "Ada L", "customer_email": "ADA@example.com"}),
        (
            "/admin/dispatch",
            {"title": "Fix", "customer_name": "Ada L", "customer_email": "ada@example.com"},
        ),
        (
            "/admin/invoices",
            {"customer_email": "ada@example.com", "line_items": lines, "due_date": "2030-01-01"},
        ),
        (
            "/admin/estimates",
            {
                "customer_name": "A",
                "customer_email": "ada@example.com",
                "line_items": lines,
                "valid_until": "2030-01-01",
            },
        ),
    ]
    for path, body in sources:
        assert _made(api.post(path, body, as_=owner)) == ada_id, path
    assert _total(api, owner) == 1
    # a new e-mail: the first record makes the customer, every later one links to it
    new_ids = set()
    for path, body in sources:
        body = {**body, "customer_email": "bo@example.com", "customer_name": "Bo"}
        new_ids.add(_made(api.post(path, body, as_=owner)))
    assert len(new_ids) == 1 and _total(api, owner) == 2
    history = api.get(f"/admin/customers/{ada_id}/history", as_=owner).data["items"]
    assert sorted(e["type"] for e in history) == ["estimate", "invoice", "job", "sale"]


def test_a_job_with_only_a_name_makes_a_customer_with_it(api, owner):
    reply = api.post("/admin/dispatch", {"title": "Fix", "customer_name": "Cy"}, as_=owner)
    cy = _made(reply)
    assert api.get(f"/admin/customers/{cy}", as_=owner).data["name"] == "Cy"
    reply = api.post(
        "/admin/dispatch", {"title": "Fix", "customer_email": "dee@example.com"}, as_=owner
    )
    dee = _made(reply)
    assert reply.data["customer_name"] == "dee@example.com"
    assert api.get(f"/admin/customers/{dee}", as_=owner).data["email"] == "dee@example.com"
    reply = api.post("/admin/dispatch", {"title": "Fix", "customer_email": "bad"}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "customer_email"
