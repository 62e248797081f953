"""The local DynamoDB choices of ``make run``, measured side by side (issue 9):

- ``moto``: moto server as it comes (``python -m moto.server``);
- ``moto_serialized``: the project's emulator (``infra/local/emulator.py``) with
  ``--serialize-dynamodb``, the fallback where dynoxide cannot run;
- ``dynoxide``: the SQLite-backed emulator ``make run`` uses.

For each: the median latency of one ``TransactWriteItems`` on a table of 5,000 items,
acknowledged transactions lost when 20 run at once on a 4,000-item table (half of them
failing their condition, 6 rounds), and the server's resident memory afterwards.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
TABLE = "bench-local"
ITEMS_LATENCY, ITEMS_RACE, RACERS, ROUNDS = 5_000, 4_000, 20, 6


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(port)


def _start(kind: str, state: Path) -> tuple[subprocess.Popen, int]:
    port = _port()
    if kind == "moto":
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    elif kind == "moto_serialized":
        command = [
            sys.executable,
            "-m",
            "infra.local.emulator",
            "--port",
            str(port),
            "--state-dir",
            str(state),
            "--serialize-dynamodb",
        ]
    else:
        from infra.local import dynoxide

        binary = dynoxide.binary(ROOT / ".local" / "tools")
        return dynoxide.start(binary, port, state / "bench.sqlite"), _wait(port) or port
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    _wait(port)
    return proc, port


def _client(port: int):
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="t",
        aws_secret_access_key="t",
    )


def _table(ddb, items: int) -> None:
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    )
    ddb.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.2})
    pad = "x" * 500
    for start in range(0, items, 25):
        ddb.batch_write_item(
            RequestItems={
                TABLE: [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"seed#{n % 50}"},
                                "sk": {"S": f"{n:08d}"},
                                "pad": {"S": pad},
                            }
                        }
                    }
                    for n in range(start, min(items, start + 25))
                ]
            }
        )


def _transaction(ddb, name: str, fail: bool) -> bool:
    """Put two items atomically; a failing one also requires an item that does not exist."""
    items = [
        {
            "Put": {
                "TableName": TABLE,
                "Item": {"pk": {"S": f"tx#{name}"}, "sk": {"S": s}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for s in ("a", "b")
    ]
    if fail:
        items.append(
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": "nothing"}, "sk": {"S": "here"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
        )
    try:
        ddb.transact_write_items(TransactItems=items)
        return True
    except ddb.exceptions.TransactionCanceledException:
        return False


def _latency(ddb) -> float:
    took = []
    for n in range(20):
        started = time.perf_counter()
        _transaction(ddb, f"latency-{n}", fail=False)
        took.append(time.perf_counter() - started)
    return round(statistics.median(took) * 1000, 1)


def _lost_writes(ddb, round_: int) -> int:
    acknowledged: list[str] = []
    barrier = threading.Barrier(RACERS)

    port = int(ddb.meta.endpoint_url.rsplit(":", 1)[1])
    clients = [_client(port) for _ in range(RACERS)]  # made before the race starts

    def racer(n: int) -> None:
        barrier.wait()
        if _transaction(clients[n], f"race-{round_}-{n}", fail=n % 2 == 1):
            acknowledged.append(f"race-{round_}-{n}")

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lost = 0
    for name in acknowledged:
        got = ddb.get_item(
            TableName=TABLE, Key={"pk": {"S": f"tx#{name}"}, "sk": {"S": "a"}}, ConsistentRead=True
        )
        lost += "Item" not in got
    return lost


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _measure(kind: str) -> dict:
    with tempfile.TemporaryDirectory() as state:
        proc, port = _start(kind, Path(state))
        try:
            ddb = _client(port)
            _table(ddb, ITEMS_LATENCY)
            latency = _latency(ddb)
            ddb.delete_table(TableName=TABLE)
            _table(ddb, ITEMS_RACE)
            lost = [_lost_writes(ddb, r) for r in range(ROUNDS)]
            return {
                "transact_ms_median_5000_items": latency,
                "lost_acknowledged_transactions_per_round": lost,
                "server_rss_mb": _rss_mb(proc.pid),
            }
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def run() -> dict:
    return {kind: _measure(kind) for kind in ("moto", "moto_serialized", "dynoxide")}
