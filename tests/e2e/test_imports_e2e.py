"""Onboarding imports over real HTTP against the `make run` stack: each kind's template
downloaded and imported raw (``text/csv``), technicians and line items imported, then a
sales file naming them (history in several pay periods, new and linked customers),
checked through the sales list (every filter), the pay periods and the import's summary;
a file with bad rows names each line and writes nothing; the same file again creates
nothing; the JSON form; another tenant's import is 404."""

from __future__ import annotations

from datetime import date, timedelta

from tests.e2e.conftest import ok

BASE = "/api/v1/admin/import"
CSV = {"Content-Type": "text/csv"}


def _day(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


def _upload(stack, headers, kind: str, text: str):
    return stack.request("POST", f"{BASE}/{kind}", text.encode(), {**headers, **CSV})


def test_imports_over_http(stack):
    owner = stack.register("E2E Imports")
    headers = owner["headers"]

    # templates: text/csv, header + one example row; the technicians' and line items'
    # import as they are
    for kind in ("technicians", "line-items", "sales"):
        status, got, body = stack.request("GET", f"{BASE}/{kind}/template", None, headers)
        assert status == 200 and got["Content-Type"].startswith("text/csv"), body
        assert body.decode().count("\n") == 2
    _, _, template = stack.request("GET", f"{BASE}/technicians/template", None, headers)
    assert ok(_upload(stack, headers, "technicians", template.decode()), 201)["created"] == 1

    technicians = "name,pay_type,base_pay_cents,skills\nAnn Lee,hourly,3000,hvac;electrical\n"
    made = ok(_upload(stack, headers, "technicians", technicians), 201)
    assert (made["kind"], made["rows"], made["created"], made["first_id"]) == (
        "technicians",
        1,
        1,
        2,
    )
    items = "name,category,price_cents\nTune-Up,Maintenance,15000\nFilter,Parts,2500\n"
    made = ok(_upload(stack, headers, "line-items", items), 201)
    assert (made["first_id"], made["last_id"]) == (1, 2)
    listed = ok(stack.request("GET", "/api/v1/admin/line-items?category=parts", None, headers))
    assert [i["name"] for i in listed["items"]] == ["Filter"]

    sales = (
        "technician_id,item_id,sale_price_cents,customer_name,customer_email,sale_date\n"
        f"1,1,15000,John Doe,,{_day(40)}\n"
        f"2,2,2500,Jane Roe,jane@example.com,{_day(20)}\n"
        f"2,1,16000,,JANE@example.com,{_day(2)}\n"
    )
    # a bad row first: every problem named by line, nothing written
    bad = sales + "7,1,100,,,\n1,1,-5,,,\n"
    status, _, body = _upload(stack, headers, "sales", bad)
    assert status == 422 and body["error"]["code"] == "VALIDATION_ERROR", body
    assert {(d["line"], d["field"]) for d in body["error"]["details"]} == {(6, "sale_price_cents")}
    status, _, body = _upload(stack, headers, "sales", sales + "7,1,100,,,\n")
    assert status == 422 and body["error"]["details"] == [
        {"line": 5, "field": "technician_id", "message": "technician 7 does not exist"}
    ], body
    assert ok(stack.request("GET", "/api/v1/sales", None, headers))["total"] == 0

    made = ok(_upload(stack, headers, "sales", sales), 201)
    assert (made["created"], made["first_id"], made["last_id"]) == (3, 1, 3)
    listed = ok(stack.request("GET", "/api/v1/sales?limit=10", None, headers))
    assert [s["id"] for s in listed["items"]] == [3, 2, 1]  # newest first
    assert listed["items"][0]["customer_id"] == listed["items"][1]["customer_id"]
    for query, ids in (
        ("technician_id=2", [3, 2]),
        (f"customer_id={listed['items'][0]['customer_id']}", [3, 2]),
        (f"date_from={_day(30)}&date_to={_day(10)}", [2]),
        ("approval_status=pending", [3, 2, 1]),
        ("payment_status=unpaid", [3, 2, 1]),
        ("voided=false", [3, 2, 1]),
    ):
        page = ok(stack.request("GET", f"/api/v1/sales?{query}", None, headers))
        assert [s["id"] for s in page["items"]] == ids and page["total"] == len(ids), query
    periods = ok(stack.request("GET", "/api/v1/admin/pay-periods?limit=50", None, headers))
    assert sum(p["sales_recorded"] for p in periods["items"]) == 3
    summary = ok(stack.request("GET", f"{BASE}/{made['import_id']}", None, headers))
    assert summary == made

    # the same file again (here as JSON) creates nothing
    again = ok(stack.request("POST", f"{BASE}/sales", {"csv": sales}, headers))
    assert again == {**made, "duplicate": True}
    assert ok(stack.request("GET", "/api/v1/sales", None, headers))["total"] == 3

    other = stack.register("E2E Imports Other")
    status, _, _ = stack.request("GET", f"{BASE}/{made['import_id']}", None, other["headers"])
    assert status == 404
