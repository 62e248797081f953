"""Form templates (``/admin/forms``) and the completion rule other features call
(``missing_for``). Submissions and uploads are ``forms.submissions`` and
``forms.uploads``.

Versions: a template's definition (name, description, fields) is version 1 when created.
Editing the definition while no submission used the current version changes it in
place; once a submission used it, the edit creates the next version, and submissions
keep the version they were validated against (``GET /admin/forms/{id}/versions/{n}``
shows it). Changing only ``active`` or ``required_for_job_types`` creates no version (it
does not change what a submission is validated against). A template with submissions
cannot be deleted (409): deactivate it instead.

Requirements: every active template has one entry per job type it lists under
``FORMREQ#<job type>``, written in the template's own transactions, so ``missing_for``
reads what a job type requires with one Query and the job's submissions with another.

DynamoDB calls besides the caller's account: create 2 (the id counter's UpdateItem, one
TransactWriteItems: template, version 1, counts, requirement entries); get 1 GetItem;
list 1 BatchGetItem (counts) + 1 Query; update 2 (consistent GetItem, one
TransactWriteItems conditioned on the version and its submissions as read); delete 2;
``missing_for`` 0 without a job type, 1 Query when the type requires nothing, else 2.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, NotFound, found
from chalicelib.core.pagination import PageRequest
from chalicelib.forms import listing, rules, store
from chalicelib.forms.store import FormItem, Part
from chalicelib.platform import counters
from chalicelib.platform.tx import ConditionFailed, Contention, retries

ENTITY = "form"  # the id counter
VIEW_FIELDS = (
    "name",
    "description",
    "fields",
    "required_for_job_types",
    "active",
    "version",
    "submission_count",
    "created_at",
    "updated_at",
)


def view(form: FormItem) -> dict[str, Any]:
    out: dict[str, Any] = {"id": int(form.form_id)}
    for name in VIEW_FIELDS:
        out[name] = getattr(form, name)
    for name in ("version", "submission_count"):
        out[name] = int(out[name] or 0)
    out["required_for_job_types"] = list(out["required_for_job_types"] or [])
    return out


def _now() -> str:
    return clock.iso_utc(clock.now())


def _template(tenant_id: str, form_id: int, consistent: bool = False) -> FormItem:
    return found(store.get(tenant_id, form_id, consistent), f"form {form_id} not found")


def _required_types(active: bool, job_types: list[str]) -> set[str]:
    return set(job_types) if active else set()


def _requirement_parts(
    tid: str, form_id: int, old: set[str], new: set[str], name: str, renamed: bool
) -> list[Part]:
    """Entries to delete (types no longer required) and to write (new types, or every
    type when the name they show changed)."""
    parts: list[Part] = [
        store.delete_part("requirement", store.new_requirement(tid, t, form_id, name))
        for t in sorted(old - new)
    ]
    parts += [
        store.put_part("requirement", store.new_requirement(tid, t, form_id, name))
        for t in sorted(new if renamed else new - old)
    ]
    return parts


# --- templates ---------------------------------------------------------------------------
def create(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    tid = principal.tenant_id
    fields = rules.check_fields(data.get("fields", []))
    job_types = rules.check_job_types(data.get("required_for_job_types", []))
    active = bool(data.get("active", True))
    form_id = counters.next_id(tid, ENTITY)
    at = _now()
    definition = {"name": data["name"], "description": data.get("description"), "fields": fields}
    form = store.new_form(
        tid,
        form_id,
        **definition,
        required_for_job_types=job_types,
        active=active,
        version=1,
        version_submissions=0,
        submission_count=0,
        created_by=principal.user_id,
        created_at=at,
        updated_at=at,
    )
    parts = [
        store.create_part(
            "version", store.new_version(tid, form_id, 1, **definition, created_at=at)
        ),
        listing.counted(tid, form_id, None, active),
        *_requirement_parts(
            tid, form_id, set(), _required_types(active, job_types), data["name"], False
        ),
    ]
    for _ in retries():  # only another write of the tenant's counts can get in the way
        try:
            store.create(form, parts)
        except Contention:
            continue
        return view(form)
    raise Conflict("the form templates are being changed by other requests; retry")


def get(principal: Principal, form_id: int) -> dict[str, Any]:
    return view(_template(principal.tenant_id, form_id))


def page(principal: Principal, request: PageRequest, active: bool | None) -> dict[str, Any]:
    body = listing.page(principal.tenant_id, request, active=active)
    body["items"] = [view(f) for f in body["items"]]
    return body


def get_version(principal: Principal, form_id: int, number: int) -> dict[str, Any]:
    item = store.version(principal.tenant_id, form_id, number)
    if item is None:
        raise NotFound(f"version {number} of form {form_id} not found")
    return {
        "form_id": form_id,
        "version": int(item.version),
        "name": item.name,
        "description": item.description,
        "fields": item.fields,
        "created_at": item.created_at,
    }


def update(principal: Principal, form_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a template (see the module's "Versions"); retried when a submission or
    another edit got in between the read and the write."""
    tid = principal.tenant_id
    if "fields" in changes:
        changes = {**changes, "fields": rules.check_fields(changes["fields"])}
    if "required_for_job_types" in changes:
        types = rules.check_job_types(changes["required_for_job_types"])
        changes = {**changes, "required_for_job_types": types}
    for _ in retries():
        form = _template(tid, form_id, consistent=True)
        current = view(form)
        changed = {k: v for k, v in changes.items() if current.get(k) != v}
        if not changed:
            return current
        at = _now()
        written: dict[str, Any] = {**changed, "updated_at": at}
        parts: list[Part] = []
        if rules.changes_definition(current, changed):
            definition = {name: changed.get(name, current[name]) for name in rules.DEFINITION}
            number = int(form.version)
            if int(form.version_submissions or 0) > 0:
                number += 1
                written.update(version=number, version_submissions=0)
                new = store.new_version(tid, form_id, number, **definition, created_at=at)
                parts.append(store.create_part("version", new))
            else:
                new = store.new_version(tid, form_id, number, **definition, created_at=at)
                parts.append(store.put_part("version", new))
        was_active, active = bool(form.active), bool(changed.get("active", form.active))
        if was_active != active:
            parts.append(listing.counted(tid, form_id, was_active, active))
        name = changed.get("name", form.name)
        parts += _requirement_parts(
            tid,
            form_id,
            _required_types(was_active, current["required_for_job_types"]),
            _required_types(
                active, changed.get("required_for_job_types", current["required_for_job_types"])
            ),
            name,
            "name" in changed,
        )
        try:
            return view(store.change(form, written, parts))
        except (ConditionFailed, Contention):
            continue
    raise Conflict(f"form {form_id} is being changed by other requests; retry")


def delete(principal: Principal, form_id: int) -> dict[str, Any]:
    """Delete a template no submission used (409 otherwise: deactivate it instead)."""
    tid = principal.tenant_id
    for _ in retries():
        form = _template(tid, form_id, consistent=True)
        if int(form.submission_count or 0) > 0:
            raise Conflict(
                f"form {form_id} has submissions and cannot be deleted; "
                'deactivate it instead (PATCH {"active": false})'
            )
        shown = view(form)
        active = bool(form.active)
        parts = [
            store.delete_version_part(tid, form_id, int(form.version)),
            listing.counted(tid, form_id, active, None),
            *_requirement_parts(
                tid,
                form_id,
                _required_types(active, shown["required_for_job_types"]),
                set(),
                form.name,
                False,
            ),
        ]
        try:
            store.delete(form, parts)
        except (ConditionFailed, Contention):
            continue
        return shown
    raise Conflict(f"form {form_id} is being changed by other requests; retry")


# --- the completion rule -------------------------------------------------------------------
def missing_for(tenant_id: str, job_type: str | None, job_id: int) -> list[str]:
    """The names of the active templates ``job_type`` requires that job ``job_id`` has
    not submitted, by form id (dispatch refuses to complete the job while any is)."""
    if not job_type:
        return []
    required = store.required(tenant_id, job_type)
    if not required:
        return []
    submitted = [int(s.form_id) for s in store.submissions(tenant_id, job_id)]
    return rules.missing([(int(r.form_id), r.name) for r in required], submitted)


def required_for(tenant_id: str, job_type: str | None) -> list[tuple[int, str]]:
    """``(form id, name)`` of the active templates ``job_type`` requires (one Query)."""
    if not job_type:
        return []
    return [(int(r.form_id), r.name) for r in store.required(tenant_id, job_type)]
