"""``/sales``: the seed's calls verbatim, idempotency, who sees what, approval, payment,
voiding with clawbacks, customer linking, filters, events and tenant isolation."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date, timedelta

import boto3

from chalicelib.payperiods import service as period_service
from chalicelib.payperiods.rules import period_for
from chalicelib.platform import counters, keys
from chalicelib.sales import store as sales_store
from tests.support.isolation import assert_isolated
from tests.support.sales_helpers import (
    SEED_COMMISSION_CONFIG,
    SEED_PAYMENT_STATUS,
    SEED_SALE,
    SEED_VOID,
    close_period,
    events_of,
    line_item,
    record,
    seed_catalog,
    set_sale_counter,
    staff,
    technician,
    technician_login,
)

CFG = "/admin/commission-config"


def _today() -> date:
    from chalicelib.core.clock import today_in as tenant_today

    return tenant_today("America/New_York")


def _ready(api, owner):
    seed_catalog(api, owner)
    reply = api.put(f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner)
    assert reply.status == 200, reply.raw


def test_seed_curls_record_list_pay_and_void(api, owner):
    _ready(api, owner)
    set_sale_counter(owner.tenant_id, 41)  # the seed's curls name sale 42
    reply = api.post(
        "/sales",
        SEED_SALE,
        as_=owner,
        headers={"Content-Type": "application/json", "Idempotency-Key": "unique-key-123"},
    )
    assert reply.status == 201, reply.raw
    sale = reply.data
    assert sale["id"] == 42
    for key in (
        "id",
        "technician_id",
        "item_id",
        "installer_id",
        "quantity",
        "sale_price_cents",
        "list_price_cents",
        "commission_cents",
        "installer_commission_cents",
        "commission_snapshot",
        "customer_id",
        "customer_name",
        "notes",
        "payment_type",
        "sale_date",
        "approval_status",
        "payment_status",
        "payment_date",
        "voided",
        "created_at",
    ):
        assert key in sale, key
    assert (sale["technician_id"], sale["item_id"], sale["sale_price_cents"]) == (1, 5, 150000)
    assert sale["commission_cents"] == 11250  # 7.5% of $1,500.00
    assert sale["commission_snapshot"]["rule"] == "tech_item"
    assert sale["commission_snapshot"]["components"] == [
        {"label": "base", "amount_cents": 11250, "basis_cents": 150000, "rate_bps": 750}
    ]
    assert sale["list_price_cents"] == 150000 and sale["quantity"] == 1
    assert sale["installer_id"] is None and sale["installer_commission_cents"] == 0
    assert sale["customer_name"] == "John Doe" and sale["customer_id"] == 1
    assert sale["notes"] == "Annual maintenance package"
    assert sale["payment_type"] == "credit_card" and sale["sale_date"] == _today().isoformat()
    assert (sale["approval_status"], sale["payment_status"], sale["voided"]) == (
        "pending",
        "unpaid",
        False,
    )

    back = None
    if _today() >= date(2026, 3, 10):  # a paper ticket from the seed's quarter
        back = record(api, owner, {**SEED_SALE, "sale_date": "2026-03-10"})
    reply = api.get("/sales?date_from=2026-01-01&date_to=2026-03-31", as_=owner)
    assert reply.status == 200, reply.raw
    listed = reply.data
    assert set(listed) == {"items", "total", "page", "limit", "total_pages", "next_cursor"}
    assert [s["id"] for s in listed["items"]] == ([back["id"]] if back else [])

    reply = api.patch("/sales/42/payment-status", SEED_PAYMENT_STATUS, as_=owner)
    assert reply.status == 200, reply.raw
    assert reply.data["payment_status"] == "paid" and reply.data["payment_date"] == "2026-03-15"

    reply = api.patch("/sales/42/void", SEED_VOID, as_=owner)
    assert reply.status == 200, reply.raw
    assert reply.data["voided"] is True and reply.data["clawback_cents"] is None
    assert api.get("/sales/42", as_=owner).data["voided"] is True

    # the seed's JavaScript recordSale(): a fresh UUID per call, reads {ok, data, error}
    sale_data = {**SEED_SALE}
    key = str(uuid.uuid4())
    headers = {
        "Authorization": f"Bearer {owner.access_token}",
        "Content-Type": "application/json",
        "X-Tenant-Id": owner.tenant_id,
        "Idempotency-Key": key,
    }
    reply = api.post("/sales", sale_data, headers=headers)
    body = reply.json
    assert body["ok"] is True and "error" not in body
    assert body["data"]["commission_cents"] == 11250
    # a retry of the same call (network blip) gets the same sale, byte for byte
    again = api.post("/sales", sale_data, headers=headers)
    assert again.status == 201 and again.raw == reply.raw
    second = api.post(
        "/sales", sale_data, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert second.data["id"] == body["data"]["id"] + 1


def test_idempotency(api, owner, other):
    _ready(api, owner)
    first = api.post("/sales", SEED_SALE, as_=owner, headers={"Idempotency-Key": "k-1"})
    assert first.status == 201
    replay = api.post("/sales", SEED_SALE, as_=owner, headers={"Idempotency-Key": "k-1"})
    assert (replay.status, replay.raw) == (201, first.raw)
    changed = api.post(
        "/sales",
        {**SEED_SALE, "sale_price_cents": 140000},
        as_=owner,
        headers={"Idempotency-Key": "k-1"},
    )
    assert changed.status == 422 and changed.error["code"] == "VALIDATION_ERROR"
    assert "Idempotency-Key" in changed.error["message"]
    # another caller of the same tenant with the same key and body is not a replay
    manager = staff(owner, "manager")
    assert (
        api.post("/sales", SEED_SALE, as_=manager, headers={"Idempotency-Key": "k-1"}).status == 422
    )
    # keys are per tenant
    _ready(api, other)
    elsewhere = api.post("/sales", SEED_SALE, as_=other, headers={"Idempotency-Key": "k-1"})
    assert elsewhere.status == 201 and elsewhere.data["id"] == 1
    # a failed request frees its key
    bad = api.post(
        "/sales", {**SEED_SALE, "technician_id": 9}, as_=owner, headers={"Idempotency-Key": "k-2"}
    )
    assert bad.status == 422
    good = api.post("/sales", SEED_SALE, as_=owner, headers={"Idempotency-Key": "k-2"})
    assert good.status == 201 and good.data["id"] == 2
    assert api.get("/sales", as_=owner).data["total"] == 2
    assert (
        api.post("/sales", SEED_SALE, as_=owner, headers={"Idempotency-Key": "x" * 256}).status
        == 422
    )

    # If the Powertools record disappears after the sale committed (the invocation died
    # before completing it and the in-progress record expired), the sale's own guard
    # item still stops a second sale.
    ddb = boto3.client("dynamodb")

    def records() -> dict[str, dict]:
        found = ddb.query(
            TableName="tradekitt-test",
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.idempotency_pk(owner.tenant_id)},
                ":p": {"S": "sale#"},
            },
        )["Items"]
        return {item["sk"]["S"]: item for item in found}

    before = records()
    assert len(before) == 2  # k-1 and k-2 (failed requests leave none)
    lost = api.post("/sales", SEED_SALE, as_=owner, headers={"Idempotency-Key": "k-lost"})
    [record_] = [item for sk, item in records().items() if sk not in before]
    assert record_["status"]["S"] == "COMPLETED"
    expires = int(record_["expires_at"]["N"])  # the table's TTL attribute: 24 h
    assert abs(expires - (time.time() + 24 * 3600)) < 120
    key = {"pk": record_["pk"], "sk": record_["sk"]}
    ddb.delete_item(TableName="tradekitt-test", Key=key)
    again = api.post("/sales", SEED_SALE, as_=owner, headers={"Idempotency-Key": "k-lost"})
    assert again.status == 201 and again.data == lost.data
    ddb.delete_item(TableName="tradekitt-test", Key=key)
    other_body = api.post(
        "/sales", {**SEED_SALE, "notes": "x"}, as_=owner, headers={"Idempotency-Key": "k-lost"}
    )
    assert other_body.status == 422
    assert api.get("/sales", as_=owner).data["total"] == 3


def test_concurrent_duplicates_create_one_sale(api, owner, monkeypatch):
    _ready(api, owner)
    inside, release = threading.Event(), threading.Event()
    original = sales_store.create

    def slow_create(new):
        inside.set()
        assert release.wait(20)
        return original(new)

    monkeypatch.setattr(sales_store, "create", slow_create)
    replies = {}
    headers = {"Idempotency-Key": "same-key"}
    thread = threading.Thread(
        target=lambda: replies.setdefault(
            "first", api.post("/sales", SEED_SALE, as_=owner, headers=headers)
        )
    )
    thread.start()
    assert inside.wait(20)
    try:
        duplicate = api.post("/sales", SEED_SALE, as_=owner, headers=headers)
    finally:
        release.set()
        thread.join(20)
    assert duplicate.status == 409 and duplicate.error["code"] == "CONFLICT"
    assert replies["first"].status == 201
    later = api.post("/sales", SEED_SALE, as_=owner, headers=headers)
    assert later.raw == replies["first"].raw
    assert api.get("/sales", as_=owner).data["total"] == 1

    # another writer takes the next id between our read and our write: we read again
    monkeypatch.setattr(sales_store, "create", original)
    load = sales_store.load_inputs
    raced: list[bool] = []

    def racing_load(*args, **kwargs):
        inputs = load(*args, **kwargs)
        if not raced:
            raced.append(True)
            counters.next_id(owner.tenant_id, "sale")  # id 2 is gone
        return inputs

    monkeypatch.setattr(sales_store, "load_inputs", racing_load)
    assert record(api, owner, SEED_SALE)["id"] == 3
    assert [s["id"] for s in api.get("/sales", as_=owner).data["items"]] == [3, 1]

    # a burst: some other sale takes the next id before every one of our writes. The
    # sale loses the compare-and-set once, then reserves an id outright and is recorded
    # on its second transaction (it used to re-read and lose again until it gave up: 409)
    attempts: list[int] = []

    def always_racing_load(*args, **kwargs):
        inputs = load(*args, **kwargs)
        counters.next_id(owner.tenant_id, "sale")
        return inputs

    def counted_create(new):
        attempts.append(new.sale.sale_id)
        return original(new)

    monkeypatch.setattr(sales_store, "load_inputs", always_racing_load)
    monkeypatch.setattr(sales_store, "create", counted_create)
    assert record(api, owner, SEED_SALE)["id"] == 5  # 4 went to the racer, 5 reserved
    assert len(attempts) == 2

    # the same for the id of the customer a sale creates (a burst of sales each creating
    # a customer by name used to lose that compare-and-set again and again: 409)
    created_customers: list[int | None] = []

    def customer_racing_load(*args, **kwargs):
        inputs = load(*args, **kwargs)
        counters.next_id(owner.tenant_id, "customer")
        return inputs

    def counted_customer_create(new):
        created_customers.append(new.sale.customer_id)
        return original(new)

    counter, counter_key = counters.ref(owner.tenant_id, "customer")
    before = counters.current_value(counter.find(counter_key, consistent=True))
    monkeypatch.setattr(sales_store, "load_inputs", customer_racing_load)
    monkeypatch.setattr(sales_store, "create", counted_customer_create)
    recorded = record(api, owner, {**SEED_SALE, "customer_name": "Burst Customer"})
    assert created_customers == [before + 1, before + 2]  # lost once, then reserved
    assert recorded["customer_id"] == before + 2
    customer = api.get(f"/admin/customers/{before + 2}", as_=owner)
    assert customer.status == 200 and customer.data["name"] == "Burst Customer"


def test_bad_input(api, owner, other):
    _ready(api, owner)
    technician(api, owner, name="Gone", active=False)  # id 2
    retired = line_item(api, owner, name="Retired", active=False)  # id 6
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    cases = [
        ({"technician_id": 99}, "technician_id"),
        ({"technician_id": 2}, "technician_id"),
        ({"item_id": 99}, "item_id"),
        ({"item_id": retired["id"]}, "item_id"),
        ({"installer_id": 99}, "installer_id"),
        ({"customer_id": 99}, "customer_id"),
        ({"sale_price_cents": -1}, "sale_price_cents"),
        ({"sale_price_cents": 1500.5}, "sale_price_cents"),
        ({"sale_price_cents": 150000.0}, "sale_price_cents"),
        ({"sale_price_cents": "150000"}, "sale_price_cents"),
        ({"sale_price_cents": None}, "sale_price_cents"),
        ({"sale_price_cents": 10**13}, "sale_price_cents"),
        ({"technician_id": "1"}, "technician_id"),
        ({"quantity": 0}, "quantity"),
        ({"sale_date": tomorrow}, "sale_date"),
        ({"sale_date": "03/15/2026"}, "sale_date"),
        ({"sale_date": "2026-02-30"}, "sale_date"),
        ({"customer_email": "not-an-email"}, "customer_email"),
    ]
    for change, field in cases:
        reply = api.post("/sales", {**SEED_SALE, **change}, as_=owner)
        assert reply.status == 422, (change, reply.raw)
        assert reply.error["code"] == "VALIDATION_ERROR"
        assert reply.error["details"][0]["field"] == field, (change, reply.error)
        assert field in reply.error["message"]
    missing = {k: v for k, v in SEED_SALE.items() if k != "item_id"}
    reply = api.post("/sales", missing, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "item_id"
    # another tenant's technician and item ids are unknown here
    seed_catalog(api, other)
    other_tech = technician(api, other)  # id 2 in the other tenant, active
    reply = api.post("/sales", {**SEED_SALE, "technician_id": other_tech["id"]}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "technician_id"
    assert api.get("/sales", as_=owner).data["total"] == 0
    assert api.get("/admin/customers", as_=owner).data["total"] == 0


def test_technicians_record_and_see_only_their_own(api, owner):
    _ready(api, owner)
    tina, tina_login = technician_login(api, owner, name="Tina Tech")
    other_tech = technician(api, owner, name="Otto Other")
    mine = record(api, tina_login, {**SEED_SALE, "technician_id": tina["id"]})
    assert mine["created_by"] == tina_login.user["id"]
    theirs = record(api, owner, {**SEED_SALE, "technician_id": other_tech["id"]})
    installed = record(api, owner, {**SEED_SALE, "installer_id": tina["id"]})

    reply = api.post("/sales", {**SEED_SALE, "technician_id": other_tech["id"]}, as_=tina_login)
    assert reply.status == 403 and reply.error["code"] == "FORBIDDEN"
    listed = api.get("/sales", as_=tina_login).data
    assert [s["id"] for s in listed["items"]] == [mine["id"]]
    assert api.get(f"/sales?technician_id={other_tech['id']}", as_=tina_login).status == 403
    assert api.get(f"/sales/{mine['id']}", as_=tina_login).status == 200
    assert api.get(f"/sales/{installed['id']}", as_=tina_login).status == 200
    assert api.get(f"/sales/{theirs['id']}", as_=tina_login).status == 404
    for method, path, body in [
        ("PATCH", f"/sales/{mine['id']}/approve", {}),
        ("PATCH", f"/sales/{mine['id']}/void", SEED_VOID),
        ("PATCH", f"/sales/{mine['id']}/payment-status", SEED_PAYMENT_STATUS),
    ]:
        assert api.call(method, path, body, as_=tina_login).status == 403
    dispatcher = staff(owner, "dispatcher")
    assert api.post("/sales", SEED_SALE, as_=dispatcher).status == 403
    assert api.get("/sales", as_=dispatcher).status == 403
    assert api.get("/sales", as_=staff(owner, "manager")).data["total"] == 3
    # a deactivated technician can no longer record: their token stops working at once
    # (401 on every authenticated route, issue 9)
    api.patch(f"/admin/technicians/{tina['id']}", {"active": False}, as_=owner)
    assert (
        api.post("/sales", {**SEED_SALE, "technician_id": tina["id"]}, as_=tina_login).status == 401
    )


def test_approval_payment_and_events(api, owner):
    _ready(api, owner)
    a = record(api, owner, SEED_SALE)
    b = record(api, owner, SEED_SALE)
    assert len(events_of(owner.tenant_id, "sale.created")) == 2
    calculated = events_of(owner.tenant_id, "commission.calculated")
    assert [e["sale_id"] for e in calculated] == [a["id"], b["id"]]
    assert calculated[0]["commission_cents"] == 11250
    assert calculated[0]["commission_snapshot"] == a["commission_snapshot"]

    reply = api.patch(f"/sales/{a['id']}/approve", {}, as_=staff(owner, "manager", 7))
    assert reply.status == 200, reply.raw
    assert reply.data["approval_status"] == "approved" and reply.data["approved_by"] == 7
    reply = api.patch(f"/sales/{b['id']}/reject", {"reason": "duplicate ticket"}, as_=owner)
    assert reply.status == 200
    assert reply.data["approval_status"] == "rejected"
    assert reply.data["approval_reason"] == "duplicate ticket"
    for path in (
        f"/sales/{a['id']}/approve",
        f"/sales/{a['id']}/reject",
        f"/sales/{b['id']}/approve",
    ):
        reply = api.patch(path, {}, as_=owner)
        assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    [approved] = events_of(owner.tenant_id, "sale.approved")
    [rejected] = events_of(owner.tenant_id, "sale.rejected")
    assert approved["id"] == a["id"] and rejected["approval_reason"] == "duplicate ticket"
    c = record(api, owner, SEED_SALE)
    api.patch(f"/sales/{c['id']}/void", SEED_VOID, as_=owner)
    assert api.patch(f"/sales/{c['id']}/approve", {}, as_=owner).status == 409
    assert api.patch("/sales/99/approve", {}, as_=owner).status == 404
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="tradekitt-test-events")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ]
    assert int(attrs["ApproximateNumberOfMessages"]) == 3 * 2 + 2  # created+calculated x3

    # payment status
    sale = record(api, owner, SEED_SALE)
    path = f"/sales/{sale['id']}/payment-status"
    reply = api.patch(path, {"status": "partial"}, as_=owner)
    assert reply.data["payment_status"] == "partial"
    assert reply.data["payment_date"] == _today().isoformat()
    reply = api.patch(path, {"status": "refunded"}, as_=owner)
    assert reply.data["payment_date"] == _today().isoformat()
    reply = api.patch(path, {"status": "unpaid"}, as_=owner)
    assert reply.data["payment_status"] == "unpaid" and reply.data["payment_date"] is None
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    for body, field in [
        ({"status": "settled"}, "status"),
        ({}, "status"),
        ({"status": "paid", "payment_date": tomorrow}, "payment_date"),
        ({"status": "unpaid", "payment_date": "2026-01-02"}, "payment_date"),
        ({"status": "paid", "payment_date": "2026/01/02"}, "payment_date"),
    ]:
        reply = api.patch(path, body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == field
    assert api.patch("/sales/77/payment-status", SEED_PAYMENT_STATUS, as_=owner).status == 404


def test_closed_pay_periods(api, owner):
    _ready(api, owner)
    last_month = _today() - timedelta(days=31)
    pending = record(api, owner, {**SEED_SALE, "sale_date": last_month.isoformat()})
    close_period(owner.tenant_id, last_month)
    reply = api.post("/sales", {**SEED_SALE, "sale_date": last_month.isoformat()}, as_=owner)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    assert "closed pay period" in reply.error["message"]
    reply = api.patch(f"/sales/{pending['id']}/approve", {}, as_=owner)
    assert reply.status == 409
    assert api.get(f"/sales/{pending['id']}", as_=owner).data["approval_status"] == "pending"
    window = period_for(last_month, "biweekly")
    next_day = window.end + timedelta(days=1)
    if next_day <= _today():  # the day after the closed period is open
        assert (
            api.post("/sales", {**SEED_SALE, "sale_date": next_day.isoformat()}, as_=owner).status
            == 201
        )

    installer = technician(api, owner, name="Ian Installer")
    api.put(
        f"{CFG}/tech/{installer['id']}/plan/installer",
        {"kind": "percentage", "rate_bps": 200},
        as_=owner,
    )
    today = _today()
    old_day = today - timedelta(days=45)
    open_sale = record(api, owner, SEED_SALE)
    old_sale = record(
        api, owner, {**SEED_SALE, "sale_date": old_day.isoformat(), "installer_id": installer["id"]}
    )
    old_pending = record(api, owner, {**SEED_SALE, "sale_date": old_day.isoformat()})
    for sale in (open_sale, old_sale):
        assert api.patch(f"/sales/{sale['id']}/approve", {}, as_=owner).status == 200
    close_period(owner.tenant_id, old_day)

    # open period: the sale simply stops counting
    reply = api.patch(
        f"/sales/{open_sale['id']}/void", {"voided": True, "reason": "typo"}, as_=owner
    )
    assert reply.status == 200 and reply.data["voided"] is True
    assert reply.data["void_reason"] == "typo" and reply.data["clawback_cents"] is None

    # closed period: negative adjustments for seller and installer, dated today
    reply = api.patch(f"/sales/{old_sale['id']}/void", SEED_VOID, as_=owner)
    assert reply.status == 200 and reply.data["clawback_cents"] == -(11250 + 3000)
    adjustments = period_service.adjustments_between(owner.tenant_id, today, today)
    assert sorted((a["role"], a["technician_id"], a["amount_cents"]) for a in adjustments) == [
        ("installer", installer["id"], -3000),
        ("technician", 1, -11250),
    ]
    assert all(a["sale_id"] == old_sale["id"] for a in adjustments)
    assert adjustments[0]["period_start"] == period_for(today, "biweekly").key

    # voiding again changes nothing; a pending sale had earned nothing to claw back
    assert api.patch(f"/sales/{old_sale['id']}/void", SEED_VOID, as_=owner).status == 200
    reply = api.patch(f"/sales/{old_pending['id']}/void", SEED_VOID, as_=owner)
    assert reply.status == 200 and reply.data["clawback_cents"] is None
    assert len(period_service.adjustments_between(owner.tenant_id, today, today)) == 2

    # when the current period is closed too, the clawback lands in the next open one
    late = record(api, owner, {**SEED_SALE, "sale_date": today.isoformat()})
    api.patch(f"/sales/{late['id']}/approve", {}, as_=owner)
    close_period(owner.tenant_id, today)
    api.patch(f"/sales/{late['id']}/void", SEED_VOID, as_=owner)
    start = period_for(today, "biweekly").end + timedelta(days=1)
    [moved] = period_service.adjustments_between(owner.tenant_id, start, start)
    assert moved["amount_cents"] == -11250 and moved["period_start"] == start.isoformat()

    reply = api.patch(f"/sales/{open_sale['id']}/void", {"voided": False}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "voided"


def test_customers_are_linked(api, owner):
    _ready(api, owner)
    jane = api.post(
        "/admin/customers", {"name": "Jane Doe", "email": "jane@example.com"}, as_=owner
    ).data
    by_id = record(api, owner, {**SEED_SALE, "customer_id": jane["id"], "customer_name": None})
    assert (by_id["customer_id"], by_id["customer_name"]) == (jane["id"], "Jane Doe")
    by_email = record(
        api, owner, {**SEED_SALE, "customer_name": "Jane D.", "customer_email": "JANE@example.com"}
    )
    assert by_email["customer_id"] == jane["id"]
    fresh = record(
        api,
        owner,
        {**SEED_SALE, "customer_name": "Walt Walk-in", "customer_email": "walt@example.com"},
    )
    assert fresh["customer_id"] not in (None, jane["id"])
    walt = api.get(f"/admin/customers/{fresh['customer_id']}", as_=owner).data
    assert (walt["name"], walt["email"]) == ("Walt Walk-in", "walt@example.com")
    again = record(
        api, owner, {**SEED_SALE, "customer_name": "Walt", "customer_email": "walt@example.com"}
    )
    assert again["customer_id"] == walt["id"]
    anonymous = record(api, owner, {k: v for k, v in SEED_SALE.items() if k != "customer_name"})
    assert anonymous["customer_id"] is None
    assert api.get("/admin/customers", as_=owner).data["total"] == 2
    listed = api.get(f"/sales?customer_id={jane['id']}", as_=owner).data
    assert {s["id"] for s in listed["items"]} == {by_id["id"], by_email["id"]}


def test_filters_pagination_and_frozen_snapshots(api, owner):
    _ready(api, owner)
    second = technician(api, owner, name="Second")
    today = _today()
    d1, d2 = (today - timedelta(days=10)).isoformat(), (today - timedelta(days=5)).isoformat()
    s1 = record(api, owner, {**SEED_SALE, "sale_date": d1})
    s2 = record(api, owner, {**SEED_SALE, "sale_date": d2, "technician_id": second["id"]})
    s3 = record(api, owner, {**SEED_SALE, "sale_date": d1})
    api.patch(f"/sales/{s1['id']}/approve", {}, as_=owner)
    api.patch(f"/sales/{s2['id']}/payment-status", {"status": "paid"}, as_=owner)
    api.patch(f"/sales/{s3['id']}/void", SEED_VOID, as_=owner)

    def ids(query: str) -> list[int]:
        reply = api.get("/sales" + query, as_=owner)
        assert reply.status == 200, reply.raw
        return [s["id"] for s in reply.data["items"]]

    assert ids("") == [s2["id"], s3["id"], s1["id"]]  # newest date first, then id
    assert ids(f"?date_from={d2}") == [s2["id"]]
    assert ids(f"?date_to={d1}") == [s3["id"], s1["id"]]
    assert ids(f"?technician_id={second['id']}") == [s2["id"]]
    assert ids("?approval_status=approved") == [s1["id"]]
    assert ids("?approval_status=pending&voided=false") == [s2["id"]]
    assert ids("?payment_status=paid") == [s2["id"]]
    assert ids("?voided=true") == [s3["id"]]
    assert ids(f"?dateFrom={d1}&dateTo={d1}&approvalStatus=approved") == [s1["id"]]
    page = api.get("/sales?page=2&limit=2", as_=owner).data
    assert ([s["id"] for s in page["items"]], page["total"], page["total_pages"]) == (
        [s1["id"]],
        3,
        2,
    )
    for bad in (
        "?date_from=2026-13-01",
        f"?date_from={d2}&date_to={d1}",
        "?approval_status=maybe",
        "?limit=0",
        "?technician_id=x",
    ):
        reply = api.get("/sales" + bad, as_=owner)
        assert reply.status == 400 and reply.error["code"] == "BAD_REQUEST", bad

    # later price and rate changes never touch recorded sales
    api.put(f"{CFG}/tech/1/item/5", {"commission_rate_bps": 1000}, as_=owner)
    api.patch("/admin/line-items/5", {"price_cents": 99}, as_=owner)
    kept = api.get(f"/sales/{s1['id']}", as_=owner).data
    assert kept["commission_cents"] == 11250 and kept["list_price_cents"] == 150000
    assert kept["commission_snapshot"] == s1["commission_snapshot"]
    newer = record(api, owner, SEED_SALE)
    assert newer["commission_cents"] == 15000 and newer["list_price_cents"] == 99


def test_tenant_isolation(api, owner, other):
    _ready(api, owner)
    sale = record(api, owner, {**SEED_SALE, "notes": "secret note"})
    _ready(api, other)
    sid = sale["id"]
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"/sales/{sid}", None),
            ("PATCH", f"/sales/{sid}/payment-status", SEED_PAYMENT_STATUS),
            ("PATCH", f"/sales/{sid}/void", SEED_VOID),
            ("PATCH", f"/sales/{sid}/approve", {}),
            ("PATCH", f"/sales/{sid}/reject", {"reason": "x"}),
        ],
        secrets=["secret note"],
    )
    assert api.get("/sales", as_=other).data["total"] == 0
    mine = api.get(f"/sales/{sid}", as_=owner).data
    assert mine["voided"] is False and mine["approval_status"] == "pending"
    assert mine["payment_status"] == "unpaid"
