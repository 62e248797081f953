"""The form builder over real HTTP against the `make run` stack: every forms call (template
CRUD, the list and its ``active`` filter and cursor, versions, a job's forms in the back
office and the technician's own, submissions, uploads), a photo and a signature uploaded
through the presigned POST to the local stack's S3 endpoint, and a job that cannot be
completed until its required form is submitted, then is."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.conftest import ok

PASSWORD = "techPassword123!"
API = "/api/v1"
FIELDS = [
    {"key": "serial_number", "label": "Unit serial", "type": "text", "required": True},
    {"key": "psi", "label": "Pressure", "type": "number", "min": 0, "max": 600},
    {"key": "area_clean", "label": "Area clean", "type": "checkbox", "required": True},
    {"key": "condition", "label": "Condition", "type": "select", "options": ["good", "worn"]},
    {"key": "unit_photo", "label": "Unit photo", "type": "photo", "required": True},
    {"key": "signature", "label": "Customer signature", "type": "signature"},
]
VALUES = {"serial_number": "XR-1", "psi": 118.5, "area_clean": True, "condition": "worn"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def _technician(stack, admin):
    username = f"formtech{uuid.uuid4().hex[:6]}"
    tech = stack.create(
        "/admin/technicians",
        {"name": "Fern Forms", "username": username, "password": PASSWORD},
        admin["headers"],
    )
    login = ok(
        stack.request(
            "POST",
            f"{API}/auth/login",
            {"username": username, "password": PASSWORD},
            {"X-Tenant-Id": admin["tenant_id"]},
        )
    )
    headers = {
        "Authorization": f"Bearer {login['access_token']}",
        "X-Tenant-Id": admin["tenant_id"],
    }
    return tech, headers


def _upload(stack, path, headers, field, content_type, body):
    post = stack.create(
        f"{path}/uploads",
        {"field": field, "content_type": content_type, "size_bytes": len(body)},
        headers,
    )
    assert post["method"] == "POST" and post["max_bytes"] == len(body)
    sent = requests.post(
        post["url"], data=post["fields"], files={"file": ("file", body)}, timeout=30
    )
    assert sent.status_code in (200, 201, 204), (post["url"], sent.status_code, sent.text)
    return post


def test_forms_over_http(stack):
    admin = stack.register("Forms Cooling")
    headers = admin["headers"]
    tech, tech_headers = _technician(stack, admin)

    # templates: create, get, list (cursor and the active filter), patch, version, delete
    form = stack.create(
        "/admin/forms",
        {"name": "Install checklist", "fields": FIELDS, "required_for_job_types": ["ac_install"]},
        headers,
    )
    assert form["version"] == 1 and form["fields"][3]["options"] == ["good", "worn"]
    spare = stack.create(
        "/admin/forms", {"name": "Spare", "fields": FIELDS[:1], "active": False}, headers
    )
    assert ok(stack.request("GET", f"{API}/admin/forms/{form['id']}", headers=headers)) == form
    first = ok(stack.request("GET", f"{API}/admin/forms?limit=1", headers=headers))
    assert first["total"] == 2 and first["next_cursor"]
    rest = ok(
        stack.request(
            "GET", f"{API}/admin/forms?limit=1&cursor={first['next_cursor']}", headers=headers
        )
    )
    assert [f["id"] for f in first["items"] + rest["items"]] == [form["id"], spare["id"]]
    active = ok(stack.request("GET", f"{API}/admin/forms?active=true", headers=headers))
    assert [f["id"] for f in active["items"]] == [form["id"]]
    inactive = ok(stack.request("GET", f"{API}/admin/forms?active=false", headers=headers))
    assert [f["id"] for f in inactive["items"]] == [spare["id"]]
    status, _, bad = stack.request(
        "POST",
        f"{API}/admin/forms",
        {"name": "Bad", "fields": [{"key": "a", "label": "A", "type": "select"}]},
        headers,
    )
    assert status == 422 and bad["error"]["details"][0]["field"] == "fields.0.options", bad
    patched = ok(
        stack.request(
            "PATCH", f"{API}/admin/forms/{form['id']}", {"description": "On site"}, headers
        )
    )
    assert patched["description"] == "On site" and patched["version"] == 1
    version = ok(
        stack.request("GET", f"{API}/admin/forms/{form['id']}/versions/1", headers=headers)
    )
    assert version["description"] == "On site" and len(version["fields"]) == len(FIELDS)
    assert ok(stack.request("DELETE", f"{API}/admin/forms/{spare['id']}", headers=headers))["id"]
    status, _, _ = stack.request("GET", f"{API}/admin/forms/{spare['id']}", headers=headers)
    assert status == 404

    # a job of the technician's whose type requires the form
    job = stack.create("/admin/dispatch", {"title": "Install", "job_type": "ac_install"}, headers)
    jid = job["id"]
    ok(
        stack.request(
            "PATCH", f"{API}/admin/dispatch/{jid}/assign", {"technician_id": tech["id"]}, headers
        )
    )
    mine = f"{API}/tech/dispatch/my-jobs/{jid}"
    ok(stack.request("PATCH", f"{mine}/acknowledge", headers=tech_headers))
    for step in ("en_route", "on_site", "in_progress"):
        ok(stack.request("PATCH", f"{mine}/status", {"status": step}, tech_headers))
    status, _, refused = stack.request(
        "PATCH", f"{mine}/status", {"status": "completed"}, tech_headers
    )
    assert status == 409 and "Install checklist" in refused["error"]["message"], refused

    listed = ok(stack.request("GET", f"{mine}/forms", headers=tech_headers))
    assert listed["missing"] == ["Install checklist"] and listed["submissions"] == []
    admin_view = ok(stack.request("GET", f"{API}/admin/dispatch/{jid}/forms", headers=headers))
    assert admin_view["required"] == [
        {"form_id": form["id"], "name": "Install checklist", "submitted": False}
    ]

    # the photo (by the technician) and the signature (by the back office) through S3
    photo = _upload(
        stack,
        f"/tech/dispatch/my-jobs/{jid}/forms/{form['id']}",
        tech_headers,
        "unit_photo",
        "image/png",
        PNG,
    )
    sign = _upload(
        stack,
        f"/admin/dispatch/{jid}/forms/{form['id']}",
        headers,
        "signature",
        "image/svg+xml",
        b"<svg/>",
    )
    status, _, bad = stack.request(
        "POST",
        f"{mine}/forms/{form['id']}",
        {"values": {**VALUES, "unit_photo": sign["key"]}},
        tech_headers,
    )
    assert status == 422 and bad["error"]["details"][0]["field"] == "values.unit_photo", bad
    values = {**VALUES, "unit_photo": photo["key"], "signature": sign["key"]}
    submitted = stack.create(
        f"/tech/dispatch/my-jobs/{jid}/forms/{form['id']}", {"values": values}, tech_headers
    )
    assert submitted["values"] == values and submitted["form_version"] == 1
    # the back office may submit too (it replaces the technician's)
    again = stack.create(f"/admin/dispatch/{jid}/forms/{form['id']}", {"values": values}, headers)
    assert again["submitted_by"] == admin["user"]["id"]
    shown = ok(stack.request("GET", f"{API}/admin/dispatch/{jid}/forms", headers=headers))
    assert shown["missing"] == [] and len(shown["submissions"]) == 1

    done = ok(stack.request("PATCH", f"{mine}/status", {"status": "completed"}, tech_headers))
    assert done["status"] == "completed"
    # a used version: editing the fields makes version 2, version 1 stays
    edited = ok(
        stack.request("PATCH", f"{API}/admin/forms/{form['id']}", {"fields": FIELDS[:2]}, headers)
    )
    assert edited["version"] == 2
    status, _, kept = stack.request("DELETE", f"{API}/admin/forms/{form['id']}", headers=headers)
    assert status == 409, kept
