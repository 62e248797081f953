"""The form builder's pure rules: what a template's fields may say, whether a submission's
values fit the fields, which uploads a field takes, and which required forms a job still
lacks. No AWS, no HTTP: errors are ``InvalidInput`` naming the field (422), and the
service decides what is stored.

A field is a dict: ``key`` (a slug, unique in the form), ``label``, ``type`` (text,
number, checkbox, select, photo, signature), ``required``, and by type ``options``
(select: the allowed values), ``min``/``max`` (number: inclusive bounds) and
``max_length`` (text: at most that many characters, default ``TEXT_MAX``).

Values: text a string (required: not blank), number an integer or a decimal (not a
boolean), checkbox ``true``/``false`` (required: must be ``true``, an acknowledgement),
select one of its options, photo and signature the key of a file uploaded for that field
(the service proves the key was issued for that job, form and field). ``null`` is the
same as leaving a field out; a key that is not a field of the form is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from chalicelib.core.errors import InvalidInput

TEXT, NUMBER, CHECKBOX, SELECT, PHOTO, SIGNATURE = (
    "text",
    "number",
    "checkbox",
    "select",
    "photo",
    "signature",
)
FIELD_TYPES = (TEXT, NUMBER, CHECKBOX, SELECT, PHOTO, SIGNATURE)
FILE_TYPES = (PHOTO, SIGNATURE)
MAX_FIELDS = 100
MAX_OPTIONS = 100
TEXT_MAX = 5000  # a text field's length when the template sets no max_length
TEXT_LIMIT = 20000  # the largest max_length a template may set
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CONTENT_TYPES: dict[str, dict[str, str]] = {  # field type -> content type -> file extension
    PHOTO: {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"},
    SIGNATURE: {"image/png": "png", "image/svg+xml": "svg"},
}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# What each type may carry besides key, label, type and required.
_EXTRAS = {TEXT: {"max_length"}, NUMBER: {"min", "max"}, SELECT: {"options"}}
_ALL_EXTRAS = ("options", "min", "max", "max_length")


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, field=field)


def is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (not isinstance(value, float) or math.isfinite(value))
    )


# --- templates ---------------------------------------------------------------------------
def check_field(index: int, field: dict[str, Any]) -> dict[str, Any]:
    """One field definition as stored (extras of other types refused, by name)."""
    at = f"fields.{index}"
    key, kind = field.get("key"), field.get("type")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise _bad(
            f"{at}.key",
            "must be a slug: a lower-case letter, then letters, digits or _ (at most 64)",
        )
    if kind not in FIELD_TYPES:
        raise _bad(f"{at}.type", f"must be one of {', '.join(FIELD_TYPES)}")
    label = field.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _bad(f"{at}.label", "is required")
    out: dict[str, Any] = {
        "key": key,
        "label": label.strip(),
        "type": kind,
        "required": bool(field.get("required", False)),
    }
    allowed = _EXTRAS.get(kind, set())
    for extra in _ALL_EXTRAS:
        if field.get(extra) is not None and extra not in allowed:
            raise _bad(f"{at}.{extra}", f"does not apply to a {kind} field")
    if kind == SELECT:
        out["options"] = _options(at, field.get("options"))
    elif kind == NUMBER:
        low, high = field.get("min"), field.get("max")
        for name, bound in (("min", low), ("max", high)):
            if bound is not None and not is_number(bound):
                raise _bad(f"{at}.{name}", "must be a number")
        if low is not None and high is not None and low > high:
            raise _bad(f"{at}.max", "must not be less than min")
        out.update({k: v for k, v in (("min", low), ("max", high)) if v is not None})
    elif kind == TEXT and field.get("max_length") is not None:
        limit = field["max_length"]
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= TEXT_LIMIT:
            raise _bad(f"{at}.max_length", f"must be an integer from 1 to {TEXT_LIMIT}")
        out["max_length"] = limit
    return out


def _options(at: str, options: Any) -> list[str]:
    if not isinstance(options, list) or not options:
        raise _bad(f"{at}.options", "a select field needs at least one option")
    if len(options) > MAX_OPTIONS:
        raise _bad(f"{at}.options", f"at most {MAX_OPTIONS} options")
    cleaned: list[str] = []
    for n, option in enumerate(options):
        if not isinstance(option, str) or not option.strip():
            raise _bad(f"{at}.options.{n}", "must be a non-empty string")
        if option.strip() in cleaned:
            raise _bad(f"{at}.options.{n}", f"{option.strip()!r} is listed twice")
        cleaned.append(option.strip())
    return cleaned


def check_fields(fields: Any) -> list[dict[str, Any]]:
    """A template's fields as stored: each checked, keys unique."""
    if not isinstance(fields, list):
        raise _bad("fields", "must be a list of fields")
    if len(fields) > MAX_FIELDS:
        raise _bad("fields", f"at most {MAX_FIELDS} fields")
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, field in enumerate(fields):
        if not isinstance(field, dict):
            raise _bad(f"fields.{index}", "must be an object")
        out = check_field(index, field)
        if out["key"] in seen:
            raise _bad(f"fields.{index}.key", f"{out['key']!r} is used by another field")
        seen.add(out["key"])
        checked.append(out)
    return checked


def check_job_types(job_types: Iterable[str]) -> list[str]:
    """The job types a template is required for: trimmed, not blank, each once (in the
    order given)."""
    cleaned: list[str] = []
    for n, job_type in enumerate(job_types):
        value = job_type.strip() if isinstance(job_type, str) else ""
        if not value:
            raise _bad(f"required_for_job_types.{n}", "must be a non-empty job type")
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


DEFINITION = ("name", "description", "fields")  # what a submission is validated against


def changes_definition(current: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Whether ``changes`` alter the definition (name, description, fields)."""
    return any(name in changes and changes[name] != current.get(name) for name in DEFINITION)


# --- submissions -------------------------------------------------------------------------
def check_values(
    fields: list[dict[str, Any]], values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values as stored (absent and null fields left out) and the files they name
    (field key -> object key) for the service to verify. The first bad value raises,
    naming ``values.<key>``."""
    known = {f["key"] for f in fields}
    for key in values:
        if key not in known:
            raise _bad(f"values.{key}", "is not a field of this form")
    clean: dict[str, Any] = {}
    files: dict[str, str] = {}
    for field in fields:
        key = field["key"]
        value = values.get(key)
        if value is None:
            if field["required"]:
                raise _bad(f"values.{key}", f"{field['label']} is required")
            continue
        clean[key] = _value(field, value)
        if field["type"] in FILE_TYPES:
            files[key] = clean[key]
    return clean, files


def _value(field: dict[str, Any], value: Any) -> Any:
    at, kind, required = f"values.{field['key']}", field["type"], field["required"]
    if kind == TEXT:
        if not isinstance(value, str):
            raise _bad(at, "must be text")
        limit = field.get("max_length") or TEXT_MAX
        if len(value) > limit:
            raise _bad(at, f"must be at most {limit} characters")
        if required and not value.strip():
            raise _bad(at, f"{field['label']} is required")
        return value
    if kind == NUMBER:
        if not is_number(value):
            raise _bad(at, "must be a number")
        if field.get("min") is not None and value < field["min"]:
            raise _bad(at, f"must be at least {field['min']}")
        if field.get("max") is not None and value > field["max"]:
            raise _bad(at, f"must be at most {field['max']}")
        return value
    if kind == CHECKBOX:
        if not isinstance(value, bool):
            raise _bad(at, "must be true or false")
        if required and not value:
            raise _bad(at, f"{field['label']} must be checked")
        return value
    if kind == SELECT:
        if not isinstance(value, str) or value not in field["options"]:
            raise _bad(at, f"must be one of: {', '.join(field['options'])}")
        return value
    if not isinstance(value, str) or not value:
        raise _bad(at, f"must be the key of a {kind} uploaded for this field")
    return value


# --- uploads -----------------------------------------------------------------------------
def upload_extension(fields: list[dict[str, Any]], field_key: str, content_type: str) -> str:
    """The file extension of an upload for ``field_key`` of type ``content_type``: the
    field must be a photo or signature and accept the type."""
    field = next((f for f in fields if f["key"] == field_key), None)
    if field is None:
        raise _bad("field", f"{field_key!r} is not a field of this form")
    if field["type"] not in FILE_TYPES:
        raise _bad(
            "field",
            f"{field_key!r} is a {field['type']} field; only photo and signature fields take uploads",
        )
    accepted = CONTENT_TYPES[field["type"]]
    if content_type not in accepted:
        raise _bad("content_type", f"a {field['type']} must be one of {', '.join(accepted)}")
    return accepted[content_type]


def check_size(size_bytes: int) -> int:
    if not 1 <= size_bytes <= MAX_UPLOAD_BYTES:
        raise _bad("size_bytes", f"must be from 1 to {MAX_UPLOAD_BYTES} bytes (10 MB)")
    return size_bytes


# --- completion ----------------------------------------------------------------------------
def missing(required: Iterable[tuple[int, str]], submitted: Iterable[int]) -> list[str]:
    """The names of the required forms (``(form id, name)``, in order) not submitted."""
    done = set(submitted)
    return [name for form_id, name in required if form_id not in done]
