"""Tenant settings and branding over real HTTP against the `make run` stack: every
``/admin/settings`` and ``/admin/settings/branding`` call, a logo and a favicon POSTed to
the presigned URL on the local stack's S3 and confirmed, ``GET /tenants/resolve/{code}``
showing the branding with links that open the files, bad input naming the field, another
tenant's upload key refused; the invitation resend (the old link stops working, 409 once
accepted); the login's two documented answers."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.conftest import ok

API = "/api/v1"
BRANDING = f"{API}/admin/settings/branding"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"/>'
PASSWORD = "inviteePassword123!"


def _upload(stack, headers, kind, content_type, body):
    post = stack.create(
        f"/admin/settings/branding/{kind}-upload",
        {"content_type": content_type, "size_bytes": len(body)},
        headers,
    )
    assert post["method"] == "POST" and post["max_bytes"] == len(body)
    sent = requests.post(post["url"], data=post["fields"], files={"file": ("f", body)}, timeout=30)
    assert sent.status_code in (200, 201, 204), (post["url"], sent.status_code, sent.text)
    return post


def _refused(result, status, field):
    code, _, body = result
    assert code == status, body
    assert body["error"]["details"][0]["field"] == field, body
    return body


def test_settings_and_branding_over_http(stack):
    admin = stack.register("Brand Cooling")
    headers = admin["headers"]
    code = admin["business_code"]

    settings = ok(stack.request("GET", f"{API}/admin/settings", headers=headers))
    assert settings["currency"] == "USD" and settings["timezone"] == "America/New_York"
    changed = ok(
        stack.request(
            "PATCH",
            f"{API}/admin/settings",
            {
                "name": "Brand Cooling & Heat",
                "trade_type": "electrical",
                "region_type": "heating_dominant",
                "timezone": "America/Denver",
                "currency": "CAD",
                "pay_period_frequency": "weekly",
                "mfa_required_roles": ["manager"],
                "branding": {"primary_color": "#123456"},
            },
            headers,
        )
    )
    assert changed["currency"] == "CAD" and changed["timezone"] == "America/Denver"
    assert changed["pay_period_frequency"] == "weekly" and changed["mfa_required_roles"] == [
        "manager"
    ]
    assert changed["pay_period_schedule"][-1]["frequency"] == "weekly"
    assert changed["branding"]["display_name"] == "Brand Cooling & Heat"
    for body, field in [
        ({"currency": "EURO"}, "currency"),
        ({"timezone": "Moon/Base"}, "timezone"),
        ({"branding": {"accent_color": "orange"}}, "branding.accent_color"),
    ]:
        _refused(stack.request("PATCH", f"{API}/admin/settings", body, headers), 422, field)

    # the logo and favicon: presigned POST to the stack's S3, then confirm
    logo = _upload(stack, headers, "logo", "image/png", PNG)
    icon = _upload(stack, headers, "favicon", "image/svg+xml", SVG)
    branding = ok(
        stack.request(
            "PATCH",
            BRANDING,
            {
                "logo_key": logo["key"],
                "favicon_key": icon["key"],
                "secondary_color": "#abcdef",
                "accent_color": "#f59e0b",
            },
            headers,
        )
    )
    assert branding["logo_key"] == logo["key"] and branding["primary_color"] == "#123456"
    assert requests.get(branding["logo_url"], timeout=30).content == PNG
    assert ok(stack.request("GET", BRANDING, headers=headers))["favicon_key"] == icon["key"]

    resolved = ok(stack.request("GET", f"{API}/tenants/resolve/{code.lower()}"))
    assert set(resolved) == {"businessCode", "businessName", "apiUrl", "tenantId", "branding"}
    shown = resolved["branding"]
    assert shown["display_name"] == "Brand Cooling & Heat" and shown["accent_color"] == "#f59e0b"
    assert shown["primary_color"] == "#123456" and shown["secondary_color"] == "#abcdef"
    assert requests.get(shown["logo_url"], timeout=30).content == PNG
    assert requests.get(shown["favicon_url"], timeout=30).content == SVG

    # bad input and keys that are not this tenant's uploads
    other = stack.register("Brand Other")
    _refused(
        stack.request("PATCH", BRANDING, {"logo_key": logo["key"]}, other["headers"]),
        422,
        "logo_key",
    )
    pending = stack.create(
        "/admin/settings/branding/logo-upload",
        {"content_type": "image/png", "size_bytes": 9},
        headers,
    )
    body = _refused(
        stack.request("PATCH", BRANDING, {"logo_key": pending["key"]}, headers), 422, "logo_key"
    )
    assert "not been uploaded" in body["error"]["message"]
    _refused(
        stack.request("PATCH", BRANDING, {"favicon_key": logo["key"]}, headers), 422, "favicon_key"
    )
    _refused(
        stack.request("PATCH", BRANDING, {"primary_color": "#12"}, headers), 422, "primary_color"
    )
    for kind, upload, field in [
        ("logo", {"content_type": "image/gif", "size_bytes": 10}, "content_type"),
        ("logo", {"content_type": "image/png", "size_bytes": 2 * 1024 * 1024 + 1}, "size_bytes"),
        ("favicon", {"content_type": "image/x-icon", "size_bytes": 512 * 1024 + 1}, "size_bytes"),
    ]:
        _refused(stack.request("POST", f"{BRANDING}/{kind}-upload", upload, headers), 422, field)
    # null resets the logo; resolve then shows none
    ok(stack.request("PATCH", BRANDING, {"logo_key": None}, headers))
    assert ok(stack.request("GET", f"{API}/tenants/resolve/{code}"))["branding"]["logo_url"] is None
    assert ok(stack.request("GET", BRANDING, headers=other["headers"]))["favicon_url"] is None


def test_invitation_resend_and_the_login_answers_over_http(stack):
    admin = stack.register("Resend Plumbing")
    headers = admin["headers"]
    email = f"inv-{uuid.uuid4().hex[:8]}@example.com"
    first = stack.create("/admin/users", {"email": email, "roles": ["manager"]}, headers)
    user_id = first["user"]["id"]
    resend = f"{API}/admin/users/{user_id}/invitation/resend"
    again = ok(stack.request("POST", resend, headers=headers))
    assert again["invitation_token"] != first["invitation_token"]
    assert again["user"]["status"] == "pending"
    accept = f"{API}/auth/invitations/accept"
    username = f"inv{uuid.uuid4().hex[:6]}"
    body = {"token": first["invitation_token"], "username": username, "password": PASSWORD}
    status, _, _ = stack.request("POST", accept, body)
    assert status == 404  # the old link stopped working
    signed_in = ok(stack.request("POST", accept, {**body, "token": again["invitation_token"]}))
    assert signed_in["user"]["roles"] == ["manager"]
    status, _, reply = stack.request("POST", resend, headers=headers)
    assert status == 409 and "accepted" in reply["error"]["message"]
    status, _, _ = stack.request(
        "POST", f"{API}/admin/users/99999/invitation/resend", headers=headers
    )
    assert status == 404

    # the login: a session, then (the tenant requires MFA of managers) the challenge
    login = {"username": username, "password": PASSWORD}
    tenant = {"X-Tenant-Id": admin["tenant_id"]}
    session = ok(stack.request("POST", f"{API}/auth/login", login, tenant))
    assert set(session) >= {"access_token", "refresh_token", "user"}
    ok(
        stack.request(
            "PATCH", f"{API}/admin/settings", {"mfa_required_roles": ["manager"]}, headers
        )
    )
    challenge = ok(stack.request("POST", f"{API}/auth/login", login, tenant))
    assert challenge["mfa_required"] is True and challenge["mfa_challenge_token"]
    status, _, document = stack.request("GET", "/api/openapi.json")
    assert status == 200
    schema = document["paths"]["/api/v1/auth/login"]["post"]["responses"]["200"]["content"]
    data = schema["application/json"]["schema"]["properties"]["data"]["$ref"].rsplit("/", 1)[1]
    assert len(document["components"]["schemas"][data]["oneOf"]) == 2
