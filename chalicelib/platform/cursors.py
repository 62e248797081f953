"""Opaque list cursors: where the next page of one list starts, signed so that a client
can hand it back but not forge, alter or reuse it on another list or tenant.

A cursor is ``<payload>.<mac>`` in base64url: the payload holds the offset of the next
entry and the key of the last entry returned (a Query's exclusive start key); the MAC
(HMAC-SHA256 under a key derived from the signing secret) also covers the list's
*binding*: the tenant, the scope and every filter. Anything that does not verify is 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from chalicelib.core.errors import BadRequest
from chalicelib.core.settings import get_settings

MAX_LENGTH = 1024
_MAC_BYTES = 16


@dataclass(frozen=True)
class Position:
    """The next page starts after the entry with key ``key`` (attribute -> string value)
    and sort value ``sort``, at ``offset`` (0-based) in the list."""

    offset: int
    sort: str
    key: dict[str, str]


def _mac(binding: str, payload: bytes) -> bytes:
    secret = hashlib.sha256(b"tradekitt list cursor\0" + get_settings().signing_key().encode())
    message = hashlib.sha256(binding.encode()).digest() + payload
    return hmac.new(secret.digest(), message, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(binding: str, position: Position) -> str:
    payload = json.dumps(
        {"o": position.offset, "s": position.sort, "k": position.key},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    return f"{_b64(payload)}.{_b64(_mac(binding, payload))}"


def _invalid() -> BadRequest:
    return BadRequest(
        "cursor is not valid for this list (it comes from another list, filter or tenant, or was altered)"
    )


def read(token: str, binding: str) -> Position:
    """The position a cursor of this list names; 400 for anything else."""
    if len(token) > MAX_LENGTH or token.count(".") != 1:
        raise _invalid()
    body, mac = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(mac)
    except (binascii.Error, ValueError) as exc:
        raise _invalid() from exc
    if not hmac.compare_digest(given, _mac(binding, payload)):
        raise _invalid()
    data = json.loads(payload)
    return Position(offset=int(data["o"]), sort=str(data["s"]), key=dict(data["k"]))
