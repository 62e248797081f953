"""HTTP conventions every route inherits from ``core.routing.endpoint`` and ``app.py``."""

from __future__ import annotations

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client
from pydantic import BaseModel

from chalicelib.core import roles, routing, tokens
from chalicelib.core.errors import Conflict
from infra.local.gateway import install_on_test_client
from tests.support.api import Api


def test_unknown_route_is_404_envelope(api, aws):
    for path in ("/api/v1/nope", "/api/v1/auth/nope/deeper", "/"):
        reply = api.get(path)
        assert reply.status == 404
        assert reply.json == {
            "ok": False,
            "error": {"code": "NOT_FOUND", "message": "no such route"},
        }


def test_wrong_method_is_405_envelope(api, aws):
    reply = api.delete("/health")
    assert reply.status == 405
    assert reply.error["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in reply.headers["allow"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b'{"a": }'])
def test_malformed_json_is_400(api, owner, raw):
    reply = api.post("/auth/login", raw=raw, headers={"X-Tenant-Id": owner.tenant_id})
    assert reply.status == 400 and reply.error["code"] == "BAD_REQUEST"


def test_camel_case_body_keys_are_accepted(api, aws):
    reply = api.post(
        "/auth/register",
        {
            "email": "camel@example.com",
            "username": "camelco",
            "password": "securePassword123!",
            "firstName": "Cam",
            "lastName": "El",
            "companyName": "Camel Cooling",
        },
    )
    assert reply.status == 201 and reply.data["business_name"] == "Camel Cooling"
    assert reply.data["user"]["name"] == "Cam El"


def test_health_reports_the_table(api, aws):
    reply = api.get("/health")
    assert reply.status == 200
    assert reply.data == {"status": "ok", "table": "tradekitt-test", "stage": "test"}


def test_health_is_503_when_the_table_is_gone(api, aws, monkeypatch):
    import boto3

    monkeypatch.setenv("RATE_LIMIT_IP", "0")  # the limiter needs the table too
    boto3.client("dynamodb").delete_table(TableName="tradekitt-test")
    reply = api.get("/health")
    assert reply.status == 503 and reply.json["ok"] is False


# --- the decorator, on a small app of its own --------------------------------------------
class EchoIn(BaseModel):
    amount_cents: int


@pytest.fixture
def probe_api(aws):
    saved = list(routing.ENDPOINTS)
    app = Chalice(app_name="probe")
    bp = Blueprint(__name__)

    @routing.endpoint(
        bp, "/webhooks-only", "GET", summary="t", tag="t", permission=roles.WEBHOOKS_WRITE
    )
    def webhooks_only(req):
        return {"tenant": req.tenant_id}

    @routing.endpoint(bp, "/boom", "GET", summary="t", tag="t", public=True)
    def boom(req):
        raise RuntimeError("database password is hunter2")

    @routing.endpoint(bp, "/conflict", "POST", summary="t", tag="t", public=True, body=EchoIn)
    def conflict(req):
        raise Conflict(f"already have {req.body.amount_cents}")

    @routing.endpoint(bp, "/items/{item_id}", "GET", summary="t", tag="t", public=True)
    def item(req):
        return {"id": req.int_param("item_id")}

    app.register_blueprint(bp, url_prefix="/api/v1")
    routing.ENDPOINTS[:] = saved
    with Client(app, stage_name="test") as client:
        yield Api(install_on_test_client(client))


def _token(tenant_id: str, role: str) -> dict[str, str]:
    access = tokens.issue_access(tenant_id, 7, [role], "sess")
    return {"Authorization": f"Bearer {access.token}", "X-Tenant-Id": tenant_id}


def test_role_guard(probe_api):
    tid = "11111111-1111-1111-1111-111111111111"
    assert probe_api.get("/webhooks-only", headers=_token(tid, "admin")).status == 200
    for role in ("manager", "dispatcher", "technician", "unknown-role"):
        reply = probe_api.get("/webhooks-only", headers=_token(tid, role))
        assert reply.status == 403, role
        assert reply.error["code"] == "FORBIDDEN"


def test_unexpected_exception_is_500_without_internals(probe_api):
    reply = probe_api.get("/boom")
    assert reply.status == 500
    assert reply.json == {
        "ok": False,
        "error": {"code": "INTERNAL_ERROR", "message": "an unexpected error occurred"},
    }
    assert b"hunter2" not in reply.raw


def test_conflict_and_validation(probe_api):
    reply = probe_api.post("/conflict", {"amount_cents": 5})
    assert reply.status == 409 and reply.error == {"code": "CONFLICT", "message": "already have 5"}
    reply = probe_api.post("/conflict", {"amount_cents": "lots"})
    assert reply.status == 422 and reply.error["code"] == "VALIDATION_ERROR"
    assert reply.error["details"][0]["field"] == "amount_cents"


def test_non_numeric_ids_are_404(probe_api):
    assert probe_api.get("/items/12").data == {"id": 12}
    for bad in ("abc", "0", "-1", "1e3", "99999999999999"):
        assert probe_api.get(f"/items/{bad}").status == 404, bad


def test_non_public_routes_must_name_a_permission():
    with pytest.raises(ValueError):
        routing.endpoint(Blueprint("x"), "/x", "GET", summary="x", tag="x")
