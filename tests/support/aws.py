"""Create the stateful resources of ``infra/template.yaml`` directly (fast, for moto).

The table definition is read from the template itself, so tests use exactly the keys and
indexes that production deploys. ``tests/api/test_infra.py`` also deploys the whole
template through CloudFormation once.
"""

from __future__ import annotations

import boto3

from chalicelib.core.settings import resource_names
from infra.local.deploy import TEMPLATE, table_definition, template  # noqa: F401


def create_resources(stage: str) -> None:
    names = resource_names(stage)
    ddb = boto3.client("dynamodb")
    ddb.create_table(**table_definition(stage))
    ddb.update_time_to_live(
        TableName=names.table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
    )
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName=names.dead_letter_queue)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    import json

    sqs.create_queue(
        QueueName=names.events_queue,
        Attributes={
            "VisibilityTimeout": "180",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
        },
    )
    boto3.client("s3").create_bucket(Bucket=names.exports_bucket)
