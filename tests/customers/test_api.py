"""``/admin/customers``: CRUD, the seed's paginated list, e-mail uniqueness, roles,
isolation."""

from __future__ import annotations

from tests.support.isolation import assert_isolated
from tests.support.sales_helpers import staff

JANE = {
    "name": "Jane Doe",
    "email": "Jane@Example.com",
    "phone": "813-555-0101",
    "address": "123 Oak St",
    "city": "Tampa",
    "state": "FL",
    "zip": "33601",
    "notes": "gate code 1234",
}


def test_create_get_update_and_seed_list(api, owner):
    reply = api.post("/admin/customers", JANE, as_=owner)
    assert reply.status == 201, reply.raw
    jane = reply.data
    assert jane["id"] == 1 and jane["email"] == "jane@example.com"
    assert (jane["city"], jane["state"], jane["zip"]) == ("Tampa", "FL", "33601")
    assert api.get("/admin/customers/1", as_=owner).data == jane
    api.post("/admin/customers", {"name": "Bob Roe", "city": "Orlando"}, as_=owner)

    reply = api.get("/admin/customers?page=1&limit=50", as_=owner)
    assert reply.status == 200
    data = reply.data
    assert [c["name"] for c in data["items"]] == ["Bob Roe", "Jane Doe"]  # newest first
    assert (data["total"], data["page"], data["limit"], data["total_pages"]) == (2, 1, 50, 1)
    # search is by prefix of name, e-mail, phone digits or ZIP (the city is not searched)
    assert api.get("/admin/customers?search=336", as_=owner).data["total"] == 1
    assert api.get("/admin/customers?search=tampa", as_=owner).data["total"] == 0
    assert api.get("/admin/customers?page=2&limit=1", as_=owner).data["items"][0]["id"] == 1

    reply = api.patch("/admin/customers/1", {"phone": None, "zip": "33602"}, as_=owner)
    assert reply.status == 200
    assert reply.data["phone"] is None and reply.data["zip"] == "33602"
    assert reply.data["email"] == "jane@example.com"


def test_email_is_unique_per_tenant(api, owner, other):
    assert api.post("/admin/customers", JANE, as_=owner).status == 201
    reply = api.post(
        "/admin/customers", {"name": "Jane Again", "email": "jane@example.com"}, as_=owner
    )
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    assert api.post("/admin/customers", JANE, as_=other).status == 201  # another tenant
    bob = api.post("/admin/customers", {"name": "Bob", "email": "bob@example.com"}, as_=owner).data
    reply = api.patch(f"/admin/customers/{bob['id']}", {"email": "JANE@example.com"}, as_=owner)
    assert reply.status == 409
    reply = api.patch(f"/admin/customers/{bob['id']}", {"email": "robert@example.com"}, as_=owner)
    assert reply.status == 200 and reply.data["email"] == "robert@example.com"
    # the old address is free again
    assert (
        api.post(
            "/admin/customers", {"name": "New Bob", "email": "bob@example.com"}, as_=owner
        ).status
        == 201
    )


def test_bad_input_and_roles(api, owner):
    for body, field in [
        ({"email": "a@b.co"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "zip": "1" * 21}, "zip"),
    ]:
        reply = api.post("/admin/customers", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == field
    assert api.get("/admin/customers/5", as_=owner).status == 404
    dispatcher = staff(owner, "dispatcher")
    assert api.post("/admin/customers", {"name": "By Dispatch"}, as_=dispatcher).status == 201
    assert api.get("/admin/customers", as_=dispatcher).status == 200
    technician = staff(owner, "technician")
    assert api.get("/admin/customers", as_=technician).status == 403
    assert api.post("/admin/customers", {"name": "X"}, as_=technician).status == 403


def test_tenant_isolation(api, owner, other):
    jane = api.post("/admin/customers", JANE, as_=owner).data
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"/admin/customers/{jane['id']}", None),
            ("PATCH", f"/admin/customers/{jane['id']}", {"name": "Hijacked"}),
        ],
        secrets=["gate code 1234", "Jane Doe"],
    )
    assert api.get("/admin/customers", as_=other).data["total"] == 0
