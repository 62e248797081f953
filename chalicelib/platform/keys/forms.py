"""Key formats of the form builder: templates, their versions, the per-job-type
requirements, a job's submissions, and the S3 keys of their uploaded files."""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.platform.keys.base import id_sk, tenant_pk
from chalicelib.platform.keys.exports import export_prefix

# --- forms: templates, versions, requirements, submissions --------------------------------
# Templates by id (``GET /admin/forms`` queries ``forms_pk`` by id, counted by the rollup
# scope ``FORMS_ROLLUP_SCOPE``, facet active "1"/"0"). Each version's definition (name,
# description, fields) is kept under ``FORMVER#<form>`` by version number, so a submission
# can always be shown with the fields it was validated against. ``FORMREQ#<job type>``
# holds one entry per active template that a job type requires (completing a job reads it
# with one Query); the job type is percent-encoded, so any text is a safe qualifier.
# ``FORMSUB#<job>`` holds a job's submissions, one per template (one Query per job).
FORMS_ROLLUP_SCOPE = ("FORM",)


def form_key(tenant_id: str, form_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "FORM"), id_sk(form_id)


def forms_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "FORM")


def form_version_key(tenant_id: str, form_id: int, version: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "FORMVER", id_sk(form_id)), id_sk(version)


def form_requirements_pk(tenant_id: str, job_type: str) -> str:
    """The active templates a job type requires (sort key: the form id)."""
    return tenant_pk(tenant_id, "FORMREQ", quote(job_type, safe=""))


def form_requirement_key(tenant_id: str, job_type: str, form_id: int) -> tuple[str, str]:
    return form_requirements_pk(tenant_id, job_type), id_sk(form_id)


def form_submissions_pk(tenant_id: str, job_id: int) -> str:
    """A job's form submissions (sort key: the form id)."""
    return tenant_pk(tenant_id, "FORMSUB", id_sk(job_id))


def form_submission_key(tenant_id: str, job_id: int, form_id: int) -> tuple[str, str]:
    return form_submissions_pk(tenant_id, job_id), id_sk(form_id)


# --- forms: uploaded files (S3 object keys in the exports bucket) ------------------------
# ``tenants/<tid>/forms/jobs/<job id>/<form id>/<field key>/<name>``: a photo or signature
# uploaded through a presigned POST for one field of one job's form (``<name>`` is chosen
# and signed by the API when it issues the upload, so a submission can prove the key was
# issued for that job, form and field).
def form_upload_prefix(tenant_id: str, job_id: int, form_id: int, field_key: str) -> str:
    return f"{export_prefix(tenant_id)}forms/jobs/{id_sk(job_id)}/{id_sk(form_id)}/{field_key}/"
