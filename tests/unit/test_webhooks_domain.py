"""Unit tests for chalicelib.domain.webhooks (pure, no network, no AWS)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import socket
import time

import pytest

from chalicelib.domain import webhooks as wh
from chalicelib.domain.webhooks import (
    EVENT_TYPES,
    RetryPolicy,
    WebhookValidationError,
    build_payload,
    classify_response,
    new_secret,
    secret_key_bytes,
    sign,
    signature_headers,
    split_delay,
    validate_event_types,
    validate_url,
    verify,
)

# Fixed 32-byte secret for deterministic tests.
KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()


# ---------------------------------------------------------------------------
# Event catalogue
# ---------------------------------------------------------------------------


def test_event_types_exact():
    assert EVENT_TYPES == frozenset(
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
    assert isinstance(EVENT_TYPES, frozenset)


def test_validate_event_types_dedupes_preserving_order():
    events = ["sale.created", "dispatch.completed", "sale.created", "inventory.low-stock", "dispatch.completed"]
    assert validate_event_types(events) == ["sale.created", "dispatch.completed", "inventory.low-stock"]


def test_validate_event_types_all():
    assert set(validate_event_types(sorted(EVENT_TYPES))) == EVENT_TYPES


def test_validate_event_types_does_not_mutate_input():
    events = ["sale.created", "sale.created"]
    validate_event_types(events)
    assert events == ["sale.created", "sale.created"]


def test_validate_event_types_empty():
    with pytest.raises(WebhookValidationError, match="at least one"):
        validate_event_types([])


def test_validate_event_types_unknown_names_all_reported():
    with pytest.raises(WebhookValidationError) as exc:
        validate_event_types(["sale.created", "sale.deleted", "bogus"])
    msg = str(exc.value)
    assert "'sale.deleted'" in msg and "'bogus'" in msg
    assert "'sale.created'," not in msg.split(";")[0]


@pytest.mark.parametrize("bad", ["*", "SALE.CREATED", " sale.created", "sale.*", ""])
def test_validate_event_types_rejects_wildcard_and_near_misses(bad):
    with pytest.raises(WebhookValidationError):
        validate_event_types([bad])


def test_validate_event_types_wildcard_message():
    with pytest.raises(WebhookValidationError, match="wildcard"):
        validate_event_types(["*"])


@pytest.mark.parametrize("bad", [None, "sale.created", {"sale.created"}, [1], ["sale.created", None]])
def test_validate_event_types_bad_types(bad):
    with pytest.raises(WebhookValidationError):
        validate_event_types(bad)


def test_webhook_validation_error_is_value_error():
    assert issubclass(WebhookValidationError, ValueError)


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
    monkeypatch.setattr(wh.secrets, "token_bytes", lambda n: b"\x01" * n)
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
    assert sign(SECRET, MSG_ID, TS, unicode_body) == sign(SECRET, MSG_ID, TS, unicode_body.encode("utf-8"))


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
    real = wh.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(wh.hmac, "compare_digest", spy)
    headers = signature_headers(SECRET, MSG_ID, TS, BODY)
    assert verify(SECRET, headers, BODY, now=TS)
    assert calls


# --- interoperability with the official standardwebhooks library (tests only)


def test_our_signature_verifies_with_official_library():
    from standardwebhooks.webhooks import Webhook

    secret = new_secret()
    body = build_payload("evt_1", "sale.created", "2024-01-02T03:04:05Z", {"amount_cents": 1999, "name": "Café"})
    headers = signature_headers(secret, "msg_abc123", int(time.time()), body)
    parsed = Webhook(secret).verify(body, headers)
    assert parsed["data"]["amount_cents"] == 1999
    assert parsed["type"] == "sale.created"


def test_official_library_signature_verifies_with_ours():
    from datetime import datetime, timezone

    from standardwebhooks.webhooks import Webhook

    secret = new_secret()
    now = int(time.time())
    body = '{"hello":"world"}'
    official_sig = Webhook(secret).sign("msg_xyz", datetime.fromtimestamp(now, tz=timezone.utc), body)
    assert official_sig == sign(secret, "msg_xyz", now, body)
    headers = {"webhook-id": "msg_xyz", "webhook-timestamp": str(now), "webhook-signature": official_sig}
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
    out = build_payload("evt_1", "sale.created", "2024-05-01T10:00:00+00:00", {"total": 12345, "b": [1, 2], "a": None})
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


# ---------------------------------------------------------------------------
# URL validation
# ---------------------------------------------------------------------------


def fake_resolver(table):
    """Resolver backed by a dict; unknown hosts raise socket.gaierror."""
    calls = []

    def resolve(host):
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(table[host])

    resolve.calls = calls
    return resolve


PUBLIC = fake_resolver(
    {
        "hooks.example.com": ["93.184.216.34"],
        "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
        "dual.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    }
)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/webhooks",
        "https://hooks.example.com",
        "https://hooks.example.com:8443/path?x=1",
        "HTTPS://HOOKS.EXAMPLE.COM/x",
        "https://hooks.example.com./x",
        "https://v6.example.com/",
        "https://dual.example.com/",
        "https://93.184.216.34/hook",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",
    ],
)
def test_validate_url_accepts_public(url):
    assert validate_url(url, local_mode=False, resolver=PUBLIC) == url


def test_validate_url_strips_whitespace():
    assert validate_url("  https://hooks.example.com/x \n", local_mode=False, resolver=PUBLIC) == (
        "https://hooks.example.com/x"
    )


def test_validate_url_ip_literal_does_not_call_resolver():
    resolver = fake_resolver({})
    validate_url("https://93.184.216.34/", local_mode=False, resolver=resolver)
    assert resolver.calls == []


def test_validate_url_resolver_receives_lowercased_host():
    resolver = fake_resolver({"hooks.example.com": ["93.184.216.34"]})
    validate_url("https://Hooks.Example.COM/x", local_mode=False, resolver=resolver)
    assert resolver.calls == ["hooks.example.com"]


def test_validate_url_requires_https_outside_local_mode():
    with pytest.raises(WebhookValidationError, match="https"):
        validate_url("http://hooks.example.com/x", local_mode=False, resolver=PUBLIC)


@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.example.com/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)", "hooks.example.com/x", "//hooks.example.com/"],
)
def test_validate_url_bad_scheme(url):
    for local in (False, True):
        with pytest.raises(WebhookValidationError):
            validate_url(url, local_mode=local, resolver=PUBLIC)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/hook",
        "http://127.0.0.1:3000/hook",
        "https://localhost/hook",
        "http://10.0.0.5/hook",
        "http://[::1]:9000/",
        "http://host.docker.internal/x",
    ],
)
def test_validate_url_local_mode_allows_http_and_local_hosts(url):
    resolver = fake_resolver({})
    assert validate_url(url, local_mode=True, resolver=resolver) == url
    assert resolver.calls == []  # no DNS needed in local mode


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@hooks.example.com/",
        "https://user@hooks.example.com/",
        "https://:pass@hooks.example.com/",
        "https://hooks.example.com@evil.example/",
    ],
)
def test_validate_url_rejects_userinfo(url):
    for local in (False, True):
        with pytest.raises(WebhookValidationError, match="credentials"):
            validate_url(url, local_mode=local, resolver=PUBLIC)


@pytest.mark.parametrize(
    "url",
    ["https://", "https:///path", "https://:443/", "http://", "https://?q=1"],
)
def test_validate_url_requires_host(url):
    for local in (False, True):
        with pytest.raises(WebhookValidationError):
            validate_url(url, local_mode=local, resolver=PUBLIC)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com:0/",
        "https://hooks.example.com:65536/",
        "https://hooks.example.com:abc/",
        "https://hooks.example.com:-1/",
        "https://hooks.example.com:/",
    ],
)
def test_validate_url_bad_port(url):
    with pytest.raises(WebhookValidationError, match="port"):
        validate_url(url, local_mode=False, resolver=PUBLIC)


@pytest.mark.parametrize(
    "url",
    [
        None,
        123,
        "",
        "   ",
        "https://hooks.example.com/a b",
        "https://hooks.example.com/\x00",
        "https://hooks.example.com/\r\nX-Injected: 1",
        "https://hooks.example.com/" + "a" * 3000,
        "https://[::1/",
    ],
)
def test_validate_url_malformed(url):
    with pytest.raises(WebhookValidationError):
        validate_url(url, local_mode=False, resolver=PUBLIC)


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "api.localhost",
        "metadata.google.internal",
        "metadata.google.internal.",
        "metadata",
    ],
)
def test_validate_url_blocked_names(host):
    # Even if DNS claims the name is public, it is refused by name.
    resolver = fake_resolver({host.lower().rstrip("."): ["93.184.216.34"]})
    with pytest.raises(WebhookValidationError, match="not allowed"):
        validate_url(f"https://{host}/x", local_mode=False, resolver=resolver)


BLOCKED_IPS = {
    "10.0.0.1": "private",
    "10.255.255.255": "private",
    "172.16.0.1": "private",
    "172.31.255.254": "private",
    "192.168.1.1": "private",
    "127.0.0.1": "loopback",
    "127.8.9.10": "loopback",
    "169.254.169.254": "link-local",
    "169.254.0.1": "link-local",
    "0.0.0.0": "unspecified",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "",
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "192.0.2.10": "",  # TEST-NET-1 documentation range
    "198.18.0.1": "",  # benchmarking
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "fd12:3456:789a::1": "private",
    "ff02::1": "multicast",
    "fec0::1": "site-local",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:10.0.0.1": "private",
    "::ffff:169.254.169.254": "link-local",
    "::ffff:100.64.0.1": "carrier-grade NAT",
    "::ffff:0.0.0.0": "unspecified",
    "2002:a00:1::": "private",  # 6to4 wrapping 10.0.0.1
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 wrapping 169.254.169.254
    "2001:db8::1": "",  # documentation
}


@pytest.mark.parametrize("ip,reason", sorted(BLOCKED_IPS.items()))
def test_validate_url_blocks_non_public_resolved_addresses(ip, reason):
    resolver = fake_resolver({"evil.example.com": [ip]})
    with pytest.raises(WebhookValidationError, match="non-public") as exc:
        validate_url("https://evil.example.com/hook", local_mode=False, resolver=resolver)
    assert reason in str(exc.value)


@pytest.mark.parametrize("ip", sorted(BLOCKED_IPS))
def test_validate_url_blocks_non_public_ip_literals(ip):
    host = f"[{ip}]" if ":" in ip else ip
    with pytest.raises(WebhookValidationError, match="non-public"):
        validate_url(f"https://{host}/hook", local_mode=False, resolver=fake_resolver({}))


def test_validate_url_blocks_ipv6_literal_with_zone():
    with pytest.raises(WebhookValidationError, match="non-public"):
        validate_url("https://[fe80::1%25eth0]/", local_mode=False, resolver=fake_resolver({}))


def test_validate_url_blocks_if_any_address_is_private():
    resolver = fake_resolver({"mixed.example.com": ["93.184.216.34", "10.1.2.3"]})
    with pytest.raises(WebhookValidationError, match="10.1.2.3"):
        validate_url("https://mixed.example.com/", local_mode=False, resolver=resolver)
    resolver = fake_resolver({"mixed6.example.com": ["93.184.216.34", "::1"]})
    with pytest.raises(WebhookValidationError, match="loopback"):
        validate_url("https://mixed6.example.com/", local_mode=False, resolver=resolver)


def test_validate_url_public_near_private_ranges_allowed():
    for ip in [
        "172.32.0.1",
        "172.15.255.255",
        "100.128.0.1",
        "100.63.255.255",
        "11.0.0.1",
        "192.169.0.1",
        "::ffff:93.184.216.34",  # IPv4-mapped public address
        "2002:5db8:d822::1",  # 6to4 wrapping a public address
    ]:
        resolver = fake_resolver({"ok.example.com": [ip]})
        assert validate_url("https://ok.example.com/", local_mode=False, resolver=resolver)


def test_validate_url_unresolvable():
    with pytest.raises(WebhookValidationError, match="could not be resolved"):
        validate_url("https://nope.invalid/", local_mode=False, resolver=fake_resolver({}))


def test_validate_url_resolver_returns_nothing():
    with pytest.raises(WebhookValidationError, match="could not be resolved"):
        validate_url("https://empty.example.com/", local_mode=False, resolver=fake_resolver({"empty.example.com": []}))


def test_validate_url_resolver_returns_garbage():
    resolver = fake_resolver({"weird.example.com": ["not-an-ip"]})
    with pytest.raises(WebhookValidationError, match="invalid address"):
        validate_url("https://weird.example.com/", local_mode=False, resolver=resolver)


def test_validate_url_resolver_oserror():
    def boom(host):
        raise OSError("network down")

    with pytest.raises(WebhookValidationError, match="could not be resolved"):
        validate_url("https://hooks.example.com/", local_mode=False, resolver=boom)


def test_validate_url_default_resolver_uses_getaddrinfo(monkeypatch):
    seen = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        seen.append(host)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:2800:220:1:248:1893:25c8:1946", 0, 0, 0)),
        ]

    monkeypatch.setattr(wh.socket, "getaddrinfo", fake_getaddrinfo)
    assert wh.default_resolver("hooks.example.com") == ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
    assert validate_url("https://hooks.example.com/", local_mode=False) == "https://hooks.example.com/"
    assert seen == ["hooks.example.com", "hooks.example.com"]


def test_validate_url_default_resolver_failure(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(wh.socket, "getaddrinfo", fail)
    with pytest.raises(WebhookValidationError, match="could not be resolved"):
        validate_url("https://nope.example.com/", local_mode=False)


def test_validate_url_default_resolver_private(monkeypatch):
    monkeypatch.setattr(
        wh.socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 0))],
    )
    with pytest.raises(WebhookValidationError, match="link-local"):
        validate_url("https://rebind.example.com/", local_mode=False)


# ---------------------------------------------------------------------------
# Retry policy
# ---------------------------------------------------------------------------


def test_retry_policy_defaults_meet_minimums():
    policy = RetryPolicy()
    assert policy.max_attempts >= 6
    assert policy.max_attempts == 8
    assert policy.total_schedule_seconds() >= 6 * 3600
    assert policy.total_schedule_seconds() == 0 + 30 + 120 + 600 + 1800 + 3600 + 7200 + 14400


def test_retry_policy_is_frozen():
    policy = RetryPolicy()
    with pytest.raises(Exception):
        policy.max_attempts = 3  # type: ignore[misc]


def test_next_delay_without_jitter_follows_schedule():
    policy = RetryPolicy(jitter=0)
    rng = random.Random(0)
    delays = [policy.next_delay_seconds(n, rng) for n in range(1, 9)]
    assert delays == [0, 30, 120, 600, 1800, 3600, 7200, 14400]
    assert sum(delays) >= 6 * 3600
    assert policy.next_delay_seconds(9, rng) is None
    assert policy.next_delay_seconds(100, rng) is None


def test_next_delay_first_attempt_is_immediate_even_with_jitter():
    policy = RetryPolicy()
    for seed in range(20):
        assert policy.next_delay_seconds(1, random.Random(seed)) == 0


def test_next_delay_jitter_bounded():
    policy = RetryPolicy()
    rng = random.Random(1234)
    for _ in range(300):
        for n in range(2, 9):
            base = policy.schedule[n - 1]
            d = policy.next_delay_seconds(n, rng)
            assert isinstance(d, int)
            assert 0.8 * base - 1 <= d <= 1.2 * base + 1


def test_next_delay_jitter_actually_varies():
    policy = RetryPolicy()
    values = {policy.next_delay_seconds(8, random.Random(seed)) for seed in range(20)}
    assert len(values) > 1


def test_next_delay_deterministic_with_seed():
    policy = RetryPolicy()
    a = [policy.next_delay_seconds(n, random.Random(42)) for n in range(1, 10)]
    b = [policy.next_delay_seconds(n, random.Random(42)) for n in range(1, 10)]
    assert a == b
    assert a[-1] is None


def test_jittered_total_still_at_least_six_hours():
    policy = RetryPolicy()
    for seed in range(50):
        rng = random.Random(seed)
        total = sum(policy.next_delay_seconds(n, rng) for n in range(1, policy.max_attempts + 1))
        assert total >= 6 * 3600


def test_schedule_shorter_than_max_attempts_reuses_last_delay():
    policy = RetryPolicy(max_attempts=5, schedule=(0, 60), jitter=0)
    rng = random.Random(0)
    assert [policy.next_delay_seconds(n, rng) for n in range(1, 7)] == [0, 60, 60, 60, 60, None]
    assert policy.total_schedule_seconds() == 240


def test_schedule_longer_than_max_attempts_truncated():
    policy = RetryPolicy(max_attempts=3, jitter=0)
    assert policy.total_schedule_seconds() == 150
    assert policy.next_delay_seconds(4, random.Random(0)) is None


@pytest.mark.parametrize("n", [0, -1, 1.0, "2", True, None])
def test_next_delay_rejects_bad_attempt_number(n):
    with pytest.raises(ValueError):
        RetryPolicy().next_delay_seconds(n, random.Random(0))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": -3},
        {"max_attempts": 2.5},
        {"max_attempts": True},
        {"schedule": ()},
        {"schedule": [0, 30]},
        {"schedule": (0, -1)},
        {"schedule": (0, 1.5)},
        {"jitter": -0.1},
        {"jitter": 1.0},
        {"jitter": "0.2"},
    ],
)
def test_retry_policy_rejects_bad_config(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize(
    "total,expected",
    [
        (0, (0, 0)),
        (1, (1, 0)),
        (899, (899, 0)),
        (900, (900, 0)),
        (901, (900, 1)),
        (14400, (900, 13500)),
    ],
)
def test_split_delay(total, expected):
    assert split_delay(total) == expected


def test_split_delay_chain_covers_hours():
    remaining = 4 * 3600 + 17
    hops = []
    while True:
        now, remaining = split_delay(remaining)
        assert 0 <= now <= wh.SQS_MAX_DELAY_SECONDS
        hops.append(now)
        if remaining == 0:
            break
    assert sum(hops) == 4 * 3600 + 17
    assert len(hops) == 17


@pytest.mark.parametrize("bad", [-1, 1.5, "60", None, True])
def test_split_delay_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        split_delay(bad)


# ---------------------------------------------------------------------------
# Response classification
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_classify_success(code):
    assert classify_response(code, False) == "success"


def test_classify_gone_disables():
    assert classify_response(410, False) == "disable"


@pytest.mark.parametrize("code", [100, 199, 300, 301, 302, 304, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503, 504, 599, 0, 999])
def test_classify_other_codes_retry(code):
    assert classify_response(code, False) == "retry"


def test_classify_timeout_and_connection_error_retry():
    assert classify_response(None, False) == "retry"
    assert classify_response(None, True) == "retry"
    assert classify_response(200, True) == "retry"
    assert classify_response(410, True) == "retry"


@pytest.mark.parametrize("bad", ["200", 200.0, True])
def test_classify_rejects_bad_status_type(bad):
    with pytest.raises(TypeError):
        classify_response(bad, False)
