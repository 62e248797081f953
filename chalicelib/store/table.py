"""PynamoDB plumbing for the single table: the base model, lazy table binding and
transactions.

The table name, region and endpoint are read from the environment whenever a connection
is made (``TABLE_NAME``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``), so the same
models work on AWS, against moto server or LocalStack, and under ``moto.mock_aws``.
"""
from __future__ import annotations

import os
import threading
from typing import Iterator

import botocore.session
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.connection import base as _pynamodb_connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

GSI1 = "gsi1"
GSI2 = "gsi2"


def table_name() -> str:
    return os.environ.get("TABLE_NAME") or f"tradekitt-{os.environ.get('STAGE', 'local')}"


def region() -> str:
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"


def endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL") or None


class _TableMetaType(type):
    """Makes ``Meta.table_name``/``region``/``host`` read the environment on access."""

    @property
    def table_name(cls) -> str:  # noqa: D401
        return table_name()

    @property
    def region(cls) -> str:
        return region()

    @property
    def host(cls) -> str | None:
        return endpoint()


class TableMeta(metaclass=_TableMetaType):
    """Shared ``Meta`` of every model on the single table."""

    max_retry_attempts = 3
    connect_timeout_seconds = 5
    read_timeout_seconds = 10


class Gsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = GSI1
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    """Second index; models that use it declare ``gsi2pk``/``gsi2sk`` and ``gsi2 = Gsi2()``."""

    class Meta:
        index_name = GSI2
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class BaseItem(Model):
    """Keys and bookkeeping attributes every item has."""

    Meta = TableMeta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds


_sessions = threading.local()


def _shared_botocore_session() -> botocore.session.Session:
    """One botocore session per thread for every model's connection. PynamoDB otherwise
    makes a session per model class, and each one loads the DynamoDB service model again:
    about 80 ms for every model class a cold Lambda (or a test) touches first."""
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = botocore.session.get_session()
    return session


_pynamodb_connection.get_session = _shared_botocore_session  # type: ignore[assignment]

_MODELS: list[type[Model]] = []


def register(model: type[Model]) -> type[Model]:
    """Class decorator: remember the model so its cached connection can be reset."""
    _MODELS.append(model)
    return model


def reset_connections() -> None:
    """Drop cached botocore clients (tests start a fresh moto backend per test)."""
    global _transaction_connection
    for model in _MODELS + [BaseItem]:
        model._connection = None
    _transaction_connection = None
    _sessions.session = None


_transaction_connection: Connection | None = None


def _connection() -> Connection:
    global _transaction_connection
    if _transaction_connection is None:
        _transaction_connection = Connection(region=region(), host=endpoint())
    return _transaction_connection


def shared_client():  # noqa: ANN201 - a botocore DynamoDB client
    """The botocore client of the shared connection (for code that needs the raw API:
    heterogeneous batch reads, the Powertools idempotency layer)."""
    return _connection().client


def transaction() -> TransactWrite:
    """A ``TransactWrite`` context on the shared connection."""
    return TransactWrite(connection=_connection())


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
