"""The local worker that drives webhook delivery under ``make run`` (infra/local/worker.py):
schedule parsing and the Lambda event shapes it builds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.local import worker


def test_rate_expressions():
    assert worker.rate_seconds("rate(1 minute)") == 60
    assert worker.rate_seconds("rate(5 minutes)") == 300
    assert worker.rate_seconds("rate(1 day)") == 86400
    assert worker.rate_seconds("cron(0 6 * * ? *)") is None


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "expression, when, expected",
    [
        ("cron(0 6 * * ? *)", "2026-03-02T06:00", True),
        ("cron(0 6 * * ? *)", "2026-03-02T06:01", False),
        ("cron(*/15 * * * ? *)", "2026-03-02T10:45", True),
        ("cron(*/15 * * * ? *)", "2026-03-02T10:50", False),
        ("cron(0 9 ? * MON-FRI *)", "2026-03-02T09:00", True),  # a Monday
        ("cron(0 9 ? * MON-FRI *)", "2026-03-01T09:00", False),  # a Sunday
        ("cron(0 9 ? * 1 *)", "2026-03-01T09:00", True),  # AWS: 1 = Sunday
        ("cron(30 2 1 JAN,JUL ? *)", "2026-07-01T02:30", True),
        ("cron(30 2 1 JAN,JUL ? *)", "2026-06-01T02:30", False),
    ],
)
def test_cron_expressions(expression, when, expected):
    assert worker.cron_matches(expression, _at(when)) is expected


def test_unsupported_cron_is_refused():
    with pytest.raises(ValueError):
        worker.cron_matches("cron(0 0 L * ? *)", _at("2026-03-31T00:00"))


def test_sqs_event_has_the_lambda_shape():
    event = worker.sqs_event(
        [
            {
                "MessageId": "m1",
                "ReceiptHandle": "r1",
                "Body": "{}",
                "MD5OfBody": "x",
                "Attributes": {"ApproximateReceiveCount": "2"},
                "MessageAttributes": {"a": {"StringValue": "v", "DataType": "String"}},
            }
        ],
        "arn:aws:sqs:us-east-1:123456789012:q",
        "us-east-1",
    )
    [record] = event["Records"]
    assert record["messageId"] == "m1" and record["receiptHandle"] == "r1"
    assert record["body"] == "{}" and record["eventSource"] == "aws:sqs"
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["messageAttributes"]["a"]["stringValue"] == "v"
    scheduled = worker.scheduled_event("sweep", "us-east-1", 0)
    assert scheduled["detail-type"] == "Scheduled Event" and scheduled["source"] == "aws.events"


def test_rate_schedule_is_due_once_per_interval():
    schedule = worker.Schedule("s", "rate(1 minute)", lambda *a: None, interval_s=60)
    assert schedule.due(1000.0)
    schedule.last_run = 1000.0
    assert not schedule.due(1059.0) and schedule.due(1060.0)
