"""Unit tests for chalicelib.webhooks.rules.urls (pure, no network, no AWS)."""

from __future__ import annotations

import socket

import pytest

from chalicelib.webhooks.rules import WebhookValidationError, validate_url

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
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "gopher://x/",
        "javascript:alert(1)",
        "hooks.example.com/x",
        "//hooks.example.com/",
    ],
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
        validate_url(
            "https://empty.example.com/",
            local_mode=False,
            resolver=fake_resolver({"empty.example.com": []}),
        )


def test_validate_url_resolver_returns_garbage():
    resolver = fake_resolver({"weird.example.com": ["not-an-ip"]})
    with pytest.raises(WebhookValidationError, match="invalid address"):
        validate_url("https://weird.example.com/", local_mode=False, resolver=resolver)


def test_validate_url_resolver_oserror():
    def boom(host):
        raise OSError("network down")

    with pytest.raises(WebhookValidationError, match="could not be resolved"):
        validate_url("https://hooks.example.com/", local_mode=False, resolver=boom)
