"""``/admin/forms`` and a job's forms over the API (moto): template CRUD and validation,
versions, submissions by the job's technician and the back office, the completion rule,
uploads through a presigned POST, isolation, and the DynamoDB calls per request."""

from __future__ import annotations

import pytest
import requests

from tests.support.isolation import assert_isolated
from tests.support.reads import counting_reads
from tests.support.sales_helpers import staff, technician_login

TEMPLATE = {
    "name": "AC install checklist",
    "description": "Filled on site",
    "fields": [
        {"key": "serial_number", "label": "Unit serial", "type": "text", "required": True},
        {"key": "psi", "label": "Pressure", "type": "number", "min": 0, "max": 600},
        {"key": "area_clean", "label": "Area clean", "type": "checkbox", "required": True},
        {"key": "condition", "label": "Condition", "type": "select", "options": ["good", "worn"]},
        {"key": "unit_photo", "label": "Unit photo", "type": "photo"},
        {"key": "signature", "label": "Customer signature", "type": "signature"},
    ],
    "required_for_job_types": ["ac_install"],
}
VALUES = {"serial_number": "XR-1", "psi": 118.5, "area_clean": True, "condition": "worn"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _form(api, account, **fields):
    reply = api.post("/admin/forms", {**TEMPLATE, **fields}, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _job(api, account, tech_id=None, **fields):
    body = {"title": "Install", "job_type": "ac_install", **fields}
    job = api.post("/admin/dispatch", body, as_=account)
    assert job.status == 201, job.raw
    if tech_id is not None:
        reply = api.patch(
            f"/admin/dispatch/{job.data['id']}/assign", {"technician_id": tech_id}, as_=account
        )
        assert reply.status == 200, reply.raw
    return job.data


def _work_to(api, login, job_id, last="in_progress"):
    path = f"/tech/dispatch/my-jobs/{job_id}"
    assert api.patch(f"{path}/acknowledge", as_=login).status == 200
    for status in ("en_route", "on_site", "in_progress"):
        assert api.patch(f"{path}/status", {"status": status}, as_=login).status == 200
        if status == last:
            break


def _upload(api, account, path, field="unit_photo", content_type="image/png", body=PNG):
    reply = api.post(
        f"{path}/uploads",
        {"field": field, "content_type": content_type, "size_bytes": len(body)},
        as_=account,
    )
    assert reply.status == 201, reply.raw
    post = reply.data
    sent = requests.post(post["url"], data=post["fields"], files={"file": ("f", body)}, timeout=10)
    assert sent.status_code in (200, 201, 204), sent.text
    return post


def _error_field(reply) -> str:
    assert reply.status == 422 and reply.error["code"] == "VALIDATION_ERROR", reply.raw
    return reply.error["details"][0]["field"]


# --- templates ---------------------------------------------------------------------------
def test_template_crud_and_list(api, owner):
    form = _form(api, owner)
    assert form["version"] == 1 and form["active"] is True and form["submission_count"] == 0
    assert form["fields"][3]["options"] == ["good", "worn"]
    assert form["required_for_job_types"] == ["ac_install"]
    assert api.get(f"/admin/forms/{form['id']}", as_=owner).data == form
    other = _form(api, owner, name="Inspection", required_for_job_types=[], active=False)
    listed = api.get("/admin/forms?limit=1", as_=owner).data
    assert listed["total"] == 2 and listed["total_pages"] == 2 and len(listed["items"]) == 1
    second = api.get(f"/admin/forms?limit=1&cursor={listed['next_cursor']}", as_=owner).data
    assert [f["id"] for f in listed["items"] + second["items"]] == [form["id"], other["id"]]
    assert second["next_cursor"] is None
    active = api.get("/admin/forms?active=true", as_=owner).data
    assert [f["id"] for f in active["items"]] == [form["id"]] and active["total"] == 1
    assert api.get("/admin/forms?active=false", as_=owner).data["total"] == 1

    reply = api.patch(
        f"/admin/forms/{form['id']}", {"description": None, "name": "AC v2"}, as_=owner
    )
    assert reply.status == 200, reply.raw
    assert reply.data["description"] is None and reply.data["name"] == "AC v2"
    assert reply.data["version"] == 1  # no submission yet: edited in place
    assert api.get(f"/admin/forms/{form['id']}/versions/1", as_=owner).data["name"] == "AC v2"
    reply = api.patch(f"/admin/forms/{other['id']}", {"active": True}, as_=owner)
    assert reply.data["active"] is True and reply.data["version"] == 1
    assert api.get("/admin/forms?active=true", as_=owner).data["total"] == 2

    deleted = api.delete(f"/admin/forms/{other['id']}", as_=owner)
    assert deleted.status == 200 and deleted.data["id"] == other["id"]
    assert api.get(f"/admin/forms/{other['id']}", as_=owner).status == 404
    assert api.get(f"/admin/forms/{other['id']}/versions/1", as_=owner).status == 404
    assert api.delete(f"/admin/forms/{other['id']}", as_=owner).status == 404
    assert api.get("/admin/forms", as_=owner).data["total"] == 1
    assert api.get("/admin/forms/9999", as_=owner).status == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"fields": []}, "fields"),
        ({"fields": [{"key": "Bad Key", "label": "x", "type": "text"}]}, "fields.0.key"),
        ({"fields": [{"key": "a", "label": "x", "type": "date"}]}, "fields.0.type"),
        ({"fields": [{"key": "a", "label": "x", "type": "select"}]}, "fields.0.options"),
        ({"fields": [{"key": "a", "label": "x", "type": "text", "min": 1}]}, "fields.0.min"),
        (
            {"fields": [{"key": "a", "label": "x", "type": "number", "min": 9, "max": 1}]},
            "fields.0.max",
        ),
        ({"fields": [{"key": "a", "label": "x", "type": "number", "min": "1"}]}, "fields.0.min"),
        (
            {
                "fields": [
                    {"key": "a", "label": "x", "type": "text"},
                    {"key": "a", "label": "y", "type": "text"},
                ]
            },
            "fields.1.key",
        ),
        ({"required_for_job_types": [""]}, "required_for_job_types.0"),
        ({"active": "yes"}, "active"),
    ],
)
def test_bad_templates_are_422_naming_the_field(api, owner, change, field):
    assert _error_field(api.post("/admin/forms", {**TEMPLATE, **change}, as_=owner)) == field


def test_patch_refuses_nulls_and_bad_fields(api, owner):
    form = _form(api, owner)
    path = f"/admin/forms/{form['id']}"
    assert _error_field(api.patch(path, {"name": None}, as_=owner)) == "name"
    assert _error_field(api.patch(path, {"fields": None}, as_=owner)) == "fields"
    bad = {"fields": [{"key": "a", "label": "x", "type": "photo", "max_length": 3}]}
    assert _error_field(api.patch(path, bad, as_=owner)) == "fields.0.max_length"
    assert api.patch("/admin/forms/999", {"name": "x"}, as_=owner).status == 404


def test_roles(api, owner):
    form = _form(api, owner)
    dispatcher = staff(owner, "dispatcher", 77)
    manager = staff(owner, "manager", 78)
    _, login = technician_login(api, owner)
    assert api.get(f"/admin/forms/{form['id']}", as_=dispatcher).status == 200
    assert api.get("/admin/forms", as_=dispatcher).status == 200
    assert api.patch(f"/admin/forms/{form['id']}", {"name": "x"}, as_=dispatcher).status == 403
    assert api.post("/admin/forms", TEMPLATE, as_=dispatcher).status == 403
    assert api.post("/admin/forms", TEMPLATE, as_=manager).status == 201
    assert api.get("/admin/forms", as_=login).status == 403


# --- submissions and the completion rule ---------------------------------------------------
def test_required_form_blocks_completion_until_submitted(api, owner):
    form = _form(api, owner)
    optional = _form(api, owner, name="Survey", required_for_job_types=["other"])
    tech, login = technician_login(api, owner)
    job = _job(api, owner, tech["id"])
    _work_to(api, login, job["id"])
    status = f"/tech/dispatch/my-jobs/{job['id']}/status"
    reply = api.patch(status, {"status": "completed"}, as_=login)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT", reply.raw
    assert "AC install checklist" in reply.error["message"]
    assert "Survey" not in reply.error["message"]

    mine = f"/tech/dispatch/my-jobs/{job['id']}/forms"
    shown = api.get(mine, as_=login).data
    assert shown["missing"] == ["AC install checklist"] and shown["submissions"] == []
    assert shown["required"] == [{"form_id": form["id"], "name": form["name"], "submitted": False}]

    reply = api.post(f"{mine}/{optional['id']}", {"values": VALUES}, as_=login)
    assert reply.status == 201  # any active form may be submitted, required or not
    assert api.patch(status, {"status": "completed"}, as_=login).status == 409

    reply = api.post(f"{mine}/{form['id']}", {"values": VALUES}, as_=login)
    assert reply.status == 201, reply.raw
    sub = reply.data
    assert sub["values"] == VALUES and sub["form_version"] == 1 and sub["job_id"] == job["id"]
    assert sub["technician_id"] == tech["id"] and sub["form_name"] == form["name"]
    shown = api.get(f"/admin/dispatch/{job['id']}/forms", as_=owner).data
    assert shown["missing"] == [] and shown["required"][0]["submitted"] is True
    assert {s["form_id"] for s in shown["submissions"]} == {form["id"], optional["id"]}

    reply = api.patch(status, {"status": "completed"}, as_=login)
    assert reply.status == 200 and reply.data["status"] == "completed", reply.raw
    # a completed job's forms no longer change
    reply = api.post(f"{mine}/{form['id']}", {"values": VALUES}, as_=login)
    assert reply.status == 409
    assert api.get(f"/admin/forms/{form['id']}", as_=owner).data["submission_count"] == 1


def test_jobs_without_required_forms_complete_as_before(api, owner):
    _form(api, owner, active=False)  # inactive templates require nothing
    tech, login = technician_login(api, owner)
    for job_type in ("ac_install", None):
        fields = {"job_type": job_type} if job_type else {"job_type": None}
        job = _job(api, owner, tech["id"], **fields)
        _work_to(api, login, job["id"])
        reply = api.patch(
            f"/tech/dispatch/my-jobs/{job['id']}/status", {"status": "completed"}, as_=login
        )
        assert reply.status == 200, reply.raw


def test_a_requirement_follows_the_template(api, owner):
    form = _form(api, owner, required_for_job_types=["repair"])
    tech, login = technician_login(api, owner)
    job = _job(api, owner, tech["id"])  # ac_install: not required yet
    path = f"/admin/dispatch/{job['id']}/forms"
    assert api.get(path, as_=owner).data["missing"] == []
    api.patch(f"/admin/forms/{form['id']}", {"required_for_job_types": ["ac_install"]}, as_=owner)
    assert api.get(path, as_=owner).data["missing"] == [form["name"]]
    api.patch(f"/admin/forms/{form['id']}", {"name": "Renamed"}, as_=owner)
    assert api.get(path, as_=owner).data["missing"] == ["Renamed"]
    api.patch(f"/admin/forms/{form['id']}", {"active": False}, as_=owner)
    assert api.get(path, as_=owner).data["missing"] == []
    assert api.post(f"{path}/{form['id']}", {"values": VALUES}, as_=owner).status == 409
    api.patch(f"/admin/forms/{form['id']}", {"active": True}, as_=owner)
    assert api.get(path, as_=owner).data["missing"] == ["Renamed"]
    api.delete(f"/admin/forms/{form['id']}", as_=owner)
    assert api.get(path, as_=owner).data["missing"] == []


def test_submission_values_are_validated(api, owner):
    form = _form(api, owner)
    job = _job(api, owner)
    path = f"/admin/dispatch/{job['id']}/forms/{form['id']}"
    for values, field in [
        ({**VALUES, "serial_number": None}, "values.serial_number"),
        ({**VALUES, "serial_number": 5}, "values.serial_number"),
        ({**VALUES, "psi": 601}, "values.psi"),
        ({**VALUES, "psi": "12"}, "values.psi"),
        ({**VALUES, "area_clean": False}, "values.area_clean"),
        ({**VALUES, "condition": "broken"}, "values.condition"),
        ({**VALUES, "nope": 1}, "values.nope"),
        ({**VALUES, "unit_photo": 3}, "values.unit_photo"),
    ]:
        assert _error_field(api.post(path, {"values": values}, as_=owner)) == field, values
    assert _error_field(api.post(path, {"values": []}, as_=owner)) == "values"
    assert (
        api.post(f"/admin/dispatch/{job['id']}/forms/999", {"values": VALUES}, as_=owner).status
        == 404
    )
    assert (
        api.post(f"/admin/dispatch/999/forms/{form['id']}", {"values": VALUES}, as_=owner).status
        == 404
    )
    assert api.get("/admin/dispatch/999/forms", as_=owner).status == 404


def test_a_technician_submits_only_for_their_own_jobs(api, owner):
    form = _form(api, owner)
    tech, login = technician_login(api, owner)
    _, other_login = technician_login(api, owner, name="Olly Other")
    job = _job(api, owner, tech["id"])
    mine = f"/tech/dispatch/my-jobs/{job['id']}/forms"
    assert api.get(mine, as_=other_login).status == 404
    assert api.post(f"{mine}/{form['id']}", {"values": VALUES}, as_=other_login).status == 404
    upload = {"field": "unit_photo", "content_type": "image/png", "size_bytes": 10}
    assert api.post(f"{mine}/{form['id']}/uploads", upload, as_=other_login).status == 404
    assert api.get(f"/admin/dispatch/{job['id']}/forms", as_=login).status == 403
    assert api.post(f"{mine}/{form['id']}", {"values": VALUES}, as_=login).status == 201
    # the back office may submit too (and replaces the technician's)
    values = {**VALUES, "psi": 120}
    reply = api.post(
        f"/admin/dispatch/{job['id']}/forms/{form['id']}", {"values": values}, as_=owner
    )
    assert reply.status == 201 and reply.data["submitted_by"] == owner.user["id"]
    subs = api.get(mine, as_=login).data["submissions"]
    assert len(subs) == 1 and subs[0]["values"]["psi"] == 120
    assert subs[0]["first_submitted_at"] <= subs[0]["submitted_at"]
    assert api.get(f"/admin/forms/{form['id']}", as_=owner).data["submission_count"] == 1


def test_editing_a_used_version_creates_the_next_one(api, owner):
    form = _form(api, owner)
    job = _job(api, owner)
    path = f"/admin/dispatch/{job['id']}/forms/{form['id']}"
    assert api.post(path, {"values": VALUES}, as_=owner).status == 201
    fields = [
        *TEMPLATE["fields"],
        {"key": "hours", "label": "Hours", "type": "number", "required": True},
    ]
    edited = api.patch(f"/admin/forms/{form['id']}", {"fields": fields}, as_=owner).data
    assert edited["version"] == 2 and len(edited["fields"]) == 7
    # the old submission keeps version 1, whose definition is still there
    old = api.get(f"/admin/dispatch/{job['id']}/forms", as_=owner).data["submissions"][0]
    assert old["form_version"] == 1
    v1 = api.get(f"/admin/forms/{form['id']}/versions/1", as_=owner).data
    assert len(v1["fields"]) == 6 and v1["version"] == 1
    assert len(api.get(f"/admin/forms/{form['id']}/versions/2", as_=owner).data["fields"]) == 7
    assert api.get(f"/admin/forms/{form['id']}/versions/3", as_=owner).status == 404
    # new submissions are validated against version 2
    assert _error_field(api.post(path, {"values": VALUES}, as_=owner)) == "values.hours"
    reply = api.post(path, {"values": {**VALUES, "hours": 2}}, as_=owner)
    assert reply.status == 201 and reply.data["form_version"] == 2
    # edits that change no definition make no version; a used template cannot be deleted
    same = api.patch(f"/admin/forms/{form['id']}", {"required_for_job_types": ["x"]}, as_=owner)
    assert same.data["version"] == 2
    reply = api.delete(f"/admin/forms/{form['id']}", as_=owner)
    assert reply.status == 409 and "deactivate" in reply.error["message"]


# --- uploads ---------------------------------------------------------------------------------
def test_photo_and_signature_through_presigned_posts(api, owner, other):
    form = _form(api, owner)
    tech, login = technician_login(api, owner)
    job = _job(api, owner, tech["id"])
    second = _job(api, owner, tech["id"])
    mine = f"/tech/dispatch/my-jobs/{job['id']}/forms/{form['id']}"
    photo = _upload(api, login, mine, "unit_photo", "image/jpeg")
    assert photo["key"].startswith(f"tenants/{owner.tenant_id}/forms/jobs/")
    assert photo["key"].endswith(".jpg") and photo["method"] == "POST"
    assert photo["fields"]["key"] == photo["key"] and photo["max_bytes"] == len(PNG)
    assert "policy" in photo["fields"]
    sign = _upload(
        api,
        owner,
        f"/admin/dispatch/{job['id']}/forms/{form['id']}",
        "signature",
        "image/svg+xml",
        b"<svg/>",
    )

    # keys of another job, of another field, of another tenant, altered or never uploaded: 422
    elsewhere = _upload(api, login, f"/tech/dispatch/my-jobs/{second['id']}/forms/{form['id']}")
    their_form = _form(api, other)
    their_job = _job(api, other)
    theirs = _upload(api, other, f"/admin/dispatch/{their_job['id']}/forms/{their_form['id']}")
    pending = api.post(
        f"{mine}/uploads",
        {"field": "unit_photo", "content_type": "image/png", "size_bytes": 5},
        as_=login,
    ).data
    altered = photo["key"][:-5] + ("0" if photo["key"][-5] != "0" else "1") + ".jpg"
    for key, field in [
        (elsewhere["key"], "unit_photo"),
        (sign["key"], "unit_photo"),
        (theirs["key"], "unit_photo"),
        (altered, "unit_photo"),
        (pending["key"], "unit_photo"),
        (photo["key"], "signature"),
        ("tenants/whatever.png", "unit_photo"),
    ]:
        values = {**VALUES, field: key}
        assert _error_field(api.post(mine, {"values": values}, as_=login)) == f"values.{field}", key

    values = {**VALUES, "unit_photo": photo["key"], "signature": sign["key"]}
    reply = api.post(mine, {"values": values}, as_=login)
    assert reply.status == 201, reply.raw
    assert reply.data["values"]["unit_photo"] == photo["key"]


def test_bad_uploads(api, owner):
    form = _form(api, owner)
    job = _job(api, owner)
    path = f"/admin/dispatch/{job['id']}/forms/{form['id']}/uploads"
    for body, field in [
        ({"field": "signature", "content_type": "image/jpeg", "size_bytes": 10}, "content_type"),
        (
            {"field": "unit_photo", "content_type": "image/svg+xml", "size_bytes": 10},
            "content_type",
        ),
        (
            {"field": "unit_photo", "content_type": "application/pdf", "size_bytes": 10},
            "content_type",
        ),
        (
            {
                "field": "unit_photo",
                "content_type": "image/png",
                "size_bytes": 10 * 1024 * 1024 + 1,
            },
            "size_bytes",
        ),
        ({"field": "unit_photo", "content_type": "image/png", "size_bytes": 0}, "size_bytes"),
        ({"field": "serial_number", "content_type": "image/png", "size_bytes": 10}, "field"),
        ({"field": "nope", "content_type": "image/png", "size_bytes": 10}, "field"),
        ({"content_type": "image/png", "size_bytes": 10}, "field"),
    ]:
        assert _error_field(api.post(path, body, as_=owner)) == field, body
    ok = {"field": "unit_photo", "content_type": "image/png", "size_bytes": 10 * 1024 * 1024}
    assert api.post(path, ok, as_=owner).status == 201
    assert api.post(f"/admin/dispatch/{job['id']}/forms/999/uploads", ok, as_=owner).status == 404
    api.patch(f"/admin/dispatch/{job['id']}/cancel", {"reason": "x"}, as_=owner)
    assert api.post(path, ok, as_=owner).status == 409


# --- isolation and costs ---------------------------------------------------------------------
def test_another_tenant_reaches_nothing(api, owner, other):
    form = _form(api, owner, name="Owner secret form")
    job = _job(api, owner)
    upload = {"field": "unit_photo", "content_type": "image/png", "size_bytes": 10}
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"/admin/forms/{form['id']}", None),
            ("PATCH", f"/admin/forms/{form['id']}", {"name": "mine"}),
            ("DELETE", f"/admin/forms/{form['id']}", None),
            ("GET", f"/admin/forms/{form['id']}/versions/1", None),
            ("GET", f"/admin/dispatch/{job['id']}/forms", None),
            ("POST", f"/admin/dispatch/{job['id']}/forms/{form['id']}", {"values": VALUES}),
            ("POST", f"/admin/dispatch/{job['id']}/forms/{form['id']}/uploads", upload),
        ],
        secrets=["Owner secret form"],
    )
    assert api.get("/admin/forms", as_=other).data["total"] == 0
    # their own job with the owner's form id: the form is not found either
    theirs = _job(api, other)
    reply = api.post(
        f"/admin/dispatch/{theirs['id']}/forms/{form['id']}", {"values": VALUES}, as_=other
    )
    assert reply.status == 404
    assert api.get(f"/admin/forms/{form['id']}", as_=owner).data["name"] == "Owner secret form"


def _calls(reads) -> dict[str, int]:
    """The calls besides rate limiting (one UpdateItem per scope)."""
    return {op: n for op, n in reads.calls.items() if op != "UpdateItem"}


def test_dynamodb_calls_per_request(api, owner):
    form = _form(api, owner)
    tech, login = technician_login(api, owner)
    job = _job(api, owner, tech["id"])
    path = f"/tech/dispatch/my-jobs/{job['id']}/forms"
    with counting_reads() as reads:
        assert api.post(f"{path}/{form['id']}", {"values": VALUES}, as_=login).status == 201
    assert _calls(reads) == {"GetItem": 2, "BatchGetItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        assert api.get(path, as_=login).status == 200
    assert _calls(reads) == {"GetItem": 2, "Query": 2}
    with counting_reads() as reads:
        assert api.get("/admin/forms?limit=10", as_=owner).status == 200
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 1, "Query": 1}
    with counting_reads() as reads:
        upload = {"field": "unit_photo", "content_type": "image/png", "size_bytes": 10}
        assert api.post(f"{path}/{form['id']}/uploads", upload, as_=login).status == 201
    assert _calls(reads) == {"GetItem": 3}
    with counting_reads() as reads:
        body = {**TEMPLATE, "required_for_job_types": []}
        assert api.post("/admin/forms", body, as_=owner).status == 201
    assert _calls(reads) == {"GetItem": 1, "TransactWriteItems": 1}  # + the counter's UpdateItem
    with counting_reads() as reads:
        reply = api.patch(f"/admin/forms/{form['id']}", {"name": "Renamed"}, as_=owner)
    assert reply.status == 200 and reply.data["version"] == 2
    assert _calls(reads) == {"GetItem": 2, "TransactWriteItems": 1}
    _work_to(api, login, job["id"])
    with counting_reads() as reads:
        reply = api.patch(
            f"/tech/dispatch/my-jobs/{job['id']}/status", {"status": "completed"}, as_=login
        )
    assert reply.status == 200
    # the move's own 3 calls, plus the requirements' and the submissions' Queries
    assert reads.calls["Query"] == 2 and reads.calls["TransactWriteItems"] == 1
