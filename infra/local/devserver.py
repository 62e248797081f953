"""``chalice local`` with the API's envelope for unknown routes (see ``gateway.py``)."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from chalice.cli.factory import CLIFactory
from chalice.local import ChaliceRequestHandler, ThreadedHTTPServer, create_local_server

from infra.local.gateway import EnvelopeLocalGateway

PROJECT_DIR = str(Path(__file__).resolve().parents[2])


class EnvelopeRequestHandler(ChaliceRequestHandler):
    def __init__(self, request, client_address, server, app_object, config):
        self._app_object, self._config = app_object, config
        super().__init__(request, client_address, server, app_object=app_object, config=config)

    def setup(self) -> None:
        super().setup()
        self.local_gateway = EnvelopeLocalGateway(self._app_object, self._config)

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
