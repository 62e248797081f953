"""The event catalogue and the error every webhook rule raises.

Standard library and :mod:`chalicelib.core.errors` only.
"""

from __future__ import annotations

from chalicelib.core.errors import InvalidInput


class WebhookValidationError(InvalidInput):
    """Raised when webhook input (events, secret, URL, payload) is invalid.

    An ``InvalidInput`` (so a :class:`ValueError`); the message is safe to show to API
    clients and ``str(exc)`` is exactly that message. The service names the field it
    checked with ``exc.at("url")``, which the route decorator turns into a 422.
    """


EVENT_TYPES: frozenset[str] = frozenset(
    {
        "sale.created",
        "sale.approved",
        "sale.rejected",
        "dispatch.created",
        "dispatch.assigned",
        "dispatch.completed",
        "commission.calculated",
        "payment.reconciled",
        "agreement.renewed",
        "agreement.expired",
        "inventory.low-stock",
    }
)
"""Every event type a webhook endpoint may subscribe to."""

_VALID_TYPES = "valid types are: " + ", ".join(sorted(EVENT_TYPES))


def validate_event_types(events: list[str]) -> list[str]:
    """Validate a subscription's event list and return it de-duplicated.

    Order of first occurrence is preserved. Matching is exact and
    case-sensitive. The wildcard ``"*"`` is deliberately **not** supported:
    subscribers must list the events they want, so adding a new event type
    never silently starts sending new data to existing endpoints.

    :raises WebhookValidationError: if ``events`` is not a non-empty list of
        strings, or names events not in :data:`EVENT_TYPES` (all unknown
        names are reported).
    """
    if not isinstance(events, (list, tuple)):
        raise WebhookValidationError("events must be a list of event type strings")
    if not events:
        raise WebhookValidationError("events must contain at least one event type")
    non_strings = [e for e in events if not isinstance(e, str)]
    if non_strings:
        raise WebhookValidationError("events must be a list of event type strings")

    result: list[str] = []
    seen: set[str] = set()
    unknown: list[str] = []
    for event in events:
        if event in seen:
            continue
        seen.add(event)
        if event in EVENT_TYPES:
            result.append(event)
        else:
            unknown.append(event)
    if unknown:
        hint = " (wildcard '*' is not supported)" if "*" in unknown else ""
        raise WebhookValidationError(
            "unknown event type(s): "
            + ", ".join(repr(e) for e in unknown)
            + hint
            + "; "
            + _VALID_TYPES
        )
    return result


def validate_event_type(event_type: str) -> str:
    """Check one event type (a test event's) and return it.

    :raises WebhookValidationError: if it is not in :data:`EVENT_TYPES`.
    """
    if event_type not in EVENT_TYPES:
        raise WebhookValidationError(f"unknown event type {event_type!r}; {_VALID_TYPES}")
    return event_type
