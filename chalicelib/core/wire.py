"""The wire format at the API boundary: JSON bodies parsed within bounds, and wire case.

A body is refused before it is parsed when it is larger than ``MAX_BODY_BYTES`` (413
``PAYLOAD_TOO_LARGE``; the app checks this for every route, ``check_body_size``) or is not
valid UTF-8 (400). It is parsed only if it nests at most ``MAX_DEPTH`` levels and no
number has more than ``MAX_NUMBER_DIGITS`` digits (checked on the text outside string
literals before parsing, at C speed, so a hostile body is a 400, never a
``RecursionError`` or Python's 4,300-digit limit); ``NaN`` and ``Infinity`` are not JSON.
Parsed values that no client or store can hold are 422 ``VALIDATION_ERROR`` naming the
field: strings (values or keys) with NUL (``\\u0000``) or an unpaired surrogate
(``\\ud800``: not Unicode, cannot be encoded as UTF-8), and numbers past
``MAX_SAFE_INTEGER`` (2**53 - 1: a JavaScript client would silently round them).

The wire format is snake_case. Clients written against older docs send camelCase (the
seed's own query examples use ``sortBy``, ``dateFrom``, ``groupBy``), so incoming keys are
normalised to snake_case before validation.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from chalicelib.core.errors import BadRequest, PayloadTooLarge, ValidationFailed

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB; API Gateway's own limit is 10 MB
MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 30
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


def check_body_size(raw: bytes | str | None) -> None:
    """413 ``PAYLOAD_TOO_LARGE`` for a body of more than ``MAX_BODY_BYTES``."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw or b"")
    if size > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"request body is {size} bytes; at most {MAX_BODY_BYTES} bytes (1 MiB) are accepted"
        )


def decode_body(raw: bytes | None) -> str:
    """The body as text: bounded in size (413) and strictly UTF-8 (400), stripped."""
    check_body_size(raw)
    try:
        return (raw or b"").decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise BadRequest(f"request body is not valid UTF-8 (byte {exc.start})") from exc


def unsafe_text(text: str) -> str | None:
    """Why ``text`` cannot be accepted (NUL, unpaired surrogate), or None."""
    found = _UNSAFE_TEXT.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain NUL characters (\\u0000)"
    return "must be valid Unicode (no unpaired surrogate \\ud800-\\udfff)"


def _shown(key: str) -> str:
    """A key as it can be echoed in a message (NUL and surrogates escaped)."""
    return json.dumps(key)[1:-1] if _UNSAFE_TEXT.search(key) else key


def _problem(value: Any) -> tuple[list[str], str] | None:
    """The path to and reason of the first string with NUL or an unpaired surrogate, or
    number past ``MAX_SAFE_INTEGER``; None when there is none (depth is bounded)."""
    if isinstance(value, str):
        reason = unsafe_text(value)
        return ([], reason) if reason else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if abs(value) > MAX_SAFE_INTEGER:
            return [], f"numbers must be between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(key, str):
            reason = unsafe_text(key)
            if reason:
                return [_shown(key)], "a key " + reason
        found = _problem(item)
        if found:
            found[0].insert(0, str(key))
            return found
    return None


def check_values(value: Any) -> None:
    """422 ``VALIDATION_ERROR`` naming the first value ``_problem`` finds."""
    found = _problem(value)
    if found:
        path, message = found
        field = ".".join(path) or "body"
        raise ValidationFailed(
            f"{field}: {message}", details=[{"field": field, "message": message}]
        )


# A JSON string literal (to the end of the text when unterminated). Removed at C speed,
# what is left is the JSON outside strings, where brackets and numbers are looked for in
# its bytes with every digit made a 0 (no regular expression walks the numbers).
_STRING = re.compile(r'"[^"\\]*(?:\\.?[^"\\]*)*(?:"|\Z)', re.DOTALL)
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_TOO_MANY_DIGITS = b"0" * (MAX_NUMBER_DIGITS + 1)
# Numbers that may be past MAX_SAFE_INTEGER (16 digits or more, or an exponent) and
# escapes that may decode to NUL or a surrogate: only then are the values walked (raw NUL
# is not JSON, and valid UTF-8 holds no surrogates).
_SUSPECT_NUMBERS = (b"0" * 16, b"0e", b"0E")
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _outside_strings(text: str) -> bytes:
    """``text`` without its string literals, as bytes, every digit a ``0``."""
    outside = _STRING.sub("", text).encode("utf-8", "surrogatepass")
    return outside.translate(_DIGITS_AS_ZERO)


def _nesting_depth(outside: bytes) -> int:
    """The deepest nesting of arrays and objects in ``outside`` (``_outside_strings``)."""
    brackets = outside.translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets))))


def _not_json(constant: str) -> Any:
    raise BadRequest(f"malformed JSON body: {constant} is not a JSON value")


def parse_json(text: str) -> Any:
    """Parse a request body; 400 ``BAD_REQUEST`` for malformed or unbounded JSON (checked
    on the text before parsing), 422 ``VALIDATION_ERROR`` for values out of bounds
    (``check_values``, when the text holds a suspect number or escape)."""
    outside = _outside_strings(text)
    if _nesting_depth(outside) > MAX_DEPTH:
        raise BadRequest(f"request body nests deeper than {MAX_DEPTH} levels")
    if _TOO_MANY_DIGITS in outside:
        raise BadRequest(f"a number in the body has more than {MAX_NUMBER_DIGITS} digits")
    try:
        data = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON body: {exc.msg} at position {exc.pos}") from exc
    if any(part in outside for part in _SUSPECT_NUMBERS) or _SUSPECT_ESCAPE.search(text):
        check_values(data)
    return data


def parse_body(raw: bytes | None) -> Any:
    """A request body as JSON data (an empty body is ``{}``): ``decode_body`` then
    ``parse_json``."""
    text = decode_body(raw)
    return parse_json(text) if text else {}


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
