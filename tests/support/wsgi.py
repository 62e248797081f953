"""The app as a WSGI callable, for tools that drive an app in-process (schemathesis).

Requests go through ``chalice.test.Client`` with the local gateway of ``make run``
(``infra/local/gateway.py``), so they meet the same routing, envelope and 404s as the dev
server, without a socket.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any


def wsgi_app(client: Any) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI app over an open ``chalice.test.Client`` (with the enveloping gateway)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not path:
            path = environ.get("PATH_INFO", "/")
            if environ.get("QUERY_STRING"):
                path += "?" + environ["QUERY_STRING"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        gateway = client.http._local_gateway  # the gateway the test client would use
        reply = gateway.handle_request(environ["REQUEST_METHOD"], path, headers, body)
        status = reply["statusCode"]
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        start_response(f"{status} {reason}", list(reply.get("headers", {}).items()))
        payload = reply.get("body")
        if payload is None:  # a CORS preflight answer has no body
            return [b""]
        if reply.get("isBase64Encoded"):
            return [base64.b64decode(payload)]
        return [payload.encode("utf-8") if isinstance(payload, str) else payload]

    return app
