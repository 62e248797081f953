"""Driving webhook delivery in moto tests, the way Lambda's SQS event source would.

``Delivery(api, monkeypatch)`` freezes the clock (``chalicelib.core.clock.time``, which
delivery reads; ``advance()`` moves it), seeds the jitter, and intercepts the retries the
service enqueues, so a test can play a whole multi-hour retry schedule instantly: ``pump()``
hands the visible messages of the (moto) events queue to the Lambda handler in one batch
and deletes those not reported failed; ``run_next()`` jumps the clock to the next
scheduled retry and delivers it.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import boto3

from chalicelib.core import clock
from chalicelib.webhooks import delivery as webhook_delivery

QUEUE = "tradekitt-test-events"
DLQ = "tradekitt-test-events-dlq"


def sqs_record(body: str | dict, message_id: str | None = None) -> dict[str, Any]:
    """One SQS record as Lambda passes it (every record gets its own ``messageId``)."""
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": uuid.uuid4().hex,
        "body": text,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "0",
            "SenderId": "test",
            "ApproximateFirstReceiveTimestamp": "0",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{QUEUE}",
        "awsRegion": "us-east-1",
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def queue_messages(name: str = QUEUE, max_count: int = 10) -> list[dict[str, Any]]:
    """Receive (without deleting) the visible messages of a queue."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=max_count, VisibilityTimeout=0)
    return got.get("Messages", [])


@dataclass
class Scheduled:
    visible_at: float
    body: dict[str, Any]
    delay_s: int


class Delivery:
    def __init__(self, api: Any, monkeypatch: Any, seed: int = 7, intercept: bool = True) -> None:
        self.api = api
        self.now = float(int(time.time()))
        self.scheduled: list[Scheduled] = []
        monkeypatch.setattr(clock, "time", lambda: self.now)
        monkeypatch.setattr(webhook_delivery, "rng", random.Random(seed))
        if intercept:
            monkeypatch.setattr(webhook_delivery, "_enqueue", self._enqueue)
        # chalice.test's Lambda context allows 3 s per invocation: too little for the
        # real 15 s time margin, which tests of the margin itself set back.
        monkeypatch.setattr(webhook_delivery, "TIME_MARGIN_S", 0)

    def _enqueue(self, message: dict[str, Any], delay_s: int) -> None:
        assert 0 <= delay_s <= 900, delay_s
        self.scheduled.append(Scheduled(self.now + delay_s, message, delay_s))

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def invoke(self, event: dict[str, Any]) -> list[str]:
        """Run the Lambda handler on ``event``; the ids of the messages it failed."""
        reply = self.api.client.lambda_.invoke("deliver_webhooks", event)
        return [f["itemIdentifier"] for f in reply.payload["batchItemFailures"]]

    def invoke_bodies(self, *bodies: str | dict) -> list[str]:
        return self.invoke(sqs_event(*(sqs_record(b) for b in bodies)))

    def pump(self) -> list[str]:
        """Deliver what is on the real (moto) events queue, like the event source."""
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return []
        failed = self.invoke(sqs_event(*(sqs_record(m["Body"], m["MessageId"]) for m in got)))
        for message in got:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return failed

    def run_next(self) -> Scheduled:
        """Jump to the next intercepted message and deliver it."""
        assert self.scheduled, "nothing scheduled"
        self.scheduled.sort(key=lambda s: s.visible_at)
        item = self.scheduled.pop(0)
        self.now = max(self.now, item.visible_at)
        assert self.invoke_bodies(item.body) == []
        return item
