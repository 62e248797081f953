"""TradeKitt API: registers blueprints, middleware and event handlers. No logic here."""

from __future__ import annotations

import json
import os

# No pydantic plugins are used; skipping their discovery saves a scan of every installed
# distribution's entry points (~15 ms) on each cold start.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from chalice import Chalice, CORSConfig, Rate, Response

from chalicelib.core import docs, logs, openapi, registry, routing, settings, wire
from chalicelib.core.errors import AppError, error_body

API_PREFIX = "/api/v1"

app = Chalice(app_name="tradekitt")
logs.configure()  # JSON lines with the request and tenant ids, secrets masked
app.api.binary_types.extend(["application/pdf"])
app.api.cors = CORSConfig(
    allow_origin="*",
    max_age=600,
    allow_headers=[
        "Authorization",
        "Content-Type",
        "X-Tenant-Id",
        "Idempotency-Key",
        "Last-Event-ID",
    ],
    expose_headers=["Retry-After"],
)


def _rate_limit(scope: str, subject: str) -> None:
    """The shared DynamoDB rate limiter (imported on the first request, not at import)."""
    from chalicelib.platform import rate_limit

    rate_limit.check(scope, subject)


def _load_caller(principal: routing.Principal) -> object:
    """The caller's account, which must still exist and be active (every route)."""
    from chalicelib.accounts import service as accounts

    return accounts.active_account(principal)


def _load_customer(principal: routing.CustomerPrincipal) -> object:
    """A customer-portal caller's account and live session (every portal route)."""
    from chalicelib.portal import service as portal

    return portal.caller(principal)


routing.configure(
    app, rate_limiter=_rate_limit, load_caller=_load_caller, load_customer=_load_customer
)
# Every chalicelib/<feature>/api.py serves routes (core/registry.py discovers them); each
# route's module is imported on its first call.
registry.register_all(app, API_PREFIX)

_CHALICE_CODES = {
    400: "BAD_REQUEST",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "BAD_REQUEST",
    500: "INTERNAL_ERROR",
}


@app.middleware("http")
def refuse_large_bodies(event, get_response):
    """A body over 1 MiB is 413 ``PAYLOAD_TOO_LARGE`` on every route, before anything
    (rate limits, auth, parsing) looks at it."""
    try:
        wire.check_body_size(event.raw_body)
    except AppError as exc:
        return routing.error_response(exc)
    return get_response(event)


@app.middleware("http")
def envelope_framework_errors(event, get_response):
    """Chalice answers some requests itself (wrong method, bad media type) in its own
    format; give those the API's error envelope too."""
    response = get_response(event)
    body = response.body
    if isinstance(body, dict) and "Code" in body and "Message" in body and "ok" not in body:
        status = response.status_code
        code = _CHALICE_CODES.get(status, "INTERNAL_ERROR")
        message = "an unexpected error occurred" if status >= 500 else str(body["Message"])
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
        return Response(
            body=error_body(code, message),
            status_code=status,
            headers={**headers, "Content-Type": "application/json"},
        )
    return response


@app.route("/api/openapi.json", methods=["GET"])
def openapi_document():
    registry.load_all()
    server = openapi.server_url(app.current_request.context, "/api/openapi.json")
    return Response(
        body=json.dumps(openapi.build_document(server)),
        status_code=200,
        headers={"Content-Type": "application/json"},
    )


@app.route(docs.DOCS_PATH, methods=["GET"])
def swagger_ui():
    """Swagger UI on the local, test and dev stages; elsewhere the unknown-route 404."""
    return docs.page_response(settings.stage())


@app.route(docs.ASSET_PATH, methods=["GET"])
def swagger_ui_asset(asset):
    """Swagger UI's script and stylesheet (vendored in ``chalicelib/core/swagger_ui``)."""
    headers = app.current_request.headers
    return docs.asset_response(settings.stage(), asset, headers.get("if-none-match"))


openapi.plain_route("GET", "/api/openapi.json", "This OpenAPI document", ("application/json",))
openapi.plain_route(
    "GET", docs.DOCS_PATH, "Swagger UI (local and dev stages)", (docs.HTML,), statuses=(404,)
)
openapi.plain_route(
    "GET", docs.ASSET_PATH, "Swagger UI's assets", (docs.JS, docs.CSS), statuses=(304, 404)
)


# Read at import: `chalice package` turns it into the event source mapping's queue, so
# package with the stage's STAGE (or EVENTS_QUEUE_NAME) in the environment.
EVENTS_QUEUE = settings.events_queue_name()


@app.on_sqs_message(queue=EVENTS_QUEUE, batch_size=10)
def deliver_webhooks(event):
    """Webhook fan-out, attempts and retries; reports partial batch failures."""
    from chalicelib.webhooks import delivery  # not needed by the API's cold start

    return delivery.handle_sqs_event(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_event_outbox(event):
    """Re-enqueue events whose SQS send failed (the outbox), so none is lost."""
    from chalicelib.platform import outbox

    return {"requeued": outbox.sweep_outbox()}


@app.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_sla_deadlines(event):
    """Record the SLA deadlines that passed while their jobs did not move (the due index:
    only what is due is read)."""
    from chalicelib.sla import sweep

    return sweep.sweep()
