"""PATCH bodies: only the fields the client sent change."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chalicelib.core.errors import ValidationFailed


def changes_of(body: BaseModel, not_null: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the client sent (``null`` included, meaning "clear"); ``null`` is a 422
    naming the field where a value is required."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    for name in not_null:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name}: may not be null",
                                   details=[{"field": name, "message": "may not be null"}])
    return changes
