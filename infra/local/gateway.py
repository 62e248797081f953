"""Local stand-in for the API Gateway responses of ``infra/api-gateway.yaml``.

Plain ``chalice local`` (and ``chalice.test.Client``) answer a path that matches no route
with API Gateway's 403 ``Missing Authentication Token``. On AWS the gateway responses turn
that into the API's 404 envelope; locally ``EnvelopeLocalGateway`` does the same, and the
dev server and the test client both use it.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.local import ForbiddenError, LocalGateway

NOT_FOUND_BODY = json.dumps(
    {"ok": False, "error": {"code": "NOT_FOUND", "message": "no such route"}}
)


class EnvelopeLocalGateway(LocalGateway):
    def handle_request(self, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            return super().handle_request(method, path, headers, body)
        except ForbiddenError:
            return {
                "statusCode": 404,
                "headers": {"Content-Type": "application/json"},
                "multiValueHeaders": {},
                "body": NOT_FOUND_BODY,
            }


def install_on_test_client(client: Any) -> Any:
    """Swap the gateway of a ``chalice.test.Client`` for the enveloping one."""
    http = client.http
    http._local_gateway = EnvelopeLocalGateway(http._app, http._config)
    return client
