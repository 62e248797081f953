"""A job's forms: what its job type requires, its submissions, submitting one (by the
job's technician or the back office) and the uploads of its photos and signatures.

A job has at most one submission per template: submitting again replaces it (the
latest counts). Submissions are taken until the job is completed or cancelled (409
after), only for active templates (409 for an inactive one), and are validated against
the template's current version (``rules.check_values``; 422 naming ``values.<key>``).
The job is read through ``dispatch.service`` (another technician's job is 404 to a
technician, another tenant's to everyone).

DynamoDB calls besides the caller's account: list 3 (GetItem of the job, one Query of
the job type's requirements, one Query of the job's submissions); submit 3 (GetItem job,
consistent BatchGetItem template + current submission, one TransactWriteItems:
submission + the template's counts, conditioned on the version validated against) plus
one S3 HeadObject per photo or signature; an upload 2 (GetItem job, GetItem template)
and no S3 call (the POST is signed locally).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.dispatch import service as dispatch
from chalicelib.dispatch.rules import workflow
from chalicelib.forms import rules, store, uploads
from chalicelib.forms import service as forms
from chalicelib.forms.store import FormItem, SubmissionItem
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, retries


def submission_view(item: SubmissionItem) -> dict[str, Any]:
    return {
        "job_id": int(item.job_id),
        "form_id": int(item.form_id),
        "form_name": item.form_name,
        "form_version": int(item.form_version),
        "values": item.values,
        "submitted_by": int(item.submitted_by),
        "technician_id": None if item.technician_id is None else int(item.technician_id),
        "first_submitted_at": item.first_submitted_at,
        "submitted_at": item.submitted_at,
    }


def _open_job(principal: Principal, job_id: int, own: bool) -> dict[str, Any]:
    job = dispatch.job_for(principal, job_id, own=own)
    if job["status"] in workflow.FINAL:
        raise Conflict(f"dispatch job {job_id} is {job['status']}: its forms can no longer change")
    return job


def _active(form: FormItem | None, tenant_id: str, form_id: int) -> FormItem:
    if form is None or form.tenant_id != tenant_id:
        raise NotFound(f"form {form_id} not found")
    if not form.active:
        raise Conflict(f"form {form_id} ({form.name}) is inactive and takes no submissions")
    return form


def job_forms(principal: Principal, job_id: int, *, own: bool = False) -> dict[str, Any]:
    """The forms the job's type requires (and whether each is submitted), the names of the
    missing ones, and every submission of the job."""
    tid = principal.tenant_id
    job = dispatch.job_for(principal, job_id, own=own)
    required = forms.required_for(tid, job["job_type"])
    items = store.submissions(tid, job_id)
    submitted = [int(s.form_id) for s in items]
    return {
        "job_id": job_id,
        "job_type": job["job_type"],
        "status": job["status"],
        "required": [
            {"form_id": form_id, "name": name, "submitted": form_id in submitted}
            for form_id, name in required
        ],
        "missing": rules.missing(required, submitted),
        "submissions": [submission_view(s) for s in items],
    }


def submit(
    principal: Principal, job_id: int, form_id: int, values: dict[str, Any], *, own: bool = False
) -> dict[str, Any]:
    tid = principal.tenant_id
    job = _open_job(principal, job_id, own)
    verified: set[str] = set()
    for _ in retries():
        form, current = get_many(
            [store.ref(tid, form_id), store.submission_ref(tid, job_id, form_id)], consistent=True
        )
        form = _active(form, tid, form_id)  # type: ignore[arg-type]
        clean, files = rules.check_values(form.fields, values)
        uploads.check_files(tid, job_id, form_id, form.fields, files, verified)
        at = clock.iso_utc(clock.now())
        item = store.new_submission(
            tid,
            job_id,
            form_id,
            form_version=int(form.version),
            form_name=form.name,
            values=clean,
            submitted_by=principal.user_id,
            technician_id=job["technician_id"],
            first_submitted_at=current.first_submitted_at if current is not None else at,  # type: ignore[union-attr]
            submitted_at=at,
        )
        try:
            store.submit(form, item, current)  # type: ignore[arg-type]
        except (ConditionFailed, Contention):
            continue  # the template changed, or another submission landed: read again
        return submission_view(item)
    raise Conflict(f"form {form_id} of job {job_id} is being changed by other requests; retry")


def upload(
    principal: Principal,
    job_id: int,
    form_id: int,
    field_key: str,
    content_type: str,
    size_bytes: int,
    *,
    own: bool = False,
) -> dict[str, Any]:
    """A presigned POST for a photo or signature of this job's form."""
    tid = principal.tenant_id
    _open_job(principal, job_id, own)
    form = _active(store.get(tid, form_id), tid, form_id)
    return uploads.issue(tid, job_id, form_id, form.fields, field_key, content_type, size_bytes)
