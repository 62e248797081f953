"""``leads.service.create_for`` (the interface the portal and web forms call)."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.leads import service


def test_create_for_makes_a_new_lead(api, owner):
    lead = service.create_for(
        owner.tenant_id,
        {
            "name": " Dana Fox ",
            "email": "Dana@Example.com",
            "phone": "813-555-0100",
            "description": "Water heater leaking",
            "service_address": "1 Main St",
            "service_city": "Tampa",
            "service_state": "FL",
            "service_zip": "33601",
            "ignored": "x",
        },
        "portal",
    )
    assert lead["id"] == 1 and lead["status"] == "new" and lead["source"] == "portal"
    assert lead["name"] == "Dana Fox" and lead["email"] == "dana@example.com"
    assert lead["service_zip"] == "33601" and lead["customer_id"] is None
    assert lead["created_by"] is None
    assert [(h["from"], h["to"], h["by"]) for h in lead["history"]] == [(None, "new", None)]
    assert service.get(owner.tenant_id, 1) == lead
    again = service.create_for(owner.tenant_id, {"name": "Eve", "phone": "1"}, "billboard")
    assert again["id"] == 2 and again["source"] == "other"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "No Contact"}, "email"),
        ({"name": "  ", "email": "a@example.com"}, "name"),
        ({"email": "a@example.com"}, "name"),
        ({"name": "x" * 201, "phone": "1"}, "name"),
        ({"name": "Bad", "email": "not-an-email"}, "email"),
    ],
)
def test_create_for_refuses_bad_fields(api, owner, fields, field):
    with pytest.raises(InvalidInput) as caught:
        service.create_for(owner.tenant_id, fields, "web")
    assert caught.value.field == field
