"""``/admin/webhooks``: endpoints, secrets, test events and the delivery log (admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from chalice import Blueprint
from pydantic import BeforeValidator, Field, model_validator

from chalicelib.core import clock, roles
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Body, Out, changes_of, id_from, page_of, reference_example
from chalicelib.webhooks import rules
from chalicelib.webhooks import service as webhooks
from chalicelib.webhooks.rules import EVENT_TYPES, MAX_URL_LENGTH

bp = Blueprint(__name__)
TAG = "webhooks"
_EVENTS_DOC = {"items": {"enum": sorted(EVENT_TYPES)}}


class WebhookIn(Body):
    model_config = reference_example(
        {
            "url": "https://your-server.com/webhooks/tradekitt",
            "events": ["sale.created", "dispatch.completed", "inventory.low-stock"],
        }
    )

    url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="https URL that receives the events (http only in local "
        "mode); must not resolve to a private address",
    )
    events: list[str] = Field(
        min_length=1,
        max_length=len(EVENT_TYPES) * 2,
        json_schema_extra=_EVENTS_DOC,
        description="event types to receive (no wildcard)",
    )
    description: str | None = Field(default=None, max_length=500)


class WebhookPatch(Body):
    url: str | None = Field(default=None, min_length=1, max_length=MAX_URL_LENGTH)
    events: list[str] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES) * 2, json_schema_extra=_EVENTS_DOC
    )
    description: str | None = Field(default=None, max_length=500)
    active: bool | None = Field(
        default=None,
        description="false pauses deliveries; true "
        "re-enables an endpoint (also one disabled by a 410 answer)",
    )


class TestEventIn(Body):
    event_type: str | None = Field(
        default=None,
        json_schema_extra={"enum": sorted(EVENT_TYPES)},
        description="default: the endpoint's first event",
    )


# Responses are built from the stored items (``store.Endpoint``, ``store.Delivery``): these
# models are the one mapping from what is stored to what the API shows.
def _instant(value: Any) -> Any:
    return clock.iso_utc(value) if isinstance(value, datetime) else value


# A stored datetime as the API shows it: ISO-8601 UTC with milliseconds and a ``Z``.
Instant = Annotated[str, BeforeValidator(_instant)]


class WebhookOut(Out):
    # An endpoint: never its secret, only a hint of it (read from ``secret``). No docstring:
    # it would become the schema's description in the OpenAPI document.
    id: int = id_from("endpoint_id")
    url: str
    events: list[str]
    active: bool
    description: str | None
    created_at: Instant
    updated_at: Instant
    disabled_reason: str | None
    secret_hint: Annotated[str, BeforeValidator(rules.mask_secret)] = Field(
        validation_alias="secret",
        description="the secret's last characters; the secret itself is shown only when "
        "created or rotated",
    )


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(
        description="whsec_<base64>: verify signatures with it (Standard "
        "Webhooks); shown only in this response"
    )


class DeletedOut(Out):
    id: int
    deleted: bool


class AttemptOut(Out):
    attempt: int
    attempted_at: str
    trigger: str = Field(description="automatic | manual | test")
    status_code: int | None
    duration_ms: int
    error: str | None
    outcome: str = Field(
        description="success; retry (another attempt is scheduled); "
        "failed (it was the last); disable (410 Gone)"
    )


class DeliveryOut(Out):
    # A delivery with every attempt; ``attempt_count`` counts the attempts logged
    # (``recorded_count``), and only a pending delivery has a next attempt.
    id: str = id_from("delivery_id")
    webhook_id: int = Field(validation_alias="endpoint_id")
    event_id: str
    event_type: str
    event_created_at: str
    trigger: str
    status: str = Field(description="pending | succeeded | failed")
    attempt_count: int = Field(validation_alias="recorded_count")
    next_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None
    created_at: Instant
    updated_at: Instant
    attempts: list[AttemptOut]

    @model_validator(mode="after")
    def _next_attempt_only_while_pending(self) -> DeliveryOut:
        if self.status != rules.PENDING:
            self.next_attempt_at = None
        return self


def _id(req: ApiRequest) -> int:
    return req.int_param("webhook_id")


@endpoint(
    bp,
    "/admin/webhooks",
    "POST",
    summary="Create a webhook endpoint",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    body=WebhookIn,
    response=WebhookWithSecretOut,
    status=201,
)
def create_webhook(req: ApiRequest) -> Any:
    """Returns the signing ``secret`` once. Unknown event names and refused urls (not
    https, or resolving to private, loopback, link-local or metadata addresses) are 422."""
    body: WebhookIn = req.body
    return webhooks.create(
        req.tenant_id, url=body.url, events=body.events, description=body.description
    )


@endpoint(
    bp,
    "/admin/webhooks",
    "GET",
    summary="List webhook endpoints",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    response=page_of(WebhookOut),
    paginated=True,
)
def list_webhooks(req: ApiRequest) -> Any:
    """By id, oldest first. ``next_cursor`` continues the walk (pass it as ``cursor``)."""
    return webhooks.list_page(req.tenant_id, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}",
    "GET",
    summary="Get a webhook endpoint",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    response=WebhookOut,
)
def get_webhook(req: ApiRequest) -> Any:
    return webhooks.get(req.tenant_id, _id(req))


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}",
    "PATCH",
    summary="Change a webhook endpoint",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    body=WebhookPatch,
    response=WebhookOut,
)
def update_webhook(req: ApiRequest) -> Any:
    """Only the fields sent change. ``active: true`` re-enables a disabled endpoint."""
    changes = changes_of(req.body, not_null=("url", "events", "active"))
    if not changes:
        raise ValidationFailed(
            "body: send at least one of url, events, description, active",
            details=[{"field": "body", "message": "no field to change"}],
        )
    return webhooks.update(req.tenant_id, _id(req), changes)


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}",
    "DELETE",
    summary="Delete a webhook endpoint",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    response=DeletedOut,
)
def delete_webhook(req: ApiRequest) -> Any:
    webhook_id = _id(req)
    webhooks.delete(req.tenant_id, webhook_id)
    return {"id": webhook_id, "deleted": True}


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}/rotate-secret",
    "POST",
    summary="Rotate a webhook's signing secret",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    response=WebhookWithSecretOut,
)
def rotate_webhook_secret(req: ApiRequest) -> Any:
    """Returns the new ``secret`` once. For 24 hours deliveries carry a signature with the
    old secret as well, so receivers can switch without dropping events."""
    return webhooks.rotate_secret(req.tenant_id, _id(req))


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}/test",
    "POST",
    summary="Send a test event",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    body=TestEventIn,
    response=DeliveryOut,
    status=202,
)
def send_test_event(req: ApiRequest) -> Any:
    """Queues one signed event with ``data.test: true``; its attempt appears in the
    deliveries log within seconds (one attempt, no retries)."""
    body: TestEventIn = req.body
    return webhooks.send_test(req.tenant_id, _id(req), body.event_type)


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}/deliveries",
    "GET",
    summary="List a webhook's deliveries",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    response=page_of(DeliveryOut),
    paginated=True,
)
def list_deliveries(req: ApiRequest) -> Any:
    """Newest first (by event time); each delivery lists every attempt (status code, time
    taken, error). The log holds the events of the last 30 days and of today (UTC days);
    older deliveries expire. ``next_cursor`` continues the walk (pass it as ``cursor``; a
    cursor stays valid until the end of the next UTC day)."""
    return webhooks.deliveries(req.tenant_id, _id(req), req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}/deliveries/{delivery_id}",
    "GET",
    summary="Get one delivery",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    response=DeliveryOut,
)
def get_delivery(req: ApiRequest) -> Any:
    return webhooks.delivery(req.tenant_id, _id(req), req.params["delivery_id"])


@endpoint(
    bp,
    "/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    "POST",
    summary="Redeliver one delivery",
    tag=TAG,
    permission=roles.WEBHOOKS_WRITE,
    response=DeliveryOut,
    status=202,
)
def redeliver(req: ApiRequest) -> Any:
    """Queues one more attempt of a finished delivery; 409 while it is still pending or
    when the endpoint is disabled."""
    return webhooks.redeliver(req.tenant_id, _id(req), req.params["delivery_id"])
