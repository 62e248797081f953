"""``/admin/settings/branding``: colours, a logo and a favicon uploaded through presigned
S3 POSTs and confirmed, and ``GET /tenants/resolve/{code}`` showing them."""

from __future__ import annotations

import requests

from tests.support.sales_helpers import staff

BRANDING = "/admin/settings/branding"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
ICO = b"\x00\x00\x01\x00" + bytes(60)


def _upload(api, account, kind, content_type, body, size=None):
    reply = api.post(
        f"{BRANDING}/{kind}-upload",
        {"content_type": content_type, "size_bytes": size or len(body)},
        as_=account,
    )
    assert reply.status == 201, reply.raw
    post = reply.data
    sent = requests.post(post["url"], data=post["fields"], files={"file": ("f", body)}, timeout=10)
    return post, sent


def _field(reply) -> str:
    assert reply.status == 422 and reply.error["code"] == "VALIDATION_ERROR", reply.raw
    return reply.error["details"][0]["field"]


def test_colours_logo_and_favicon_then_resolve(api, owner):
    reply = api.get(BRANDING, as_=owner)
    assert reply.status == 200 and reply.data == {
        "display_name": "Smith HVAC",
        "primary_color": "#2563eb",
        "secondary_color": None,
        "accent_color": None,
        "logo_key": None,
        "logo_url": None,
        "favicon_key": None,
        "favicon_url": None,
    }
    logo, sent = _upload(api, owner, "logo", "image/png", PNG)
    assert sent.status_code in (200, 201, 204), sent.text
    assert logo["kind"] == "logo" and logo["method"] == "POST" and logo["expires_in"] == 900
    assert logo["key"].startswith(f"tenants/{owner.tenant_id}/branding/logo/")
    assert logo["key"].endswith(".png") and logo["max_bytes"] == len(PNG)
    icon, sent = _upload(api, owner, "favicon", "image/x-icon", ICO)
    assert sent.status_code in (200, 201, 204), sent.text

    reply = api.patch(
        BRANDING,
        {
            "display_name": "Smith Heating",
            "secondary_color": "#0f766e",
            "accentColor": "#F59E0B",
            "logo_key": logo["key"],
            "favicon_key": icon["key"],
        },
        as_=owner,
    )
    assert reply.status == 200, reply.raw
    data = reply.data
    assert data["display_name"] == "Smith Heating" and data["primary_color"] == "#2563eb"
    assert data["secondary_color"] == "#0f766e" and data["accent_color"] == "#F59E0B"
    assert data["logo_key"] == logo["key"] and data["favicon_key"] == icon["key"]
    assert requests.get(data["logo_url"], timeout=10).content == PNG
    assert requests.get(data["favicon_url"], timeout=10).content == ICO

    resolved = api.get(f"/tenants/resolve/{owner.business_code}").data["branding"]
    assert set(resolved) == {
        "display_name",
        "primary_color",
        "secondary_color",
        "accent_color",
        "logo_url",
        "favicon_url",
    }
    assert resolved["display_name"] == "Smith Heating" and resolved["accent_color"] == "#F59E0B"
    assert requests.get(resolved["logo_url"], timeout=10).content == PNG
    # /admin/settings shows the same branding; its own PATCH keeps the files
    settings = api.get("/admin/settings", as_=owner).data
    assert settings["branding"]["logo_key"] == logo["key"]
    api.patch("/admin/settings", {"branding": {"primary_color": "#111111"}}, as_=owner)
    assert api.get(BRANDING, as_=owner).data["logo_key"] == logo["key"]

    # null resets: no logo, the default primary colour, the business name
    reply = api.patch(
        BRANDING, {"logo_key": None, "primary_color": None, "display_name": None}, as_=owner
    )
    assert reply.status == 200, reply.raw
    assert reply.data["logo_key"] is None and reply.data["logo_url"] is None
    assert reply.data["primary_color"] == "#2563eb" and reply.data["display_name"] == "Smith HVAC"
    assert reply.data["favicon_key"] == icon["key"]
    assert api.get(f"/tenants/resolve/{owner.business_code}").data["branding"]["logo_url"] is None


def test_uploads_refuse_types_and_sizes_and_s3_enforces_the_cap(api, owner):
    cases = [
        ("logo", {"content_type": "image/gif", "size_bytes": 10}, "content_type"),
        ("logo", {"content_type": "image/png", "size_bytes": 2 * 1024 * 1024 + 1}, "size_bytes"),
        ("logo", {"content_type": "image/png", "size_bytes": 0}, "size_bytes"),
        ("logo", {"content_type": "image/png"}, "size_bytes"),
        ("favicon", {"content_type": "image/png", "size_bytes": 512 * 1024 + 1}, "size_bytes"),
        ("favicon", {"content_type": "text/html", "size_bytes": 10}, "content_type"),
    ]
    for kind, body, field in cases:
        assert _field(api.post(f"{BRANDING}/{kind}-upload", body, as_=owner)) == field, body
    # the POST policy caps the size at what was announced (S3 enforces it; moto does not):
    # the confirm step still refuses a file past the kind's limit
    big = b"\x00" * (512 * 1024 + 1)
    post, sent = _upload(api, owner, "favicon", "image/png", big, size=10)
    assert post["fields"]["policy"] and post["max_bytes"] == 10
    reply = api.patch(BRANDING, {"favicon_key": post["key"]}, as_=owner)
    assert _field(reply) == "favicon_key" and "bytes" in reply.error["message"]


def test_confirm_checks_the_key_and_the_object(api, owner, other):
    logo, _ = _upload(api, owner, "logo", "image/png", PNG)
    # issued but never uploaded
    pending = api.post(
        f"{BRANDING}/logo-upload", {"content_type": "image/png", "size_bytes": 99}, as_=owner
    ).data
    reply = api.patch(BRANDING, {"logo_key": pending["key"]}, as_=owner)
    assert _field(reply) == "logo_key" and "not been uploaded" in reply.error["message"]
    # a logo's key is no favicon, another tenant's key is not ours, an altered key is none
    assert _field(api.patch(BRANDING, {"favicon_key": logo["key"]}, as_=owner)) == "favicon_key"
    assert _field(api.patch(BRANDING, {"logo_key": logo["key"]}, as_=other)) == "logo_key"
    altered = logo["key"][:-5] + ("0" if logo["key"][-5] != "0" else "1") + ".png"
    assert _field(api.patch(BRANDING, {"logo_key": altered}, as_=owner)) == "logo_key"
    assert _field(api.patch(BRANDING, {"logo_key": "https://evil/x.png"}, as_=owner)) == "logo_key"
    for body, field in [
        ({"primary_color": "blue"}, "primary_color"),
        ({"secondary_color": "#12345g"}, "secondary_color"),
        ({"accent_color": 123}, "accent_color"),
        ({"display_name": ""}, "display_name"),
    ]:
        assert _field(api.patch(BRANDING, body, as_=owner)) == field, body
    assert api.get(BRANDING, as_=owner).data["logo_key"] is None


def test_only_admins(api, owner):
    for role in ("manager", "dispatcher", "technician"):
        user = staff(owner, role)
        assert api.get(BRANDING, as_=user).status == 403
        assert api.patch(BRANDING, {"accent_color": "#000000"}, as_=user).status == 403
        body = {"content_type": "image/png", "size_bytes": 10}
        assert api.post(f"{BRANDING}/logo-upload", body, as_=user).status == 403
        assert api.post(f"{BRANDING}/favicon-upload", body, as_=user).status == 403
