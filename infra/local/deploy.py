"""Deploy ``infra/template.yaml`` to the emulator (moto server or LocalStack).

Idempotent: creates the stack, or updates it, or does nothing when unchanged; then turns
on TTL (moto's CloudFormation ignores ``TimeToLiveSpecification``). When DynamoDB has an
endpoint of its own (``AWS_ENDPOINT_URL_DYNAMODB``: dynoxide under ``make run``), the
template's table is created there too, from the same definition.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.exceptions import ClientError

from chalicelib.core.settings import aws_endpoint_url, dynamodb_endpoint_url, resource_names

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


def _client(service: str):
    endpoint = dynamodb_endpoint_url() if service == "dynamodb" else aws_endpoint_url()
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )


def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


def table_definition(stage: str) -> dict[str, Any]:
    """``CreateTable`` arguments of the template's table for ``stage``."""
    props = template()["Resources"]["Table"]["Properties"]
    return {
        "TableName": resource_names(stage).table,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"],
    }


def ensure_table(stage: str) -> None:
    """Create the table in DynamoDB's own endpoint unless it exists (idempotent)."""
    ddb = _client("dynamodb")
    name = resource_names(stage).table
    try:
        ddb.describe_table(TableName=name)
        return
    except ddb.exceptions.ResourceNotFoundException:
        pass
    try:
        ddb.create_table(**table_definition(stage))
    except ddb.exceptions.ResourceInUseException:
        pass  # a parallel start created it
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})


def _wait(cfn, stack: str, timeout_s: int = 120) -> str:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(0.5)
    raise TimeoutError(f"stack {stack} still in progress after {timeout_s}s")


def deploy(stage: str) -> str:
    cfn = _client("cloudformation")
    stack = f"tradekitt-{stage}"
    body = TEMPLATE.read_text()
    params = [{"ParameterKey": "Stage", "ParameterValue": stage}]
    try:
        cfn.describe_stacks(StackName=stack)
        exists = True
    except ClientError:
        exists = False
    try:
        if exists:
            cfn.update_stack(StackName=stack, TemplateBody=body, Parameters=params)
        else:
            cfn.create_stack(StackName=stack, TemplateBody=body, Parameters=params)
    except ClientError as exc:
        if "No updates are to be performed" not in str(exc):
            raise
    status = _wait(cfn, stack)
    if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise RuntimeError(f"stack {stack} ended in {status}")
    if dynamodb_endpoint_url() != aws_endpoint_url():
        ensure_table(stage)
    _enable_ttl(resource_names(stage).table)
    return status


def _enable_ttl(table: str) -> None:
    ddb = _client("dynamodb")
    current = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return
    ddb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )


if __name__ == "__main__":
    stage_name = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("STAGE", "local")
    print(f"stack tradekitt-{stage_name}: {deploy(stage_name)}")
