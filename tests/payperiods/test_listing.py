"""The pay-period lists cost what they show (issue 10): ``GET /admin/pay-periods`` and
``GET /tech/pay-periods``, every filter walked by page and by cursor, return every period
once, newest first; ``total`` stays exact through the writes that create periods (sales,
clawbacks, the close) and change their status (open -> closing -> closed), also when
they race; pages read O(limit); cursors are bound to their list and tenant; no GET writes;
periods get their ids when they are created (creation order), and older periods theirs
from the deploy's backfill."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest

from chalicelib.payperiods import service as periods
from chalicelib.payperiods.rules import Schedule
from tests.payperiods.support import legacy_period, matches, table_writes
from tests.support.payroll_helpers import past_windows, ready, real_today, sale, travel, window
from tests.support.racing import at_once
from tests.support.reads import counting_reads
from tests.support.sales_helpers import SEED_SALE, SEED_VOID, technician_login
from tests.support.walk import api_fetch, api_refused, forged, walk

LISTS = ("/admin/pay-periods", "/tech/pay-periods")


def _get(api, account, path: str) -> dict:
    reply = api.get(path, as_=account)
    assert reply.status == 200, (path, reply.raw)
    return reply.data


def _close(api, account, period_id: int):
    return api.patch(f"/admin/pay-periods/{period_id}/close", as_=account)


def _stuck_close(api, account, period_id: int, monkeypatch) -> None:
    """A close that stops midway (S3 down): the period stays "closing"."""
    from chalicelib.platform import storage as exports

    def broken(files):
        raise RuntimeError("S3 is down")

    with monkeypatch.context() as patched:
        patched.setattr(exports, "put_all", broken)
        assert _close(api, account, period_id).status == 500
    assert _get(api, account, f"/admin/pay-periods/{period_id}")["status"] == "closing"


def _totals(api, account) -> dict[str, int]:
    return {
        status: _get(api, account, f"/admin/pay-periods?limit=1&{query}")["total"]
        for status, query in (
            ("all", ""),
            ("open", "status=open"),
            ("closing", "status=closing"),
            ("closed", "status=closed"),
        )
    }


@pytest.fixture
def history(api, owner, monkeypatch):
    """15 periods created in shuffled date order (ids 1..15 in creation order: 14 past
    windows, then the current one), 4 of them closed and 2 stuck "closing"; returns
    ``{id: {start_date, end_date, status}}`` as ``GET /admin/pay-periods/{id}`` has them."""
    ready(api, owner)
    windows = past_windows(14)
    order = list(range(14))
    random.Random(7).shuffle(order)
    for n in order:
        sale(api, owner, windows[n].start + timedelta(days=n % 5), approve=False)
    sale(api, owner, real_today(), approve=False)
    ids = {windows[n].key: k + 1 for k, n in enumerate(order)}
    for n in (0, 3, 4, 12):
        assert _close(api, owner, ids[windows[n].key]).status == 200
    for n in (7, 13):
        _stuck_close(api, owner, ids[windows[n].key], monkeypatch)
    book = {}
    for period_id in range(1, 16):
        data = _get(api, owner, f"/admin/pay-periods/{period_id}")
        book[period_id] = {k: data[k] for k in ("start_date", "end_date", "status")}
    assert sorted(p["start_date"] for p in book.values()) == [
        *(w.key for w in windows),
        window(real_today()).key,
    ]
    return book


def _order(book: dict, flt: dict) -> list[int]:
    kept = [i for i, p in book.items() if matches(p, flt)]
    return sorted(kept, key=lambda i: book[i]["start_date"], reverse=True)


def test_every_filter_walked_by_page_and_by_cursor_returns_each_period_once(api, owner, history):
    _, tina = technician_login(api, owner)
    starts = sorted(p["start_date"] for p in history.values())

    def mid(key: str, days: int) -> str:
        return (date.fromisoformat(key) + timedelta(days=days)).isoformat()

    filters = [
        {},
        {"status": "open"},
        {"status": "closing"},
        {"status": "closed"},
        {"date": mid(starts[6], 9)},
        {"date": "2019-01-01"},  # no period holds it
        {"date": mid(starts[3], 0), "status": "closed"},
        {"date_from": mid(starts[5], 3)},  # inside a period: that period overlaps
        {"date_to": mid(starts[9], 2)},
        {"date_from": mid(starts[2], 13), "date_to": starts[11]},  # a period's last day
        {"date_from": starts[1], "date_to": mid(starts[12], 1), "status": "open"},
        {"date_from": starts[4], "status": "closed"},
    ]
    assert _order(history, {}) == sorted(
        history, key=lambda i: history[i]["start_date"], reverse=True
    )
    assert _order(history, {}) != sorted(history, reverse=True)  # ids follow creation
    for flt, (path, account) in itertools.product(filters, ((LISTS[0], owner), (LISTS[1], tina))):
        want = _order(history, flt)
        query = "&".join(f"{k}={v}" for k, v in flt.items())
        for limit in (3, 50):
            fetch, url = api_fetch(api, account), f"{path}?{query}"
            by_page = walk(fetch, url, limit, by_cursor=False)
            assert by_page.total == len(want), (path, flt)
            assert by_page.ids == want, (path, flt, limit)
            assert walk(fetch, url, limit, by_cursor=True).ids == want, (path, flt, limit)
    # a technician's list shows the tenant's periods: dates and status only
    item = _get(api, tina, "/tech/pay-periods?limit=1")["items"][0]
    assert set(item) == {"id", "start_date", "end_date", "frequency", "status"}


def test_totals_stay_exact_through_creates_and_status_changes(api, owner, monkeypatch):
    ready(api, owner)
    w0, w1, w2 = past_windows(3)
    assert _totals(api, owner) == {"all": 0, "open": 0, "closing": 0, "closed": 0}
    first = sale(api, owner, w1.start)  # creates w1: id 1
    sale(api, owner, w1.end)  # the same period: nothing new
    sale(api, owner, w0.start, approve=False)  # creates w0: id 2
    assert _totals(api, owner) == {"all": 2, "open": 2, "closing": 0, "closed": 0}
    assert api.post("/sales", {**SEED_SALE, "sale_date": "2030-01-01"}, as_=owner).status == 422
    assert _totals(api, owner)["all"] == 2  # a refused sale counts nothing

    assert _close(api, owner, 1).status == 200  # open -> closed
    assert _totals(api, owner) == {"all": 2, "open": 1, "closing": 0, "closed": 1}
    _stuck_close(api, owner, 2, monkeypatch)  # open -> closing
    assert _totals(api, owner) == {"all": 2, "open": 0, "closing": 1, "closed": 1}
    assert _close(api, owner, 2).status == 200  # closing -> closed (resumed)
    assert _totals(api, owner) == {"all": 2, "open": 0, "closing": 0, "closed": 2}
    assert _close(api, owner, 2).status == 200  # again: nothing moves
    assert _totals(api, owner) == {"all": 2, "open": 0, "closing": 0, "closed": 2}

    # a clawback creates the current period (id 3), dated today
    reply = api.patch(f"/sales/{first['id']}/void", SEED_VOID, as_=owner)
    assert reply.status == 200 and reply.data["clawback_cents"] == -11250
    assert _totals(api, owner) == {"all": 3, "open": 1, "closing": 0, "closed": 2}
    current = _get(api, owner, "/admin/pay-periods?status=open")["items"]
    assert [(p["id"], p["start_date"]) for p in current] == [(3, window(real_today()).key)]

    # closing the period right before the current one: the current one exists already
    sale(api, owner, w2.start)  # creates w2: id 4
    item = periods.get(owner.tenant_id, window(real_today()).key)
    assert item is not None and int(item.period_id) == 3
    assert _close(api, owner, 4).status == 200
    assert _totals(api, owner) == {"all": 4, "open": 1, "closing": 0, "closed": 3}


def test_the_close_creates_the_period_after_it(api, owner):
    """The current period does not exist until something creates it: closing the period
    before it does (with the next id), so a tenant that closes each period in turn always
    has the next one listed."""
    ready(api, owner)
    [w1] = past_windows(1)
    sale(api, owner, w1.start)
    assert [p["id"] for p in _get(api, owner, "/admin/pay-periods")["items"]] == [1]
    assert _close(api, owner, 1).status == 200
    listed = _get(api, owner, "/admin/pay-periods")["items"]
    current = window(real_today())
    assert [(p["id"], p["start_date"], p["status"], p["sales_recorded"]) for p in listed] == [
        (2, current.key, "open", 0),
        (1, w1.key, "closed", 1),
    ]
    assert _get(api, owner, "/admin/pay-periods/2")["technicians"][0]["total_pay_cents"] == 0


def test_racing_sales_create_each_period_once_with_distinct_ids(api, owner, serial_aws):
    """Sales recorded at once in new periods (the same one and different ones): every sale
    is recorded (a lost race for the period or its id is retried, never a 409), each
    period is created once, ids are 1..n without a gap, and the total is exact."""
    ready(api, owner)
    windows = past_windows(4)
    days = [w.start + timedelta(days=n) for w in windows for n in (0, 1, 2)]
    random.Random(3).shuffle(days)

    def seller(day: date):
        return api.post("/sales", {**SEED_SALE, "sale_date": day.isoformat()}, as_=owner)

    replies = at_once([lambda day=day: seller(day) for day in days])
    assert [r.status for r in replies] == [201] * len(days), [r.raw for r in replies]
    data = _get(api, owner, "/admin/pay-periods")
    assert data["total"] == 4
    assert [p["start_date"] for p in data["items"]] == [w.key for w in reversed(windows)]
    assert sorted(p["id"] for p in data["items"]) == [1, 2, 3, 4]
    for p in data["items"]:
        assert p["sales_recorded"] == 3
        assert _get(api, owner, f"/admin/pay-periods/{p['id']}")["start_date"] == p["start_date"]


def test_pages_read_o_limit(api, owner):
    ready(api, owner)
    windows = past_windows(30)
    for w in windows:
        sale(api, owner, w.start, approve=False)
    everything = [p["id"] for p in _get(api, owner, "/admin/pay-periods?limit=200")["items"]]
    assert len(everything) == 30
    with counting_reads() as reads:
        first = _get(api, owner, "/admin/pay-periods?limit=5")
    assert reads.queried == 5 and reads.calls["Query"] == 1
    assert first["total"] == 30 and first["total_pages"] == 6
    # the page, the counts (ALL), the settings and the caller's account
    assert reads.items <= 5 + 3, reads
    with counting_reads() as reads:
        deep = _get(api, owner, "/admin/pay-periods?limit=5&page=5")
    assert [p["id"] for p in deep["items"]] == everything[20:25]
    assert reads.queried == 5  # a day bucket holds one period: nothing before the offset
    assert reads.items <= 5 + 4, reads  # and the year's counts
    with counting_reads() as reads:
        after = _get(api, owner, f"/admin/pay-periods?limit=5&cursor={first['next_cursor']}")
    assert [p["id"] for p in after["items"]] == everything[5:10]
    assert reads.queried == 5
    # a status filter reads its matches (and at most listing.GAP others per gap)
    assert _close(api, owner, everything[-1]).status == 200
    with counting_reads() as reads:
        closed = _get(api, owner, "/admin/pay-periods?limit=5&status=closed")
    assert [p["id"] for p in closed["items"]] == [everything[-1]]
    assert reads.queried == 1, reads


def test_a_cursor_is_bound_to_its_list_and_tenant(api, owner, other):
    ready(api, owner)
    ready(api, other)
    for account in (owner, other):
        for w in past_windows(3):
            sale(api, account, w.start, approve=False)
    cursor = _get(api, owner, "/admin/pay-periods?limit=1")["next_cursor"]
    assert cursor
    for query in (
        *forged(cursor),
        "cursor=%00",
        f"cursor={cursor}&status=open",
        f"cursor={cursor}&date_from=2020-01-01",
    ):
        for path in LISTS[:1]:
            api_refused(api, owner, f"{path}?limit=1&{query}")
    api_refused(api, other, f"/admin/pay-periods?limit=1&cursor={cursor}")


def test_no_get_writes(api, owner, monkeypatch):
    """Listing, reading a period (open, closed, unknown), statements and exports write
    nothing to the table: ids were given when the periods were created."""
    ready(api, owner)
    tina, tina_login = technician_login(api, owner)
    w0, w1 = past_windows(2)
    sale(api, owner, w0.start, technician_id=tina["id"])
    sale(api, owner, w1.start)
    assert _close(api, owner, 1).status == 200
    pdf = {"Accept": "*/*"}
    calls = [
        (owner, "/admin/pay-periods", {}),
        (owner, "/admin/pay-periods?status=closed&date_from=2020-01-01", {}),
        (owner, f"/admin/pay-periods?date={w1.end}", {}),
        (owner, "/admin/pay-periods/1", {}),
        (owner, "/admin/pay-periods/2", {}),
        (owner, "/admin/pay-periods/99", {}),
        (owner, "/admin/csv-export/pay-period/1", {}),
        (owner, "/admin/csv-export/pay-period/2", {}),
        (owner, "/export/pay-period/2/pdf", pdf),
        (owner, f"/export/commission-statement/{tina['id']}/1/pdf", pdf),
        (tina_login, "/tech/pay-periods", {}),
        (tina_login, "/tech/pay-periods/1/statement", {}),
        (tina_login, "/tech/pay-periods/2/statement", {}),
    ]
    for account, path, headers in calls:
        with table_writes() as written:
            reply = api.get(path, as_=account, headers=headers)
        assert reply.status in (200, 404), (path, reply.raw)
        assert written == [], (path, written)


def test_recording_a_sale_reads_its_period_in_its_batch(api, owner, monkeypatch):
    """The sale's consistent BatchGetItem also reads its period and the id counter: one
    BatchGetItem and one transaction, whether the period is new or not. Where this process
    has not seen the tenant's schedule yet and the default one gives another period, the
    sale pays one more BatchGetItem, once."""
    from chalicelib.payperiods import service as period_service

    ready(api, owner)
    [w1] = past_windows(1)
    for day in (w1.start, w1.start + timedelta(days=1)):  # new period, then existing
        with counting_reads() as reads:
            sale(api, owner, day, approve=False)
        assert (reads.calls["BatchGetItem"], reads.calls["TransactWriteItems"]) == (1, 1)
    reply = api.patch("/admin/settings", {"pay_period_frequency": "monthly"}, as_=owner)
    assert reply.status == 200, reply.raw
    schedule = Schedule.from_list(reply.data["pay_period_schedule"])
    effective = window(real_today()).end + timedelta(days=1)  # the first monthly day
    day = next(  # a day whose monthly period starts on another day than its biweekly one
        d
        for d in (effective + timedelta(days=n) for n in range(62))
        if schedule.window_for(d).key != window(d).key
    )
    travel(monkeypatch, (day - real_today()).days)
    period_service._remembered.pop(owner.tenant_id, None)  # as in a new process
    for _ in range(2):  # cold: the default schedule guesses wrong; then it is remembered
        with counting_reads() as reads:
            sale(api, owner, day, approve=False)
        assert reads.calls["TransactWriteItems"] == 1
        assert reads.calls["BatchGetItem"] == (2 if _ == 0 else 1)
    [monthly] = _get(api, owner, f"/admin/pay-periods?date={day}")["items"]
    assert (monthly["start_date"], monthly["frequency"], monthly["sales_recorded"]) == (
        schedule.window_for(day).key,
        "monthly",
        2,
    )


def test_backfill_gives_older_periods_their_ids_and_counts(api, owner):
    """Periods stored before ids were given at creation: one listed back then (id 1, the
    counter at 1), two never listed (no id). The deploy's backfill gives the latter ids
    oldest first and counts all three, once; closes and sales in between stay exact."""
    from chalicelib.platform import keys
    from chalicelib.platform.counters import CounterItem

    ready(api, owner)
    tid = owner.tenant_id
    w0, w1, w2, w3 = past_windows(4)
    legacy_period(tid, w2, period_id=1)
    CounterItem(*keys.counter_key(tid, "payperiod"), value=1).save()
    legacy_period(tid, w1, status="closed")
    legacy_period(tid, w0)
    sale(api, owner, w3.start, approve=False)  # a new period: id 2, counted
    sale(api, owner, w0.start, approve=False)  # an old one: counted later, by the backfill
    assert _totals(api, owner) == {"all": 1, "open": 1, "closing": 0, "closed": 0}
    assert _close(api, owner, 1).status == 200  # an uncounted period closes: nothing moves
    assert _totals(api, owner) == {"all": 1, "open": 1, "closing": 0, "closed": 0}

    assert periods.backfill(tid) == 3
    listed = _get(api, owner, "/admin/pay-periods")["items"]
    assert [(p["id"], p["start_date"], p["status"]) for p in listed] == [
        (2, w3.key, "open"),
        (1, w2.key, "closed"),
        (4, w1.key, "closed"),
        (3, w0.key, "open"),
    ]
    assert listed[3]["sales_recorded"] == 1
    assert _totals(api, owner) == {"all": 4, "open": 2, "closing": 0, "closed": 2}
    assert periods.backfill(tid) == 0  # again: nothing changes
    assert _totals(api, owner) == {"all": 4, "open": 2, "closing": 0, "closed": 2}
    for period_id, start in ((3, w0.key), (4, w1.key)):
        assert _get(api, owner, f"/admin/pay-periods/{period_id}")["start_date"] == start
    assert _close(api, owner, 3).status == 200
    assert _totals(api, owner) == {"all": 4, "open": 1, "closing": 0, "closed": 3}
    later = real_today() - timedelta(days=100)
    sale(api, owner, later, approve=False)
    assert _get(api, owner, f"/admin/pay-periods?date={later}")["items"][0]["id"] == 5
