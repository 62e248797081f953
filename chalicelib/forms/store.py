"""Form templates, their versions, the per-job-type requirement entries and a job's
submissions.

Keys (``platform.keys``, "forms"): template ``T#<tid>#FORM`` / ``<id>``; version
``T#<tid>#FORMVER#<form>`` / ``<version>``; requirement ``T#<tid>#FORMREQ#<job type>`` /
``<form id>`` (active templates only); submission ``T#<tid>#FORMSUB#<job>`` / ``<form id>``.

A template carries its current ``version`` and how many submissions were validated
against it (``version_submissions``) and ever (``submission_count``). Every change of a
template is one transaction conditioned on both as read, and a submission's transaction
adds to them conditioned on the version it was validated against, so an edit never
changes a definition under a submission that used it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register, take
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]
MAX_REQUIRED = 100  # templates one job type may require (read with one Query)
MAX_SUBMISSIONS = 200  # a job's submissions read at most (one per template)


@register
class FormItem(BaseItem):
    """A form template: its current definition and version."""

    tenant_id = UnicodeAttribute()
    form_id = NumberAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    fields = JSONAttribute()
    required_for_job_types = JSONAttribute(default=list)
    active = BooleanAttribute(default=True)
    version = NumberAttribute(default=1)
    version_submissions = NumberAttribute(default=0)
    submission_count = NumberAttribute(default=0)
    created_by = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


@register
class FormVersionItem(BaseItem):
    """One version's definition, as submissions of that version were validated."""

    tenant_id = UnicodeAttribute()
    form_id = NumberAttribute()
    version = NumberAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    fields = JSONAttribute()
    created_at = UnicodeAttribute()


@register
class FormRequirementItem(BaseItem):
    """An active template that jobs of ``job_type`` need before completion."""

    tenant_id = UnicodeAttribute()
    form_id = NumberAttribute()
    job_type = UnicodeAttribute()
    name = UnicodeAttribute()


@register
class SubmissionItem(BaseItem):
    """A job's submission of one form (the latest; a new one replaces it)."""

    tenant_id = UnicodeAttribute()
    job_id = NumberAttribute()
    form_id = NumberAttribute()
    form_version = NumberAttribute()
    form_name = UnicodeAttribute()
    values = JSONAttribute()
    submitted_by = NumberAttribute()
    technician_id = NumberAttribute(null=True)
    first_submitted_at = UnicodeAttribute()
    submitted_at = UnicodeAttribute()


# --- reads -------------------------------------------------------------------------------
def ref(tenant_id: str, form_id: int) -> tuple[type[FormItem], tuple[str, str]]:
    return FormItem, keys.form_key(tenant_id, form_id)


def submission_ref(
    tenant_id: str, job_id: int, form_id: int
) -> tuple[type[SubmissionItem], tuple[str, str]]:
    return SubmissionItem, keys.form_submission_key(tenant_id, job_id, form_id)


def get(tenant_id: str, form_id: int, consistent: bool = False) -> FormItem | None:
    return FormItem.find(
        keys.form_key(tenant_id, form_id), tenant_id=tenant_id, consistent=consistent
    )


def version(tenant_id: str, form_id: int, number: int) -> FormVersionItem | None:
    return FormVersionItem.find(
        keys.form_version_key(tenant_id, form_id, number), tenant_id=tenant_id
    )


def required(tenant_id: str, job_type: str) -> list[FormRequirementItem]:
    """The active templates ``job_type`` requires, by id (one Query)."""
    query = FormRequirementItem.query(
        keys.form_requirements_pk(tenant_id, job_type), limit=MAX_REQUIRED
    )
    return take(query, MAX_REQUIRED)


def submissions(tenant_id: str, job_id: int) -> list[SubmissionItem]:
    """A job's submissions, by form id (one Query)."""
    query = SubmissionItem.query(keys.form_submissions_pk(tenant_id, job_id), limit=MAX_SUBMISSIONS)
    return take(query, MAX_SUBMISSIONS)


# --- new items ---------------------------------------------------------------------------
def new_form(tenant_id: str, form_id: int, **fields: Any) -> FormItem:
    return FormItem(
        *keys.form_key(tenant_id, form_id), tenant_id=tenant_id, form_id=form_id, **fields
    )


def new_version(tenant_id: str, form_id: int, number: int, **fields: Any) -> FormVersionItem:
    return FormVersionItem(
        *keys.form_version_key(tenant_id, form_id, number),
        tenant_id=tenant_id,
        form_id=form_id,
        version=number,
        **fields,
    )


def new_requirement(tenant_id: str, job_type: str, form_id: int, name: str) -> FormRequirementItem:
    return FormRequirementItem(
        *keys.form_requirement_key(tenant_id, job_type, form_id),
        tenant_id=tenant_id,
        form_id=form_id,
        job_type=job_type,
        name=name,
    )


def new_submission(tenant_id: str, job_id: int, form_id: int, **fields: Any) -> SubmissionItem:
    return SubmissionItem(
        *keys.form_submission_key(tenant_id, job_id, form_id),
        tenant_id=tenant_id,
        job_id=job_id,
        form_id=form_id,
        **fields,
    )


# --- transaction parts -------------------------------------------------------------------
def put_part(label: str, item: BaseItem) -> Part:
    return lambda tx: tx.save(label, item)


def create_part(label: str, item: BaseItem) -> Part:
    return lambda tx: tx.create(label, item)


def delete_part(label: str, item: BaseItem) -> Part:
    return lambda tx: tx.delete(label, item)


def delete_version_part(tenant_id: str, form_id: int, number: int) -> Part:
    item = FormVersionItem(*keys.form_version_key(tenant_id, form_id, number))
    return lambda tx: tx.delete("version", item)


def as_read(form: FormItem) -> Condition:
    """The template still has the version and submissions it was read with."""
    return (
        FormItem.pk.exists()
        & (FormItem.version == int(form.version))
        & (FormItem.version_submissions == int(form.version_submissions or 0))
    )


# --- writes ------------------------------------------------------------------------------
def write(parts: list[Part]) -> None:
    """The parts in one transaction (``ConditionFailed`` names the labels that failed)."""
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)


def create(form: FormItem, parts: list[Part]) -> FormItem:
    write([create_part("form", form), *parts])
    return form


def change(form: FormItem, changes: dict[str, Any], parts: list[Part]) -> FormItem:
    """Apply ``changes`` (attribute -> value, None removes) to the template as read, with
    the parts (``ConditionFailed`` labelled ``form`` when it changed meanwhile)."""
    actions = [
        getattr(FormItem, n).remove() if v is None else getattr(FormItem, n).set(v)
        for n, v in changes.items()
    ]
    write([*parts, lambda tx: tx.update("form", form, actions, condition=as_read(form))])
    for name, value in changes.items():
        setattr(form, name, value)
    return form


def delete(form: FormItem, parts: list[Part]) -> None:
    """Delete the template (with its parts) if it still has no submission."""
    condition = as_read(form) & (FormItem.submission_count == 0)
    write([*parts, lambda tx: tx.delete("form", form, condition=condition)])


def submit(form: FormItem, submission: SubmissionItem, replaced: SubmissionItem | None) -> None:
    """Write the submission (replacing ``replaced``, the one read, or none) and count it on
    the template, which must still be active and at the version the values were validated
    against (``ConditionFailed`` ``form``, or ``submission`` when another submission of
    the same form and job got in first)."""
    actions = [FormItem.version_submissions.add(1)]
    if replaced is None:
        actions.append(FormItem.submission_count.add(1))
        first = SubmissionItem.pk.does_not_exist()
    else:
        first = SubmissionItem.submitted_at == replaced.submitted_at
    condition = (
        FormItem.pk.exists() & (FormItem.version == int(form.version)) & (FormItem.active == True)  # noqa: E712 - a DynamoDB condition, not a comparison
    )
    write(
        [
            lambda tx: tx.save("submission", submission, condition=first),
            lambda tx: tx.update("form", form, actions, condition=condition),
        ]
    )
