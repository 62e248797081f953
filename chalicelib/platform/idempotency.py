"""``Idempotency-Key`` handling with Powertools Idempotency on the single table.

Records live in the tenant's own partition (``keys.idempotency_pk``: static partition
key per tenant, sort key ``<operation>#<md5 of the header value>``), expire after 24 h
(``expires_at``, the table's TTL attribute) and hash the request payload:

* same key, same payload, within 24 h: the first response is returned again;
* same key, another payload: 422 ``VALIDATION_ERROR``;
* same key while the first request is still running: 409 ``CONFLICT``;
* a failed request (any error) deletes its record, so the client may retry.

A record left ``INPROGRESS`` by a crashed invocation stops blocking once the Lambda's
remaining time (registered from the invocation's context) has passed.

DynamoDB calls: a first request adds one conditional ``PutItem`` (in progress) and one
``UpdateItem`` (completed); a replay costs a single ``PutItem`` (the stored record comes
back with the failed condition, ``ReturnValuesOnConditionCheckFailure``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.platform import keys
from chalicelib.platform.table import shared_client, table_name

EXPIRES_AFTER_S = 24 * 60 * 60
DEFAULT_REMAINING_MS = 30_000  # the Lambda timeout, when no invocation context is known
MAX_KEY_LENGTH = 255


class _FixedContext:
    """Stands in for a Lambda context outside Lambda (a fixed time budget)."""

    def __init__(self, remaining_ms: int) -> None:
        self._remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining_ms


def payload_hash(payload: Any) -> str:
    """Hash of a JSON payload (stable key order), as stored with a sale's guard item."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def check_key(value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} characters",
            details=[{"field": "Idempotency-Key", "message": "invalid length"}],
        )
    return value


_TENANT_PK: ContextVar[str] = ContextVar("idempotency_tenant_pk")


@lru_cache(maxsize=8)
def _layer(operation: str, table: str, client: Any) -> Any:
    """One persistence layer per operation and client, for every tenant: building one per
    request would register another Powertools user-agent hook on the client each time.
    The client is the store's shared botocore client (no second client, no second load
    of the DynamoDB service model). The partition key is the calling tenant's, read from
    a context variable."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    class TenantPartitionLayer(DynamoDBPersistenceLayer):
        def _get_key(self, idempotency_key: str) -> dict:
            return {
                self.key_attr: {"S": _TENANT_PK.get()},
                self.sort_key_attr: {"S": idempotency_key},
            }

    return TenantPartitionLayer(
        table_name=table,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value="per-tenant",
        expiry_attr="expires_at",
        boto3_client=client,
    )


def run_once(
    tenant_id: str,
    operation: str,
    key: str,
    payload: dict[str, Any],
    compute: Callable[[], dict[str, Any]],
    lambda_context: Any = None,
) -> dict[str, Any]:
    """Run ``compute()`` once per (tenant, operation, key) and payload; replay its result.

    ``payload`` is what must match for a replay (the validated body and the caller).
    """
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    persistence = _layer(operation, table_name(), shared_client())
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_S,
    )
    context = lambda_context
    if context is None or not callable(getattr(context, "get_remaining_time_in_millis", None)):
        context = _FixedContext(DEFAULT_REMAINING_MS)
    config.register_lambda_context(_IntContext(context))

    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=persistence,
        config=config,
        key_prefix=operation,
    )
    def _once(request: dict[str, Any]) -> dict[str, Any]:
        return compute()

    token = _TENANT_PK.set(keys.idempotency_pk(tenant_id))
    try:
        return _once(request={"key": key, "payload": payload})
    except IdempotencyValidationError as exc:
        raise ValidationFailed(
            "Idempotency-Key was already used with a different request body",
            details=[
                {"field": "Idempotency-Key", "message": "already used with a different request"}
            ],
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict(
            "a request with this Idempotency-Key is still in progress; retry shortly"
        ) from exc
    finally:
        _TENANT_PK.reset(token)


class _IntContext:
    """Powertools stores the in-progress expiry as an integer: round the context's
    (possibly fractional) remaining time down."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def get_remaining_time_in_millis(self) -> int:
        return int(self._context.get_remaining_time_in_millis())
