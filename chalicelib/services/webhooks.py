"""Webhook endpoint management (``/admin/webhooks``): create, list, change, delete, rotate
the signing secret, send a test event, read and redeliver deliveries.

Rules (SPEC.md "Webhooks"): the url must be https and resolve only to public addresses
outside local mode (SSRF); events come from ``domain.webhooks.EVENT_TYPES`` (no wildcard);
the secret (``whsec_`` + base64 of 32 random bytes) is shown only by create and rotate.
After a rotation the previous secret keeps signing (a second ``v1`` signature) for 24 hours.
A tenant has at most ``MAX_ENDPOINTS`` endpoints.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.core.pagination import PageRequest, page_body, paginate
from chalicelib.core.settings import get_settings
from chalicelib.domain import webhook_deliveries as rules
from chalicelib.domain import webhooks as wh
from chalicelib.store import webhooks as store

MAX_ENDPOINTS = 20
ROTATION_GRACE = timedelta(hours=24)

# DNS for the SSRF check; tests inject a fake resolver.
resolver: wh.Resolver | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    return rules.iso(value.timestamp()) if value else None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", details=[{"field": field, "message": message}])


def checked_url(url: str) -> str:
    try:
        return wh.validate_url(url, local_mode=get_settings().local_mode, resolver=resolver)
    except wh.WebhookValidationError as exc:
        raise _invalid("url", str(exc)) from exc


def checked_events(events: list[str]) -> list[str]:
    try:
        return wh.validate_event_types(events)
    except wh.WebhookValidationError as exc:
        raise _invalid("events", str(exc)) from exc


def view(endpoint: store.Endpoint) -> dict[str, Any]:
    """An endpoint as the API shows it: never the secret, only a hint of it."""
    return {"id": int(endpoint.endpoint_id), "url": endpoint.url,
            "events": list(endpoint.events or []), "active": bool(endpoint.active),
            "description": endpoint.description,
            "created_at": _iso(endpoint.created_at), "updated_at": _iso(endpoint.updated_at),
            "disabled_reason": endpoint.disabled_reason,
            "secret_hint": rules.mask_secret(endpoint.secret)}


def delivery_view(item: store.Delivery) -> dict[str, Any]:
    attempts = [{"attempt": int(a.attempt), "attempted_at": a.attempted_at,
                 "trigger": a.trigger,
                 "status_code": int(a.status_code) if a.status_code is not None else None,
                 "duration_ms": int(a.duration_ms), "error": a.error, "outcome": a.outcome}
                for a in (item.attempts or [])]
    return {"id": item.delivery_id, "webhook_id": int(item.endpoint_id),
            "event_id": item.event_id, "event_type": item.event_type,
            "event_created_at": item.event_created_at, "trigger": item.trigger,
            "status": item.status, "attempt_count": int(item.recorded_count),
            "next_attempt_at": item.next_attempt_at if item.status == rules.PENDING else None,
            "last_status_code": (int(item.last_status_code)
                                 if item.last_status_code is not None else None),
            "last_error": item.last_error, "created_at": _iso(item.created_at),
            "updated_at": _iso(item.updated_at), "attempts": attempts}


def _endpoint(tenant_id: str, endpoint_id: int) -> store.Endpoint:
    endpoint = store.get_endpoint(tenant_id, endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook {endpoint_id} not found")
    return endpoint


def create(tenant_id: str, *, url: str, events: list[str],
           description: str | None) -> dict[str, Any]:
    """Create an endpoint; the response is the only time its secret is shown."""
    url, events = checked_url(url), checked_events(events)
    if len(store.list_endpoints(tenant_id)) >= MAX_ENDPOINTS:
        raise Conflict(f"a business may have at most {MAX_ENDPOINTS} webhook endpoints")
    secret = wh.new_secret()
    endpoint = store.create_endpoint(tenant_id, store.next_endpoint_id(tenant_id), url=url,
                                     events=events, secret=secret, description=description,
                                     now=_now())
    return {**view(endpoint), "secret": secret}


def list_page(tenant_id: str, page: PageRequest) -> dict[str, Any]:
    return paginate([view(e) for e in store.list_endpoints(tenant_id)], page)


def get(tenant_id: str, endpoint_id: int) -> dict[str, Any]:
    return view(_endpoint(tenant_id, endpoint_id))


def update(tenant_id: str, endpoint_id: int, changes: dict[str, Any]) -> dict[str, Any]:
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
    endpoint = store.update_endpoint(tenant_id, endpoint_id, values, _now())
    if endpoint is None:
        raise NotFound(f"webhook {endpoint_id} not found")
    return view(endpoint)


def delete(tenant_id: str, endpoint_id: int) -> None:
    """Delete an endpoint; queued retries to it are dropped when they come due."""
    if not store.delete_endpoint(tenant_id, endpoint_id):
        raise NotFound(f"webhook {endpoint_id} not found")


def rotate_secret(tenant_id: str, endpoint_id: int) -> dict[str, Any]:
    """A new secret (returned once); the old one also signs for ``ROTATION_GRACE``."""
    current = _endpoint(tenant_id, endpoint_id)
    now = _now()
    secret = wh.new_secret()
    endpoint = store.update_endpoint(tenant_id, endpoint_id, {
        "secret": secret, "previous_secret": current.secret,
        "previous_secret_expires_at": int((now + ROTATION_GRACE).timestamp())}, now)
    if endpoint is None:
        raise NotFound(f"webhook {endpoint_id} not found")
    return {**view(endpoint), "secret": secret}


def send_test(tenant_id: str, endpoint_id: int, event_type: str | None) -> dict[str, Any]:
    """Queue a signed test event (``data.test`` true) of ``event_type`` (default: the
    endpoint's first subscribed event); one attempt, logged in its deliveries."""
    endpoint = _endpoint(tenant_id, endpoint_id)
    if not endpoint.active:
        raise Conflict(f"webhook {endpoint_id} is disabled; enable it first")
    if event_type is None:
        event_type = (list(endpoint.events) or sorted(wh.EVENT_TYPES))[0]
    elif event_type not in wh.EVENT_TYPES:
        raise _invalid("event_type", f"unknown event type {event_type!r}; valid types are: "
                       + ", ".join(sorted(wh.EVENT_TYPES)))
    from chalicelib.services import webhook_delivery  # only these routes send

    return delivery_view(webhook_delivery.send_test(endpoint, event_type))


def deliveries(tenant_id: str, endpoint_id: int, page: PageRequest) -> dict[str, Any]:
    _endpoint(tenant_id, endpoint_id)
    items, total = store.list_deliveries(tenant_id, endpoint_id, page.offset, page.limit)
    return page_body([delivery_view(i) for i in items], total, page)


def _delivery(tenant_id: str, endpoint_id: int, delivery_id: str) -> store.Delivery:
    item = (store.get_delivery(tenant_id, endpoint_id, delivery_id)
            if rules.is_delivery_id(delivery_id) else None)
    if item is None:
        raise NotFound(f"delivery {delivery_id!r} of webhook {endpoint_id} not found")
    return item


def delivery(tenant_id: str, endpoint_id: int, delivery_id: str) -> dict[str, Any]:
    _endpoint(tenant_id, endpoint_id)
    return delivery_view(_delivery(tenant_id, endpoint_id, delivery_id))


def redeliver(tenant_id: str, endpoint_id: int, delivery_id: str) -> dict[str, Any]:
    """Queue one more attempt of a finished delivery (succeeded or failed); 409 while it
    is still being retried or when the endpoint is disabled."""
    endpoint = _endpoint(tenant_id, endpoint_id)
    current = _delivery(tenant_id, endpoint_id, delivery_id)
    if not endpoint.active:
        raise Conflict(f"webhook {endpoint_id} is disabled; enable it before redelivering")
    if current.status == rules.PENDING:
        raise Conflict(f"delivery {delivery_id} is still pending")
    from chalicelib.services import webhook_delivery

    item = webhook_delivery.redeliver(tenant_id, endpoint_id, delivery_id)
    if item is None:
        raise Conflict(f"delivery {delivery_id} changed meanwhile; try again")
    return delivery_view(item)
