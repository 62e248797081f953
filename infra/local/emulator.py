"""The local AWS emulator of ``make run``: moto server in this process, made faithful
where the project needs it.

- When moto also serves DynamoDB (``--serialize-dynamodb``: no dynoxide on this machine),
  DynamoDB requests run one at a time. moto applies ``TransactWriteItems`` on a copy of
  the table and puts the copy back when a transaction fails, with no lock, so two
  concurrent requests could lose an acknowledged write.
- The state survives a restart: S3 objects, SQS messages (with what is left of their
  delay; a message being processed comes back visible) and, when moto serves it, the
  table's items are saved under ``--state-dir`` a few seconds after every change and on
  shutdown, and restored by ``POST /_local/restore`` once the deploy has recreated the
  bucket, queues and table. Nothing is saved before the restore, so a start can never
  overwrite the saved state with an empty one.

``python -m infra.local.emulator --port 4566 --state-dir .local/state``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

SAVE_EVERY_S = 3.0
ACCOUNT = os.environ.get("MOTO_ACCOUNT_ID", "123456789012")
# JSON-protocol calls that change nothing worth saving (the worker polls all the time).
READS = frozenset(
    {
        "AmazonSQS.ReceiveMessage",
        "AmazonSQS.GetQueueUrl",
        "AmazonSQS.GetQueueAttributes",
        "AmazonSQS.ListQueues",
        "DynamoDB_20120810.GetItem",
        "DynamoDB_20120810.BatchGetItem",
        "DynamoDB_20120810.Query",
        "DynamoDB_20120810.Scan",
        "DynamoDB_20120810.DescribeTable",
        "DynamoDB_20120810.DescribeTimeToLive",
        "DynamoDB_20120810.ListTables",
    }
)


def _changes_state(method: str, target: str) -> bool:
    if target:
        return target not in READS
    return method not in ("GET", "HEAD")  # S3 and the query-protocol APIs


class Emulator:
    """WSGI middleware around moto: DynamoDB serialisation, state save and restore."""

    def __init__(self, endpoint: str, state_dir: Path, serialize_dynamodb: bool) -> None:
        self.app = DomainDispatcherApplication(create_backend_app)
        self.endpoint = endpoint
        self.state_dir = state_dir
        self.serialize_dynamodb = serialize_dynamodb
        self._dynamodb = threading.Lock()
        self._save = threading.Lock()
        self._dirty = threading.Event()
        self.restored = False

    # --- requests ---------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_local/"):
            return self._control(path, environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if _changes_state(environ.get("REQUEST_METHOD", ""), target):
            self._dirty.set()
        if self.serialize_dynamodb and target.startswith("DynamoDB_"):
            with self._dynamodb:  # the whole response is produced under the lock
                return [b"".join(self.app(environ, start_response))]
        return self.app(environ, start_response)

    def _control(self, path: str, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST")])
            return [b""]
        if path == "/_local/restore":
            counts = self.restore()
        elif path == "/_local/save":
            counts = self.save()
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": "unknown control"}']
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(counts).encode()]

    # --- clients ----------------------------------------------------------------------
    def _client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        )

    def _table(self) -> str:
        from chalicelib.core.settings import table_name

        return table_name()

    # --- save -------------------------------------------------------------------------
    def save(self) -> dict[str, int]:
        """Write the state files (each atomically); a no-op before the restore."""
        if not self.restored:
            return {}
        with self._save:
            self._dirty.clear()
            counts = {"s3_objects": self._save_s3(), "sqs_messages": self._save_sqs()}
            if self.serialize_dynamodb:
                counts["dynamodb_items"] = self._save_table()
            return counts

    def _write(self, name: str, data: Any) -> None:
        path = self.state_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)

    def _save_s3(self) -> int:
        """Every object of every bucket; only new or changed objects are read again."""
        s3 = self._client("s3")
        blobs = self.state_dir / "s3"
        blobs.mkdir(parents=True, exist_ok=True)
        saved = {(e["bucket"], e["key"]): e for e in self._read("s3.json", [])}
        manifest, keep = [], set()
        for bucket in s3.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
                for entry in page.get("Contents", []):
                    blob = hashlib.sha256(f"{name}/{entry['Key']}".encode()).hexdigest()
                    known = saved.get((name, entry["Key"]))
                    if known and known.get("etag") == entry["ETag"] and (blobs / blob).exists():
                        record = known
                    else:
                        got = s3.get_object(Bucket=name, Key=entry["Key"])
                        (blobs / blob).write_bytes(got["Body"].read())
                        record = {
                            "bucket": name,
                            "key": entry["Key"],
                            "blob": blob,
                            "etag": entry["ETag"],
                            "content_type": got.get("ContentType"),
                        }
                    keep.add(blob)
                    manifest.append(record)
        for stale in blobs.iterdir():
            if stale.name not in keep:
                stale.unlink()
        self._write("s3.json", manifest)
        return len(manifest)

    def _save_sqs(self) -> int:
        """Every message of every queue, read from moto's backend: delayed messages are
        not visible through the API, and reading them there would change them."""
        from moto.sqs.models import sqs_backends

        now_ms = time.time() * 1000
        saved: dict[str, list[dict[str, Any]]] = {}
        for region, backend in sqs_backends[ACCOUNT].items():
            for name, queue in list(backend.queues.items()):
                messages = []
                for message in list(queue._messages):
                    delay_ms = max(0.0, message.delayed_until - now_ms)
                    messages.append(
                        {
                            "body": message.body,
                            "delay_s": int(delay_ms / 1000),
                            "attributes": message.message_attributes or {},
                        }
                    )
                saved[f"{region}/{name}"] = messages
        self._write("sqs.json", saved)
        return sum(len(m) for m in saved.values())

    def _save_table(self) -> int:
        ddb = self._client("dynamodb")
        items: list[dict[str, Any]] = []
        try:
            for page in ddb.get_paginator("scan").paginate(TableName=self._table()):
                items.extend(page.get("Items", []))
        except ddb.exceptions.ResourceNotFoundException:
            return 0
        self._write("dynamodb.json", items)
        return len(items)

    # --- restore ----------------------------------------------------------------------
    def restore(self) -> dict[str, int]:
        """Put the saved state back (once); from then on changes are saved."""
        with self._save:
            if self.restored:
                return {}
            counts = {"s3_objects": self._restore_s3(), "sqs_messages": self._restore_sqs()}
            if self.serialize_dynamodb:
                counts["dynamodb_items"] = self._restore_table()
            self.restored = True
            return counts

    def _read(self, name: str, default: Any) -> Any:
        path = self.state_dir / name
        return json.loads(path.read_text()) if path.exists() else default

    def _restore_s3(self) -> int:
        s3 = self._client("s3")
        manifest = self._read("s3.json", [])
        for entry in manifest:
            extra = {"ContentType": entry["content_type"]} if entry.get("content_type") else {}
            body = (self.state_dir / "s3" / entry["blob"]).read_bytes()
            s3.put_object(Bucket=entry["bucket"], Key=entry["key"], Body=body, **extra)
        return len(manifest)

    def _restore_sqs(self) -> int:
        count = 0
        for where, messages in self._read("sqs.json", {}).items():
            region, name = where.split("/", 1)
            sqs = boto3.client("sqs", endpoint_url=self.endpoint, region_name=region)
            try:
                url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            except sqs.exceptions.QueueDoesNotExist:
                continue
            for message in messages:
                extra = (
                    {"MessageAttributes": message["attributes"]} if message["attributes"] else {}
                )
                sqs.send_message(
                    QueueUrl=url,
                    MessageBody=message["body"],
                    DelaySeconds=min(900, int(message["delay_s"])),
                    **extra,
                )
                count += 1
        return count

    def _restore_table(self) -> int:
        ddb = self._client("dynamodb")
        items = self._read("dynamodb.json", [])
        table = self._table()
        for start in range(0, len(items), 25):
            batch = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
            while batch:
                batch = ddb.batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}
        return len(items)

    # --- the saver ----------------------------------------------------------------------
    def keep_saving(self, stop: threading.Event) -> None:
        while not stop.wait(SAVE_EVERY_S):
            if self._dirty.is_set():
                try:
                    self.save()
                except Exception as exc:  # noqa: BLE001 - try again at the next change
                    print(f"emulator: could not save the state: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--serialize-dynamodb", action="store_true")
    args = parser.parse_args(argv)
    endpoint = f"http://{args.host}:{args.port}"
    emulator = Emulator(endpoint, args.state_dir, args.serialize_dynamodb)
    server = make_server(
        args.host, args.port, emulator, threaded=True, request_handler=MotoRequestHandler
    )
    stop = threading.Event()
    saver = threading.Thread(target=emulator.keep_saving, args=(stop,), daemon=True)
    saver.start()

    def finish() -> None:
        """Save while the server still answers (the state is read through it), then stop."""
        stop.set()
        try:
            counts = emulator.save()
            if counts:
                print(f"emulator: saved {counts}", flush=True)
        except Exception as exc:  # noqa: BLE001 - stop anyway
            print(f"emulator: could not save the state: {exc}", file=sys.stderr)
        finally:
            server.shutdown()

    def shut_down(*_: object) -> None:
        if not stop.is_set():
            threading.Thread(target=finish, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    print(f"emulator: serving on {endpoint}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
