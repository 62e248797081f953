"""Wire-case conversion at the API boundary.

The wire format is snake_case. Clients written against older docs send camelCase
(the seed's own query examples use ``sortBy``, ``dateFrom``, ``groupBy``), so incoming
keys are normalised to snake_case before validation.
"""

from __future__ import annotations

import re
from typing import Any

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")


def to_snake(name: str) -> str:
    """``dateFrom`` -> ``date_from``; snake_case passes through unchanged."""
    return _CAMEL_BOUNDARY.sub(r"_\1", name).lower()


def to_camel(name: str) -> str:
    """``date_from`` -> ``dateFrom``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake_keys(value: Any) -> Any:
    """Recursively convert dict keys to snake_case (lists are walked, values kept)."""
    if isinstance(value, dict):
        return {to_snake(k) if isinstance(k, str) else k: snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value
