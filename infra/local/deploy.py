"""Deploy ``infra/template.yaml`` to the emulator (moto server or LocalStack).

Idempotent: creates the stack, or updates it, or does nothing when unchanged; then turns
on TTL (moto's CloudFormation ignores ``TimeToLiveSpecification``).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from chalicelib.core.settings import resource_names

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


def _client(service: str):
    return boto3.client(
        service,
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )


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
