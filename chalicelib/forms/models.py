"""The request and response models of the form builder's API (``forms.api``). Shapes
and bounds live here; what a field definition or a value may say beyond its shape is
``forms.rules``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, WithJsonSchema

from chalicelib.core.schemas import Body, Out, Query, reference_example
from chalicelib.forms import rules

FieldType = Literal["text", "number", "checkbox", "select", "photo", "signature"]
FieldKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="a slug: a lower-case letter, then letters, digits or _",
    ),
]
Label = Annotated[str, Field(min_length=1, max_length=200)]


def _number(value: Any) -> Any:
    if not rules.is_number(value):
        raise ValueError("must be a number")
    return value


Number = Annotated[Any, BeforeValidator(_number), WithJsonSchema({"type": "number"})]
JobType = Annotated[str, Field(min_length=1, max_length=100)]
ContentType = Literal["image/png", "image/jpeg", "image/webp", "image/svg+xml"]


class FieldIn(Body):
    """``options`` only for select (required there), ``min``/``max`` only for number,
    ``max_length`` only for text (default 5,000 characters)."""

    key: FieldKey
    label: Label
    type: FieldType
    required: StrictBool = False
    options: list[Label] | None = Field(default=None, max_length=rules.MAX_OPTIONS)
    min: Number | None = None
    max: Number | None = None
    max_length: StrictInt | None = Field(default=None, ge=1, le=rules.TEXT_LIMIT)


EXAMPLE = {
    "name": "AC install checklist",
    "description": "Filled on site before the job is closed",
    "fields": [
        {"key": "serial_number", "label": "Unit serial number", "type": "text", "required": True},
        {
            "key": "refrigerant_psi",
            "label": "Refrigerant pressure (psi)",
            "type": "number",
            "min": 0,
            "max": 600,
        },
        {"key": "area_clean", "label": "Work area left clean", "type": "checkbox"},
        {
            "key": "condition",
            "label": "Old unit condition",
            "type": "select",
            "options": ["good", "worn", "failed"],
        },
        {"key": "unit_photo", "label": "Photo of the unit", "type": "photo"},
        {"key": "customer_signature", "label": "Customer signature", "type": "signature"},
    ],
    "required_for_job_types": ["ac_install"],
}


class FormIn(Body):
    """A job whose ``job_type`` is listed in ``required_for_job_types`` cannot be
    completed until this form is submitted for it (while the form is ``active``)."""

    model_config = reference_example(EXAMPLE)

    name: Label
    description: str | None = Field(default=None, max_length=2000)
    fields: list[FieldIn] = Field(min_length=1, max_length=rules.MAX_FIELDS)
    required_for_job_types: list[JobType] = Field(default_factory=list, max_length=20)
    active: StrictBool = True


class FormPatch(Body):
    """Only the fields sent change (``description`` null clears it). Changing the name,
    description or fields of a version that has submissions creates the next version."""

    model_config = reference_example({"required_for_job_types": ["ac_install", "ac_repair"]})

    name: Label | None = None
    description: str | None = Field(default=None, max_length=2000)
    fields: list[FieldIn] | None = Field(default=None, min_length=1, max_length=rules.MAX_FIELDS)
    required_for_job_types: list[JobType] | None = Field(default=None, max_length=20)
    active: StrictBool | None = None


class FormsQuery(Query):
    active: bool | None = Field(default=None, description="only active (true) or inactive")


class FieldOut(Out):
    key: str
    label: str
    type: str
    required: bool
    options: list[str] | None = None
    min: int | float | None = None
    max: int | float | None = None
    max_length: int | None = None


class FormOut(Out):
    id: int
    name: str
    description: str | None
    fields: list[FieldOut]
    required_for_job_types: list[str]
    active: bool
    version: int
    submission_count: int
    created_at: str
    updated_at: str


class FormVersionOut(Out):
    form_id: int
    version: int
    name: str
    description: str | None
    fields: list[FieldOut]
    created_at: str


class SubmissionIn(Body):
    """``values``: field key -> value (text, number, true/false, the chosen option, or for
    photo and signature the ``key`` an upload returned)."""

    model_config = reference_example(
        {
            "values": {
                "serial_number": "XR-20931",
                "refrigerant_psi": 118.5,
                "area_clean": True,
                "condition": "worn",
            }
        }
    )

    values: dict[FieldKey, Any] = Field(default_factory=dict, max_length=rules.MAX_FIELDS)


class SubmissionOut(Out):
    job_id: int
    form_id: int
    form_name: str
    form_version: int
    values: dict[str, Any]
    submitted_by: int
    technician_id: int | None
    first_submitted_at: str
    submitted_at: str


class RequiredOut(Out):
    form_id: int
    name: str
    submitted: bool


class JobFormsOut(Out):
    job_id: int
    job_type: str | None
    status: str
    required: list[RequiredOut]
    missing: list[str]
    submissions: list[SubmissionOut]


class UploadIn(Body):
    """Photos: image/png, image/jpeg or image/webp; signatures: image/png or
    image/svg+xml; at most 10 MB."""

    model_config = reference_example(
        {"field": "unit_photo", "content_type": "image/jpeg", "size_bytes": 245760}
    )

    field: FieldKey
    content_type: ContentType
    size_bytes: StrictInt = Field(ge=1, le=rules.MAX_UPLOAD_BYTES)


class UploadOut(Out):
    """POST the file to ``url`` as ``multipart/form-data`` with every one of ``fields``
    and then the file as ``file``; then submit ``key`` as the field's value."""

    field: str
    key: str
    content_type: str
    max_bytes: int
    method: str
    url: str
    fields: dict[str, str]
    expires_in: int
