"""``/admin/reconciliation`` through the API (moto): layouts, each match path (reference,
amount + customer by e-mail and by name, a sale), ambiguity, re-imports and overlapping
files, formula cells, malformed and oversized files, manual matches and ignores, the rows
list, other tenants, and the DynamoDB calls of an import."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.support.reads import counting_reads
from tests.support.sales_helpers import events_of, seed_catalog, staff

PATH = "/admin/reconciliation"
TODAY = date.today()
SOON = (TODAY + timedelta(days=20)).isoformat()
STRIPE = "id,Created (UTC),Amount,Currency,Description,Customer Email,Customer Name\n"


def _invoice(api, owner, email="ann@example.com", cents=15000, name="Ann Buyer", send=True):
    body = {
        "customer_name": name,
        "customer_email": email,
        "line_items": [{"description": "Repair", "amount_cents": cents, "quantity": 1}],
        "due_date": SOON,
    }
    reply = api.post("/admin/invoices", body, as_=owner)
    assert reply.status == 201, reply.raw
    invoice = reply.data
    if send:
        assert api.post(f"/admin/invoices/{invoice['id']}/send", as_=owner).status == 200
    return api.get(f"/admin/invoices/{invoice['id']}", as_=owner).data


def _stripe(*rows: str) -> str:
    return STRIPE + "".join(row + "\n" for row in rows)


def _row(amount="150.00", description="", email="", name="", day=None, txn=None) -> str:
    txn = txn or f"ch_{uuid.uuid4().hex[:12]}"
    return f"{txn},{(day or TODAY).isoformat()} 10:00:00,{amount},usd,{description},{email},{name}"


def _import(api, owner, csv, status=201, mapping=None):
    body = {"csv": csv, **({"mapping": mapping} if mapping else {})}
    reply = api.post(f"{PATH}/import", body, as_=owner)
    assert reply.status == status, reply.raw
    return reply.data if status < 300 else reply.error


def _rows(api, owner, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    reply = api.get(f"{PATH}/rows?{params}", as_=owner)
    assert reply.status == 200, reply.raw
    return reply.data


def test_stripe_reference_match_pays_the_invoice_once(api, owner):
    invoice = _invoice(api, owner)
    csv = _stripe(_row(description=f"Payment for {invoice['invoice_number']}", txn="ch_3Nabc"))
    summary = _import(api, owner, csv)
    assert summary["layout"] == "stripe" and summary["duplicate"] is False
    assert (summary["rows"], summary["stored"], summary["matched"], summary["unmatched"]) == (
        1, 1, 1, 0,
    )  # fmt: skip
    paid = api.get(f"/admin/invoices/{invoice['id']}", as_=owner).data
    assert paid["status"] == "paid" and paid["balance_cents"] == 0
    assert paid["payments"][0]["reference"] == "ch_3Nabc"
    [event] = events_of(owner.tenant_id, "payment.reconciled")
    assert event["source"] == "reconciliation" and event["invoice_id"] == invoice["id"]
    assert event["reconciliation"]["external_id"] == "ch_3Nabc"
    [row] = _rows(api, owner)["items"]
    assert row["status"] == "matched" and row["invoice_id"] == invoice["id"]
    assert row["match_method"] == "reference" and row["line"] == 2 and row["reason"] is None
    # the same file again: the earlier import's summary, nothing written, no second event
    again = api.post(f"{PATH}/import", {"csv": csv.replace("\n", "\r\n") + "\n\n"}, as_=owner)
    assert again.status == 200 and again.data["duplicate"] is True
    assert again.data["id"] == summary["id"] and again.data["matched"] == 1
    assert len(events_of(owner.tenant_id, "payment.reconciled")) == 1
    assert _rows(api, owner)["total"] == 1
    assert api.get(f"{PATH}/imports/{summary['id']}", as_=owner).data["matched"] == 1


def test_overlapping_file_never_pays_twice(api, owner):
    first = _invoice(api, owner, email="a@example.com", cents=10000)
    second = _invoice(api, owner, email="b@example.com", cents=20000)
    old = _row("100.00", first["invoice_number"], txn="ch_old")
    _import(api, owner, _stripe(old))
    summary = _import(api, owner, _stripe(old, _row("200.00", f"Invoice {second['id']}")))
    assert (summary["stored"], summary["duplicates"], summary["matched"]) == (1, 1, 1)
    assert api.get(f"/admin/invoices/{first['id']}", as_=owner).data["paid_cents"] == 10000
    assert len(events_of(owner.tenant_id, "payment.reconciled")) == 2
    # two equal lines without a transaction id are one payment
    mapped = "Posted,Amt,Memo\n2026-04-01,5.00,tip\n2026-04-01,5.00,tip\n"
    summary = _import(api, owner, mapped, mapping={"date": "Posted", "amount": "Amt",
                                                   "reference": "Memo"})  # fmt: skip
    assert (summary["layout"], summary["stored"], summary["duplicates"]) == ("mapped", 1, 1)


def test_amount_customer_and_date_window(api, owner):
    ann = _invoice(api, owner, email="ann@example.com", cents=15000)
    _invoice(api, owner, email="bob@example.com", cents=9900, name="Bob Smith")
    _invoice(api, owner, email="bob@example.com", cents=9900, name="Bob Smith")
    carl = _invoice(api, owner, email="carl@example.com", cents=5000, name="Carl Jones")
    summary = _import(
        api,
        owner,
        _stripe(
            _row("150.00", email="ANN@example.com"),  # by e-mail
            _row("99.00", email="bob@example.com"),  # two candidates: a person decides
            _row("50.00", name="carl jones"),  # by exact name
            _row("150.00", email="nobody@example.com"),  # no such customer
            _row("70.00", email="carl@example.com", day=TODAY + timedelta(days=60)),
        ),
    )
    assert (summary["matched"], summary["unmatched"]) == (2, 3)
    rows = {r["line"]: r for r in _rows(api, owner)["items"]}
    assert rows[2]["invoice_id"] == ann["id"] and rows[2]["match_method"] == "amount_customer"
    assert rows[3]["status"] == "unmatched" and "2 candidates" in rows[3]["reason"]
    assert rows[4]["invoice_id"] == carl["id"]
    assert "no customer" in rows[5]["reason"]
    assert rows[6]["status"] == "unmatched"  # past the due date + 7 days window
    assert api.get(f"/admin/invoices/{ann['id']}", as_=owner).data["status"] == "paid"


def test_a_reference_that_cannot_take_the_payment_waits(api, owner):
    draft = _invoice(api, owner, send=False)
    small = _invoice(api, owner, email="s@example.com", cents=1000)
    summary = _import(
        api,
        owner,
        _stripe(
            _row("150.00", draft["invoice_number"]),
            _row("20.00", small["invoice_number"]),
            _row("10.00", f"{small['invoice_number']} and INV-{draft['id']}"),
        ),
    )
    assert summary["matched"] == 0 and summary["unmatched"] == 3
    reasons = [r["reason"] for r in _rows(api, owner)["items"]]
    assert "is draft" in reasons[0] and "more than the balance" in reasons[1]
    assert "match it by hand" in reasons[2]


def test_unpaid_sale_matches_and_becomes_paid(api, owner):
    seed_catalog(api, owner)
    body = {"technician_id": 1, "item_id": 5, "sale_price_cents": 150000,
            "customer_name": "Dana Pay", "customer_email": "dana@example.com"}  # fmt: skip
    sale = api.post("/sales", body, as_=owner).data
    other = api.post("/sales", {**body, "customer_email": "eve@example.com"}, as_=owner).data
    summary = _import(
        api,
        owner,
        _stripe(
            _row("1500.00", email="dana@example.com", day=TODAY - timedelta(days=1)),
            _row("1500.00", f"Sale #{other['id']}"),
        ),
    )
    assert summary["matched"] == 2
    got = api.get(f"/sales/{sale['id']}", as_=owner).data
    assert got["payment_status"] == "paid"
    assert got["payment_date"] == (TODAY - timedelta(days=1)).isoformat()
    assert api.get(f"/sales/{other['id']}", as_=owner).data["payment_status"] == "paid"
    events = events_of(owner.tenant_id, "payment.reconciled")
    assert sorted(e["sale_id"] for e in events) == sorted([sale["id"], other["id"]])
    rows = _rows(api, owner, status="matched")["items"]
    assert {r["sale_id"] for r in rows} == {sale["id"], other["id"]}


def test_square_and_quickbooks_layouts(api, owner):
    one = _invoice(api, owner, email="q@example.com", cents=12345)
    two = _invoice(api, owner, email="r@example.com", cents=2000, name="Rita Roe")
    square = (
        "Date,Time,Time Zone,Gross Sales,Total Collected,Transaction ID,Payment ID,"
        "Description,Customer Name,Event Type\n"
        f'{TODAY.isoformat()},09:15:00,Eastern,"$1,234.50","$123.45",T1,P1,'
        f"Invoice {one['id']},Q,Payment\n"
        f"{TODAY.isoformat()},09:20:00,Eastern,-$5.00,-$5.00,T2,P2,refund,Q,Refund\n"
    )
    summary = _import(api, owner, square)
    assert (summary["layout"], summary["matched"], summary["skipped"]) == ("square", 1, 1)
    assert summary["skipped_rows"] == [{"line": 3, "reason": "Refund is not a payment"}]
    quickbooks = (
        "Date,Transaction Type,Num,Name,Memo/Description,Amount\n"
        f"{TODAY.strftime('%m/%d/%Y')},Payment,1001,Rita Roe,thanks,20.00\n"
        f"{TODAY.strftime('%m/%d/%Y')},Invoice,1002,Rita Roe,,20.00\n"
    )
    summary = _import(api, owner, quickbooks)
    assert (summary["layout"], summary["matched"], summary["skipped"]) == ("quickbooks", 1, 1)
    assert api.get(f"/admin/invoices/{two['id']}", as_=owner).data["status"] == "paid"


def test_formula_cells_are_stored_neutralised(api, owner):
    _import(api, owner, _stripe(_row("10.00", '"=HYPERLINK(""http://x"")"', name="@Mallory")))
    [row] = _rows(api, owner)["items"]
    assert row["reference"] == '\'=HYPERLINK("http://x")'
    assert row["customer_name"] == "'@Mallory" and row["status"] == "unmatched"


@pytest.mark.parametrize(
    "csv, line, field",
    [
        (STRIPE + 'ch_1,2026-04-01,10.00,usd,"never closed,,\nch_2,2026-04-01,1.00,usd,,,\n',
         2, "csv"),
        (STRIPE + "ch_1,2026-04-01,10.00,usd,,,\nch_2,2026-04-01,1.00,usd,,,,extra\n", 3, "csv"),
        (STRIPE + "ch_1,2026-04-01,ten,usd,,,\n", 2, "amount"),
        (STRIPE + "ch_1,2026-04-01,1.005,usd,,,\n", 2, "amount"),
        (STRIPE + "ch_1,2026-02-30,1.00,usd,,,\n", 2, "date"),
        ("Posted,Amt\n2026-04-01,1.00\n", 1, "csv"),
        (STRIPE, 0, "csv"),
    ],
)  # fmt: skip
def test_malformed_files_are_422_naming_the_line(api, owner, csv, line, field):
    error = _import(api, owner, csv, status=422)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["line"] == line and error["details"][0]["field"] == field
    assert _rows(api, owner)["total"] == 0


def test_every_bad_line_is_listed_and_nothing_is_stored(api, owner):
    csv = _stripe(_row("1.00"), _row("x"), _row("2.00"), _row('"1,0"'))
    error = _import(api, owner, csv, status=422)
    assert [d["line"] for d in error["details"]] == [3, 5]
    assert _rows(api, owner)["total"] == 0


def test_a_mapping_naming_no_column_and_oversized_files(api, owner):
    error = _import(api, owner, "A,B\n1,2\n", status=422, mapping={"date": "A", "amount": "C"})
    assert error["details"][0]["field"] == "mapping"
    row = _row("1.00", "x" * 900) + "\n"
    big = STRIPE + row * 1100  # past 1,000,000 bytes, within the API's 1 MiB body limit
    csv_headers = {"Content-Type": "text/csv"}
    reply = api.post(f"{PATH}/import", raw=big.encode(), as_=owner, headers=csv_headers)
    assert reply.status == 422, reply.raw
    [detail] = reply.error["details"]
    crossing = (1_000_000 - len(STRIPE.encode())) // len(row.encode()) + 2
    assert (detail["field"], detail["line"]) == ("csv", crossing), detail
    reply = api.post(f"{PATH}/import", {"csv": big}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["line"] == crossing, reply.raw
    many = STRIPE + "".join(_row("1.00") + "\n" for _ in range(5001))
    reply = api.post(f"{PATH}/import", {"csv": many}, as_=owner)
    assert reply.status == 422 and "5000" in reply.error["message"], reply.raw
    assert reply.error["details"][0]["line"] == 5002  # the header is line 1
    assert _rows(api, owner)["total"] == 0


def test_manual_match_and_ignore(api, owner, other):
    invoice = _invoice(api, owner, cents=15000)
    draft = _invoice(api, owner, send=False)
    _import(api, owner, _stripe(_row("100.00"), _row("200.00"), _row("30.00"), _row("1.00")))
    rows = [r["id"] for r in _rows(api, owner, status="unmatched")["items"]]
    assert len(rows) == 4
    match = f"{PATH}/{{}}/match"
    reply = api.post(match.format(rows[1]), {"invoice_id": invoice["id"]}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "amount_cents"
    reply = api.post(match.format(rows[0]), {"invoice_id": draft["id"]}, as_=owner)
    assert reply.status == 409
    foreign = [_invoice(api, other) for _ in range(3)][-1]  # the owner has invoices 1 and 2
    reply = api.post(match.format(rows[0]), {"invoice_id": foreign["id"]}, as_=owner)
    assert reply.status == 404 and foreign["id"] == 3
    assert api.get(f"/admin/invoices/{foreign['id']}", as_=other).data["balance_cents"] == 15000
    assert api.post(match.format(rows[0]), {}, as_=owner).status == 422
    both = {"invoice_id": invoice["id"], "sale_id": 1}
    assert api.post(match.format(rows[0]), both, as_=owner).status == 422
    reply = api.post(match.format(rows[0]), {"invoice_id": invoice["id"]}, as_=owner)
    assert reply.status == 200, reply.raw
    assert reply.data["status"] == "matched" and reply.data["match_method"] == "manual"
    assert reply.data["matched_by"] == owner.user["id"]
    again = api.post(match.format(rows[0]), {"invoice_id": invoice["id"]}, as_=owner)
    assert again.status == 409
    after = api.get(f"/admin/invoices/{invoice['id']}", as_=owner).data
    assert (after["status"], after["balance_cents"]) == ("partial", 5000)
    # ignore: an unmatched row is set aside, may still be matched; a matched one is 409
    reply = api.post(f"{PATH}/{rows[2]}/ignore", as_=owner)
    assert reply.status == 200 and reply.data["status"] == "ignored"
    assert api.post(f"{PATH}/{rows[2]}/ignore", as_=owner).data["status"] == "ignored"
    assert api.post(f"{PATH}/{rows[0]}/ignore", as_=owner).status == 409
    reply = api.post(match.format(rows[2]), {"invoice_id": invoice["id"]}, as_=owner)
    assert reply.status == 200 and reply.data["status"] == "matched"
    counts = _rows(api, owner)
    assert counts["total"] == 4
    assert _rows(api, owner, status="matched")["total"] == 2
    assert _rows(api, owner, status="ignored")["total"] == 0
    assert api.post(f"{PATH}/999/match", {"invoice_id": invoice["id"]}, as_=owner).status == 404
    # another tenant reaches none of it
    assert api.post(match.format(rows[3]), {"invoice_id": foreign["id"]}, as_=other).status == 404
    assert api.post(f"{PATH}/{rows[3]}/ignore", as_=other).status == 404
    assert _rows(api, other)["total"] == 0


def test_rows_list_filters_pages_and_import_summary(api, owner):
    invoice = _invoice(api, owner, cents=1000)
    first = _import(api, owner, _stripe(_row("10.00", invoice["invoice_number"]), _row("3.00")))
    second = _import(api, owner, _stripe(*(_row(f"{n}.00") for n in range(1, 6))))
    assert _rows(api, owner)["total"] == 7
    assert _rows(api, owner, import_id=second["id"])["total"] == 5
    assert _rows(api, owner, import_id=first["id"], status="matched")["total"] == 1
    assert _rows(api, owner, status="unmatched")["total"] == 6
    page = _rows(api, owner, import_id=second["id"], limit=2)
    lines = [r["line"] for r in page["items"]]
    assert page["total_pages"] == 3
    while page["next_cursor"]:
        page = _rows(api, owner, import_id=second["id"], limit=2, cursor=page["next_cursor"])
        lines += [r["line"] for r in page["items"]]
    assert lines == [2, 3, 4, 5, 6]
    third = _rows(api, owner, import_id=second["id"], limit=2, page=3)["items"]
    assert [r["line"] for r in third] == [6]
    summary = api.get(f"{PATH}/imports/{first['id']}", as_=owner).data
    assert (summary["rows"], summary["matched"], summary["unmatched"]) == (2, 1, 1)
    assert api.get(f"{PATH}/imports/99", as_=owner).status == 404
    assert api.get(f"{PATH}/rows?status=lost", as_=owner).status == 400
    assert api.get(f"{PATH}/rows?import_id=0", as_=owner).status == 400


def test_roles(api, owner):
    for role, status in (("manager", 201), ("dispatcher", 403), ("technician", 403)):
        reply = api.post(f"{PATH}/import", {"csv": _stripe(_row("1.00"))}, as_=staff(owner, role))
        assert reply.status == status, (role, reply.raw)


def test_dynamodb_calls_of_an_import(api, owner):
    invoice = _invoice(api, owner, cents=1000)
    rows = [_row("10.00", invoice["invoice_number"])] + [
        _row("1.00", email=f"c{n}@example.com") for n in range(40)
    ]
    with counting_reads() as reads:
        summary = _import(api, owner, _stripe(*rows))
    assert summary["stored"] == 41 and summary["matched"] == 1
    calls = dict(reads.calls)
    # per row: nothing but the batched e-mail and key reads (100 a call), the rows in
    # transactions of 30; one GetItem for the referenced invoice, one payment
    assert calls.get("Query", 0) == 0, calls
    assert calls["BatchGetItem"] <= 6 and calls["TransactWriteItems"] == 2 + 1 + 1, calls
    assert calls["GetItem"] <= 5, calls


def test_manual_match_to_a_sale(api, owner, other):
    seed_catalog(api, owner)
    body = {"technician_id": 1, "item_id": 5, "sale_price_cents": 150000,
            "customer_name": "Gil Gray"}  # fmt: skip
    sale = api.post("/sales", body, as_=owner).data
    _import(api, owner, _stripe(_row("500.00"), _row("1000.00"), _row("1.00"), _row("2000.00")))
    rows = [r["id"] for r in _rows(api, owner)["items"]]
    match = f"{PATH}/{{}}/match"
    reply = api.post(match.format(rows[3]), {"sale_id": sale["id"]}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "amount_cents"
    reply = api.post(match.format(rows[0]), {"sale_id": sale["id"]}, as_=owner)
    assert reply.status == 200 and reply.data["sale_id"] == sale["id"], reply.raw
    assert api.get(f"/sales/{sale['id']}", as_=owner).data["payment_status"] == "partial"
    reply = api.post(match.format(rows[1]), {"sale_id": sale["id"]}, as_=owner)
    assert reply.status == 200  # a partial sale takes another payment
    api.patch(f"/sales/{sale['id']}/payment-status", {"status": "paid"}, as_=owner)
    reply = api.post(match.format(rows[2]), {"sale_id": sale["id"]}, as_=owner)
    assert reply.status == 409
    assert api.post(match.format(rows[2]), {"sale_id": 999}, as_=owner).status == 404
    events = events_of(owner.tenant_id, "payment.reconciled")
    assert [e["payment_status"] for e in events] == ["partial", "partial"]
    assert all(e["sale_id"] == sale["id"] and e["source"] == "reconciliation" for e in events)
    assert _rows(api, owner, status="matched")["total"] == 2


def test_payments_stop_at_the_time_budget_and_the_rows_say_why(api, owner, monkeypatch):
    from chalicelib.reconciliation import importing

    invoice = _invoice(api, owner)
    monkeypatch.setattr(importing, "MATCH_BUDGET_S", -1.0)
    summary = _import(api, owner, _stripe(_row("150.00", invoice["invoice_number"])))
    assert (summary["matched"], summary["unmatched"], summary["matched_on_import"]) == (0, 1, 0)
    [row] = _rows(api, owner)["items"]
    assert row["reason"] == f"invoice {invoice['id']} looks like it; the import ran out of time"
    assert api.get(f"/admin/invoices/{invoice['id']}", as_=owner).data["status"] == "sent"
    reply = api.post(f"{PATH}/{row['id']}/match", {"invoice_id": invoice["id"]}, as_=owner)
    assert reply.status == 200 and reply.data["reason"] is None


def test_a_raw_text_csv_body_and_a_mapping_in_the_query(api, owner):
    invoice = _invoice(api, owner, cents=4200)
    csv = _stripe(_row("42.00", invoice["invoice_number"]))
    headers = {"Content-Type": "text/csv; charset=utf-8"}
    reply = api.post(f"{PATH}/import", raw=csv.encode(), headers=headers, as_=owner)
    assert reply.status == 201, reply.raw
    assert reply.data["layout"] == "stripe" and reply.data["matched"] == 1
    again = api.post(f"{PATH}/import", raw=csv.encode(), headers=headers, as_=owner)
    assert again.data["duplicate"] is True and again.data["id"] == reply.data["id"]
    mapped = "Posted,Amt,Payer\n2026-04-01,7.00,zed@example.com\n"
    query = "date_column=Posted&amount_column=Amt&customer_column=Payer"
    reply = api.post(f"{PATH}/import?{query}", raw=mapped.encode(), headers=headers, as_=owner)
    assert reply.status == 201 and reply.data["layout"] == "mapped", reply.raw
    [row] = _rows(api, owner, import_id=reply.data["id"])["items"]
    assert row["customer_email"] == "zed@example.com" and row["amount_cents"] == 700
    reply = api.post(f"{PATH}/import?date_column=Posted", raw=b"x", headers=headers, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "date_column"
    bad = STRIPE.encode() + b"ch_1,2026-04-01,1.00,usd,caf\xe9,,\n"
    reply = api.post(f"{PATH}/import", raw=bad, headers=headers, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "csv", reply.raw
    reply = api.post(f"{PATH}/import", raw=b"", headers=headers, as_=owner)
    assert reply.status == 422
