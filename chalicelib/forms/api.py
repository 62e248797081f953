"""``/admin/forms`` (form templates: admins and managers configure, dispatchers read), a
job's forms in the back office (``/admin/dispatch/{job_id}/forms``) and the technician's
own (``/tech/dispatch/my-jobs/{job_id}/forms``): requirements, submissions, uploads."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.forms import service, submissions
from chalicelib.forms.models import (
    FormIn,
    FormOut,
    FormPatch,
    FormsQuery,
    FormVersionOut,
    JobFormsOut,
    SubmissionIn,
    SubmissionOut,
    UploadIn,
    UploadOut,
)

bp = Blueprint(__name__)
TAG = "forms"
FORM = "/admin/forms/{form_id}"
ADMIN_JOB = "/admin/dispatch/{job_id}/forms"
MY_JOB = "/tech/dispatch/my-jobs/{job_id}/forms"
NOT_NULL = ("name", "fields", "required_for_job_types", "active")


# --- templates ---------------------------------------------------------------------------
@endpoint(
    bp,
    "/admin/forms",
    "POST",
    summary="Create a form template",
    tag=TAG,
    permission=roles.FORMS_WRITE,
    body=FormIn,
    response=FormOut,
    status=201,
)
def create_form(req: ApiRequest) -> Any:
    """Field keys are unique slugs; ``options`` only (and always) on select fields,
    ``min``/``max`` on number fields, ``max_length`` on text fields (422 naming the field
    otherwise). The template starts at version 1."""
    return service.create(req.user, req.body.model_dump(exclude_none=True))


@endpoint(
    bp,
    "/admin/forms",
    "GET",
    summary="List form templates",
    tag=TAG,
    permission=roles.FORMS_READ,
    query=FormsQuery,
    response=page_of(FormOut),
    paginated=True,
)
def list_forms(req: ApiRequest) -> Any:
    """By id; ``active`` filters. ``total`` is exact; pass ``next_cursor`` as ``cursor``
    to walk on."""
    return service.page(req.user, req.page, req.query.active)  # type: ignore[arg-type]


@endpoint(
    bp,
    FORM,
    "GET",
    summary="Get a form template",
    tag=TAG,
    permission=roles.FORMS_READ,
    response=FormOut,
)
def get_form(req: ApiRequest) -> Any:
    return service.get(req.user, req.int_param("form_id"))


@endpoint(
    bp,
    FORM,
    "PATCH",
    summary="Update a form template",
    tag=TAG,
    permission=roles.FORMS_WRITE,
    body=FormPatch,
    response=FormOut,
)
def update_form(req: ApiRequest) -> Any:
    """Only the fields sent change. Changing the name, description or fields of a version
    that submissions used creates the next ``version`` (those submissions keep theirs);
    before any submission the current version is edited in place. ``active`` and
    ``required_for_job_types`` change no version."""
    changes = changes_of(req.body, NOT_NULL)
    return service.update(req.user, req.int_param("form_id"), changes)


@endpoint(
    bp,
    FORM,
    "DELETE",
    summary="Delete a form template",
    tag=TAG,
    permission=roles.FORMS_WRITE,
    response=FormOut,
)
def delete_form(req: ApiRequest) -> Any:
    """Only a template no submission used (409 otherwise: ``PATCH {"active": false}``
    retires it and keeps its submissions). Answers the template as it was."""
    return service.delete(req.user, req.int_param("form_id"))


@endpoint(
    bp,
    f"{FORM}/versions/{{version}}",
    "GET",
    summary="A version of a form template",
    tag=TAG,
    permission=roles.FORMS_READ,
    response=FormVersionOut,
)
def get_form_version(req: ApiRequest) -> Any:
    """The definition (name, description, fields) that submissions of that version were
    validated against."""
    return service.get_version(req.user, req.int_param("form_id"), req.int_param("version"))


# --- a job's forms: the back office --------------------------------------------------------
@endpoint(
    bp,
    ADMIN_JOB,
    "GET",
    summary="A job's forms",
    tag=TAG,
    permission=roles.DISPATCH_READ,
    response=JobFormsOut,
)
def job_forms(req: ApiRequest) -> Any:
    """The active templates the job's ``job_type`` requires (each with ``submitted``),
    the names of those still ``missing`` (the job cannot be completed until none is), and
    the job's submissions (one per template, the latest)."""
    return submissions.job_forms(req.user, req.int_param("job_id"))


@endpoint(
    bp,
    f"{ADMIN_JOB}/{{form_id}}",
    "POST",
    summary="Submit a job's form",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    body=SubmissionIn,
    response=SubmissionOut,
    status=201,
)
def submit_form(req: ApiRequest) -> Any:
    """Validated against the template's current version (422 naming ``values.<key>``);
    replaces the job's earlier submission of the form. 409 once the job is completed or
    cancelled, or when the template is inactive."""
    return submissions.submit(
        req.user, req.int_param("job_id"), req.int_param("form_id"), req.body.values
    )


@endpoint(
    bp,
    f"{ADMIN_JOB}/{{form_id}}/uploads",
    "POST",
    summary="Upload a photo or signature for a job's form",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    body=UploadIn,
    response=UploadOut,
    status=201,
)
def upload_file(req: ApiRequest) -> Any:
    """A presigned S3 POST (15 minutes) for one file of a photo or signature field; submit
    the returned ``key`` as the field's value once the file is uploaded."""
    body: UploadIn = req.body
    return submissions.upload(
        req.user,
        req.int_param("job_id"),
        req.int_param("form_id"),
        body.field,
        body.content_type,
        body.size_bytes,
    )


# --- a job's forms: the technician's own jobs ---------------------------------------------
@endpoint(
    bp,
    MY_JOB,
    "GET",
    summary="My job's forms",
    tag=TAG,
    permission=roles.SELF,
    response=JobFormsOut,
)
def my_job_forms(req: ApiRequest) -> Any:
    """As ``GET /admin/dispatch/{job_id}/forms``, for the caller's own job (another
    technician's is 404)."""
    return submissions.job_forms(req.user, req.int_param("job_id"), own=True)


@endpoint(
    bp,
    f"{MY_JOB}/{{form_id}}",
    "POST",
    summary="Submit my job's form",
    tag=TAG,
    permission=roles.SELF,
    body=SubmissionIn,
    response=SubmissionOut,
    status=201,
)
def submit_my_form(req: ApiRequest) -> Any:
    """As the back office's submission, for the caller's own job (another's is 404)."""
    return submissions.submit(
        req.user, req.int_param("job_id"), req.int_param("form_id"), req.body.values, own=True
    )


@endpoint(
    bp,
    f"{MY_JOB}/{{form_id}}/uploads",
    "POST",
    summary="Upload a photo or signature for my job's form",
    tag=TAG,
    permission=roles.SELF,
    body=UploadIn,
    response=UploadOut,
    status=201,
)
def upload_my_file(req: ApiRequest) -> Any:
    """As the back office's upload, for the caller's own job (another's is 404)."""
    body: UploadIn = req.body
    return submissions.upload(
        req.user,
        req.int_param("job_id"),
        req.int_param("form_id"),
        body.field,
        body.content_type,
        body.size_bytes,
        own=True,
    )
