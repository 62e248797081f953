"""The `make run` stack as a hostile or careless client meets it, and as a user who stops
and starts it (issue 9): no 5xx, no lost write under concurrency, nothing lost on restart.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from datetime import date

import boto3

from tests.e2e.conftest import ok, start_stack, stop_stack

CONCURRENT_SALES = 20


def _shop(stack, company: str) -> tuple[dict, dict, dict]:
    account = stack.register(company)
    headers = account["headers"]
    tech = stack.create(
        "/admin/technicians",
        {
            "name": "Mike Johnson",
            "pay_type": "commission",
            "username": f"m{uuid.uuid4().hex[:8]}",
            "password": "securePassword123!",
        },
        headers,
    )
    item = stack.create(
        "/admin/line-items",
        {"name": "Annual maintenance", "category": "Maintenance", "price_cents": 150000},
        headers,
    )
    return account, tech, item


def _sale(tech: dict, item: dict) -> dict:
    return {"technician_id": tech["id"], "item_id": item["id"], "sale_price_cents": 150000}


def test_every_index_answers_after_the_first_request_was_health(stack):
    """The stack's first request was ``/health`` (the fixture waits on it): every list
    that reads gsi2 still answers (it was a 500, "Table ... has no index: gsi2")."""
    account, tech, _ = _shop(stack, "Warm Process HVAC")
    headers = account["headers"]
    for path in ("/api/v1/sales?technician_id=1", "/api/v1/admin/csv-export/sales?technician_id=1"):
        status, _, body = stack.request("GET", path, headers=headers)
        assert status == 200, body
    login = ok(
        stack.request(
            "POST",
            "/api/v1/auth/login",
            {"username": tech["username"], "password": "securePassword123!"},
            {"X-Tenant-Id": account["tenant_id"]},
        )
    )
    as_tech = {
        "Authorization": f"Bearer {login['access_token']}",
        "X-Tenant-Id": account["tenant_id"],
    }
    assert ok(stack.request("GET", "/api/v1/sales", headers=as_tech))["total"] == 0


def test_unknown_methods_are_405_envelopes(stack):
    for method in ("TRACE", "PROPFIND", "MKCOL"):
        status, headers, body = stack.request(method, "/api/v1/admin/customers")
        assert status == 405, (method, body)
        assert body["ok"] is False and body["error"]["code"] == "METHOD_NOT_ALLOWED"
        assert {m.strip() for m in headers["Allow"].split(",")} == {"GET", "POST"}
    status, _, body = stack.request("TRACE", "/api/v1/no-such-route")
    assert status == 404 and body["error"]["code"] == "NOT_FOUND"


def test_hostile_bodies_are_400_envelopes(stack):
    for raw in (
        b'{"username": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"username": "a", "password": "b", "x": ' + b"7" * 5000 + b"}",
    ):
        status, _, body = stack.request(
            "POST", "/api/v1/auth/login", raw, {"X-Tenant-Id": str(uuid.uuid4())}
        )
        assert status == 400 and body["error"]["code"] == "BAD_REQUEST", body


def _race_sales(stack) -> None:
    """20 sales at once, each with its own Idempotency-Key: all 201, 20 distinct ids,
    exactly 20 sales, and the pay period counted 20. They contend only for the sale
    counter and the period item, which the service retries, never answers 409."""
    account, tech, item = _shop(stack, "Rush Hour HVAC")
    headers = account["headers"]
    replies: list = [None] * CONCURRENT_SALES
    start = threading.Barrier(CONCURRENT_SALES)

    def record(n: int) -> None:
        start.wait()
        replies[n] = stack.request(
            "POST", "/api/v1/sales", _sale(tech, item), {**headers, "Idempotency-Key": f"rush-{n}"}
        )

    threads = [threading.Thread(target=record, args=(n,)) for n in range(CONCURRENT_SALES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [r[0] for r in replies] == [201] * CONCURRENT_SALES, [r[2] for r in replies]
    ids = {r[2]["data"]["id"] for r in replies}
    assert ids == set(range(1, CONCURRENT_SALES + 1))
    listed = ok(stack.request("GET", "/api/v1/sales?limit=200", headers=headers))
    assert listed["total"] == CONCURRENT_SALES
    today = date.today().isoformat()
    periods = ok(stack.request("GET", f"/api/v1/admin/pay-periods?date={today}", headers=headers))[
        "items"
    ]
    assert [p["sales_recorded"] for p in periods] == [CONCURRENT_SALES]


def test_concurrent_sales_are_all_recorded(stack):
    """On dynoxide, the local DynamoDB of `make run` (Node.js 20 and npm are part of a
    fresh machine, so the stack must not have fallen back to moto)."""
    assert "Starting dynoxide" in stack.log()
    _race_sales(stack)


def test_concurrent_sales_are_all_recorded_on_moto_too(tmp_path):
    """On the fallback (``LOCAL_DYNAMODB=moto``: moto serves the table, its DynamoDB
    requests one at a time): the same answers."""
    stack = start_stack(tmp_path, tmp_path / "state", LOCAL_DYNAMODB="moto")
    try:
        _race_sales(stack)
    finally:
        stop_stack(stack)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _aws(stack, service: str):
    return boto3.client(
        service,
        endpoint_url=stack.env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _delayed_messages(stack) -> int:
    sqs = _aws(stack, "sqs")
    url = sqs.get_queue_url(QueueName="tradekitt-local-events")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessagesDelayed"])


def _exported_files(stack, tenant_id: str) -> list[str]:
    got = _aws(stack, "s3").list_objects_v2(
        Bucket="tradekitt-local-exports", Prefix=f"tenants/{tenant_id}/"
    )
    return [o["Key"] for o in got.get("Contents", [])]


def test_local_data_survives_a_restart_and_fresh_starts_clean(tmp_path):
    """What a user entered is still there after Ctrl-C and `make run` again, all of it
    together: the table's items, the export files in the bucket and the queued events
    (here a webhook retry waiting in SQS); `make run FRESH=1` starts clean."""
    state = tmp_path / "state"
    first = start_stack(tmp_path, state)
    try:
        account, tech, item = _shop(first, "Restart Plumbing")
        headers = account["headers"]
        hook = ok(
            first.request(
                "POST",
                "/api/v1/admin/webhooks",
                {"url": f"http://127.0.0.1:{_closed_port()}/hook", "events": ["sale.created"]},
                headers,
            ),
            201,
        )
        sale = ok(first.request("POST", "/api/v1/sales", _sale(tech, item), headers), 201)
        status, _, _ = first.request("GET", "/api/v1/admin/csv-export/sales", headers=headers)
        assert status == 200
        deadline = time.time() + 30  # the first attempt fails: a retry waits in the queue
        while time.time() < deadline and _delayed_messages(first) == 0:
            time.sleep(0.5)
        assert _delayed_messages(first) >= 1
        files = _exported_files(first, account["tenant_id"])
        assert files
    finally:
        stop_stack(first)

    second = start_stack(tmp_path, state)
    try:
        got = ok(second.request("GET", f"/api/v1/sales/{sale['id']}", headers=headers))
        assert got["commission_cents"] == sale["commission_cents"]
        assert ok(second.request("GET", "/api/v1/sales", headers=headers))["total"] == 1
        assert _exported_files(second, account["tenant_id"]) == files
        assert _delayed_messages(second) >= 1
        deliveries = ok(
            second.request(
                "GET", f"/api/v1/admin/webhooks/{hook['id']}/deliveries", headers=headers
            )
        )
        assert deliveries["items"][0]["status"] == "pending"
    finally:
        stop_stack(second)

    fresh = start_stack(tmp_path, state, FRESH="1")
    try:
        status, _, _ = fresh.request("GET", f"/api/v1/tenants/resolve/{account['business_code']}")
        assert status == 404
        assert _exported_files(fresh, account["tenant_id"]) == []
        assert _delayed_messages(fresh) == 0
    finally:
        stop_stack(fresh)
