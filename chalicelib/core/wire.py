"""The wire format at the API boundary: JSON bodies parsed within bounds, and wire case.

Bodies are parsed only if they nest at most ``MAX_DEPTH`` levels and every number has at
most ``MAX_NUMBER_DIGITS`` digits (checked before and while parsing, so a hostile body is a
400, never a ``RecursionError`` or Python's 4,300-digit limit); ``NaN`` and ``Infinity``
are not JSON. The wire format is snake_case. Clients written against older docs send
camelCase (the seed's own query examples use ``sortBy``, ``dateFrom``, ``groupBy``), so
incoming keys are normalised to snake_case before validation.
"""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.core.errors import BadRequest

MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 30


def _nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text`` (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise BadRequest(f"a number in the body has more than {MAX_NUMBER_DIGITS} digits")
    return int(literal)


def _bounded_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_DIGITS + 10:
        raise BadRequest(f"a number in the body has more than {MAX_NUMBER_DIGITS} digits")
    return float(literal)


def _not_json(constant: str) -> Any:
    raise BadRequest(f"malformed JSON body: {constant} is not a JSON value")


def parse_json(text: str) -> Any:
    """Parse a request body; 400 ``BAD_REQUEST`` for malformed or unbounded JSON."""
    if _nesting_depth(text) > MAX_DEPTH:
        raise BadRequest(f"request body nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(
            text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_not_json
        )
    except json.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON body: {exc.msg} at position {exc.pos}") from exc


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
