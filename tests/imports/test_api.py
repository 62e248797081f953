"""``/admin/import/...`` through the API (moto): each kind imports, every bad row is
reported with its line and nothing is written, a re-import creates nothing, templates
round-trip, limits, formula cells, and a sales import equals the same sales posted one
by one (the sales list, commissions, pay periods and their totals)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.core import route_table
from chalicelib.core.registry import body_types
from tests.support.sales_helpers import close_period, line_item, staff, technician

CSV = {"Content-Type": "text/csv"}
TODAY = date.today()


def upload(api, account, kind, text, *, as_json=False):
    if as_json:
        return api.post(f"/admin/import/{kind}", {"csv": text}, as_=account)
    return api.post(f"/admin/import/{kind}", as_=account, headers=CSV, raw=text.encode())


def _lines(*rows: str) -> str:
    return "\r\n".join(rows) + "\r\n"


def test_the_route_table_carries_the_raw_body_types():
    table = getattr(route_table, "BODY_TYPES", {})
    mine = {route: types for route, types in body_types().items() if "/import/" in route[1]}
    assert mine and all(table.get(route) == types for route, types in mine.items())


def test_line_items_import_raw_and_json(api, owner):
    text = _lines(
        "name,category,price_cents,sku,default_commission_bps,active",
        "AC Tune-Up,Maintenance,15000,AC-1,1000,true",
        '"Filter, 16x25",parts,2500,,,no',
    )
    reply = upload(api, owner, "line-items", text)
    assert reply.status == 201, reply.raw
    data = reply.data
    assert (data["kind"], data["rows"], data["created"], data["duplicate"]) == (
        "line-items",
        2,
        2,
        False,
    )
    assert (data["first_id"], data["last_id"], data["status"]) == (1, 2, "completed")
    listed = api.get("/admin/line-items", as_=owner).data
    assert listed["total"] == 2
    first, second = listed["items"]
    assert (first["name"], first["price_cents"], first["default_commission_bps"]) == (
        "AC Tune-Up",
        15000,
        1000,
    )
    assert (second["name"], second["active"], second["sku"]) == ("Filter, 16x25", False, None)
    assert api.get("/admin/line-items?active=false", as_=owner).data["total"] == 1
    categories = api.get("/admin/line-items/categories", as_=owner).data["items"]
    assert {(c["category"], c["item_count"]) for c in categories} == {
        ("Maintenance", 1),
        ("parts", 1),
    }
    # the JSON form; the ids go on from the counter
    reply = upload(api, owner, "line-items", _lines("name,price_cents", "Coil,900"), as_json=True)
    assert reply.status == 201 and reply.data["first_id"] == 3, reply.raw
    assert api.get(f"/admin/import/{reply.data['import_id']}", as_=owner).data == reply.data


def test_technicians_import(api, owner):
    text = _lines(
        "name,email,phone,pay_type,base_pay_cents,skills,service_zones,active,home_zip",
        "Mike Johnson,mike@example.com,+1 (555) 010-2000,hourly,2500,hvac; plumbing,north,,78701",
        "Ann Lee,,,salary,400000,,,false,",
    )
    reply = upload(api, owner, "technicians", text)
    assert reply.status == 201, reply.raw
    assert (reply.data["created"], reply.data["first_id"], reply.data["last_id"]) == (2, 1, 2)
    mike = api.get("/admin/technicians/1", as_=owner).data
    assert mike["skills"] == ["hvac", "plumbing"] and mike["service_zones"] == ["north"]
    assert mike["phone"] == "+1 (555) 010-2000" and mike["active"] is True
    assert (mike["home_zip"], mike["home_latitude"]) == ("78701", 30.2713)
    assert mike["has_login"] is False
    ann = api.get("/admin/technicians/2", as_=owner).data
    assert (ann["pay_type"], ann["base_pay_cents"], ann["active"]) == ("salary", 400000, False)
    assert api.get("/admin/technicians", as_=owner).data["total"] == 2
    assert api.get("/admin/technicians?active=true", as_=owner).data["total"] == 1
    # the next technician created one by one gets the next id
    assert technician(api, owner)["id"] == 3


def test_every_bad_row_is_reported_and_nothing_is_written(api, owner):
    text = _lines(
        "name,pay_type,base_pay_cents,home_zip,home_latitude",
        "Good One,hourly,2500,,",
        ",hourly,2500,,",  # line 3: no name
        "Bad Pay,weekly,-5,,",  # line 4: two problems
        "Formula,=HYPERLINK(1),0,,",  # line 5
        "Zip,hourly,0,00000,",  # line 6: unknown ZIP (the home-base rule)
        "Half,hourly,0,,30.1",  # line 7: latitude without longitude
    )
    reply = upload(api, owner, "technicians", text)
    assert reply.status == 422, reply.raw
    assert reply.error["code"] == "VALIDATION_ERROR"
    found = {(d["line"], d["field"]) for d in reply.error["details"]}
    assert found == {
        (3, "name"),
        (4, "pay_type"),
        (4, "base_pay_cents"),
        (5, "pay_type"),
        (6, "home_zip"),
        (7, "home_longitude"),
    }
    assert "nothing was imported" in reply.error["message"]
    assert api.get("/admin/technicians", as_=owner).data["total"] == 0


def test_the_problems_are_capped_and_counted(api, owner):
    text = _lines("name,price_cents", *[f"Item {n},abc" for n in range(150)])
    reply = upload(api, owner, "line-items", text)
    assert reply.status == 422
    assert len(reply.error["details"]) == 100
    assert [(d["line"], d["field"]) for d in reply.error["details"][:2]] == [
        (2, "price_cents"),
        (3, "price_cents"),
    ]
    assert "valid integer" in reply.error["details"][0]["message"]
    assert "50 more" in reply.error["message"]
    assert api.get("/admin/line-items", as_=owner).data["total"] == 0


@pytest.mark.parametrize(
    ("text", "status", "field"),
    [
        (_lines("name,price,price_cents", "A,1,2"), 422, "price"),  # unknown column
        (_lines("name", "A"), 422, "price_cents"),  # required column missing
        ("name,price_cents\r\n", 422, "body"),  # no rows
        ("", 400, None),  # empty file
        ('name,price_cents\r\n"A,1\r\n', 400, None),  # malformed
        (_lines("name,price_cents", "A,1,extra"), 400, None),  # wider than the header
    ],
)
def test_bad_files(api, owner, text, status, field):
    reply = upload(api, owner, "line-items", text)
    assert reply.status == status, reply.raw
    if field:
        assert field in {d["field"] for d in reply.error["details"]}


def test_limits(api, owner, monkeypatch):
    from chalicelib.imports import rules

    monkeypatch.setitem(rules.MAX_ROWS, "line-items", 3)
    reply = upload(api, owner, "line-items", _lines("name,price_cents", *["A,1"] * 4))
    assert reply.status == 413 and "more than 3 rows" in reply.error["message"]
    big = "name,price_cents\r\n" + "A,1\r\n" * 300_000
    assert upload(api, owner, "line-items", big).status == 413
    bad_utf8 = api.post("/admin/import/line-items", as_=owner, headers=CSV, raw=b"name\xff")
    assert bad_utf8.status == 400
    assert api.post("/admin/import/line-items", {"csv": 5}, as_=owner).status == 422
    assert api.get("/admin/line-items", as_=owner).data["total"] == 0


def test_formula_cells_are_refused(api, owner):
    for cell in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx"):
        text = _lines("name,price_cents,description", f'"{cell}",100,')
        reply = upload(api, owner, "line-items", text)
        assert reply.status == 422, (cell, reply.raw)
        assert reply.error["details"][0]["field"] == "name"
        assert "formula" in reply.error["details"][0]["message"]


def test_re_import_creates_nothing(api, owner):
    text = _lines("name,price_cents", "A,100", "B,200")
    first = upload(api, owner, "line-items", text)
    assert first.status == 201
    # the same rows, however the file is spelled: another line ending, column order,
    # spacing, blank lines, a byte-order mark, JSON instead of raw
    respelled = "\ufeffprice_cents , name\n 100,A\n\n200 ,B\n"
    again = upload(api, owner, "line-items", respelled, as_json=True)
    assert again.status == 200, again.raw
    assert again.data == {**first.data, "duplicate": True}
    assert api.get("/admin/line-items", as_=owner).data["total"] == 2
    # another value is another file; another kind too
    assert (
        upload(api, owner, "line-items", _lines("name,price_cents", "A,100", "B,201")).status == 201
    )
    assert api.get("/admin/line-items", as_=owner).data["total"] == 4


@pytest.mark.parametrize("kind", ["technicians", "line-items", "sales"])
def test_templates_round_trip(api, owner, kind):
    reply = api.get(f"/admin/import/{kind}/template", as_=owner)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/csv")
    text = reply.raw.decode()
    header = text.splitlines()[0].split(",")
    assert header[0] in ("name", "technician_id")
    if kind == "sales":
        technician(api, owner)
        line_item(api, owner)
    imported = upload(api, owner, kind, text)
    assert imported.status == 201, imported.raw
    assert imported.data["created"] == 1


def test_import_summary_is_the_tenants_own(api, owner, other):
    made = upload(api, owner, "line-items", _lines("name,price_cents", "A,1")).data
    assert api.get(f"/admin/import/{made['import_id']}", as_=other).status == 404
    assert api.get("/admin/import/99", as_=owner).status == 404
    # the other tenant's same file is its own import
    assert upload(api, other, "line-items", _lines("name,price_cents", "A,1")).status == 201


def test_roles(api, owner):
    dispatcher = staff(owner, "dispatcher")
    text = _lines("name,price_cents", "A,1")
    assert upload(api, dispatcher, "line-items", text).status == 403
    assert upload(api, dispatcher, "technicians", _lines("name", "A")).status == 403
    manager = staff(owner, "manager")
    assert upload(api, manager, "line-items", text).status == 201


# --- sales ---------------------------------------------------------------------------------
def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


SALE_COLUMNS = (
    "technician_id,item_id,sale_price_cents,quantity,installer_id,customer_id,"
    "customer_name,customer_email,notes,payment_type,sale_date"
)
SALE_ROWS = [
    f"1,1,150000,,,,John Doe,,Annual maintenance package,credit_card,{_day(60)}",
    f"1,2,5000,2,2,,Ann,ann@example.com,,cash,{_day(45)}",
    f"2,1,120000,,,,Ann again,ANN@example.com,,,{_day(45)}",  # the same new customer
    f"2,2,2500,,,1,,,,check,{_day(30)}",  # an existing customer
    f"1,1,200000,,,,,bob@example.com,,,{_day(3)}",  # a new customer by e-mail only
    "1,2,2600,,,,,,no customer,,",  # today, no customer
    f"2,1,99999,,1,,Zed,,,,{_day(75)}",  # an older period, named last
]


def _set_up(api, account):
    """The same roster, price book, rules and one customer in any tenant."""
    technician(api, account, name="Tech One")
    technician(api, account, name="Tech Two")
    line_item(api, account, name="Tune-Up", category="Maintenance", price_cents=150000)
    line_item(api, account, name="Filter", category="Parts", price_cents=2500)
    cfg = "/admin/commission-config/tech"
    assert (
        api.put(
            f"{cfg}/1/item/1", {"commission_rate_bps": 750, "ov_rate_bps": 300}, as_=account
        ).status
        == 200
    )
    assert (
        api.put(f"{cfg}/2/category/Parts", {"commission_rate_bps": 1200}, as_=account).status == 200
    )
    plan = {
        "kind": "tiered",
        "tiers": [{"up_to_cents": 100000, "rate_bps": 500}, {"rate_bps": 800}],
    }
    assert api.put(f"{cfg}/2/plan/technician", plan, as_=account).status == 200
    assert api.post("/admin/customers", {"name": "Existing Co"}, as_=account).status == 201


def _as_body(row: str) -> dict:
    import csv

    cells = next(csv.reader([row]))
    body = {}
    for name, cell in zip(SALE_COLUMNS.split(","), cells, strict=True):
        if cell:
            body[name] = int(cell) if name.endswith(("_id", "_cents", "quantity")) else cell
    return body


def _without_times(value):
    if isinstance(value, dict):
        return {
            k: _without_times(v)
            for k, v in value.items()
            if k not in ("created_at", "updated_at", "approved_at", "next_cursor")
        }
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _everything(api, account):
    """What the tenant's lists and totals show (times left out)."""
    paths = [
        "/sales?limit=200",
        "/sales?technician_id=2&limit=200",
        "/sales?customer_id=2&limit=200",
        "/sales?approval_status=approved",
        f"/sales?date_from={_day(50)}&date_to={_day(1)}",
        "/admin/customers?limit=200",
        "/admin/pay-periods?limit=200",
    ]
    found = {path: _without_times(api.get(path, as_=account).data) for path in paths}
    for period in found["/admin/pay-periods?limit=200"]["items"]:
        path = f"/admin/pay-periods/{period['id']}"
        found[path] = _without_times(api.get(path, as_=account).data)
    return found


def test_a_sales_import_equals_the_same_sales_posted_one_by_one(api, owner, other):
    for account in (owner, other):
        _set_up(api, account)
    for row in SALE_ROWS:
        assert api.post("/sales", _as_body(row), as_=other).status == 201
    reply = upload(api, owner, "sales", _lines(SALE_COLUMNS, *SALE_ROWS))
    assert reply.status == 201, reply.raw
    assert (reply.data["created"], reply.data["first_id"], reply.data["last_id"]) == (7, 1, 7)
    for account in (owner, other):  # approvals count alike too
        assert api.patch("/sales/2/approve", {}, as_=account).status == 200
        assert api.patch("/sales/7/approve", {}, as_=account).status == 200
    imported, posted = _everything(api, owner), _everything(api, other)
    assert imported == posted
    sales = imported["/sales?limit=200"]
    assert sales["total"] == 7
    by_id = {s["id"]: s for s in sales["items"]}
    assert by_id[2]["customer_id"] == by_id[3]["customer_id"]  # linked by e-mail
    assert by_id[4]["customer_id"] == 1 and by_id[4]["customer_name"] == "Existing Co"
    assert by_id[1]["commission_cents"] == 11250  # the tech x item override, 7.5 %
    assert by_id[6]["customer_id"] is None and by_id[6]["sale_date"] == TODAY.isoformat()
    assert len(imported["/admin/pay-periods?limit=200"]["items"]) >= 4
    # the next sale posted one by one takes the next id
    assert api.post("/sales", _as_body(SALE_ROWS[0]), as_=owner).data["id"] == 8


def test_a_bad_sale_row_writes_nothing(api, owner):
    _set_up(api, owner)
    technician(api, owner, name="Gone", active=False)  # technician 3, inactive
    close_period(owner.tenant_id, TODAY - timedelta(days=100))
    rows = [
        SALE_ROWS[0],
        f"9,1,100,,,,,,,,{_day(1)}",  # line 3: no technician 9
        f"3,1,100,,,,,,,,{_day(1)}",  # line 4: inactive
        f"1,7,100,,,,,,,,{_day(1)}",  # line 5: no item 7
        f"1,1,100,,,5,,,,,{_day(1)}",  # line 6: no customer 5
        "1,1,100,,,,,,,,2999-01-01",  # line 7: in the future
        f"1,1,100,,,,,,,,{_day(100)}",  # line 8: a closed period
        "1,1,1.5,,,,,,,,",  # line 9: not cents
        "1,1,100,,,,,not-an-email,,,",  # line 10
    ]
    reply = upload(api, owner, "sales", _lines(SALE_COLUMNS, *rows))
    assert reply.status == 422, reply.raw
    found = {(d["line"], d["field"]) for d in reply.error["details"]}
    assert found == {(9, "sale_price_cents"), (10, "customer_email")}
    # the model's problems first; with those fixed the stored data's are reported
    reply = upload(api, owner, "sales", _lines(SALE_COLUMNS, *rows[:7]))
    assert reply.status == 422, reply.raw
    assert {(d["line"], d["field"]) for d in reply.error["details"]} == {
        (3, "technician_id"),
        (4, "technician_id"),
        (5, "item_id"),
        (6, "customer_id"),
        (7, "sale_date"),
        (8, "sale_date"),
    }
    assert api.get("/sales", as_=owner).data["total"] == 0
    assert api.get("/admin/pay-periods", as_=owner).data["total"] == 0
    assert api.get("/admin/customers", as_=owner).data["total"] == 1


def test_a_sales_re_import_creates_nothing(api, owner):
    _set_up(api, owner)
    text = _lines(SALE_COLUMNS, *SALE_ROWS)
    first = upload(api, owner, "sales", text)
    assert first.status == 201
    again = upload(api, owner, "sales", text)
    assert again.status == 200 and again.data["duplicate"] is True
    assert again.data["import_id"] == first.data["import_id"]
    assert api.get("/sales", as_=owner).data["total"] == 7
    periods = api.get("/admin/pay-periods?limit=200", as_=owner).data["items"]
    assert sum(p["sales_recorded"] for p in periods) == 7


def test_imported_sales_publish_no_events(api, owner):
    from tests.support.sales_helpers import event_types

    _set_up(api, owner)
    assert upload(api, owner, "sales", _lines(SALE_COLUMNS, *SALE_ROWS)).status == 201
    types = event_types(owner.tenant_id)
    assert "sale.created" not in types and "commission.calculated" not in types


def test_the_same_file_uploaded_at_once_is_one_import(api, owner):
    from tests.support.aws_calls import one_at_a_time
    from tests.support.racing import at_once

    text = _lines("name,price_cents", "Raced,100")
    with one_at_a_time():  # moto in-process is not thread-safe; requests still interleave
        replies = at_once([lambda: upload(api, owner, "line-items", text) for _ in range(3)])
    assert sorted(r.status for r in replies) in ([200, 200, 201], [201, 409, 409], [200, 201, 409])
    assert api.get("/admin/line-items", as_=owner).data["total"] == 1


def test_a_period_closed_meanwhile_writes_nothing_and_frees_the_file(api, owner, monkeypatch):
    from chalicelib.sales import bulk as sales_bulk

    _set_up(api, owner)
    rows = [f"1,1,1000,,,,,,,,{_day(40)}", f"1,1,2000,,,,,,,,{_day(3)}"]
    real_plan = sales_bulk.plan

    def plan_then_close(principal, data):
        found = real_plan(principal, data)
        close_period(owner.tenant_id, TODAY - timedelta(days=3))  # the later period
        return found

    monkeypatch.setattr(sales_bulk, "plan", plan_then_close)
    reply = upload(api, owner, "sales", _lines(SALE_COLUMNS, *rows))
    assert reply.status == 409 and "nothing was imported" in reply.error["message"], reply.raw
    assert api.get("/sales", as_=owner).data["total"] == 0
    periods = api.get("/admin/pay-periods?limit=50", as_=owner).data["items"]
    assert all(p["sales_recorded"] == 0 for p in periods), periods  # the counts undone
    assert api.get("/admin/import/1", as_=owner).data["status"] == "failed"
    monkeypatch.setattr(sales_bulk, "plan", real_plan)
    # the file may come again (now refused row by row: its period is closed)
    again = upload(api, owner, "sales", _lines(SALE_COLUMNS, *rows))
    assert again.status == 422 and again.error["details"][0]["line"] == 3, again.raw


def test_a_sales_import_costs_batches_not_calls_per_row(api, owner):
    """120 sales in 2 pay periods, 40 new customers: a bounded number of batched calls."""
    from collections import Counter

    from tests.support.aws_calls import wrapped

    _set_up(api, owner)
    rows = [
        f"{1 + n % 2},{1 + n % 2},{1000 + n},,,,Buyer {n % 40},b{n % 40}@example.com,,,"
        + (_day(20) if n % 2 else TODAY.isoformat())
        for n in range(120)
    ]
    calls: Counter[str] = Counter()

    def count(call, client, operation, params):
        calls[operation] += 1
        return call(client, operation, params)

    with wrapped(count):
        reply = upload(api, owner, "sales", _lines(SALE_COLUMNS, *rows))
    assert reply.status == 201, reply.raw
    assert "PutItem" not in calls and "Scan" not in calls and "Query" not in calls
    # 120 sales + 40 customers, their e-mail pointers and search entries, in 25s
    assert calls["BatchWriteItem"] <= 16
    assert calls["BatchGetItem"] <= 3  # the settings; everything the rows name
    # the import's start, 2 pay periods, the summed counts (tenant, 2 technicians, 40
    # customers' scopes, the customer list: under 100 items each transaction)
    assert calls["TransactWriteItems"] <= 5
    # 3 id blocks (import, sales, customers) and the completion, plus the rate limits' 2
    assert calls["UpdateItem"] == 6
    assert api.get("/sales", as_=owner).data["total"] == 120
