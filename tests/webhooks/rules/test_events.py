"""Unit tests for chalicelib.webhooks.rules.events (pure, no network, no AWS)."""

from __future__ import annotations

import pytest

from chalicelib.webhooks.rules import EVENT_TYPES, WebhookValidationError, validate_event_types

# ---------------------------------------------------------------------------
# Event catalogue
# ---------------------------------------------------------------------------


def test_event_types_exact():
    assert EVENT_TYPES == frozenset(
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
    assert isinstance(EVENT_TYPES, frozenset)


def test_validate_event_types_dedupes_preserving_order():
    events = [
        "sale.created",
        "dispatch.completed",
        "sale.created",
        "inventory.low-stock",
        "dispatch.completed",
    ]
    assert validate_event_types(events) == [
        "sale.created",
        "dispatch.completed",
        "inventory.low-stock",
    ]


def test_validate_event_types_all():
    assert set(validate_event_types(sorted(EVENT_TYPES))) == EVENT_TYPES


def test_validate_event_types_does_not_mutate_input():
    events = ["sale.created", "sale.created"]
    validate_event_types(events)
    assert events == ["sale.created", "sale.created"]


def test_validate_event_types_empty():
    with pytest.raises(WebhookValidationError, match="at least one"):
        validate_event_types([])


def test_validate_event_types_unknown_names_all_reported():
    with pytest.raises(WebhookValidationError) as exc:
        validate_event_types(["sale.created", "sale.deleted", "bogus"])
    msg = str(exc.value)
    assert "'sale.deleted'" in msg and "'bogus'" in msg
    assert "'sale.created'," not in msg.split(";")[0]


@pytest.mark.parametrize("bad", ["*", "SALE.CREATED", " sale.created", "sale.*", ""])
def test_validate_event_types_rejects_wildcard_and_near_misses(bad):
    with pytest.raises(WebhookValidationError):
        validate_event_types([bad])


def test_validate_event_types_wildcard_message():
    with pytest.raises(WebhookValidationError, match="wildcard"):
        validate_event_types(["*"])


@pytest.mark.parametrize(
    "bad", [None, "sale.created", {"sale.created"}, [1], ["sale.created", None]]
)
def test_validate_event_types_bad_types(bad):
    with pytest.raises(WebhookValidationError):
        validate_event_types(bad)


def test_webhook_validation_error_is_value_error():
    assert issubclass(WebhookValidationError, ValueError)
