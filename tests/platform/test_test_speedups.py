"""The test-speed shims of ``tests/conftest.py``: ``tests/support/moto_tx.py`` (moto's
transactions keep copies of only the items they name, and a failed transaction still
leaves every item exactly as it was) and ``tests/support/botocore_cache.py`` (botocore's
data files parsed once per process)."""

from __future__ import annotations

from pathlib import Path

import boto3
import botocore
import pytest
from botocore.exceptions import ClientError

from chalicelib.core.settings import resource_names

TABLE = resource_names("test").table


def _put(ddb, pk: str, sk: str, **attrs: str) -> None:
    item = {"pk": {"S": pk}, "sk": {"S": sk}} | {k: {"S": v} for k, v in attrs.items()}
    ddb.put_item(TableName=TABLE, Item=item)


def _items(ddb) -> dict[tuple[str, str], dict]:
    pages = ddb.get_paginator("scan").paginate(TableName=TABLE)  # a test's own table
    return {(i["pk"]["S"], i["sk"]["S"]): i for page in pages for i in page["Items"]}


def _update(pk: str, sk: str, value: str) -> dict:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": "SET v = :v, extra = :v",
            "ExpressionAttributeValues": {":v": {"S": value}},
        }
    }


def _new(pk: str, sk: str) -> dict:
    return {"Put": {"TableName": TABLE, "Item": {"pk": {"S": pk}, "sk": {"S": sk}}}}


def _delete(pk: str, sk: str) -> dict:
    return {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}


def _fails(pk: str, sk: str) -> dict:
    return {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


@pytest.fixture
def ddb(aws):
    client = boto3.client("dynamodb")
    for n in range(5):
        _put(client, "A", f"{n}", v=f"old{n}")
    _put(client, "B", "only", v="b")
    return client


def test_the_shim_is_installed_and_copies_no_table(aws):
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    assert DynamoDBBackend.transact_write_items._tradekitt_touched_items_rollback
    table = object.__new__(Table)
    assert models.copy.deepcopy(table) is table
    assert models.copy.deepcopy({"a": [1]}) == {"a": [1]}


def test_a_failed_transaction_leaves_every_item_as_it_was(ddb):
    before = _items(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(
            TransactItems=[
                _update("A", "1", "new"),
                _new("A", "9"),
                _new("C", "fresh"),
                _delete("B", "only"),
                _fails("A", "2"),  # exists, so the transaction is cancelled
            ]
        )
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in caught.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert _items(ddb) == before
    got = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "C"}},
    )
    assert got["Items"] == []


def test_the_same_item_twice_is_refused_and_writes_nothing(ddb):
    before = _items(ddb)
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[_update("A", "3", "x"), _update("A", "3", "y")])
    assert _items(ddb) == before


def test_a_successful_transaction_writes_every_item(ddb):
    ddb.transact_write_items(
        TransactItems=[_update("A", "1", "new"), _new("C", "fresh"), _delete("B", "only")]
    )
    items = _items(ddb)
    assert items[("A", "1")]["v"] == {"S": "new"} and items[("A", "1")]["extra"] == {"S": "new"}
    assert ("C", "fresh") in items and ("B", "only") not in items
    assert items[("A", "0")]["v"] == {"S": "old0"}


def test_botocore_data_is_parsed_once_per_process(aws):
    from botocore.loaders import JSONFileLoader

    assert JSONFileLoader.load_file._tradekitt_process_cache
    first = boto3.session.Session().client("dynamodb", region_name="us-east-1")
    again = boto3.session.Session().client("dynamodb", region_name="us-east-1")
    assert first.meta.service_model.operation_names == again.meta.service_model.operation_names
    endpoints = str(Path(botocore.__file__).parent / "data" / "endpoints")
    parsed = JSONFileLoader().load_file(endpoints)
    assert parsed["partitions"] and JSONFileLoader().load_file(endpoints) is parsed
    assert JSONFileLoader().load_file(endpoints + "-missing") is None
