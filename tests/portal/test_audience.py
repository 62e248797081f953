"""Customer tokens and staff tokens never cross: every staff route of the route registry
refuses a customer access token (401), and every customer-portal route refuses a staff
access token (401) - the routes are read from the registry, so a route added later is
checked the day it is added."""

from __future__ import annotations

import re

import pytest

from chalicelib.core import registry, routing, tokens
from chalicelib.core.errors import Unauthorized
from tests.portal.conftest import register

registry.load_all()
STAFF_ROUTES = sorted(
    (s for s in routing.ENDPOINTS if s.audience == routing.STAFF and not s.public),
    key=lambda s: (s.path, s.method),
)
CUSTOMER_ROUTES = sorted(
    (s for s in routing.ENDPOINTS if s.audience == routing.CUSTOMER),
    key=lambda s: (s.path, s.method),
)
# Valid bodies of the customer routes that take one (a customer route checks its body
# before its token, so the staff token is what is refused).
BODIES = {
    "/customer/verify": {"code": "123456"},
    "/customer/service-requests": {"business_code": "SMITHHVAC", "description": "Leak"},
    "/customer/reviews": {"business_code": "SMITHHVAC", "job_id": 1, "rating": 5},
}


def _url(path: str) -> str:
    path = path.replace("{code}", "SMITHHVAC")
    return "/api/v1" + re.sub(r"\{[^}]+\}", "1", path)


def test_the_registry_has_both_kinds():
    assert len(STAFF_ROUTES) > 100
    assert {(s.method, s.path) for s in CUSTOMER_ROUTES} >= {
        ("GET", "/customer/me"),
        ("GET", "/customer/invoices"),
        ("GET", "/customer/estimates"),
        ("POST", "/customer/reviews"),
        ("POST", "/customer/service-requests"),
    }
    assert all(s.permission is None for s in CUSTOMER_ROUTES)
    assert set(BODIES) == {s.path for s in CUSTOMER_ROUTES if s.body is not None}


def test_every_staff_route_refuses_a_customer_token(api, owner):
    customer = register(api)
    headers = {**customer.headers(), "X-Tenant-Id": owner.tenant_id}
    failures = []
    for spec in STAFF_ROUTES:
        reply = api.call(spec.method, _url(spec.path), {} if spec.body else None, headers=headers)
        if reply.status != 401 or reply.error["code"] != "UNAUTHORIZED":
            failures.append(f"{spec.method} {spec.path}: {reply.status}")
    assert not failures, failures
    assert api.get("/auth/me", as_=owner).status == 200  # the staff token itself works


def test_every_customer_route_refuses_a_staff_token(api, owner):
    failures = []
    for spec in CUSTOMER_ROUTES:
        body = BODIES.get(spec.path)
        reply = api.call(spec.method, _url(spec.path), body, as_=owner)
        if reply.status != 401 or reply.error["code"] != "UNAUTHORIZED":
            failures.append(f"{spec.method} {spec.path}: {reply.status} {reply.raw[:120]!r}")
        without = api.call(spec.method, _url(spec.path), body)
        if without.status != 401:
            failures.append(f"{spec.method} {spec.path} without a token: {without.status}")
    assert not failures, failures


def test_the_openapi_document_names_the_customer_audience(api):
    doc = api.get("/api/openapi.json").json
    for spec in CUSTOMER_ROUTES:
        op = doc["paths"]["/api/v1" + spec.path][spec.method.lower()]
        assert op["x-audience"] == "customer" and op["security"] == []
        assert "401" in op["responses"] and "customer access_token" in op["description"]


def test_tokens_carry_their_audience_and_type(aws):
    access = tokens.issue_customer("a" * 32, "s1", tokens.CUSTOMER_ACCESS, 900).token
    refresh = tokens.issue_customer("a" * 32, "s1", tokens.CUSTOMER_REFRESH, 900).token
    staff = tokens.issue_access("7d1c0f6e-0000-4000-8000-000000000001", 1, ["admin"], "s").token
    assert tokens.decode_customer(access, tokens.CUSTOMER_ACCESS)["sub"] == "a" * 32
    for token, kind in [
        (refresh, tokens.CUSTOMER_ACCESS),  # a refresh token is no access token
        (staff, tokens.CUSTOMER_ACCESS),  # a staff token: wrong audience
        (access, tokens.CUSTOMER_REFRESH),
    ]:
        with pytest.raises(Unauthorized):
            tokens.decode_customer(token, kind)
    for token in (access, refresh):
        with pytest.raises(Unauthorized):
            tokens.decode(token, tokens.ACCESS)
        with pytest.raises(Unauthorized):
            tokens.decode(token, tokens.REFRESH)
    with pytest.raises(ValueError):
        tokens.issue_customer("a", "s", tokens.ACCESS, 900)


def test_a_customer_route_must_not_name_a_permission():
    from chalice import Blueprint

    bp = Blueprint(__name__)
    with pytest.raises(ValueError):
        routing.endpoint(
            bp, "/x", "GET", summary="x", tag="x", audience=routing.CUSTOMER, permission="self"
        )
    with pytest.raises(ValueError):
        routing.endpoint(bp, "/x", "GET", summary="x", tag="x", audience="nobody", public=True)


def test_the_portals_models_have_names_of_their_own():
    """OpenAPI components are named by model: a portal model named like another feature's
    (``LoginIn``) would replace it in the document."""
    models = {}
    for spec in routing.ENDPOINTS:
        for model in (spec.body, spec.query, spec.response):
            if model is not None:
                models.setdefault(model.__name__, set()).add(model)
    portal = {
        model.__name__
        for spec in routing.ENDPOINTS
        if spec.module == "chalicelib.portal.api"
        for model in (spec.body, spec.query, spec.response)
        if model is not None
    }
    assert all(len(models[name]) == 1 for name in portal), {
        name: models[name] for name in portal if len(models[name]) > 1
    }
