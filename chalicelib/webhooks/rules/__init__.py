"""Pure, AWS-free building blocks for outbound webhook delivery.

Everything here is standard library only (plus ``chalicelib.core``'s error types and ISO
format) and side-effect free apart from the CSPRNG used by :func:`new_secret`; host names
are resolved by the resolver the caller passes to :func:`validate_url` (DNS lives in the
webhook transport), so it can be unit-tested without network or AWS access.

One module per job, each importing only the ones before it:

* :mod:`.events`: the error (:class:`WebhookValidationError`) and the event catalogue
  (:data:`EVENT_TYPES`, :func:`validate_event_types`, :func:`validate_event_type`);
* :mod:`.signing`: endpoint secrets (:func:`new_secret`, :func:`secret_key_bytes`),
  `Standard Webhooks <https://www.standardwebhooks.com>`_ signing and verification
  (:func:`sign`, :func:`signature_headers`, :func:`verify`) and deterministic payload
  serialisation (:func:`build_payload`);
* :mod:`.urls`: SSRF-safe endpoint URL validation (:func:`validate_url`);
* :mod:`.retry`: the retry schedule (:class:`RetryPolicy`, :func:`split_delay`) and
  response classification (:func:`classify_response`);
* :mod:`.deliveries`: delivery bookkeeping: ids, claims (:func:`claimable`,
  :func:`claim_verdict`), retry plans (:func:`plan_after_failure`) and the SQS messages.

``from chalicelib.webhooks import rules`` then ``rules.sign(...)``, ``rules.PENDING``.
"""

from __future__ import annotations

from chalicelib.webhooks.rules.deliveries import (
    AUTOMATIC,
    FAILED,
    ID_DAY,
    ID_MONTH,
    MANUAL,
    PENDING,
    RETENTION_DAYS,
    STATUSES,
    SUCCEEDED,
    TEST,
    BadMessage,
    DeliveryState,
    RetryPlan,
    Verdict,
    claim_verdict,
    claimable,
    day_prefix,
    delay_until,
    delivery_id,
    delivery_message,
    expires_at,
    is_delivery_id,
    iso,
    listed_since,
    mask_secret,
    parse_iso,
    plan_after_failure,
    read_delivery_message,
    read_event_message,
    schedule_summary,
)
from chalicelib.webhooks.rules.events import (
    EVENT_TYPES,
    WebhookValidationError,
    validate_event_type,
    validate_event_types,
)
from chalicelib.webhooks.rules.retry import (
    SQS_MAX_DELAY_SECONDS,
    DeliveryOutcome,
    RetryPolicy,
    classify_response,
    split_delay,
)
from chalicelib.webhooks.rules.signing import (
    DEFAULT_TOLERANCE_S,
    SECRET_PREFIX,
    SIGNATURE_VERSION,
    build_payload,
    new_secret,
    secret_key_bytes,
    sign,
    signature_headers,
    verify,
)
from chalicelib.webhooks.rules.urls import MAX_URL_LENGTH, Resolver, parse_ip, validate_url

__all__ = [
    # events
    "EVENT_TYPES",
    "WebhookValidationError",
    "validate_event_type",
    "validate_event_types",
    # signing
    "DEFAULT_TOLERANCE_S",
    "SECRET_PREFIX",
    "SIGNATURE_VERSION",
    "build_payload",
    "new_secret",
    "secret_key_bytes",
    "sign",
    "signature_headers",
    "verify",
    # urls
    "MAX_URL_LENGTH",
    "Resolver",
    "parse_ip",
    "validate_url",
    # retry
    "SQS_MAX_DELAY_SECONDS",
    "DeliveryOutcome",
    "RetryPolicy",
    "classify_response",
    "split_delay",
    # deliveries
    "AUTOMATIC",
    "FAILED",
    "ID_DAY",
    "ID_MONTH",
    "MANUAL",
    "PENDING",
    "RETENTION_DAYS",
    "STATUSES",
    "SUCCEEDED",
    "TEST",
    "BadMessage",
    "DeliveryState",
    "RetryPlan",
    "Verdict",
    "claim_verdict",
    "claimable",
    "day_prefix",
    "delay_until",
    "delivery_id",
    "delivery_message",
    "expires_at",
    "is_delivery_id",
    "iso",
    "listed_since",
    "mask_secret",
    "parse_iso",
    "plan_after_failure",
    "read_delivery_message",
    "read_event_message",
    "schedule_summary",
]
