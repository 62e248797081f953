"""Webhook delivery: AWS calls per delivered event and per retry, the retry schedule, and
the handler's own time per delivery to a local receiver (moto in-process)."""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid

from bench.common import ROOT, count_calls, emulated_api

RUNS = 20


def _event(body: dict) -> dict:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "r",
                "body": json.dumps(body),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
        ]
    }


def _calls(counter) -> dict:
    return {
        "dynamodb": counter.of("dynamodb"),
        "sqs": counter.of("sqs"),
        "ops": {
            **{f"dynamodb.{k}": v for k, v in counter.ops("dynamodb").items()},
            **{f"sqs.{k}": v for k, v in counter.ops("sqs").items()},
        },
    }


def run() -> dict:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from chalicelib.platform import outbox as events
    from chalicelib.webhooks import delivery as webhook_delivery
    from chalicelib.webhooks import rules
    from tests.support.receiver import Receiver

    result: dict = {"retry_schedule": rules.schedule_summary(webhook_delivery.POLICY)}
    webhook_delivery.TIME_MARGIN_S = 0  # chalice.test's context allows 3 s
    with emulated_api() as api, Receiver(statuses=[200]) as ok, Receiver(statuses=[500]) as failing:
        account = api.register("Bench Webhooks")
        for url in (ok.url,):
            assert (
                api.post(
                    "/admin/webhooks", {"url": url, "events": ["sale.created"]}, as_=account
                ).status
                == 201
            )
        invoke = api.client.lambda_.invoke

        with count_calls() as c:
            pending = events.publish(account.tenant_id, "sale.created", {"sale_id": 1})
        result["publish"] = _calls(c)

        with count_calls() as c:
            invoke("deliver_webhooks", _event(pending.message()))
        result["delivered_first_try_one_endpoint"] = _calls(c)

        with count_calls() as c:
            invoke("deliver_webhooks", _event(pending.message()))
        result["duplicate_message"] = _calls(c)

        timings = []
        for n in range(RUNS):
            body = events.publish(account.tenant_id, "sale.created", {"sale_id": n}).message()
            started = time.perf_counter()
            invoke("deliver_webhooks", _event(body))
            timings.append((time.perf_counter() - started) * 1000)
        result["handler_ms_per_delivered_event_median"] = round(statistics.median(timings), 1)

        other = api.register("Bench Failing")
        api.post("/admin/webhooks", {"url": failing.url, "events": ["sale.created"]}, as_=other)
        body = events.publish(other.tenant_id, "sale.created", {"sale_id": 1}).message()
        with count_calls() as c:
            invoke("deliver_webhooks", _event(body))
        result["failed_first_try_schedules_retry"] = _calls(c)
        retry = rules.delivery_message(
            other.tenant_id, 1, rules.delivery_id(body["created_at"], body["event_id"]), 2, 0
        )
        with count_calls() as c:
            invoke("deliver_webhooks", _event(retry))
        result["retry_attempt_failing_again"] = _calls(c)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
