"""Webhooks over the real ``make run`` stack: moto server, the dev server and the local
worker (infra/local/worker.py) as separate processes. A receiver on localhost gets the
events and verifies them with the official ``standardwebhooks`` library, no code of ours."""

from __future__ import annotations

import time

from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import ok
from tests.support.receiver import Receiver

DELIVERY_TIMEOUT_S = 15  # "within a few seconds"; generous for a loaded CI machine


def _register_hook(stack, url, events):
    account = stack.register("Webhook E2E")
    headers = account["headers"]
    hook = ok(
        stack.request("POST", "/api/v1/admin/webhooks", {"url": url, "events": events}, headers),
        201,
    )
    return headers, hook


def test_recorded_sale_arrives_signed(stack):
    with Receiver() as receiver:
        headers, hook = _register_hook(stack, receiver.url, ["sale.created"])
        tech = stack.create(
            "/admin/technicians", {"name": "Alex Rivera", "pay_type": "commission"}, headers
        )
        item = stack.create(
            "/admin/line-items",
            {"name": "AC Tune-Up", "category": "Maintenance", "price_cents": 15000},
            headers,
        )
        started = time.monotonic()
        sale = ok(
            stack.request(
                "POST",
                "/api/v1/sales",
                {
                    "technician_id": tech["id"],
                    "item_id": item["id"],
                    "sale_price_cents": 15000,
                    "customer_name": "Pat Doe",
                },
                headers,
            ),
            201,
        )
        [got] = [r for r in receiver.wait_for(1, DELIVERY_TIMEOUT_S)]
        took = time.monotonic() - started
    payload = Webhook(hook["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "sale.created" and payload["id"] == got.headers["webhook-id"]
    assert payload["data"]["id"] == sale["id"]
    assert isinstance(payload["data"]["sale_price_cents"], int)
    assert took < DELIVERY_TIMEOUT_S
    print(f"sale.created delivered {took:.2f} s after POST /sales")


def test_test_event_is_delivered_and_logged(stack):
    with Receiver() as receiver:
        headers, hook = _register_hook(stack, receiver.url, ["dispatch.completed"])
        queued = ok(
            stack.request("POST", f"/api/v1/admin/webhooks/{hook['id']}/test", {}, headers), 202
        )
        [got] = receiver.wait_for(1, DELIVERY_TIMEOUT_S)
    payload = Webhook(hook["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "dispatch.completed" and payload["data"]["test"] is True
    deadline = time.time() + DELIVERY_TIMEOUT_S
    while time.time() < deadline:
        log = ok(
            stack.request("GET", f"/api/v1/admin/webhooks/{hook['id']}/deliveries", headers=headers)
        )
        if log["items"] and log["items"][0]["status"] == "succeeded":
            break
        time.sleep(0.2)
    [delivery] = log["items"]
    assert delivery["id"] == queued["id"] and delivery["status"] == "succeeded"
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] == 200 and attempt["duration_ms"] >= 0


def test_failed_test_event_attempt_is_logged(stack):
    with Receiver(statuses=[503]) as receiver:
        headers, hook = _register_hook(stack, receiver.url, ["sale.created"])
        ok(stack.request("POST", f"/api/v1/admin/webhooks/{hook['id']}/test", {}, headers), 202)
        receiver.wait_for(1, DELIVERY_TIMEOUT_S)
    deadline = time.time() + DELIVERY_TIMEOUT_S
    while time.time() < deadline:
        [delivery] = ok(
            stack.request("GET", f"/api/v1/admin/webhooks/{hook['id']}/deliveries", headers=headers)
        )["items"]
        if delivery["attempts"]:
            break
        time.sleep(0.2)
    assert delivery["attempts"][0]["status_code"] == 503
    # a test event gets one attempt: failed, not retried
    assert delivery["status"] == "failed"
