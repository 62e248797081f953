"""The webhook transport: DNS (``default_resolver``, the resolver ``validate_url`` is given
when none is injected) and the pinned connection (no network beyond 127.0.0.1)."""

from __future__ import annotations

import socket

import pytest

from chalicelib.webhooks import transport as webhook_transport
from chalicelib.webhooks.rules import WebhookValidationError, validate_url
from tests.support.receiver import Receiver


def test_validate_url_default_resolver_uses_getaddrinfo(monkeypatch):
    seen = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        seen.append(host)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0)),
            (
                socket.AF_INET6,
                socket.SOCK_STREAM,
                6,
                "",
                ("2606:2800:220:1:248:1893:25c8:1946", 0, 0, 0),
            ),
        ]

    monkeypatch.setattr(webhook_transport.socket, "getaddrinfo", fake_getaddrinfo)
    assert webhook_transport.default_resolver("hooks.example.com") == [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
    ]
    assert (
        validate_url(
            "https://hooks.example.com/",
            local_mode=False,
            resolver=webhook_transport.default_resolver,
        )
        == "https://hooks.example.com/"
    )
    assert seen == ["hooks.example.com", "hooks.example.com"]


def test_validate_url_default_resolver_failure(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(webhook_transport.socket, "getaddrinfo", fail)
    with pytest.raises(WebhookValidationError, match="could not be resolved"):
        validate_url(
            "https://nope.example.com/",
            local_mode=False,
            resolver=webhook_transport.default_resolver,
        )


def test_validate_url_default_resolver_private(monkeypatch):
    monkeypatch.setattr(
        webhook_transport.socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 0))],
    )
    with pytest.raises(WebhookValidationError, match="link-local"):
        validate_url(
            "https://rebind.example.com/",
            local_mode=False,
            resolver=webhook_transport.default_resolver,
        )


def test_pinned_connection_goes_to_the_checked_address(monkeypatch):
    """The address validated is the one connected to (no second lookup)."""
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        result = webhook_transport.http_post(
            f"https://hooks.example.com:{port}/x",
            b"{}",
            {},
            2.0,
            local_mode=False,
            resolver=lambda host: ["127.0.0.1"],
        )
        assert result.status_code is None and "loopback" in result.error
        connection = webhook_transport._PinnedHTTPConnection(
            "hooks.example.com", port, timeout=2, address="127.0.0.1"
        )
        connection.request("POST", "/x", body=b"{}")
        assert connection.getresponse().status == 200
        connection.close()
        [got] = receiver.wait_for(1)
    assert got.headers["Host"] == f"hooks.example.com:{port}"
