"""Unit tests for chalicelib.webhooks.rules.signing (pure, no network, no AWS)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC

import pytest

from chalicelib.webhooks.rules import (
    WebhookValidationError,
    build_payload,
    new_secret,
    secret_key_bytes,
    sign,
    signature_headers,
    signing,
    verify,
)

# Fixed 32-byte secret for deterministic tests.
KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()


# ---------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------


def test_new_secret_format_and_roundtrip():
    s = new_secret()
    assert s.startswith("whsec_")
    encoded = s[len("whsec_") :]
    assert encoded.endswith("=")  # 32 bytes -> 44 chars with one '=' pad
    assert len(encoded) == 44
    raw = secret_key_bytes(s)
    assert len(raw) == 32
    assert base64.b64encode(raw).decode() == encoded


def test_new_secret_uses_token_bytes(monkeypatch):
    monkeypatch.setattr(signing.secrets, "token_bytes", lambda n: b"\x01" * n)
    assert new_secret() == "whsec_" + base64.b64encode(b"\x01" * 32).decode()


def test_new_secret_unique():
    assert len({new_secret() for _ in range(50)}) == 50


def test_secret_key_bytes_decodes():
    assert secret_key_bytes(SECRET) == KEY


@pytest.mark.parametrize(
    "bad",
    [
        None,
        b"whsec_AAAA",
        "",
        "whsec_",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",  # no prefix
        "WHSEC_" + base64.b64encode(KEY).decode(),
        "whsec_not base64!!",
        "whsec_" + base64.b64encode(KEY).decode().rstrip("="),  # missing padding
        "whsec_" + base64.urlsafe_b64encode(b"\xff" * 32).decode(),  # urlsafe alphabet
        "whsec_" + base64.b64encode(b"short").decode(),  # too few bytes
        "whsec_" + base64.b64encode(b"x" * 65).decode(),  # too many bytes
        "whsec_é",
    ],
)
def test_secret_key_bytes_rejects_malformed(bad):
    with pytest.raises(WebhookValidationError):
        secret_key_bytes(bad)


# ---------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------

MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
TS = 1_700_000_000
BODY = b'{"data":{"amount":12345},"type":"sale.created"}'


def _expected(key: bytes, msg_id: str, ts: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def test_sign_matches_manual_hmac():
    assert sign(SECRET, MSG_ID, TS, BODY) == _expected(KEY, MSG_ID, TS, BODY)


def test_sign_str_and_bytes_body_equal():
    assert sign(SECRET, MSG_ID, TS, BODY.decode()) == sign(SECRET, MSG_ID, TS, BODY)
    unicode_body = '{"name":"Café ☕"}'
    assert sign(SECRET, MSG_ID, TS, unicode_body) == sign(
        SECRET, MSG_ID, TS, unicode_body.encode("utf-8")
    )


def test_sign_known_vector_from_standard_webhooks_spec():
    # Test vector used by the reference implementations.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    ts = 1614265330
    body = '{"test": 2432232314}'
    assert sign(secret, msg_id, ts, body) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_sign_differs_with_inputs():
    base = sign(SECRET, MSG_ID, TS, BODY)
    assert sign(SECRET, MSG_ID + "x", TS, BODY) != base
    assert sign(SECRET, MSG_ID, TS + 1, BODY) != base
    assert sign(SECRET, MSG_ID, TS, BODY + b" ") != base
    assert sign(new_secret(), MSG_ID, TS, BODY) != base


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "nope"},
        {"msg_id": ""},
        {"msg_id": None},
        {"msg_id": "has space"},
        {"timestamp": -1},
        {"timestamp": "1700000000"},
        {"timestamp": 1.5},
        {"timestamp": True},
        {"body": None},
        {"body": 123},
    ],
)
def test_sign_rejects_bad_inputs(kwargs):
    args = {"secret": SECRET, "msg_id": MSG_ID, "timestamp": TS, "body": BODY}
    args.update(kwargs)
    with pytest.raises(WebhookValidationError):
        sign(**args)


def test_signature_headers():
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    assert headers == {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(TS),
        "webhook-signature": sign(SECRET, MSG_ID, TS, BODY),
    }
    assert all(isinstance(v, str) for v in headers.values())


def test_signature_headers_bad_secret():
    with pytest.raises(WebhookValidationError):
        signature_headers("whsec_!!", MSG_ID, TS, BODY)


def test_verify_roundtrip():
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    assert verify(SECRET, headers, BODY, now=TS) is True
    assert verify(SECRET, headers, BODY.decode(), now=TS) is True


def test_verify_header_names_case_insensitive():
    headers = {k.title(): v for k, v in signature_headers(SECRET, MSG_ID, TS, BODY).items()}
    assert "Webhook-Signature" in headers
    assert verify(SECRET, headers, BODY, now=TS)


def test_verify_tolerance():
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    assert verify(SECRET, headers, BODY, now=TS + 300)
    assert verify(SECRET, headers, BODY, now=TS - 300)
    assert not verify(SECRET, headers, BODY, now=TS + 301)
    assert not verify(SECRET, headers, BODY, now=TS - 301)
    assert verify(SECRET, headers, BODY, now=TS + 1000, tolerance_s=1000)
    assert not verify(SECRET, headers, BODY, now=TS + 11, tolerance_s=10)


def test_verify_multiple_signatures():
    other = new_secret()
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    good = headers["webhook-signature"]
    bad = sign(other, MSG_ID, TS, BODY)
    headers["webhook-signature"] = f"v2,abc {bad} v1,!!notb64 {good}"
    assert verify(SECRET, headers, BODY, now=TS)
    assert verify(other, headers, BODY, now=TS)
    headers["webhook-signature"] = f"{bad}  v1a,xyz"
    assert not verify(SECRET, headers, BODY, now=TS)


def test_verify_rejects_wrong_version_prefix():
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v1a,")
    assert not verify(SECRET, headers, BODY, now=TS)


def test_verify_rejects_tampering():
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    assert not verify(SECRET, headers, BODY + b"x", now=TS)
    assert not verify(new_secret(), headers, BODY, now=TS)
    assert not verify(SECRET, {**headers, "webhook-id": "msg_other"}, BODY, now=TS)
    assert not verify(SECRET, {**headers, "webhook-timestamp": str(TS + 1)}, BODY, now=TS)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_missing_header(missing):
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    del headers[missing]
    assert verify(SECRET, headers, BODY, now=TS) is False


@pytest.mark.parametrize("ts", ["", "abc", "1.5", "-5", "１２３", " 1700000000"])
def test_verify_malformed_timestamp(ts):
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    headers["webhook-timestamp"] = ts
    assert verify(SECRET, headers, BODY, now=TS) is False


@pytest.mark.parametrize("sig", ["", "v1", "v1,", "garbage", "v1,é"])
def test_verify_malformed_signature_header(sig):
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    headers["webhook-signature"] = sig
    assert verify(SECRET, headers, BODY, now=TS) is False


def test_verify_non_mapping_headers_and_bad_body():
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    assert verify(SECRET, None, BODY, now=TS) is False  # type: ignore[arg-type]
    assert verify(SECRET, headers, None, now=TS) is False  # type: ignore[arg-type]


def test_verify_malformed_secret_raises():
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    with pytest.raises(WebhookValidationError):
        verify("not-a-secret", headers, BODY, now=TS)


def test_verify_uses_constant_time_compare(monkeypatch):
    calls = []
    real = signing.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(signing.hmac, "compare_digest", spy)
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    assert verify(SECRET, headers, BODY, now=TS)
    assert calls


# --- interoperability with the official standardwebhooks library (tests only)


def test_our_signature_verifies_with_official_library():
    from standardwebhooks.webhooks import Webhook

    secret = new_secret()
    body = build_payload(
        "evt_1", "sale.created", "2024-01-02T03:04:05Z", {"amount_cents": 1999, "name": "Café"}
    )
    headers = signature_headers(secret, "msg_abc123", int(time.time()), body)
    parsed = Webhook(secret).verify(body, headers)
    assert parsed["data"]["amount_cents"] == 1999
    assert parsed["type"] == "sale.created"


def test_official_library_signature_verifies_with_ours():
    from datetime import datetime

    from standardwebhooks.webhooks import Webhook

    secret = new_secret()
    now = int(time.time())
    body = '{"hello":"world"}'
    official_sig = Webhook(secret).sign("msg_xyz", datetime.fromtimestamp(now, tz=UTC), body)
    assert official_sig == sign(secret, "msg_xyz", now, body)
    headers = {
        "webhook-id": "msg_xyz",
        "webhook-timestamp": str(now),
        "webhook-signature": official_sig,
    }
    assert verify(secret, headers, body, now=now)


def test_official_library_rejects_tampered_body():
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    secret = new_secret()
    headers = signature_headers(secret, "msg_abc", int(time.time()), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)


# ---------------------------------------------------------------------------
# Payload
# ---------------------------------------------------------------------------


def test_build_payload_shape_and_bytes():
    out = build_payload(
        "evt_1",
        "sale.created",
        "2024-05-01T10:00:00+00:00",
        {"total": 12345, "b": [1, 2], "a": None},
    )
    assert isinstance(out, bytes)
    assert out == (
        b'{"created_at":"2024-05-01T10:00:00+00:00","data":{"a":null,"b":[1,2],"total":12345},'
        b'"id":"evt_1","type":"sale.created"}'
    )
    decoded = json.loads(out)
    assert set(decoded) == {"type", "id", "created_at", "data"}
    assert isinstance(decoded["data"]["total"], int)


def test_build_payload_deterministic_regardless_of_key_order():
    a = build_payload("e", "sale.approved", "2024-05-01T10:00:00Z", {"x": 1, "y": {"b": 2, "a": 1}})
    b = build_payload("e", "sale.approved", "2024-05-01T10:00:00Z", {"y": {"a": 1, "b": 2}, "x": 1})
    assert a == b
    assert b" " not in a


def test_build_payload_money_stays_integer():
    out = build_payload("e", "commission.calculated", "2024-05-01", {"amount_cents": 10**15 + 1})
    assert b'"amount_cents":1000000000000001' in out
    assert json.loads(out)["data"]["amount_cents"] == 10**15 + 1


def test_build_payload_non_ascii_escaped():
    out = build_payload("e", "sale.created", "2024-05-01T10:00:00Z", {"name": "Café"})
    assert out.isascii()
    assert json.loads(out)["data"]["name"] == "Café"


def test_build_payload_rejects_decimal_and_nan():
    from decimal import Decimal

    with pytest.raises(WebhookValidationError, match="integer"):
        build_payload("e", "sale.created", "2024-05-01T10:00:00Z", {"amount": Decimal("1.10")})
    with pytest.raises(WebhookValidationError):
        build_payload("e", "sale.created", "2024-05-01T10:00:00Z", {"x": float("nan")})
    with pytest.raises(WebhookValidationError):
        build_payload("e", "sale.created", "2024-05-01T10:00:00Z", {"x": object()})


@pytest.mark.parametrize(
    "args",
    [
        ("", "sale.created", "2024-05-01T10:00:00Z", {}),
        (None, "sale.created", "2024-05-01T10:00:00Z", {}),
        ("e", "sale.deleted", "2024-05-01T10:00:00Z", {}),
        ("e", None, "2024-05-01T10:00:00Z", {}),
        ("e", "sale.created", "yesterday", {}),
        ("e", "sale.created", "", {}),
        ("e", "sale.created", 1714557600, {}),
        ("e", "sale.created", "2024-05-01T10:00:00Z", [1, 2]),
        ("e", "sale.created", "2024-05-01T10:00:00Z", None),
        ("e", "sale.created", "2024-05-01T10:00:00Z", "str"),
    ],
)
def test_build_payload_rejects_bad_inputs(args):
    with pytest.raises(WebhookValidationError):
        build_payload(*args)
