"""forms.rules: template fields, submitted values of every field type, uploads and the
completion rule (pure: no AWS)."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.forms import rules

FIELDS = rules.check_fields(
    [
        {"key": "serial", "label": "Serial", "type": "text", "required": True, "max_length": 8},
        {"key": "notes", "label": "Notes", "type": "text"},
        {"key": "psi", "label": "Pressure", "type": "number", "min": 0, "max": 600.5},
        {"key": "count", "label": "Count", "type": "number"},
        {"key": "clean", "label": "Area clean", "type": "checkbox", "required": True},
        {"key": "extra", "label": "Extra", "type": "checkbox"},
        {"key": "state", "label": "State", "type": "select", "options": ["good", "worn"]},
        {"key": "photo", "label": "Photo", "type": "photo"},
        {"key": "sign", "label": "Signature", "type": "signature", "required": True},
    ]
)
GOOD = {"serial": "XR-1", "clean": True, "sign": "tenants/t/forms/k.png"}


def _field_of(call) -> str:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.field


# --- templates ---------------------------------------------------------------------------
def test_fields_are_normalised():
    assert FIELDS[0] == {
        "key": "serial",
        "label": "Serial",
        "type": "text",
        "required": True,
        "max_length": 8,
    }
    assert FIELDS[1]["required"] is False and "max_length" not in FIELDS[1]
    assert FIELDS[2]["min"] == 0 and FIELDS[2]["max"] == 600.5
    assert FIELDS[6]["options"] == ["good", "worn"]
    assert [f["type"] for f in FIELDS] == [
        "text",
        "text",
        "number",
        "number",
        "checkbox",
        "checkbox",
        "select",
        "photo",
        "signature",
    ]


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ({"key": "Bad Key", "label": "x", "type": "text"}, "fields.0.key"),
        ({"key": "1st", "label": "x", "type": "text"}, "fields.0.key"),
        ({"key": "ok", "label": "x", "type": "date"}, "fields.0.type"),
        ({"key": "ok", "label": " ", "type": "text"}, "fields.0.label"),
        ({"key": "ok", "label": "x", "type": "select"}, "fields.0.options"),
        ({"key": "ok", "label": "x", "type": "select", "options": []}, "fields.0.options"),
        (
            {"key": "ok", "label": "x", "type": "select", "options": ["a", "a"]},
            "fields.0.options.1",
        ),
        ({"key": "ok", "label": "x", "type": "select", "options": ["a", ""]}, "fields.0.options.1"),
        ({"key": "ok", "label": "x", "type": "text", "options": ["a"]}, "fields.0.options"),
        ({"key": "ok", "label": "x", "type": "text", "min": 1}, "fields.0.min"),
        ({"key": "ok", "label": "x", "type": "checkbox", "max_length": 3}, "fields.0.max_length"),
        ({"key": "ok", "label": "x", "type": "photo", "max": 3}, "fields.0.max"),
        ({"key": "ok", "label": "x", "type": "number", "min": 5, "max": 1}, "fields.0.max"),
        ({"key": "ok", "label": "x", "type": "number", "min": True}, "fields.0.min"),
        ({"key": "ok", "label": "x", "type": "number", "max": float("inf")}, "fields.0.max"),
        ({"key": "ok", "label": "x", "type": "text", "max_length": 0}, "fields.0.max_length"),
        ({"key": "ok", "label": "x", "type": "text", "max_length": 10**6}, "fields.0.max_length"),
    ],
)
def test_bad_field_definitions_name_the_attribute(field, where):
    assert _field_of(lambda: rules.check_fields([field])) == where


def test_keys_are_unique_and_lists_bounded():
    twice = [{"key": "a", "label": "A", "type": "text"}, {"key": "a", "label": "B", "type": "text"}]
    assert _field_of(lambda: rules.check_fields(twice)) == "fields.1.key"
    many = [{"key": f"f{n}", "label": "x", "type": "text"} for n in range(rules.MAX_FIELDS + 1)]
    assert _field_of(lambda: rules.check_fields(many)) == "fields"
    assert _field_of(lambda: rules.check_fields("nope")) == "fields"
    assert _field_of(lambda: rules.check_fields(["nope"])) == "fields.0"


def test_job_types_are_trimmed_and_deduplicated():
    assert rules.check_job_types([" ac_install", "ac_install", "repair"]) == [
        "ac_install",
        "repair",
    ]
    assert _field_of(lambda: rules.check_job_types(["ok", "  "])) == "required_for_job_types.1"


def test_what_changes_the_definition():
    current = {"name": "A", "description": None, "fields": FIELDS, "active": True}
    assert rules.changes_definition(current, {"name": "B"})
    assert rules.changes_definition(current, {"fields": FIELDS[:1]})
    assert rules.changes_definition(current, {"description": "now"})
    assert not rules.changes_definition(current, {"name": "A", "active": False})
    assert not rules.changes_definition(current, {"required_for_job_types": ["x"]})


# --- values ------------------------------------------------------------------------------
def test_good_values_are_kept_and_files_named():
    values = {
        **GOOD,
        "notes": "",
        "psi": 118.5,
        "count": 3,
        "extra": False,
        "state": "worn",
        "photo": "tenants/t/forms/p.jpg",
    }
    clean, files = rules.check_values(FIELDS, values)
    assert clean == values
    assert files == {"photo": "tenants/t/forms/p.jpg", "sign": "tenants/t/forms/k.png"}
    # null is the same as leaving an optional field out
    clean, _ = rules.check_values(FIELDS, {**GOOD, "notes": None, "psi": None})
    assert clean == GOOD


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"serial": None}, "values.serial"),  # required text missing
        ({"serial": "   "}, "values.serial"),  # required text blank
        ({"serial": "123456789"}, "values.serial"),  # over max_length 8
        ({"serial": 12}, "values.serial"),  # not text
        ({"notes": "x" * (rules.TEXT_MAX + 1)}, "values.notes"),  # over the default length
        ({"psi": "12"}, "values.psi"),  # a number as text
        ({"psi": True}, "values.psi"),  # a boolean is not a number
        ({"psi": -1}, "values.psi"),  # below min
        ({"psi": 600.6}, "values.psi"),  # above max
        ({"count": [1]}, "values.count"),
        ({"clean": False}, "values.clean"),  # a required checkbox must be checked
        ({"clean": None}, "values.clean"),
        ({"extra": "yes"}, "values.extra"),  # a checkbox takes true/false
        ({"extra": 1}, "values.extra"),
        ({"state": "broken"}, "values.state"),  # not an option
        ({"state": 1}, "values.state"),
        ({"photo": 7}, "values.photo"),  # a file field takes a key
        ({"photo": ""}, "values.photo"),
        ({"sign": None}, "values.sign"),  # required signature missing
        ({"unknown": "x"}, "values.unknown"),  # not a field of the form
    ],
)
def test_bad_values_name_the_field(change, where):
    assert _field_of(lambda: rules.check_values(FIELDS, {**GOOD, **change})) == where


# --- uploads -----------------------------------------------------------------------------
def test_uploads_by_field_type():
    assert rules.upload_extension(FIELDS, "photo", "image/jpeg") == "jpg"
    assert rules.upload_extension(FIELDS, "photo", "image/webp") == "webp"
    assert rules.upload_extension(FIELDS, "photo", "image/png") == "png"
    assert rules.upload_extension(FIELDS, "sign", "image/svg+xml") == "svg"
    assert rules.upload_extension(FIELDS, "sign", "image/png") == "png"
    upload = rules.upload_extension
    assert _field_of(lambda: upload(FIELDS, "sign", "image/jpeg")) == "content_type"
    assert _field_of(lambda: upload(FIELDS, "photo", "image/svg+xml")) == "content_type"
    assert _field_of(lambda: upload(FIELDS, "photo", "application/pdf")) == "content_type"
    assert _field_of(lambda: upload(FIELDS, "serial", "image/png")) == "field"
    assert _field_of(lambda: upload(FIELDS, "nope", "image/png")) == "field"
    assert rules.check_size(rules.MAX_UPLOAD_BYTES) == 10 * 1024 * 1024
    assert _field_of(lambda: rules.check_size(rules.MAX_UPLOAD_BYTES + 1)) == "size_bytes"
    assert _field_of(lambda: rules.check_size(0)) == "size_bytes"


# --- completion ----------------------------------------------------------------------------
def test_missing_names_the_unsubmitted_required_forms_in_order():
    required = [(1, "Safety"), (3, "Install"), (7, "Sign-off")]
    assert rules.missing(required, [3]) == ["Safety", "Sign-off"]
    assert rules.missing(required, [1, 3, 7, 9]) == []
    assert rules.missing([], [1]) == []
