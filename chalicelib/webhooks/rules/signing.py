"""Endpoint secrets, `Standard Webhooks <https://www.standardwebhooks.com>`_ signing and
verification, and the deterministic payload they cover.

Standard library only (the CSPRNG of :func:`new_secret` is its one side effect):

* endpoint secrets (:func:`new_secret`, :func:`secret_key_bytes`);
* signing and verification (:func:`sign`, :func:`signature_headers`, :func:`verify`);
* deterministic payload serialisation (:func:`build_payload`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.webhooks.rules.events import EVENT_TYPES, WebhookValidationError

# ---------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------

SECRET_PREFIX = "whsec_"
"""Prefix of every endpoint signing secret (Standard Webhooks convention)."""

_SECRET_NUM_BYTES = 32
_SECRET_MIN_BYTES = 24  # Standard Webhooks: secrets are 24..64 random bytes
_SECRET_MAX_BYTES = 64


def new_secret() -> str:
    """Generate a new endpoint signing secret.

    :returns: ``"whsec_"`` followed by the standard (padded) base64 encoding of
        32 bytes from :func:`secrets.token_bytes`.
    """
    raw = secrets.token_bytes(_SECRET_NUM_BYTES)
    return SECRET_PREFIX + base64.b64encode(raw).decode("ascii")


def secret_key_bytes(secret: str) -> bytes:
    """Decode a ``whsec_`` secret into the raw HMAC key bytes.

    The part after the prefix must be strict, padded, standard base64 and
    decode to between 24 and 64 bytes (Standard Webhooks limits).

    :raises WebhookValidationError: if the secret is not a string, lacks the
        ``whsec_`` prefix, is not valid base64, or has an invalid key length.
    """
    if not isinstance(secret, str):
        raise WebhookValidationError("webhook secret must be a string")
    if not secret.startswith(SECRET_PREFIX):
        raise WebhookValidationError(f"webhook secret must start with {SECRET_PREFIX!r}")
    encoded = secret[len(SECRET_PREFIX) :]
    if not encoded:
        raise WebhookValidationError("webhook secret is empty")
    try:
        raw = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise WebhookValidationError("webhook secret is not valid base64") from exc
    if not _SECRET_MIN_BYTES <= len(raw) <= _SECRET_MAX_BYTES:
        raise WebhookValidationError(
            f"webhook secret must decode to {_SECRET_MIN_BYTES}-{_SECRET_MAX_BYTES} bytes, "
            f"got {len(raw)}"
        )
    return raw


# ---------------------------------------------------------------------------
# Standard Webhooks signing
# ---------------------------------------------------------------------------

SIGNATURE_VERSION = "v1"
"""Signature scheme identifier (HMAC-SHA256, symmetric)."""

DEFAULT_TOLERANCE_S = 300
"""Default maximum clock skew accepted by :func:`verify` (5 minutes)."""

Body = bytes | str


def _check_msg_id(msg_id: str) -> None:
    if not isinstance(msg_id, str) or not msg_id:
        raise WebhookValidationError("msg_id must be a non-empty string")
    if any(c.isspace() for c in msg_id):
        raise WebhookValidationError("msg_id must not contain whitespace")


def _check_timestamp(timestamp: int) -> None:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise WebhookValidationError("timestamp must be an integer number of seconds")
    if timestamp < 0:
        raise WebhookValidationError("timestamp must not be negative")


def _body_bytes(body: Body) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise WebhookValidationError("body must be bytes or str")


def _raw_signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    signed_content = f"{msg_id}.{timestamp}.".encode() + body
    return hmac.new(key, signed_content, hashlib.sha256).digest()


def sign(secret: str, msg_id: str, timestamp: int, body: Body) -> str:
    """Compute a Standard Webhooks ``v1`` signature.

    The signed content is ``f"{msg_id}.{timestamp}.{body}"`` (UTF-8; a bytes
    body is appended verbatim), HMAC-SHA256 keyed with the decoded secret.

    :param secret: endpoint secret (``whsec_...``).
    :param msg_id: unique message id, sent as ``webhook-id``; identical across
        retries of the same message so receivers can de-duplicate.
    :param timestamp: Unix time in seconds of this delivery attempt.
    :param body: the exact request body that will be sent.
    :returns: ``"v1,<base64 signature>"``.
    :raises WebhookValidationError: on a malformed secret or invalid inputs.
    """
    key = secret_key_bytes(secret)
    _check_msg_id(msg_id)
    _check_timestamp(timestamp)
    digest = _raw_signature(key, msg_id, timestamp, _body_bytes(body))
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_headers(secret: str, msg_id: str, timestamp: int, body: Body) -> dict[str, str]:
    """Build the three Standard Webhooks request headers.

    :returns: ``{"webhook-id": ..., "webhook-timestamp": ..., "webhook-signature": ...}``.
    :raises WebhookValidationError: as for :func:`sign`.
    """
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: Body,
    now: float,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """Verify a Standard Webhooks signed message.

    Header names are matched case-insensitively. ``webhook-signature`` may hold
    several space-separated ``version,signature`` entries (e.g. during secret
    rotation); the message is valid if any ``v1`` entry matches. Comparison is
    constant-time (:func:`hmac.compare_digest`).

    :param now: current Unix time in seconds.
    :param tolerance_s: maximum allowed ``|now - webhook-timestamp|``.
    :returns: ``True`` if headers are present, the timestamp is within
        tolerance and a signature matches; ``False`` otherwise.
    :raises WebhookValidationError: if ``secret`` itself is malformed (a
        configuration error, not a property of the message).
    """
    key = secret_key_bytes(secret)
    if not isinstance(headers, Mapping):
        return False
    lowered = {str(k).lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    ts_header = lowered.get("webhook-timestamp")
    sig_header = lowered.get("webhook-signature")
    if not (isinstance(msg_id, str) and isinstance(ts_header, str) and isinstance(sig_header, str)):
        return False
    if not msg_id or not ts_header.isascii() or not ts_header.isdigit():
        return False
    timestamp = int(ts_header)
    if abs(now - timestamp) > tolerance_s:
        return False
    try:
        body_bytes = _body_bytes(body)
    except WebhookValidationError:
        return False

    expected = _raw_signature(key, msg_id, timestamp, body_bytes)
    matched = False
    for entry in sig_header.split():
        version, sep, encoded = entry.partition(",")
        if not sep or version != SIGNATURE_VERSION:
            continue
        try:
            candidate = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            continue
        # No early exit: keep the work independent of which entry matched.
        if hmac.compare_digest(expected, candidate):
            matched = True
    return matched


# ---------------------------------------------------------------------------
# Payload
# ---------------------------------------------------------------------------


def build_payload(
    event_id: str, event_type: str, created_at_iso: str, data: Mapping[str, Any]
) -> bytes:
    """Serialise a webhook body deterministically.

    The JSON object has the keys ``type``, ``id``, ``created_at`` and ``data``
    and is encoded with compact separators, sorted keys and ASCII escaping, so
    the same inputs always give byte-identical output (important because the
    signature covers the exact bytes). Values are not converted: money amounts
    must already be integers (minor units) and stay integers. ``Decimal`` and
    other non-JSON types, as well as NaN/Infinity, are rejected rather than
    coerced to floats.

    :raises WebhookValidationError: on an empty ``event_id``, unknown
        ``event_type``, non-ISO-8601 ``created_at_iso``, non-mapping ``data``
        or data that cannot be represented exactly in JSON.
    """
    if not isinstance(event_id, str) or not event_id:
        raise WebhookValidationError("event_id must be a non-empty string")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise WebhookValidationError(f"unknown event type: {event_type!r}")
    if not isinstance(created_at_iso, str) or not created_at_iso:
        raise WebhookValidationError("created_at must be an ISO-8601 string")
    try:
        datetime.fromisoformat(created_at_iso)
    except ValueError as exc:
        raise WebhookValidationError(f"created_at is not ISO-8601: {created_at_iso!r}") from exc
    if not isinstance(data, Mapping):
        raise WebhookValidationError("data must be a JSON object (mapping)")

    envelope = {
        "type": event_type,
        "id": event_id,
        "created_at": created_at_iso,
        "data": dict(data),
    }
    try:
        text = json.dumps(envelope, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WebhookValidationError(
            f"payload data is not JSON-serialisable ({exc}); "
            "money must be integer minor units, not Decimal/float-like objects"
        ) from exc
    return text.encode("utf-8")
