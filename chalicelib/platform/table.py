"""PynamoDB plumbing for the single table: the base model, lazy table binding and
transactions.

The table name, region and endpoint come from ``core.settings`` whenever a connection
is made (``TABLE_NAME``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``), so the same
models work on AWS, against moto server or LocalStack, and under ``moto.mock_aws``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import botocore.session
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.connection import base as _pynamodb_connection
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core.settings import aws_region as region
from chalicelib.core.settings import dynamodb_endpoint_url as endpoint
from chalicelib.core.settings import table_name

GSI1 = "gsi1"
GSI2 = "gsi2"
GSI3 = "gsi3"
ItemT = TypeVar("ItemT", bound="BaseItem")
_T = TypeVar("_T")


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


class Gsi3(GlobalSecondaryIndex):
    """Third index (sparse); models that use it declare ``gsi3pk``/``gsi3sk`` and
    ``gsi3 = Gsi3()``."""

    class Meta:
        index_name = GSI3
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class BaseItem(Model):
    """Keys and bookkeeping attributes every item has."""

    Meta = TableMeta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """Each model class its own connection. PynamoDB caches the table metadata (the
        indexes it knows) in ``_connection``, and a subclass would inherit its parent's:
        after a call on ``BaseItem`` (the health check) a model with gsi2 would answer
        "Table ... has no index: gsi2" until the container is recycled."""
        if "_connection" not in vars(cls):
            cls._connection = None
        return super()._get_connection()

    @classmethod
    def find(
        cls: type[ItemT],
        key: tuple[str, str],
        *,
        tenant_id: str | None = None,
        consistent: bool = False,
    ) -> ItemT | None:
        """The item at ``key``, or None. With ``tenant_id``: None unless the item belongs
        to that tenant (keys already start with the tenant; this is the second lock)."""
        try:
            item = cls.get(*key, consistent_read=consistent)
        except DoesNotExist:
            return None
        if tenant_id is not None and getattr(item, "tenant_id", None) != tenant_id:
            return None
        return item


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


def registered_models() -> list[type[Model]]:
    return list(_MODELS)


def reset_connections() -> None:
    """Drop cached connections and botocore clients, back to the state of a new process
    (tests start a fresh moto backend per test)."""
    global _transaction_connection
    BaseItem._connection = None
    for model in _MODELS:
        if "_connection" in vars(model):
            delattr(model, "_connection")  # as in a new process: nothing cached
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


def change_actions(
    model: type[BaseItem], changes: Mapping[str, Any], allowed: Iterable[str]
) -> list[Any]:
    """Update actions for a partial change: SET each changed attribute, REMOVE it where the
    value is None. An attribute outside ``allowed`` is a programming error."""
    permitted = set(allowed)
    actions = []
    for name, value in changes.items():
        if name not in permitted:
            raise ValueError(f"{model.__name__} attribute {name!r} cannot be changed")
        attr = getattr(model, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    return actions


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def take(results: Iterable[_T], limit: int) -> list[_T]:
    """At most ``limit`` items of a Query's results, read page by page and no further:
    a request path reads what it returns, never a whole partition (pass the Query the
    same ``limit`` so its last page is not larger than needed)."""
    taken: list[_T] = []
    if limit <= 0:
        return taken
    for item in results:
        taken.append(item)
        if len(taken) >= limit:
            break
    return taken
