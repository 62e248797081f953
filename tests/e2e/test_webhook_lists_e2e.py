"""The webhook lists over real HTTP against the ``make run`` stack (dynoxide, the dev
server, the worker): ``GET /admin/webhooks`` and one endpoint's delivery log, each walked
by page and by cursor (neither list has a filter), with exact totals, and cursors refused
when altered, on another list or for another tenant."""

from __future__ import annotations

from tests.e2e.conftest import ok, refused
from tests.support.racing import at_once
from tests.support.receiver import Receiver
from tests.support.walk import stack_fetch, walk

BASE = "/api/v1/admin/webhooks"
CLOSED = "http://127.0.0.1:9/closed"


def walked(stack, path: str, headers, want: list) -> str:
    """``path`` walked by page and by cursor, 2, 3 and 50 a page, lists ``want`` with its
    total (by cursor: one cursor for each full page before the last entry); the first
    cursor of a walk 3 a page."""
    fetch = stack_fetch(stack, headers)
    for limit in (2, 3, 50):
        by_page = walk(fetch, path, limit, by_cursor=False)
        assert by_page.total == len(want) and by_page.ids == want, limit
        by_cursor = walk(fetch, path, limit, by_cursor=True)
        assert by_cursor.ids == want, limit
        assert len(by_cursor.cursors) == (len(want) - 1) // limit
    return walk(fetch, path, 3, by_cursor=True).cursors[0]


def test_endpoints_by_page_and_by_cursor(stack):
    headers = stack.register("Webhook Lists E2E")["headers"]
    hooks = [
        ok(stack.request("POST", BASE, {"url": CLOSED, "events": ["sale.created"]}, headers), 201)[
            "id"
        ]
        for _ in range(7)
    ]
    ok(stack.request("DELETE", f"{BASE}/{hooks[2]}", headers=headers))
    ok(stack.request("PATCH", f"{BASE}/{hooks[4]}", {"active": False}, headers))
    want = [h for h in hooks if h != hooks[2]]
    cursor = walked(stack, BASE, headers, want)
    altered = cursor[:4] + ("A" if cursor[4] != "A" else "B") + cursor[5:]
    refused(stack, f"{BASE}?limit=3&cursor={altered}", headers)
    stranger = stack.register("Webhook Lists Stranger")["headers"]
    refused(stack, f"{BASE}?limit=3&cursor={cursor}", stranger)
    refused(stack, f"{BASE}/{hooks[0]}/deliveries?limit=3&cursor={cursor}", headers)


def test_delivery_log_by_page_and_by_cursor(stack):
    headers = stack.register("Webhook Log E2E")["headers"]
    with Receiver() as receiver:
        hook = ok(
            stack.request("POST", BASE, {"url": receiver.url, "events": ["sale.created"]}, headers),
            201,
        )["id"]
        other = ok(
            stack.request("POST", BASE, {"url": receiver.url, "events": ["sale.created"]}, headers),
            201,
        )["id"]
        sent = [
            ok(stack.request("POST", f"{BASE}/{hook}/test", {}, headers), 202)["id"]
            for _ in range(7)
        ]
        ok(stack.request("POST", f"{BASE}/{other}/test", {}, headers), 202)
        receiver.wait_for(8, 30)
    log = f"{BASE}/{hook}/deliveries"
    want = sorted(sent, reverse=True)  # newest first: ids start with the event time
    cursor = walked(stack, log, headers, want)
    assert ok(stack.request("GET", f"{BASE}/{other}/deliveries", headers=headers))["total"] == 1
    refused(stack, f"{BASE}/{other}/deliveries?limit=3&cursor={cursor}", headers)
    refused(stack, f"{BASE}?limit=3&cursor={cursor}", headers)
    altered = cursor[:4] + ("A" if cursor[4] != "A" else "B") + cursor[5:]
    refused(stack, f"{log}?limit=3&cursor={altered}", headers)
    stranger = stack.register("Webhook Log Stranger")["headers"]
    theirs = ok(
        stack.request("POST", BASE, {"url": CLOSED, "events": ["sale.created"]}, stranger), 201
    )["id"]
    assert theirs == hook  # the same id in another tenant: the cursor is still not theirs
    refused(stack, f"{BASE}/{theirs}/deliveries?limit=3&cursor={cursor}", stranger)


def test_racing_creates_deletes_and_deliveries_keep_exact_totals(stack):
    headers = stack.register("Webhook Race E2E")["headers"]
    body = {"url": CLOSED, "events": ["sale.created"]}
    created = at_once([lambda: stack.request("POST", BASE, body, headers)] * 12)
    assert [status for status, _, _ in created] == [201] * 12, created
    hooks = sorted(reply["data"]["id"] for _, _, reply in created)
    # each of four endpoints deleted twice at once: one delete wins, the other is a 404
    doomed = hooks[:4] * 2
    deleted = at_once(
        [lambda h=h: stack.request("DELETE", f"{BASE}/{h}", headers=headers) for h in doomed]
    )
    assert sorted(status for status, _, _ in deleted) == [200] * 4 + [404] * 4, deleted
    listed = walk(stack_fetch(stack, headers), BASE, 5, by_cursor=False)
    assert listed.total == 8 and listed.ids == hooks[4:]
    hook = hooks[4]
    queued = at_once([lambda: stack.request("POST", f"{BASE}/{hook}/test", {}, headers)] * 10)
    assert [status for status, _, _ in queued] == [202] * 10, queued
    log = f"{BASE}/{hook}/deliveries"
    listed = walk(stack_fetch(stack, headers), log, 4, by_cursor=False)
    assert listed.total == 10 and sorted(listed.ids, reverse=True) == listed.ids
    assert set(listed.ids) == {reply["data"]["id"] for _, _, reply in queued}
