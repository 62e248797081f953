"""Local stand-in for Lambda's SQS event sources and EventBridge schedules.

``chalice local`` runs neither, so ``make run`` starts this worker beside the API. It
loads the app the way ``chalice local`` does (the stage's environment variables from
``.chalice/config.json``), then:

- long-polls every queue an ``@app.on_sqs_message`` handler listens to, builds the same
  event Lambda builds (``Records`` with ``messageId``, ``receiptHandle``, ``body``,
  ``attributes``...), calls the same handler function Lambda calls, and deletes the
  messages the handler did not report in ``batchItemFailures`` (failed ones come back
  after the queue's visibility timeout, and reach the dead-letter queue by its redrive
  policy, exactly as on AWS);
- fires every ``@app.schedule`` handler on its schedule (``Rate`` and the usual ``Cron``
  fields), with a scheduled-event payload.

``python -m infra.local.worker --once`` (``make tick``) fires every schedule once, drains
the queues and exits.
"""

from __future__ import annotations

import argparse
import calendar
import logging
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
POLL_WAIT_S = 1
log = logging.getLogger("tradekitt.worker")


# --- schedules --------------------------------------------------------------------------
_RATE_UNITS = {
    "minute": 60,
    "minutes": 60,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,
    "days": 86400,
}
_MONTHS = {name.upper(): n for n, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}  # AWS: 1=SUN


def rate_seconds(expression: str) -> int | None:
    """``rate(5 minutes)`` -> 300; None for anything else."""
    text = expression.strip()
    if not (text.startswith("rate(") and text.endswith(")")):
        return None
    value, _, unit = text[5:-1].strip().partition(" ")
    if not value.isdigit() or unit.strip().lower() not in _RATE_UNITS:
        return None
    return int(value) * _RATE_UNITS[unit.strip().lower()]


def _field_matches(spec: str, value: int, names: dict[str, int], low: int, high: int) -> bool:
    for part in spec.upper().split(","):
        part = part.strip()
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start, end = names.get(a, None) or int(a), names.get(b, None) or int(b)
        else:
            start = names.get(base, None) or int(base)
            end = high if step_text else start
        if start <= value <= end and (value - start) % step == 0:
            return True
    return False


def cron_matches(expression: str, when: datetime) -> bool:
    """Whether ``cron(min hour day-of-month month day-of-week year)`` (AWS syntax: ``?``,
    ``*``, lists, ranges, steps, month and day names; day-of-week 1 = Sunday) fires in
    the UTC minute ``when``. Raises ValueError for what it cannot read (``L``, ``W``, ``#``)."""
    text = expression.strip()
    if not (text.startswith("cron(") and text.endswith(")")):
        raise ValueError(f"not a cron expression: {expression!r}")
    fields = text[5:-1].split()
    if len(fields) != 6:
        raise ValueError(f"unsupported cron expression: {expression!r}")
    minutes, hours, dom, month, dow, year = fields  # int() refuses L, W and # forms
    aws_dow = (when.isoweekday() % 7) + 1  # Monday=2 ... Sunday=1
    checks = [
        (minutes, when.minute, {}, 0, 59),
        (hours, when.hour, {}, 0, 23),
        (month, when.month, _MONTHS, 1, 12),
        (year, when.year, {}, 1970, 2199),
    ]
    if not all(_field_matches(*check) for check in checks):
        return False
    dom_any, dow_any = dom in ("*", "?"), dow in ("*", "?")
    dom_ok = _field_matches(dom, when.day, {}, 1, 31)
    dow_ok = _field_matches(dow, aws_dow, _DAYS, 1, 7)
    if dom_any and dow_any:
        return True
    if dom_any:
        return dow_ok
    if dow_any:
        return dom_ok
    return dom_ok and dow_ok


@dataclass
class Schedule:
    name: str
    expression: str
    handler: Callable[..., Any]
    interval_s: int | None = None  # rate(...)
    last_run: float = 0.0
    last_minute: str = ""

    def due(self, now: float) -> bool:
        if self.interval_s is not None:
            return now - self.last_run >= self.interval_s
        minute = datetime.fromtimestamp(now, UTC).replace(second=0, microsecond=0)
        key = minute.isoformat()
        if key == self.last_minute:
            return False
        try:
            return cron_matches(self.expression, minute)
        except ValueError:
            return False


# --- Lambda shapes ----------------------------------------------------------------------
class Context:
    """The parts of Lambda's context handlers read."""

    def __init__(self, function_name: str, timeout_s: int) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = ""
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = self.log_stream_name = ""
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda's SQS event source passes for ``messages`` (ReceiveMessage output)."""
    records = []
    for message in messages:
        attributes = {k: v for k, v in (message.get("Attributes") or {}).items()}
        message_attributes = {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType"),
            }
            for name, value in (message.get("MessageAttributes") or {}).items()
        }
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": attributes,
                "messageAttributes": message_attributes,
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def scheduled_event(rule: str, region: str, now: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT}:rule/{rule}"],
        "detail": {},
    }


# --- the worker -------------------------------------------------------------------------
@dataclass
class QueueSource:
    name: str  # handler name
    queue: str
    batch_size: int
    handler: Callable[..., Any]
    timeout_s: int
    url: str = ""
    arn: str = ""


@dataclass
class Worker:
    app: Any
    config: Any
    sqs: Any
    region: str
    queues: list[QueueSource] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    stopping: bool = False

    @classmethod
    def load(cls, stage: str) -> Worker:
        import boto3
        from chalice.app import Cron, Rate, ScheduledEventConfig, SQSEventConfig
        from chalice.cli.factory import CLIFactory

        factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)  # applies stage env vars
        config = factory.create_config_obj(chalice_stage_name=stage)
        app = config.chalice_app
        region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        sqs = boto3.client(
            "sqs", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None, region_name=region
        )
        worker = cls(app=app, config=config, sqs=sqs, region=region)
        for source in app.event_sources:
            handler = app.handler_map[source.name]
            timeout = config.scope(stage, source.name).lambda_timeout or 60
            if isinstance(source, SQSEventConfig) and source.queue:
                worker.queues.append(
                    QueueSource(source.name, source.queue, source.batch_size, handler, timeout)
                )
            elif isinstance(source, ScheduledEventConfig):
                expr = source.schedule_expression
                text = expr.to_string() if isinstance(expr, (Rate, Cron)) else str(expr)
                worker.schedules.append(
                    Schedule(source.name, text, handler, interval_s=rate_seconds(text))
                )
                if rate_seconds(text) is None:
                    try:
                        cron_matches(text, datetime.now(UTC))
                    except ValueError:
                        log.warning(
                            "%s: %s is not supported locally; fire it with `make tick`",
                            source.name,
                            text,
                        )
        return worker

    def resolve_queues(self, wait_s: float = 30) -> None:
        deadline = time.time() + wait_s
        for source in self.queues:
            while True:
                try:
                    source.url = self.sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
                    source.arn = self.sqs.get_queue_attributes(
                        QueueUrl=source.url, AttributeNames=["QueueArn"]
                    )["Attributes"]["QueueArn"]
                    break
                except Exception:  # noqa: BLE001 - the deploy may still be running
                    if time.time() > deadline:
                        raise
                    time.sleep(0.5)

    def poll(self, source: QueueSource, wait_s: int) -> int:
        """One receive and one handler invocation; the number of messages handled."""
        got = self.sqs.receive_message(
            QueueUrl=source.url,
            MaxNumberOfMessages=min(source.batch_size, 10),
            WaitTimeSeconds=wait_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not got:
            return 0
        event = sqs_event(got, source.arn, self.region)
        try:
            response = source.handler(event, Context(source.name, source.timeout_s)) or {}
        except Exception:  # noqa: BLE001 - as on Lambda: the whole batch comes back later
            log.exception("%s failed; %d message(s) will be redelivered", source.name, len(got))
            return len(got)
        failed = {f.get("itemIdentifier") for f in response.get("batchItemFailures", [])}
        done = [m for m in got if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=source.url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                    for n, m in enumerate(done[start : start + 10])
                ],
            )
        if failed:
            log.warning(
                "%s: %d of %d message(s) failed and will be retried",
                source.name,
                len(failed),
                len(got),
            )
        return len(got)

    def fire(self, schedule: Schedule, now: float) -> None:
        schedule.last_run = now
        schedule.last_minute = (
            datetime.fromtimestamp(now, UTC).replace(second=0, microsecond=0).isoformat()
        )
        try:
            result = schedule.handler(
                scheduled_event(schedule.name, self.region, now), Context(schedule.name, 300)
            )
            log.debug("%s: %s", schedule.name, result)
        except Exception:  # noqa: BLE001 - keep the worker alive; the next run retries
            log.exception("scheduled %s failed", schedule.name)

    def run_due_schedules(self, now: float) -> None:
        for schedule in self.schedules:
            if schedule.due(now):
                self.fire(schedule, now)

    def run_forever(self) -> None:
        self.resolve_queues()
        names = ", ".join(f"{q.name} <- {q.queue}" for q in self.queues)
        plans = ", ".join(f"{s.name} {s.expression}" for s in self.schedules)
        print(f"Worker polling [{names}]; schedules [{plans}]", flush=True)
        while not self.stopping:
            self.run_due_schedules(time.time())
            for source in self.queues:
                if self.stopping:
                    break
                try:
                    self.poll(source, POLL_WAIT_S)
                except Exception:  # noqa: BLE001 - emulator hiccup: retry shortly
                    log.exception("polling %s failed", source.queue)
                    time.sleep(1)

    def tick(self) -> int:
        """Fire every schedule once, then drain the queues; messages handled."""
        self.resolve_queues()
        now = time.time()
        for schedule in self.schedules:
            self.fire(schedule, now)
        handled = 0
        for source in self.queues:
            while (count := self.poll(source, 0)) > 0:
                handled += count
        return handled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--once",
        action="store_true",
        help="fire every schedule once, drain the queues, exit (make tick)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="worker %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tradekitt").setLevel(logging.INFO)
    if "AWS_ENDPOINT_URL" not in os.environ:
        from infra.local.run import local_environment

        os.environ.update(local_environment())
    sys.path.insert(0, str(PROJECT_DIR))
    worker = Worker.load(os.environ.get("STAGE", "local"))

    def stop(*_: object) -> None:
        # Like a Lambda being shut down: stop at once. An attempt cut short is safe, its
        # message comes back after the visibility timeout and its lease runs out.
        worker.stopping = True
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        if args.once:
            print(f"tick: {worker.tick()} message(s) handled", flush=True)
        else:
            worker.run_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
