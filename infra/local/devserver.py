"""``chalice local`` with the API's envelope for unknown routes (see ``gateway.py``), and
the body limit of the app (``core.wire.MAX_BODY_BYTES``, 413 ``PAYLOAD_TOO_LARGE``) applied
from ``Content-Length`` before the body is read, so a huge upload is never held in
memory."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

from chalice.cli.factory import CLIFactory
from chalice.local import ChaliceRequestHandler, ThreadedHTTPServer, create_local_server

from chalicelib.core.wire import MAX_BODY_BYTES
from infra.local.gateway import EnvelopeLocalGateway

PROJECT_DIR = str(Path(__file__).resolve().parents[2])
# A refused body up to this size is read and dropped, so the client (which sends the
# whole body before it reads the answer) sees the 413 rather than a reset connection;
# past it the connection is closed unread. API Gateway refuses bodies over 10 MB itself.
DRAIN_LIMIT_BYTES = 10 * 1024 * 1024
_CHUNK = 64 * 1024


class _Refused(Exception):
    """The request is answered from its headers alone (its body is not parsed)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class EnvelopeRequestHandler(ChaliceRequestHandler):
    def __init__(self, request, client_address, server, app_object, config):
        self._app_object, self._config = app_object, config
        super().__init__(request, client_address, server, app_object=app_object, config=config)

    def setup(self) -> None:
        super().setup()
        self.local_gateway = EnvelopeLocalGateway(self._app_object, self._config)

    def _declared_length(self) -> int:
        """``Content-Length`` (0 when absent); ``_Refused`` 400 when it is not a number."""
        raw = self.headers.get("content-length", "0").strip() or "0"
        if not raw.isdigit() or not raw.isascii():
            self.close_connection = True
            raise _Refused(400, "BAD_REQUEST", "Content-Length must be a number of bytes")
        return int(raw)

    @staticmethod
    def _too_large(length: int) -> _Refused:
        return _Refused(
            413,
            "PAYLOAD_TOO_LARGE",
            f"request body is {length} bytes; at most {MAX_BODY_BYTES} bytes (1 MiB) are accepted",
        )

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` (curl sends it for large bodies): refuse a body that is
        too large before the client sends it."""
        try:
            length = self._declared_length()
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                raise self._too_large(length)
        except _Refused as refused:
            self._send_refusal(refused)
            return False
        return super().handle_expect_100()

    def _parse_payload(self):
        length = self._declared_length()
        if length > MAX_BODY_BYTES:
            self._drain(length)
            raise self._too_large(length)
        return super()._parse_payload()

    def _drain(self, length: int) -> None:
        """Read and drop a refused body (or close the connection when it is huge)."""
        self.close_connection = True
        if length > DRAIN_LIMIT_BYTES:
            return
        while length > 0:
            chunk = self.rfile.read(min(_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)

    def _send_refusal(self, refused: _Refused) -> None:
        body = json.dumps(
            {"ok": False, "error": {"code": refused.code, "message": refused.message}}
        )
        headers = {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": "*",
            "Connection": "close",
        }
        self._send_http_response(refused.status, headers, body)

    def _generic_handle(self) -> None:
        try:
            super()._generic_handle()
        except _Refused as refused:
            self._send_refusal(refused)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def __getattr__(self, name: str):
        """Every other HTTP method (TRACE, PROPFIND, ...) goes to the app too, which
        answers 405 with ``Allow`` in the envelope (the standard library would send its
        501 HTML page)."""
        if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
            return self._generic_handle
        raise AttributeError(name)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if os.environ.get("QUIET_ACCESS_LOG") != "1":
            super().log_message(format, *args)


# The standard library listens with a backlog of 5: a burst of clients (20 sales at once)
# would see connections reset. API Gateway queues far more.
ThreadedHTTPServer.request_queue_size = 128


def make_server(host: str, port: int, stage: str = "local"):
    factory = CLIFactory(PROJECT_DIR, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    server = create_local_server(app, config, host, port)
    server.server.RequestHandlerClass = functools.partial(
        EnvelopeRequestHandler, app_object=app, config=config
    )
    return server


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    stage = os.environ.get("STAGE", "local")
    server = make_server(host, port, stage)
    print(f"TradeKitt API serving on http://{host}:{port}/api/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.path.insert(0, PROJECT_DIR)
    main()
