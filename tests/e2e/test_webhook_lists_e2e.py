"""The webhook lists over real HTTP against the ``make run`` stack (dynoxide, the dev
server, the worker): ``GET /admin/webhooks`` and one endpoint's delivery log, each walked
by page and by cursor (neither list has a filter), with exact totals, and cursors refused
when altered, on another list or for another tenant."""

from __future__ import annotations

import threading

from tests.e2e.conftest import ok
from tests.support.receiver import Receiver

BASE = "/api/v1/admin/webhooks"
CLOSED = "http://127.0.0.1:9/closed"


def walk_pages(stack, path: str, headers, limit: int) -> tuple[list, int]:
    ids, page = [], 1
    sep = "&" if "?" in path else "?"
    while True:
        data = ok(stack.request("GET", f"{path}{sep}limit={limit}&page={page}", headers=headers))
        ids += [item["id"] for item in data["items"]]
        if page >= max(1, data["total_pages"]):
            return ids, data["total"]
        page += 1


def walk_cursor(stack, path: str, headers, limit: int) -> tuple[list, list[str]]:
    ids, cursors, cursor = [], [], None
    sep = "&" if "?" in path else "?"
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        data = ok(stack.request("GET", f"{path}{sep}limit={limit}{suffix}", headers=headers))
        ids += [item["id"] for item in data["items"]]
        cursor = data["next_cursor"]
        if cursor is None:
            return ids, cursors
        cursors.append(cursor)


def refused(stack, path: str, headers) -> None:
    status, _, body = stack.request("GET", path, headers=headers)
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST", body


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
    for limit in (2, 3, 50):
        by_page, total = walk_pages(stack, BASE, headers, limit)
        assert total == len(want) and by_page == want, limit
        by_cursor, cursors = walk_cursor(stack, BASE, headers, limit)
        assert by_cursor == want, limit
        assert len(cursors) == (len(want) - 1) // limit
    cursor = walk_cursor(stack, BASE, headers, 3)[1][0]
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
    for limit in (2, 3, 50):
        by_page, total = walk_pages(stack, log, headers, limit)
        assert total == len(sent) and by_page == want, limit
        by_cursor, cursors = walk_cursor(stack, log, headers, limit)
        assert by_cursor == want, limit
        assert len(cursors) == (len(want) - 1) // limit
    cursor = walk_cursor(stack, log, headers, 3)[1][0]
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


def _racing(calls) -> list:
    """Run the ``calls`` at once, one thread each; their results in order."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(n: int) -> None:
        start.wait()
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_racing_creates_deletes_and_deliveries_keep_exact_totals(stack):
    headers = stack.register("Webhook Race E2E")["headers"]
    body = {"url": CLOSED, "events": ["sale.created"]}
    created = _racing([lambda: stack.request("POST", BASE, body, headers)] * 12)
    assert [status for status, _, _ in created] == [201] * 12, created
    hooks = sorted(reply["data"]["id"] for _, _, reply in created)
    # each of four endpoints deleted twice at once: one delete wins, the other is a 404
    doomed = hooks[:4] * 2
    deleted = _racing(
        [lambda h=h: stack.request("DELETE", f"{BASE}/{h}", headers=headers) for h in doomed]
    )
    assert sorted(status for status, _, _ in deleted) == [200] * 4 + [404] * 4, deleted
    by_page, total = walk_pages(stack, BASE, headers, 5)
    assert total == 8 and by_page == hooks[4:]
    hook = hooks[4]
    queued = _racing([lambda: stack.request("POST", f"{BASE}/{hook}/test", {}, headers)] * 10)
    assert [status for status, _, _ in queued] == [202] * 10, queued
    log = f"{BASE}/{hook}/deliveries"
    by_page, total = walk_pages(stack, log, headers, 4)
    assert total == 10 and sorted(by_page, reverse=True) == by_page
    assert set(by_page) == {reply["data"]["id"] for _, _, reply in queued}
