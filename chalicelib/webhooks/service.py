"""Webhook endpoint management (``/admin/webhooks``): create, list, change, delete, rotate
the signing secret, send a test event, read and redeliver deliveries.

Rules (SPEC.md "Webhooks"): the url must be https and resolve only to public addresses
outside local mode (SSRF); events come from ``webhooks.rules.EVENT_TYPES`` (no wildcard);
the secret (``whsec_`` + base64 of 32 random bytes) is shown only by create and rotate.
After a rotation the previous secret keeps signing (a second ``v1`` signature) for 24 hours.
A tenant has at most ``MAX_ENDPOINTS`` endpoints.

Functions return the stored items (``store.Endpoint``, ``store.Delivery``, or a page of
them); the route's response model (``api.WebhookOut``, ``api.DeliveryOut``) is the one
mapping to what the API shows. A refused input raises ``rules.WebhookValidationError``
naming its field (``exc.at("url")``), which the route decorator answers with a 422.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.core.pagination import PageRequest
from chalicelib.core.settings import get_settings
from chalicelib.platform.tx import Contention
from chalicelib.webhooks import listing, rules, store, transport

MAX_ENDPOINTS = store.MAX_ENDPOINTS
ROTATION_GRACE = timedelta(hours=24)

# DNS for the SSRF check; tests inject a fake resolver (None: the transport's DNS).
resolver: rules.Resolver | None = None

T = TypeVar("T")


def _checked(field: str, check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a rule's check; its refusal names ``field``."""
    try:
        return check(*args, **kwargs)
    except rules.WebhookValidationError as exc:
        raise exc.at(field) from exc


def checked_url(url: str) -> str:
    return _checked(
        "url",
        rules.validate_url,
        url,
        local_mode=get_settings().local_mode,
        resolver=resolver or transport.default_resolver,
    )


def checked_events(events: list[str]) -> list[str]:
    return _checked("events", rules.validate_event_types, events)


def _endpoint(tenant_id: str, endpoint_id: int) -> store.Endpoint:
    endpoint = store.get_endpoint(tenant_id, endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook {endpoint_id} not found")
    return endpoint


def create(
    tenant_id: str, *, url: str, events: list[str], description: str | None
) -> store.Endpoint:
    """Create an endpoint; the response is the only time its secret is shown."""
    url, events = checked_url(url), checked_events(events)
    if len(store.list_endpoints(tenant_id)) >= MAX_ENDPOINTS:
        raise Conflict(f"a business may have at most {MAX_ENDPOINTS} webhook endpoints")
    try:
        return store.create_endpoint(
            tenant_id,
            store.next_endpoint_id(tenant_id),
            url=url,
            events=events,
            secret=rules.new_secret(),
            description=description,
            now=clock.now(),
        )
    except Contention as exc:
        raise _busy() from exc


def _busy() -> Conflict:
    return Conflict("webhook endpoints are being changed by other requests; retry")


def list_page(tenant_id: str, page: PageRequest) -> dict[str, Any]:
    """One page of the endpoints, by id (``webhooks.listing``)."""
    return listing.endpoints(tenant_id, page)


def get(tenant_id: str, endpoint_id: int) -> store.Endpoint:
    return _endpoint(tenant_id, endpoint_id)


def _updated(
    tenant_id: str, endpoint_id: int, values: dict[str, Any], now: datetime
) -> store.Endpoint:
    endpoint = store.update_endpoint(tenant_id, endpoint_id, values, now)
    if endpoint is None:
        raise NotFound(f"webhook {endpoint_id} not found")
    return endpoint


def update(tenant_id: str, endpoint_id: int, changes: dict[str, Any]) -> store.Endpoint:
    """Change url, events, description or active. Re-activating clears the reason it was
    disabled; deactivating records that an admin did it."""
    _endpoint(tenant_id, endpoint_id)
    values: dict[str, Any] = {}
    if "url" in changes:
        values["url"] = checked_url(changes["url"])
    if "events" in changes:
        values["events"] = checked_events(changes["events"])
    if "description" in changes:
        values["description"] = changes["description"] or None
    if "active" in changes:
        values["active"] = bool(changes["active"])
        values["disabled_reason"] = None if changes["active"] else "disabled by an admin"
    return _updated(tenant_id, endpoint_id, values, clock.now())


def delete(tenant_id: str, endpoint_id: int) -> None:
    """Delete an endpoint; queued retries to it are dropped when they come due (the
    delivery fails with "endpoint deleted"). Its deliveries are kept until their TTL, but
    no route shows them any more: the endpoint's routes answer 404."""
    try:
        deleted = store.delete_endpoint(tenant_id, endpoint_id)
    except Contention as exc:
        raise _busy() from exc
    if not deleted:
        raise NotFound(f"webhook {endpoint_id} not found")


def rotate_secret(tenant_id: str, endpoint_id: int) -> store.Endpoint:
    """A new secret (returned once); the old one also signs for ``ROTATION_GRACE``."""
    current = _endpoint(tenant_id, endpoint_id)
    now = clock.now()
    return _updated(
        tenant_id,
        endpoint_id,
        {
            "secret": rules.new_secret(),
            "previous_secret": current.secret,
            "previous_secret_expires_at": int((now + ROTATION_GRACE).timestamp()),
        },
        now,
    )


def send_test(tenant_id: str, endpoint_id: int, event_type: str | None) -> store.Delivery:
    """Queue a signed test event (``data.test`` true) of ``event_type`` (default: the
    endpoint's first subscribed event); one attempt, logged in its deliveries."""
    endpoint = _endpoint(tenant_id, endpoint_id)
    if not endpoint.active:
        raise Conflict(f"webhook {endpoint_id} is disabled; enable it first")
    if event_type is None:
        event_type = (list(endpoint.events) or sorted(rules.EVENT_TYPES))[0]
    else:
        _checked("event_type", rules.validate_event_type, event_type)
    from chalicelib.webhooks import delivery as webhook_delivery

    return webhook_delivery.send_test(endpoint, event_type)


def deliveries(tenant_id: str, endpoint_id: int, page: PageRequest) -> dict[str, Any]:
    """One page of the endpoint's delivery log, newest first (``webhooks.listing``)."""
    _endpoint(tenant_id, endpoint_id)
    return listing.deliveries(tenant_id, endpoint_id, page, clock.now())


def _delivery(tenant_id: str, endpoint_id: int, delivery_id: str) -> store.Delivery:
    item = (
        store.get_delivery(tenant_id, endpoint_id, delivery_id)
        if rules.is_delivery_id(delivery_id)
        else None
    )
    if item is None:
        raise NotFound(f"delivery {delivery_id!r} of webhook {endpoint_id} not found")
    return item


def delivery(tenant_id: str, endpoint_id: int, delivery_id: str) -> store.Delivery:
    _endpoint(tenant_id, endpoint_id)
    return _delivery(tenant_id, endpoint_id, delivery_id)


def redeliver(tenant_id: str, endpoint_id: int, delivery_id: str) -> store.Delivery:
    """Queue one more attempt of a finished delivery (succeeded or failed); 409 while it
    is still being retried or when the endpoint is disabled."""
    endpoint = _endpoint(tenant_id, endpoint_id)
    current = _delivery(tenant_id, endpoint_id, delivery_id)
    if not endpoint.active:
        raise Conflict(f"webhook {endpoint_id} is disabled; enable it before redelivering")
    if current.status == rules.PENDING:
        raise Conflict(f"delivery {delivery_id} is still pending")
    from chalicelib.webhooks import delivery as webhook_delivery

    item = webhook_delivery.redeliver(tenant_id, endpoint_id, delivery_id)
    if item is None:
        raise Conflict(f"delivery {delivery_id} changed meanwhile; try again")
    return item
