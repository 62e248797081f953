"""``GET /admin/webhooks`` and ``GET /admin/webhooks/{id}/deliveries`` cost what they show
(issue 10): walked by page and by cursor they return every entry once, in order (endpoints
by id, deliveries newest first); ``total`` comes from the counts and stays exact through
creates, deletes, duplicate messages and status changes; pages read O(limit); cursors are
bound to their list and tenant; the delivery log is the window of days in which no record
has expired."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.core import clock
from chalicelib.platform import outbox as events
from chalicelib.webhooks import delivery as webhook_delivery
from chalicelib.webhooks import rules
from chalicelib.webhooks import store as webhook_store
from tests.support.reads import counting_reads
from tests.support.receiver import Receiver
from tests.support.walk import Walk, api_fetch, api_refused, walk
from tests.support.webhooks import Delivery, sqs_event, sqs_record

LOCAL = {"url": "http://127.0.0.1:9/h", "events": ["sale.created"]}


def _get(api, account, path: str) -> dict:
    reply = api.get(path, as_=account)
    assert reply.status == 200, reply.raw
    return reply.data


def _walk(api, account, path: str, limit: int, by_cursor: bool) -> Walk:
    return walk(api_fetch(api, account), path, limit, by_cursor=by_cursor)


def total(api, account, path: str) -> int:
    return _get(api, account, path)["total"]


def add_endpoints(tenant_id: str, n: int) -> list[int]:
    """``n`` endpoints through the store's create (the service's own check of the endpoint
    limit reads every endpoint, which would make seeding many quadratic)."""
    ids = []
    for _ in range(n):
        endpoint_id = webhook_store.next_endpoint_id(tenant_id)
        webhook_store.create_endpoint(
            tenant_id,
            endpoint_id,
            url=LOCAL["url"],
            events=LOCAL["events"],
            secret=rules.new_secret(),
            description=None,
            now=clock.now(),
        )
        ids.append(endpoint_id)
    return ids


def delete(api, owner, hook_id: int) -> None:
    assert api.delete(f"/admin/webhooks/{hook_id}", as_=owner).status == 200


# --- endpoints ------------------------------------------------------------------------
@pytest.fixture
def many_endpoints(api, owner):
    """230 endpoints (three blocks of 100 ids), 37 of them deleted again."""
    ids = add_endpoints(owner.tenant_id, 230)
    gone = {i for i in ids if i % 7 == 0 or i in (1, 99, 100, 101, 200)}
    for hook_id in sorted(gone):
        delete(api, owner, hook_id)
    return [i for i in ids if i not in gone]


def test_endpoints_walked_by_page_and_by_cursor_in_id_order(api, owner, many_endpoints):
    assert len(many_endpoints) == 193
    for limit in (7, 50, 200):
        by_page = _walk(api, owner, "/admin/webhooks", limit, by_cursor=False)
        assert by_page.total == len(many_endpoints)
        assert by_page.ids == many_endpoints, limit
        assert _walk(api, owner, "/admin/webhooks", limit, by_cursor=True).ids == many_endpoints, (
            limit
        )
    page20 = _get(api, owner, "/admin/webhooks?limit=10&page=20")
    assert [h["id"] for h in page20["items"]] == many_endpoints[190:200]
    assert page20["page"] == 20 and page20["total_pages"] == 20
    assert page20["next_cursor"] is None
    assert _get(api, owner, "/admin/webhooks?limit=10&page=21")["items"] == []


def test_endpoint_pages_read_o_limit(api, owner, many_endpoints):
    with counting_reads() as first:
        page1 = _get(api, owner, "/admin/webhooks?limit=10")
    assert [h["id"] for h in page1["items"]] == many_endpoints[:10]
    assert first.queried == 10 and first.calls["Query"] == 1
    assert first.calls["BatchGetItem"] == 1  # the counts: one item (ALL)
    with counting_reads() as deep:
        page19 = _get(api, owner, "/admin/webhooks?limit=10&page=19")
    assert [h["id"] for h in page19["items"]] == many_endpoints[180:190]
    # from the start of the block of 100 ids where offset 180 falls: its entries before
    # the offset, then 10
    block = many_endpoints[180] // 100
    before = sum(1 for i in many_endpoints[:180] if i // 100 == block)
    assert 0 < before < 100 and deep.queried == before + 10 and deep.calls["Query"] == 1
    with counting_reads() as cursor_page:
        data = _get(api, owner, f"/admin/webhooks?limit=10&cursor={page1['next_cursor']}")
    assert [h["id"] for h in data["items"]] == many_endpoints[10:20]
    assert cursor_page.queried == 10 and cursor_page.calls["Query"] == 1
    for reads in (first, deep, cursor_page):  # + the counts, the caller's account
        assert reads.items - reads.queried <= 4, reads
    print(f"endpoints page 1: {first}; page 19: {deep}; cursor page: {cursor_page}")


def test_endpoint_totals_stay_exact(api, owner, other):
    assert total(api, owner, "/admin/webhooks") == 0
    hooks = [api.post("/admin/webhooks", LOCAL, as_=owner).data["id"] for _ in range(3)]
    assert total(api, owner, "/admin/webhooks") == 3
    delete(api, owner, hooks[1])
    assert api.delete(f"/admin/webhooks/{hooks[1]}", as_=owner).status == 404  # counts nothing
    assert total(api, owner, "/admin/webhooks") == 2
    # changes of an endpoint (the list filters on nothing) move no count
    api.patch(f"/admin/webhooks/{hooks[0]}", {"active": False}, as_=owner)
    api.post(f"/admin/webhooks/{hooks[2]}/rotate-secret", as_=owner)
    assert total(api, owner, "/admin/webhooks") == 2
    again = api.post("/admin/webhooks", LOCAL, as_=owner).data["id"]
    assert _walk(api, owner, "/admin/webhooks", 1, by_cursor=True).ids == [
        hooks[0],
        hooks[2],
        again,
    ]
    assert total(api, other, "/admin/webhooks") == 0


def test_endpoint_cursors_are_bound_to_the_list_and_tenant(api, owner, other):
    add_endpoints(owner.tenant_id, 3)
    add_endpoints(other.tenant_id, 3)
    cursor = _get(api, owner, "/admin/webhooks?limit=1")["next_cursor"]
    assert cursor
    for bad in (cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1], "x.y", "abc"):
        api_refused(api, owner, f"/admin/webhooks?limit=1&cursor={bad}")
    theirs = api.get(f"/admin/webhooks?limit=1&cursor={cursor}", as_=other)
    assert theirs.status == 400
    # nor is it a cursor of a delivery log
    reply = api.get(f"/admin/webhooks/1/deliveries?cursor={cursor}", as_=owner)
    assert reply.status == 400


# --- deliveries -----------------------------------------------------------------------
BUSY_DAYS_AGO = 10


def _new(tenant_id: str, endpoint_id: int, at: datetime) -> webhook_store.NewDelivery:
    created = rules.iso(at.timestamp())
    return webhook_store.NewDelivery(
        tenant_id=tenant_id,
        endpoint_id=endpoint_id,
        event_id=f"evt_{uuid.uuid4().hex}",
        event_type="sale.created",
        event_created_at=created,
        data={"n": 1},
        trigger=rules.AUTOMATIC,
        final_attempt=8,
        expires_at=rules.expires_at(created, at.timestamp()),
    )


def seed_deliveries(tenant_id: str, endpoint_id: int, now: datetime) -> list[str]:
    """About 180 deliveries over the last 45 days (one day busy, some empty); the ids of
    those the log lists (the last 30 days and today), newest first."""
    rng = random.Random(5)
    made = []
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    for days_ago in range(45, -1, -1):
        if days_ago < BUSY_DAYS_AGO:
            per_day = 2  # newest 20 entries
        elif days_ago == BUSY_DAYS_AGO:
            per_day = 100  # the entries at offsets 20..119
        else:
            per_day = rng.choice((0, 1, 2, 4))
        for _ in range(per_day):
            at = today - timedelta(days=days_ago) + timedelta(seconds=rng.randrange(86_400))
            at = min(at, now - timedelta(seconds=rng.randrange(1, 60)))
            item = webhook_store.create_delivery(
                _new(tenant_id, endpoint_id, at), at, claim_until=None
            )
            made.append(item.delivery_id)
    since = rules.listed_since(now)
    return sorted((d for d in made if d >= since), reverse=True)


@pytest.fixture
def log(api, owner):
    hook = api.post("/admin/webhooks", LOCAL, as_=owner).data["id"]
    listed = seed_deliveries(owner.tenant_id, hook, clock.now())
    return hook, listed


def test_deliveries_walked_by_page_and_by_cursor_newest_first(api, owner, log):
    hook, listed = log
    path = f"/admin/webhooks/{hook}/deliveries"
    assert 100 < len(listed) < 200
    for limit in (7, 50):
        by_page = _walk(api, owner, path, limit, by_cursor=False)
        assert by_page.total == len(listed)
        assert by_page.ids == listed, limit
        assert _walk(api, owner, path, limit, by_cursor=True).ids == listed, limit


def test_delivery_pages_read_o_limit(api, owner, log):
    hook, listed = log
    path = f"/admin/webhooks/{hook}/deliveries"
    with counting_reads() as first:
        page1 = _get(api, owner, f"{path}?limit=10")
    assert [d["id"] for d in page1["items"]] == listed[:10]
    assert first.queried == 10 and first.calls["Query"] == 1
    with counting_reads() as deep:
        page20 = _get(api, owner, f"{path}?limit=5&page=20")
    assert [d["id"] for d in page20["items"]] == listed[95:100]
    day = listed[95][: rules.ID_DAY]
    assert day == rules.day_prefix(clock.now().date() - timedelta(days=BUSY_DAYS_AGO))
    before = sum(1 for d in listed[:95] if d.startswith(day))
    assert before == 75  # from the start of that day: its entries before the offset
    assert deep.queried == before + 5 and deep.calls["Query"] == 1
    with counting_reads() as cursor_page:
        data = _get(api, owner, f"{path}?limit=10&cursor={page1['next_cursor']}")
    assert [d["id"] for d in data["items"]] == listed[10:20]
    assert cursor_page.queried == 10 and cursor_page.calls["Query"] == 1
    for reads in (first, deep, cursor_page):  # + the counts (2), the endpoint, the caller
        assert reads.items - reads.queried <= 5, reads
    print(f"deliveries page 1: {first}; page 20: {deep}; cursor page: {cursor_page}")


def test_the_log_is_the_window_in_which_no_record_has_expired(api, owner, log, monkeypatch):
    hook, listed = log
    path = f"/admin/webhooks/{hook}/deliveries"
    now = clock.now()
    cursor = _get(api, owner, f"{path}?limit=50")["next_cursor"]
    for delivery_id in listed:
        item = webhook_store.get_delivery(owner.tenant_id, hook, delivery_id)
        assert item.expires_at > now.timestamp() + 86_400  # listed today and tomorrow
    # tomorrow the window has moved on a day: the total follows it, and yesterday's
    # cursor still walks on
    tomorrow = now + timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: tomorrow)
    since = rules.listed_since(tomorrow)
    still = [d for d in listed if d >= since]
    assert total(api, owner, path) == len(still)
    reply = api.get(f"{path}?limit=50&cursor={cursor}", as_=owner)
    assert reply.status == 200 and [d["id"] for d in reply.data["items"]] == listed[50:100]
    # a cursor is refused once two midnights have passed
    later = now + timedelta(days=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert api.get(f"{path}?limit=50&cursor={cursor}", as_=owner).status == 400


def test_delivery_cursors_are_bound_to_the_endpoint_and_tenant(api, owner, other):
    hooks = [api.post("/admin/webhooks", LOCAL, as_=owner).data["id"] for _ in range(2)]
    for hook in hooks:
        for _ in range(3):
            api.post(f"/admin/webhooks/{hook}/test", {}, as_=owner)
    cursor = _get(api, owner, f"/admin/webhooks/{hooks[0]}/deliveries?limit=1")["next_cursor"]
    assert cursor
    other_log = api.get(f"/admin/webhooks/{hooks[1]}/deliveries?cursor={cursor}", as_=owner)
    assert other_log.status == 400
    assert api.get(f"/admin/webhooks?cursor={cursor}", as_=owner).status == 400
    theirs = api.post("/admin/webhooks", LOCAL, as_=other).data["id"]
    assert theirs == hooks[0]  # the same endpoint id in another tenant
    assert api.get(f"/admin/webhooks/{theirs}/deliveries?cursor={cursor}", as_=other).status == 400
    altered = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    api_refused(api, owner, f"/admin/webhooks/{hooks[0]}/deliveries?cursor={altered}")


def test_delivery_totals_stay_exact_through_duplicates_retries_and_redelivery(
    api, owner, monkeypatch
):
    delivery = Delivery(api, monkeypatch)
    with Receiver(statuses=[500, 200, 500, 200]) as receiver:
        hook = api.post("/admin/webhooks", {**LOCAL, "url": receiver.url}, as_=owner).data["id"]
        path = f"/admin/webhooks/{hook}/deliveries"
        body = events.publish(owner.tenant_id, "sale.created", {"sale_id": 1}).message()
        # the same event message twice in one batch: one delivery, counted once
        assert delivery.invoke_bodies(body, body) == []
        assert total(api, owner, path) == 1
        [pending] = _get(api, owner, path)["items"]
        assert pending["status"] == "pending"
        delivery.run_next()  # the retry succeeds: pending -> succeeded
        assert delivery.invoke_bodies(body) == []  # and the message once more, later
        [done] = _get(api, owner, path)["items"]
        assert done["status"] == "succeeded" and total(api, owner, path) == 1
        # a redelivery reopens it (succeeded -> pending -> failed -> ... ): still one entry
        did = done["id"]
        assert api.post(f"{path}/{did}/redeliver", as_=owner).status == 202
        delivery.run_next()
        assert _get(api, owner, path)["items"][0]["status"] == "failed"
        # a test event is a second delivery
        api.post(f"/admin/webhooks/{hook}/test", {}, as_=owner)
        delivery.run_next()
        receiver.wait_for(4)
    assert total(api, owner, path) == 2
    assert [d["status"] for d in _get(api, owner, path)["items"]] == ["succeeded", "failed"]
    # a duplicate of a delivery record is refused and counts nothing
    item = webhook_store.get_delivery(owner.tenant_id, hook, did)
    again = webhook_store.NewDelivery(
        tenant_id=owner.tenant_id,
        endpoint_id=hook,
        event_id=item.event_id,
        event_type=item.event_type,
        event_created_at=item.event_created_at,
        data={},
        trigger=rules.AUTOMATIC,
        final_attempt=8,
        expires_at=0,
    )
    assert webhook_store.create_delivery(again, datetime.now(UTC), claim_until=None) is None
    assert total(api, owner, path) == 2


def test_a_duplicate_message_during_the_attempt_counts_nothing(api, owner, monkeypatch):
    delivery = Delivery(api, monkeypatch)
    real = webhook_delivery.transport
    seen: dict = {}

    def transport(*args, **kwargs):
        # attempt 1 is in flight when SQS hands the same event to another worker
        seen["failed"] = delivery.invoke(sqs_event(sqs_record(seen["body"], "dup")))
        seen["total"] = total(api, owner, f"/admin/webhooks/{hook}/deliveries")
        return real(*args, **kwargs)

    with Receiver() as receiver:
        hook = api.post("/admin/webhooks", {**LOCAL, "url": receiver.url}, as_=owner).data["id"]
        seen["body"] = events.publish(owner.tenant_id, "sale.created", {"sale_id": 1}).message()
        monkeypatch.setattr(webhook_delivery, "transport", transport)
        assert delivery.invoke_bodies(seen["body"]) == []
        receiver.wait_for(1)
    assert seen["failed"] == ["dup"] and seen["total"] == 1
    assert total(api, owner, f"/admin/webhooks/{hook}/deliveries") == 1


def test_a_deleted_endpoints_log_is_gone_with_it(api, owner, other):
    """The current behaviour, kept: deleting an endpoint leaves its delivery records to
    their TTL, and every route of the endpoint (its log too) answers 404; its id is never
    given again, so the log never comes back."""
    hook = api.post("/admin/webhooks", LOCAL, as_=owner).data["id"]
    api.post(f"/admin/webhooks/{hook}/test", {}, as_=owner)
    assert total(api, owner, f"/admin/webhooks/{hook}/deliveries") == 1
    delete(api, owner, hook)
    assert api.get(f"/admin/webhooks/{hook}/deliveries", as_=owner).status == 404
    again = api.post("/admin/webhooks", LOCAL, as_=owner).data["id"]
    assert again != hook and total(api, owner, f"/admin/webhooks/{again}/deliveries") == 0
    assert total(api, owner, "/admin/webhooks") == 1


def test_gets_write_nothing(api, owner, log):
    hook, _ = log
    path = f"/admin/webhooks/{hook}/deliveries"
    cursor = _get(api, owner, f"{path}?limit=5")["next_cursor"]
    with counting_reads() as reads:
        for query in ("", "?limit=5&page=30", f"?limit=5&cursor={cursor}"):
            _get(api, owner, path + query)
            _get(api, owner, "/admin/webhooks" + query.split("&cursor")[0])
    writes = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
    # the rate limiter's window counters (per address and per tenant) are a request's only
    # writes
    assert {op for op in reads.calls if op in writes} <= {"UpdateItem"}
    assert reads.calls["UpdateItem"] <= 2 * 6
