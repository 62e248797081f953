"""``/admin/technicians``: the seed's calls, logins, deactivation, validation, roles and
tenant isolation."""

from __future__ import annotations

from tests.support.isolation import assert_isolated
from tests.support.sales_helpers import (
    PASSWORD,
    SEED_TECHNICIAN,
    SEED_TECHNICIAN_PATCH,
    staff,
    technician,
    technician_login,
)


def test_seed_create_list_and_update(api, owner):
    reply = api.post("/admin/technicians", SEED_TECHNICIAN, as_=owner)
    assert reply.status == 201, reply.raw
    tech = reply.data
    assert tech["id"] == 1 and tech["name"] == "Mike Johnson"
    assert tech["pay_type"] == "hourly" and tech["base_pay_cents"] == 2500
    assert tech["active"] is True and tech["has_login"] is False

    reply = api.get("/admin/technicians?page=1&limit=50", as_=owner)
    assert reply.status == 200
    assert reply.data == {
        "items": [tech],
        "total": 1,
        "page": 1,
        "limit": 50,
        "total_pages": 1,
        "next_cursor": None,
    }

    reply = api.patch("/admin/technicians/1", SEED_TECHNICIAN_PATCH, as_=owner)
    assert reply.status == 200, reply.raw
    assert reply.data["base_pay_cents"] == 2800
    assert reply.data["name"] == "Mike Johnson"  # untouched fields stay
    assert api.get("/admin/technicians/1", as_=owner).data["base_pay_cents"] == 2800


def test_dispatch_fields_and_partial_update(api, owner):
    tech = technician(
        api,
        owner,
        pay_type="salary",
        base_pay_cents=250000,
        skills=["hvac", "refrigeration"],
        service_zones=["33601", "Tampa"],
        email="Mike@Example.com",
        phone="813-555-0100",
    )
    assert tech["skills"] == ["hvac", "refrigeration"]
    assert tech["service_zones"] == ["33601", "Tampa"]
    assert tech["email"] == "mike@example.com" and tech["pay_type"] == "salary"
    reply = api.patch(
        f"/admin/technicians/{tech['id']}", {"skills": ["plumbing"], "phone": None}, as_=owner
    )
    assert reply.status == 200
    assert reply.data["skills"] == ["plumbing"] and reply.data["phone"] is None
    assert reply.data["service_zones"] == ["33601", "Tampa"]


def test_login_creates_a_linked_technician_user(api, owner):
    tech, login = technician_login(api, owner, email="tina@example.com")
    assert tech["has_login"] is True and tech["username"].startswith("tech")
    me = api.get("/auth/me", as_=login).data
    assert me["roles"] == ["technician"] and me["technician_id"] == tech["id"]
    assert me["email"] == "tina@example.com" and me["first_name"] == "Tina"
    # the same username again is a conflict, and so is the staff e-mail
    reply = api.post(
        "/admin/technicians",
        {"name": "Other", "username": tech["username"], "password": PASSWORD},
        as_=owner,
    )
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    reply = api.post(
        "/admin/technicians",
        {
            "name": "Other",
            "username": "othertech",
            "password": PASSWORD,
            "email": "tina@example.com",
        },
        as_=owner,
    )
    assert reply.status == 409


def test_deactivating_keeps_the_record_and_blocks_the_login(api, owner):
    tech, login = technician_login(api, owner)
    reply = api.delete(f"/admin/technicians/{tech['id']}", as_=owner)
    assert reply.status == 200 and reply.data["active"] is False
    assert api.get(f"/admin/technicians/{tech['id']}", as_=owner).data["active"] is False
    assert api.get("/admin/technicians?active=true", as_=owner).data["total"] == 0
    assert api.get("/admin/technicians?active=false", as_=owner).data["total"] == 1
    relogin = api.post(
        "/auth/login",
        {"username": tech["username"], "password": PASSWORD},
        headers={"X-Tenant-Id": owner.tenant_id},
    )
    assert relogin.status == 401
    reply = api.patch(f"/admin/technicians/{tech['id']}", {"active": True}, as_=owner)
    assert reply.status == 200 and reply.data["active"] is True
    relogin = api.post(
        "/auth/login",
        {"username": tech["username"], "password": PASSWORD},
        headers={"X-Tenant-Id": owner.tenant_id},
    )
    assert relogin.status == 200


BAD_INPUT = [
    ({**SEED_TECHNICIAN, "base_pay_cents": -1}, "base_pay_cents"),
    ({**SEED_TECHNICIAN, "base_pay_cents": 25.5}, "base_pay_cents"),
    ({**SEED_TECHNICIAN, "base_pay_cents": 2500.0}, "base_pay_cents"),
    ({**SEED_TECHNICIAN, "base_pay_cents": "2500"}, "base_pay_cents"),
    ({**SEED_TECHNICIAN, "pay_type": "piecework"}, "pay_type"),
    ({"pay_type": "hourly"}, "name"),
    ({**SEED_TECHNICIAN, "skills": "hvac"}, "skills"),
    ({"name": "A", "username": "solo"}, "body"),  # a login needs both
    ({"name": "A", "username": "solo", "password": "short"}, "password"),
    ({"name": "A", "username": "x", "password": PASSWORD}, "username"),
]


def test_bad_input_is_422_naming_the_field(api, owner):
    for body, field in BAD_INPUT:
        reply = api.post("/admin/technicians", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["code"] == "VALIDATION_ERROR"
        assert reply.error["details"][0]["field"].split(".")[0] == field, body
        assert field in reply.error["message"] or field == "body"
    assert api.get("/admin/technicians", as_=owner).data["total"] == 0
    tech = technician(api, owner)
    reply = api.patch(f"/admin/technicians/{tech['id']}", {"name": None}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "name"
    reply = api.patch(f"/admin/technicians/{tech['id']}", {"base_pay_cents": -5}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "base_pay_cents"
    for path in ("/admin/technicians/7", "/admin/technicians/abc"):
        assert api.get(path, as_=owner).status == 404
    assert api.patch("/admin/technicians/7", {"name": "x"}, as_=owner).status == 404


def test_roles(api, owner):
    technician(api, owner)
    dispatcher = staff(owner, "dispatcher")
    assert api.get("/admin/technicians", as_=dispatcher).status == 200
    assert api.get("/admin/technicians/1", as_=dispatcher).status == 200
    assert api.post("/admin/technicians", SEED_TECHNICIAN, as_=dispatcher).status == 403
    assert api.patch("/admin/technicians/1", {"name": "x"}, as_=dispatcher).status == 403
    manager = staff(owner, "manager")
    assert api.post("/admin/technicians", SEED_TECHNICIAN, as_=manager).status == 201
    tech_user = staff(owner, "technician")
    assert api.get("/admin/technicians", as_=tech_user).status == 403


def test_tenant_isolation(api, owner, other):
    tech = technician(api, owner, name="Secret Sam")
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"/admin/technicians/{tech['id']}", None),
            ("PATCH", f"/admin/technicians/{tech['id']}", {"name": "Hijacked"}),
            ("DELETE", f"/admin/technicians/{tech['id']}", None),
        ],
        secrets=["Secret Sam"],
    )
    assert api.get("/admin/technicians", as_=other).data["total"] == 0
    assert api.get(f"/admin/technicians/{tech['id']}", as_=owner).data["name"] == "Secret Sam"


def test_a_deactivated_technicians_token_stops_working_on_every_route(api, owner):
    """One rule, applied by the route decorator to every authenticated route: the caller's
    account must still exist and be active (issue 9). Before, ``/admin/line-items``
    answered 200 with the token of a deactivated technician until it expired."""
    tech, login = technician_login(api, owner)
    routes = [
        "/admin/line-items",
        "/admin/line-items/categories",
        "/auth/me",
        "/sales",
        "/tech/pay-periods",
    ]
    assert [api.get(path, as_=login).status for path in routes] == [200] * len(routes)
    api.delete(f"/admin/technicians/{tech['id']}", as_=owner)
    replies = [api.get(path, as_=login) for path in routes]
    assert [r.status for r in replies] == [401] * len(routes)
    assert {r.error["code"] for r in replies} == {"UNAUTHORIZED"}
    assert api.post("/auth/logout", as_=login).status == 401
    api.patch(f"/admin/technicians/{tech['id']}", {"active": True}, as_=owner)
    assert [api.get(path, as_=login).status for path in routes] == [200] * len(routes)


def test_the_app_plugs_its_edge_checks_into_the_decorator():
    import app as app_module

    edge = app_module.app.tradekitt_edge
    assert edge.rate_limiter.__name__ == "_rate_limit"
    assert edge.load_caller.__name__ == "_load_caller"
