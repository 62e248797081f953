"""``/admin/webhooks``: endpoint management, secrets, SSRF refusals, isolation, roles."""

from __future__ import annotations

import pytest

from chalicelib.core import settings, tokens
from chalicelib.webhooks import service as webhook_service
from chalicelib.webhooks.rules import EVENT_TYPES
from tests.support.api import Account
from tests.support.isolation import assert_isolated

HOOK = {
    "url": "https://your-server.com/webhooks/tradekitt",
    "events": ["sale.created", "dispatch.completed", "inventory.low-stock"],
}
PUBLIC = {
    "your-server.com": ["93.184.216.34"],
    "hooks.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.1.2.3"],
    "mixed.example.com": ["93.184.216.34", "127.0.0.1"],
    "rebind.example.com": ["169.254.169.254"],
}


@pytest.fixture
def strict(monkeypatch):
    """Outside local mode (as on AWS), with a fake DNS instead of the network."""
    monkeypatch.setattr(settings, "LOCAL_STAGES", frozenset())
    monkeypatch.setattr(webhook_service, "resolver", lambda host: PUBLIC[host])


def create(api, owner, body=None):
    reply = api.post("/admin/webhooks", body or HOOK, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data


def test_create_returns_the_secret_once(api, owner, strict):
    hook = create(api, owner)
    assert set(hook) >= {
        "id",
        "url",
        "events",
        "active",
        "description",
        "created_at",
        "updated_at",
        "disabled_reason",
        "secret",
    }
    assert hook["url"] == HOOK["url"] and hook["events"] == HOOK["events"]
    assert hook["active"] is True and hook["disabled_reason"] is None
    assert hook["secret"].startswith("whsec_")
    import base64

    assert len(base64.b64decode(hook["secret"][6:], validate=True)) == 32

    got = api.get(f"/admin/webhooks/{hook['id']}", as_=owner)
    assert got.status == 200
    assert "secret" not in got.data and hook["secret"].encode() not in got.raw
    assert got.data["secret_hint"] == "whsec_..." + hook["secret"][-4:]
    listed = api.get("/admin/webhooks", as_=owner)
    assert listed.status == 200 and hook["secret"].encode() not in listed.raw
    assert listed.data["total"] == 1 and listed.data["items"][0]["id"] == hook["id"]
    assert set(listed.data) == {"items", "total", "page", "limit", "total_pages", "next_cursor"}


def test_the_seed_example_is_accepted_in_local_mode(api, owner):
    hook = create(
        api,
        owner,
        {
            "url": "http://127.0.0.1:9/hook",
            "events": ["sale.created"],
            "description": "local receiver",
        },
    )
    assert hook["description"] == "local receiver"


def test_patch_changes_only_what_is_sent(api, owner, strict):
    hook = create(api, owner)
    reply = api.patch(
        f"/admin/webhooks/{hook['id']}",
        {"events": ["sale.approved", "sale.approved"], "description": "ops"},
        as_=owner,
    )
    assert reply.status == 200, reply.raw
    assert reply.data["events"] == ["sale.approved"] and reply.data["url"] == HOOK["url"]
    assert reply.data["description"] == "ops"
    off = api.patch(f"/admin/webhooks/{hook['id']}", {"active": False}, as_=owner).data
    assert off["active"] is False and off["disabled_reason"] == "disabled by an admin"
    on = api.patch(f"/admin/webhooks/{hook['id']}", {"active": True}, as_=owner).data
    assert on["active"] is True and on["disabled_reason"] is None
    moved = api.patch(
        f"/admin/webhooks/{hook['id']}", {"url": "https://hooks.example.com/v2"}, as_=owner
    ).data
    assert moved["url"] == "https://hooks.example.com/v2"


def test_patch_rejects_empty_and_null(api, owner):
    hook = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    empty = api.patch(f"/admin/webhooks/{hook['id']}", {}, as_=owner)
    assert empty.status == 422 and empty.error["code"] == "VALIDATION_ERROR"
    null = api.patch(f"/admin/webhooks/{hook['id']}", {"url": None}, as_=owner)
    assert null.status == 422 and "url" in null.error["message"]
    bad = api.patch(f"/admin/webhooks/{hook['id']}", {"events": ["sale.deleted"]}, as_=owner)
    assert bad.status == 422 and bad.error["details"][0]["field"] == "events"


def test_delete(api, owner):
    hook = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    reply = api.delete(f"/admin/webhooks/{hook['id']}", as_=owner)
    assert reply.status == 200 and reply.data == {"id": hook["id"], "deleted": True}
    assert api.get(f"/admin/webhooks/{hook['id']}", as_=owner).status == 404
    assert api.delete(f"/admin/webhooks/{hook['id']}", as_=owner).status == 404
    # ids are never reused
    again = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    assert again["id"] == hook["id"] + 1


def test_rotate_returns_a_new_secret_once(api, owner):
    hook = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    reply = api.post(f"/admin/webhooks/{hook['id']}/rotate-secret", as_=owner)
    assert reply.status == 200, reply.raw
    new = reply.data["secret"]
    assert new.startswith("whsec_") and new != hook["secret"]
    got = api.get(f"/admin/webhooks/{hook['id']}", as_=owner)
    assert new.encode() not in got.raw and got.data["secret_hint"].endswith(new[-4:])


@pytest.mark.parametrize(
    "events, fragment",
    [
        (["sale.created", "sale.exploded"], "sale.exploded"),
        (["*"], "wildcard"),
        ([], "at least 1"),
        ("sale.created", "list"),
    ],
)
def test_unknown_or_malformed_events_are_422(api, owner, events, fragment):
    reply = api.post(
        "/admin/webhooks", {"url": "http://127.0.0.1:9/h", "events": events}, as_=owner
    )
    assert reply.status == 422, reply.raw
    assert reply.error["code"] == "VALIDATION_ERROR"
    assert reply.error["details"][0]["field"].startswith("events")
    assert fragment in reply.error["message"]


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "",
        "ftp://example.com/hook",
        "https://",
        "https://user:pw@example.com/h",
        "https://example.com:99999/h",
        "javascript:alert(1)",
    ],
)
def test_malformed_urls_are_422(api, owner, url):
    reply = api.post("/admin/webhooks", {"url": url, "events": ["sale.created"]}, as_=owner)
    assert reply.status == 422, reply.raw
    assert reply.error["details"][0]["field"] == "url"


def test_missing_fields_are_named(api, owner):
    reply = api.post("/admin/webhooks", {}, as_=owner)
    assert reply.status == 422
    assert {d["field"] for d in reply.error["details"]} == {"url", "events"}


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://hooks.example.com/h", "https"),
        ("https://10.0.0.8/h", "private"),
        ("https://192.168.1.20/h", "private"),
        ("https://127.0.0.1/h", "loopback"),
        ("https://[::1]/h", "loopback"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[fe80::1]/h", "link-local"),
        ("https://metadata.google.internal/computeMetadata/v1", "not allowed"),
        ("https://localhost/h", "not allowed"),
        ("https://internal.example.com/h", "private"),
        ("https://mixed.example.com/h", "loopback"),
        ("https://rebind.example.com/h", "link-local"),
        ("https://[::ffff:10.0.0.1]/h", "private"),
    ],
)
def test_private_and_plain_http_urls_are_refused_outside_local_mode(
    api, owner, strict, url, reason
):
    reply = api.post("/admin/webhooks", {"url": url, "events": ["sale.created"]}, as_=owner)
    assert reply.status == 422, reply.raw
    assert reply.error["details"][0]["field"] == "url"
    assert reason in reply.error["message"]
    # and a PATCH cannot sneak one in either
    hook = create(api, owner, {"url": "https://hooks.example.com/h", "events": ["sale.created"]})
    patched = api.patch(f"/admin/webhooks/{hook['id']}", {"url": url}, as_=owner)
    assert patched.status == 422 and patched.error["details"][0]["field"] == "url"


def test_public_https_url_is_accepted_outside_local_mode(api, owner, strict):
    hook = create(
        api, owner, {"url": "https://hooks.example.com/tradekitt", "events": sorted(EVENT_TYPES)}
    )
    assert hook["events"] == sorted(EVENT_TYPES)


def test_another_tenants_webhook_is_invisible(api, owner, other):
    hook = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    test = api.post(f"/admin/webhooks/{hook['id']}/test", {}, as_=owner)
    assert test.status == 202
    delivery = test.data["id"]
    base = f"/admin/webhooks/{hook['id']}"
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", base, None),
            ("PATCH", base, {"active": False}),
            ("DELETE", base, None),
            ("POST", f"{base}/rotate-secret", None),
            ("POST", f"{base}/test", {}),
            ("GET", f"{base}/deliveries", None),
            ("GET", f"{base}/deliveries/{delivery}", None),
            ("POST", f"{base}/deliveries/{delivery}/redeliver", None),
        ],
        secrets=[hook["secret"], hook["url"]],
    )
    # nothing changed for the owner, and the intruder's list is empty
    assert api.get(base, as_=owner).data["active"] is True
    assert api.get("/admin/webhooks", as_=other).data["total"] == 0


def _as_role(owner: Account, role: str) -> Account:
    token = tokens.issue_access(owner.tenant_id, 1, [role], "sess").token
    return Account(owner.tenant_id, owner.business_code, token, "", {})


@pytest.mark.parametrize("role", ["manager", "dispatcher", "technician"])
def test_only_admins_manage_webhooks(api, owner, role):
    hook = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    caller = _as_role(owner, role)
    for method, path, body in [
        ("GET", "/admin/webhooks", None),
        ("POST", "/admin/webhooks", HOOK),
        ("GET", f"/admin/webhooks/{hook['id']}", None),
        ("POST", f"/admin/webhooks/{hook['id']}/rotate-secret", None),
        ("GET", f"/admin/webhooks/{hook['id']}/deliveries", None),
    ]:
        reply = api.call(method, path, body, as_=caller)
        assert reply.status == 403, (method, path, reply.raw)
        assert reply.error["code"] == "FORBIDDEN"
    assert api.get("/admin/webhooks").status == 401


def test_unknown_ids_are_404(api, owner):
    assert api.get("/admin/webhooks/999", as_=owner).status == 404
    assert api.get("/admin/webhooks/abc", as_=owner).status == 404
    hook = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    base = f"/admin/webhooks/{hook['id']}/deliveries"
    assert api.get(f"{base}/nope", as_=owner).status == 404
    assert api.get(f"{base}/20260101000000000-evt_missing", as_=owner).status == 404
    assert api.post(f"{base}/nope/redeliver", as_=owner).status == 404


def test_endpoint_limit_per_tenant(api, owner, monkeypatch):
    monkeypatch.setattr(webhook_service, "MAX_ENDPOINTS", 2)
    body = {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]}
    create(api, owner, body)
    create(api, owner, body)
    reply = api.post("/admin/webhooks", body, as_=owner)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"


def test_test_event_requires_a_known_type_and_an_active_endpoint(api, owner):
    hook = create(api, owner, {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]})
    bad = api.post(f"/admin/webhooks/{hook['id']}/test", {"event_type": "sale.nope"}, as_=owner)
    assert bad.status == 422 and bad.error["details"][0]["field"] == "event_type"
    api.patch(f"/admin/webhooks/{hook['id']}", {"active": False}, as_=owner)
    off = api.post(f"/admin/webhooks/{hook['id']}/test", {}, as_=owner)
    assert off.status == 409


def test_routes_are_in_the_openapi_document(api):
    doc = api.get("/api/openapi.json").json
    paths = doc["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/admin/webhooks"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/admin/webhooks/{webhook_id}"])
    assert "post" in paths["/api/v1/admin/webhooks/{webhook_id}/rotate-secret"]
    assert "post" in paths["/api/v1/admin/webhooks/{webhook_id}/test"]
    assert "get" in paths["/api/v1/admin/webhooks/{webhook_id}/deliveries"]
    assert "post" in paths["/api/v1/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"]
