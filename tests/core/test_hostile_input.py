"""Hostile or careless input gets a 4xx in the envelope, never a 500: deep nesting, huge
numbers, huge or odd page numbers, huge ids (issue 9)."""

from __future__ import annotations

import pytest

DEEP = b'{"name": ' + b"[" * 1000 + b"]" * 1000 + b"}"
HUGE_INT = b'{"username": "x", "password": "yyyyyyyyyy", "ignored": ' + b"9" * 5000 + b"}"


def _is_4xx_envelope(reply, status: int) -> None:
    assert reply.status == status, reply.raw
    assert reply.json["ok"] is False and reply.error["code"] in ("BAD_REQUEST", "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "body", [DEEP, HUGE_INT, b'{"username": NaN}', b'{"x": 1.' + b"5" * 5000 + b"}"]
)
def test_public_login_refuses_unbounded_bodies(api, owner, body):
    reply = api.post("/auth/login", raw=body, headers={"X-Tenant-Id": owner.tenant_id})
    _is_4xx_envelope(reply, 400)


def test_authenticated_routes_refuse_deep_bodies(api, owner):
    _is_4xx_envelope(api.post("/admin/customers", raw=DEEP, as_=owner), 400)
    _is_4xx_envelope(api.post("/sales", raw=HUGE_INT, as_=owner), 400)


def test_nesting_within_the_limit_still_validates(api, owner):
    shallow = b'{"name": "Acme", "notes": "[[{}]]", "x": ' + b"[" * 30 + b"]" * 30 + b"}"
    assert api.post("/admin/customers", raw=shallow, as_=owner).status == 201


@pytest.mark.parametrize(
    "query",
    [
        "page=" + "9" * 5000,
        "page=" + "1" * 4300,
        "limit=" + "9" * 5000,
        "page=10001",
        "page=\u00b2",
        "limit=\u0661",
        "page=0",
        "page=-1",
        "limit=201",
    ],
)
def test_page_and_limit_are_bounded(api, owner, query):
    reply = api.get(f"/admin/customers?{query}", as_=owner)
    _is_4xx_envelope(reply, 400)
    assert len(reply.raw) < 500  # nothing huge is echoed back


def test_the_largest_page_is_accepted(api, owner):
    page = api.get("/admin/customers?page=10000&limit=200", as_=owner).data
    assert (page["page"], page["items"]) == (10000, [])


@pytest.mark.parametrize("value", ["9" * 5000, "99999999999", "1e3", "\u0661"])
def test_ids_in_queries_are_bounded(api, owner, value):
    _is_4xx_envelope(api.get(f"/sales?technician_id={value}", as_=owner), 400)


def test_ids_in_bodies_are_bounded(api, owner):
    body = {"technician_id": 10**10, "item_id": 1, "sale_price_cents": 100}
    reply = api.post("/sales", body, as_=owner)
    _is_4xx_envelope(reply, 422)
    assert reply.error["details"][0]["field"] == "technician_id"
