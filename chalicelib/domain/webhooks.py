"""Pure, AWS-free building blocks for outbound webhook delivery.

Everything here is standard library only and side-effect free (apart from the
default DNS resolver used by :func:`validate_url` and the CSPRNG used by
:func:`new_secret`), so it can be unit-tested without network or AWS access.

Contents:

* the event catalogue (:data:`EVENT_TYPES`, :func:`validate_event_types`);
* endpoint secrets (:func:`new_secret`, :func:`secret_key_bytes`);
* `Standard Webhooks <https://www.standardwebhooks.com>`_ signing and
  verification (:func:`sign`, :func:`signature_headers`, :func:`verify`);
* deterministic payload serialisation (:func:`build_payload`);
* SSRF-safe endpoint URL validation (:func:`validate_url`);
* the retry schedule (:class:`RetryPolicy`, :func:`split_delay`);
* response classification (:func:`classify_response`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import random
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Union
from urllib.parse import urlsplit

__all__ = [
    "EVENT_TYPES",
    "SECRET_PREFIX",
    "SIGNATURE_VERSION",
    "DEFAULT_TOLERANCE_S",
    "SQS_MAX_DELAY_SECONDS",
    "MAX_URL_LENGTH",
    "WebhookValidationError",
    "DeliveryOutcome",
    "Resolver",
    "validate_event_types",
    "new_secret",
    "secret_key_bytes",
    "sign",
    "signature_headers",
    "verify",
    "build_payload",
    "validate_url",
    "default_resolver",
    "RetryPolicy",
    "split_delay",
    "classify_response",
]


class WebhookValidationError(ValueError):
    """Raised when webhook input (events, secret, URL, payload) is invalid.

    Subclasses :class:`ValueError`; the message is safe to show to API clients.
    """


# ---------------------------------------------------------------------------
# Event catalogue
# ---------------------------------------------------------------------------

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "sale.created",
        "sale.approved",
        "sale.rejected",
        "dispatch.created",
        "dispatch.assigned",
        "dispatch.completed",
        "commission.calculated",
        "payment.reconciled",
        "agreement.renewed",
        "agreement.expired",
        "inventory.low-stock",
    }
)
"""Every event type a webhook endpoint may subscribe to."""


def validate_event_types(events: list[str]) -> list[str]:
    """Validate a subscription's event list and return it de-duplicated.

    Order of first occurrence is preserved. Matching is exact and
    case-sensitive. The wildcard ``"*"`` is deliberately **not** supported:
    subscribers must list the events they want, so adding a new event type
    never silently starts sending new data to existing endpoints.

    :raises WebhookValidationError: if ``events`` is not a non-empty list of
        strings, or names events not in :data:`EVENT_TYPES` (all unknown
        names are reported).
    """
    if not isinstance(events, (list, tuple)):
        raise WebhookValidationError("events must be a list of event type strings")
    if not events:
        raise WebhookValidationError("events must contain at least one event type")
    non_strings = [e for e in events if not isinstance(e, str)]
    if non_strings:
        raise WebhookValidationError("events must be a list of event type strings")

    result: list[str] = []
    seen: set[str] = set()
    unknown: list[str] = []
    for event in events:
        if event in seen:
            continue
        seen.add(event)
        if event in EVENT_TYPES:
            result.append(event)
        else:
            unknown.append(event)
    if unknown:
        hint = " (wildcard '*' is not supported)" if "*" in unknown else ""
        raise WebhookValidationError(
            "unknown event type(s): "
            + ", ".join(repr(e) for e in unknown)
            + hint
            + "; valid types are: "
            + ", ".join(sorted(EVENT_TYPES))
        )
    return result


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
            f"webhook secret must decode to {_SECRET_MIN_BYTES}-{_SECRET_MAX_BYTES} bytes, got {len(raw)}"
        )
    return raw


# ---------------------------------------------------------------------------
# Standard Webhooks signing
# ---------------------------------------------------------------------------

SIGNATURE_VERSION = "v1"
"""Signature scheme identifier (HMAC-SHA256, symmetric)."""

DEFAULT_TOLERANCE_S = 300
"""Default maximum clock skew accepted by :func:`verify` (5 minutes)."""

Body = Union[bytes, str]


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
    signed_content = f"{msg_id}.{timestamp}.".encode("utf-8") + body
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


def build_payload(event_id: str, event_type: str, created_at_iso: str, data: Mapping[str, Any]) -> bytes:
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


# ---------------------------------------------------------------------------
# URL validation (SSRF)
# ---------------------------------------------------------------------------

MAX_URL_LENGTH = 2048
"""Maximum accepted endpoint URL length."""

Resolver = Callable[[str], list[str]]
"""Maps a host name to the list of IP address strings it resolves to."""

_BLOCKED_HOSTNAMES = frozenset({"localhost", "metadata.google.internal", "metadata"})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def default_resolver(host: str) -> list[str]:
    """Resolve ``host`` with :func:`socket.getaddrinfo` (all families).

    :returns: unique IP address strings in resolver order.
    :raises OSError: (``socket.gaierror``) if the name cannot be resolved.
    """
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    result: list[str] = []
    for info in infos:
        ip = str(info[4][0])
        if ip not in result:
            result.append(ip)
    return result


def _blocked_reason(ip: IPAddress) -> str | None:
    """Return why ``ip`` must not be contacted, or ``None`` if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is reached as a.b.c.d: judge it by the IPv4 address.
            inner = _blocked_reason(ip.ipv4_mapped)
            return None if inner is None else f"IPv4-mapped {ip.ipv4_mapped}: {inner}"
        embedded: ipaddress.IPv4Address | None = ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = _blocked_reason(embedded)
            if inner is not None:
                return f"embeds IPv4 {embedded}: {inner}"
        if ip.is_site_local:
            return "site-local"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "carrier-grade NAT"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "not globally routable"
    return None


def _parse_ip(text: str) -> IPAddress | None:
    """Parse an IP literal (dropping any IPv6 zone id), or ``None``."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def validate_url(url: str, *, local_mode: bool, resolver: Resolver | None = None) -> str:
    """Validate a subscriber endpoint URL against SSRF and return it.

    Rules:

    * scheme must be ``https`` (``http`` is also accepted when ``local_mode``);
    * a host is required; userinfo (``user:pass@``) is refused; an explicit
      port is allowed (1-65535); no whitespace/control characters; at most
      :data:`MAX_URL_LENGTH` characters;
    * outside ``local_mode``, the host names ``localhost`` (and
      ``*.localhost``), ``metadata``, ``metadata.google.internal`` are refused,
      and the host (an IP literal, or every address ``resolver`` returns for
      it) must be publicly routable: private, loopback, link-local (incl.
      169.254.169.254), unspecified, multicast, reserved, carrier-grade NAT
      (100.64/10), IPv6 site-local, and IPv4-mapped/6to4/NAT64 IPv6 forms of
      any of these are refused. If **any** address is non-public the URL is
      refused. An unresolvable host is refused.

    ``local_mode`` skips the host/address checks entirely (local development
    talks to ``localhost``).

    Note: this check alone does not stop DNS rebinding. The delivery worker
    should re-validate right before each send and connect to a validated
    address.

    :param resolver: ``host -> [ip, ...]``; defaults to
        :func:`default_resolver`. Inject a fake in tests.
    :returns: the URL, with surrounding whitespace stripped.
    :raises WebhookValidationError: describing the first rule violated.
    """
    if not isinstance(url, str):
        raise WebhookValidationError("webhook URL must be a string")
    url = url.strip()
    if not url:
        raise WebhookValidationError("webhook URL is required")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookValidationError(f"webhook URL must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise WebhookValidationError("webhook URL must not contain whitespace or control characters")

    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise WebhookValidationError(f"webhook URL is malformed: {exc}") from exc

    scheme = parts.scheme.lower()
    allowed_schemes = ("http", "https") if local_mode else ("https",)
    if scheme not in allowed_schemes:
        raise WebhookValidationError(
            "webhook URL must use https" + (" or http (local mode)" if local_mode else "")
        )
    if "@" in parts.netloc:
        raise WebhookValidationError("webhook URL must not contain credentials (user:pass@)")
    host = parts.hostname
    if not host:
        raise WebhookValidationError("webhook URL must include a host")
    try:
        port = parts.port
    except ValueError as exc:
        raise WebhookValidationError("webhook URL has an invalid port") from exc
    if port is not None and not 1 <= port <= 65535:
        raise WebhookValidationError("webhook URL has an invalid port")
    if parts.netloc.endswith(":"):
        raise WebhookValidationError("webhook URL has an invalid port")

    if local_mode:
        return url

    name = host.lower().rstrip(".")
    if not name:
        raise WebhookValidationError("webhook URL must include a host")
    if name in _BLOCKED_HOSTNAMES or name.endswith(".localhost"):
        raise WebhookValidationError(f"webhook URL host {host!r} is not allowed")

    literal = _parse_ip(name)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        resolve = resolver or default_resolver
        try:
            resolved = list(resolve(name))
        except (OSError, UnicodeError) as exc:
            raise WebhookValidationError(f"webhook URL host {host!r} could not be resolved") from exc
        if not resolved:
            raise WebhookValidationError(f"webhook URL host {host!r} could not be resolved")
        addresses = []
        for text in resolved:
            ip = _parse_ip(str(text))
            if ip is None:
                raise WebhookValidationError(
                    f"webhook URL host {host!r} resolved to an invalid address {text!r}"
                )
            addresses.append(ip)

    for ip in addresses:
        reason = _blocked_reason(ip)
        if reason is not None:
            raise WebhookValidationError(
                f"webhook URL host {host!r} resolves to a non-public address {ip} ({reason})"
            )
    return url


# ---------------------------------------------------------------------------
# Retry policy
# ---------------------------------------------------------------------------

SQS_MAX_DELAY_SECONDS = 900
"""Maximum SQS ``DelaySeconds`` (15 minutes)."""

_DEFAULT_SCHEDULE: tuple[int, ...] = (0, 30, 120, 600, 1800, 3600, 7200, 14400)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential-ish retry schedule for webhook deliveries.

    With the defaults a message gets **8 attempts** (at least 6 required)
    spread over **7 h 42 m 30 s** of base delay (at least 6 hours required):
    immediately, then after 30 s, 2 m, 10 m, 30 m, 1 h, 2 h and 4 h. Each
    non-zero delay is multiplied by a random factor in
    ``[1 - jitter, 1 + jitter]`` (default +-20 %) to avoid thundering herds.

    :ivar max_attempts: total delivery attempts, including the first.
    :ivar schedule: base delay in seconds before attempt ``n`` is
        ``schedule[n - 1]``; attempts beyond its length reuse the last entry.
    :ivar jitter: fractional jitter, ``0 <= jitter < 1``.
    """

    max_attempts: int = 8
    schedule: tuple[int, ...] = _DEFAULT_SCHEDULE
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError("max_attempts must be a positive integer")
        if not isinstance(self.schedule, tuple) or not self.schedule:
            raise ValueError("schedule must be a non-empty tuple of delays")
        for delay in self.schedule:
            if isinstance(delay, bool) or not isinstance(delay, int) or delay < 0:
                raise ValueError("schedule delays must be non-negative integers")
        if not isinstance(self.jitter, (int, float)) or not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def base_delay_seconds(self, attempt_number: int) -> int | None:
        """Un-jittered delay before attempt ``attempt_number`` (1-based).

        :returns: ``None`` when ``attempt_number > max_attempts``.
        :raises ValueError: if ``attempt_number < 1``.
        """
        if isinstance(attempt_number, bool) or not isinstance(attempt_number, int):
            raise ValueError("attempt_number must be an integer")
        if attempt_number < 1:
            raise ValueError("attempt_number must be >= 1")
        if attempt_number > self.max_attempts:
            return None
        index = min(attempt_number, len(self.schedule)) - 1
        return self.schedule[index]

    def next_delay_seconds(self, attempt_number: int, rng: random.Random) -> int | None:
        """Jittered delay in seconds before attempt ``attempt_number`` (1-based).

        Attempt 1 is the first delivery (delay 0 by default). After attempt
        ``n`` fails, the worker calls ``next_delay_seconds(n + 1, rng)``;
        ``None`` means the attempts are exhausted and the message should be
        dead-lettered. Deterministic for a seeded ``rng``.

        :raises ValueError: if ``attempt_number < 1``.
        """
        base = self.base_delay_seconds(attempt_number)
        if base is None:
            return None
        if base == 0 or self.jitter == 0:
            return base
        factor = 1.0 + rng.uniform(-self.jitter, self.jitter)
        return max(0, int(round(base * factor)))

    def total_schedule_seconds(self) -> int:
        """Sum of the un-jittered delays over all ``max_attempts`` attempts."""
        total = 0
        for attempt in range(1, self.max_attempts + 1):
            total += self.base_delay_seconds(attempt) or 0
        return total


def split_delay(total_seconds: int) -> tuple[int, int]:
    """Split a wait into what SQS can delay now and what is left.

    SQS ``DelaySeconds`` is capped at :data:`SQS_MAX_DELAY_SECONDS` (900 s), so
    a multi-hour wait is done by re-enqueueing the message with
    ``sqs_delay_now`` and the ``remaining_seconds`` carried in the message,
    repeating until nothing remains.

    :returns: ``(sqs_delay_now, remaining_seconds)`` with
        ``0 <= sqs_delay_now <= 900`` and
        ``sqs_delay_now + remaining_seconds == total_seconds``.
    :raises ValueError: if ``total_seconds`` is not a non-negative integer.
    """
    if isinstance(total_seconds, bool) or not isinstance(total_seconds, int):
        raise ValueError("total_seconds must be an integer")
    if total_seconds < 0:
        raise ValueError("total_seconds must not be negative")
    now = min(total_seconds, SQS_MAX_DELAY_SECONDS)
    return now, total_seconds - now


# ---------------------------------------------------------------------------
# Response classification
# ---------------------------------------------------------------------------

DeliveryOutcome = Literal["success", "retry", "disable"]


def classify_response(status_code: int | None, timed_out: bool) -> DeliveryOutcome:
    """Decide what to do after a delivery attempt.

    * ``timed_out`` or ``status_code is None`` (connection error) -> ``"retry"``;
    * any 2xx -> ``"success"``;
    * 410 Gone -> ``"disable"`` (the receiver asked us to stop; disable the
      endpoint and do not retry);
    * anything else (3xx, 4xx, 5xx, nonsense codes) -> ``"retry"``.

    :raises TypeError: if ``status_code`` is neither ``None`` nor an ``int``.
    """
    if status_code is not None and (isinstance(status_code, bool) or not isinstance(status_code, int)):
        raise TypeError("status_code must be an int or None")
    if timed_out or status_code is None:
        return "retry"
    if 200 <= status_code <= 299:
        return "success"
    if status_code == 410:
        return "disable"
    return "retry"
