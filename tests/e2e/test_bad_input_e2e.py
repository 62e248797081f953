"""Bodies over 1 MiB over real HTTP (issue 11): the ``make run`` dev server answers 413
``PAYLOAD_TOO_LARGE`` in the envelope from ``Content-Length``, before it reads the body
(and at once to ``Expect: 100-continue``), as the app does for every route; the server
keeps serving afterwards."""

from __future__ import annotations

import json
import socket
import urllib.parse

from chalicelib.core.wire import MAX_BODY_BYTES


def _raw_exchange(base_url: str, request: bytes, body: bytes = b"") -> tuple[int, dict, bytes]:
    """Send ``request`` (head), then ``body`` unless the server answers first; the
    status, headers and body of the answer."""
    address = urllib.parse.urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(request)
        if body:
            sock.sendall(body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        length = int(headers.get("Content-Length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    return int(lines[0].split()[1]), headers, rest


def _is_413(status: int, headers: dict, body) -> None:
    assert status == 413, body
    assert headers["Content-Type"] == "application/json"
    envelope = body if isinstance(body, dict) else json.loads(body)
    assert envelope["ok"] is False and envelope["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert str(MAX_BODY_BYTES) in envelope["error"]["message"]


def test_bodies_over_1_mib_are_413_over_http(stack):
    owner = stack.register("Big Body Heating")
    too_large = b'{"name": "' + b"a" * MAX_BODY_BYTES + b'"}'
    for path, headers in (
        ("/api/v1/auth/login", {"X-Tenant-Id": owner["tenant_id"]}),
        ("/api/v1/admin/customers", owner["headers"]),
    ):
        _is_413(*stack.request("POST", path, too_large, headers))
    # Exactly 1 MiB still reaches the route (here its validation: 422, no name).
    status, _, body = stack.request(
        "POST", "/api/v1/admin/customers", b"{}" + b" " * (MAX_BODY_BYTES - 2), owner["headers"]
    )
    assert status == 422 and body["error"]["code"] == "VALIDATION_ERROR", body
    status, _, _ = stack.request("GET", "/api/v1/health")
    assert status == 200


def test_expect_100_continue_is_refused_before_the_body_is_sent(stack):
    """curl sends ``Expect: 100-continue`` for large bodies: the answer comes at once."""
    head = (
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nExpect: 100-continue\r\n"
        f"Content-Length: {50 * MAX_BODY_BYTES}\r\n\r\n"
    ).encode()
    status, headers, body = _raw_exchange(stack.base_url, head)
    _is_413(status, headers, body)
    assert headers["Connection"] == "close"


def test_a_malformed_content_length_is_400(stack):
    head = (
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 12abc\r\n\r\n"
    )
    status, _, body = _raw_exchange(stack.base_url, head, b"{}")
    assert status == 400 and json.loads(body)["error"]["code"] == "BAD_REQUEST"
