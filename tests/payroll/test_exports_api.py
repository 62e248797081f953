"""CSV and PDF exports: the seed's curls verbatim return real files whose totals equal the
frozen numbers to the cent (csv module, pypdf); closed periods are served byte for byte
from S3, open ones rendered live (and copied to S3); formula neutralisation; branding;
binary responses for curl's ``Accept: */*`` locally and on API Gateway (JSON untouched);
tenant isolation."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import yaml

from tests.conftest import ROOT
from tests.support.api import Reply
from tests.support.payroll_helpers import (
    CFG,
    csv_rows,
    dollars,
    money,
    past_windows,
    pdf_text,
    ready,
    real_today,
    s3_keys,
    s3_object,
    sale,
)
from tests.support.sales_helpers import SEED_SALE, SEED_VOID, line_item, record, technician

Q1 = date(2026, 2, 10)  # inside the seed's commission report range (2026-01-01..03-31)


def curl(api, account, path: str, accept: str | None = "*/*") -> Reply:
    """Exactly the seed's curl: Authorization, X-Tenant-Id and curl's default Accept."""
    headers = {"Authorization": f"Bearer {account.access_token}", "X-Tenant-Id": account.tenant_id}
    if accept is not None:
        headers["Accept"] = accept
    resp = api.client.http.request("GET", "/api/v1" + path, headers=headers, body=b"")
    return Reply(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.body)


def _three_periods(api, owner) -> dict:
    """Periods 1 (Q1 2026), 2 (the last ended window) and 3 (the current one)."""
    ready(api, owner)
    ann = technician(api, owner, name="Ann Lee", pay_type="salary", base_pay_cents=180000)
    api.put(
        f"{CFG}/tech/{ann['id']}/plan/technician",
        {"kind": "percentage", "rate_bps": 1000},
        as_=owner,
    )
    [w2] = past_windows(1)
    q1_sales = [
        sale(api, owner, Q1),
        sale(api, owner, Q1, sale_price_cents=123457),
        sale(api, owner, Q1, technician_id=ann["id"], sale_price_cents=99999),
    ]
    sale(api, owner, Q1, approve=False)  # pending: in no total
    sale(api, owner, w2.start)
    today = sale(api, owner, real_today(), customer_name="Today Customer")
    items = api.get("/admin/pay-periods", as_=owner).data["items"]
    assert [p["id"] for p in items] == [3, 2, 1]
    return {"ann": ann, "q1": q1_sales, "today": today}


def test_seed_csv_and_pdf_curls_match_the_frozen_numbers(api, owner):
    made = _three_periods(api, owner)
    closed = api.patch("/admin/pay-periods/1/close", as_=owner)
    assert closed.status == 200, closed.raw
    frozen = closed.data
    techs = {t["technician_id"]: t for t in frozen["technicians"]}
    assert techs[1]["commission_cents"] == 11250 + 9259  # 7.5% of 1,234.57 -> 92.59
    assert techs[made["ann"]["id"]]["total_pay_cents"] == 180000 + 10000

    # CSV: curl ".../admin/csv-export/pay-period/1" -o pay-period-1.csv
    reply = curl(api, owner, "/admin/csv-export/pay-period/1")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.headers["content-disposition"] == 'attachment; filename="pay-period-1.csv"'
    rows = csv_rows(reply.raw)
    assert reply.raw.endswith(b"\r\n")
    *tech_rows, total = rows
    assert [int(r["technician_id"]) for r in tech_rows] == sorted(techs)
    for row in tech_rows:
        t = techs[int(row["technician_id"])]
        assert (row["period_start"], row["period_end"]) == (
            frozen["start_date"],
            frozen["end_date"],
        )
        assert row["technician_name"] == t["technician_name"]
        assert row["sales_count"] == str(t["sales_count"])
        for column, key in (
            ("sales", "sales_cents"),
            ("base_pay", "base_pay_cents"),
            ("commission", "commission_cents"),
            ("adjustments", "adjustments_cents"),
            ("total_pay", "total_pay_cents"),
        ):
            assert row[column] == dollars(t[key]), (column, row)
    assert total["technician_name"] == "TOTAL"
    summary = frozen["totals"]
    assert total["total_pay"] == dollars(summary["total_pay_cents"]) == "2105.09"
    assert total["commission"] == dollars(summary["commission_cents"])
    assert total["sales"] == dollars(summary["sales_cents"])
    # a closed period's CSV is the file its close wrote
    assert reply.raw == s3_object(owner.tenant_id, "pay-periods/1/pay-period.csv")
    assert hashlib.sha256(reply.raw).hexdigest() == frozen["exports"]["pay_period_csv"]["sha256"]

    # PDF of the closed period: the frozen copy, byte for byte
    reply = curl(api, owner, "/export/pay-period/1/pdf")
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'attachment; filename="pay-period-1.pdf"'
    assert reply.raw == s3_object(owner.tenant_id, "pay-periods/1/pay-period.pdf")
    assert hashlib.sha256(reply.raw).hexdigest() == frozen["exports"]["pay_period_pdf"]["sha256"]
    text = pdf_text(reply.raw)
    assert "Smith HVAC" in text and "(closed)" in text and "Grand total" in text
    for t in techs.values():
        assert t["technician_name"] in text and money(t["total_pay_cents"]) in text
    assert money(summary["total_pay_cents"]) in text and "$2,105.09" in text

    # the seed's PDF curls name period 3: the current, open one, rendered live
    before = s3_keys(owner.tenant_id)
    reply = curl(api, owner, "/export/pay-period/3/pdf")
    assert reply.status == 200 and reply.raw.startswith(b"%PDF-")
    text = pdf_text(reply.raw)
    assert "(open)" in text and "$0.00" in text
    copies = [k for k in s3_keys(owner.tenant_id) if k not in before]
    assert len(copies) == 1 and copies[0].endswith("/pay-period-3.pdf")
    assert f"tenants/{owner.tenant_id}/exports/" in copies[0]
    assert s3_object(owner.tenant_id, copies[0].split("/", 2)[2]) == reply.raw

    reply = curl(api, owner, "/export/commission-statement/1/3/pdf")
    assert reply.status == 200, reply.raw
    text = pdf_text(reply.raw)
    assert "Commission statement" in text and "Mike Johnson" in text
    assert "Today Customer" in text and "7.5%" in text and "$112.50" in text
    assert made["today"]["id"] > 0

    # a frozen statement: every sale line, the rate used and the totals
    reply = curl(api, owner, "/export/commission-statement/1/1/pdf")
    assert reply.raw == s3_object(owner.tenant_id, "pay-periods/1/statements/1.pdf")
    text = pdf_text(reply.raw)
    for q1 in made["q1"][:2]:
        assert str(q1["id"]) in text.split()
    assert "$1,234.57" in text and "$92.59" in text and money(techs[1]["total_pay_cents"]) in text


def test_seed_commission_report_and_sales_curls(api, owner):
    made = _three_periods(api, owner)
    voided = record(
        api, owner, {**SEED_SALE, "sale_date": Q1.isoformat(), "notes": "cancelled job"}
    )
    api.patch(f"/sales/{voided['id']}/void", SEED_VOID, as_=owner)
    installer = technician(api, owner, name="Ian Installer", pay_type="commission")
    api.put(
        f"{CFG}/tech/{installer['id']}/plan/installer",
        {"kind": "percentage", "rate_bps": 200},
        as_=owner,
    )
    installed = sale(api, owner, Q1 + timedelta(days=1), installer_id=installer["id"])

    reply = curl(
        api, owner, "/admin/csv-export/commission-report?date_from=2026-01-01&date_to=2026-03-31"
    )
    assert reply.status == 200, reply.raw
    assert reply.headers["content-type"].startswith("text/csv")
    *rows, total = csv_rows(reply.raw)
    expected_ids = [s["id"] for s in made["q1"]] + [installed["id"], installed["id"]]
    assert [int(r["sale_id"]) for r in rows] == expected_ids
    ian = rows[-1]
    assert (ian["technician"], ian["commission"], ian["sale_price"], ian["rule"]) == (
        "Ian Installer",
        "30.00",
        "",
        "installer: tech_plan",
    )
    assert rows[0]["rule"] == "tech_item" and rows[0]["approval_status"] == "approved"
    assert total["sale_id"] == "TOTAL"
    assert total["sale_price"] == dollars(150000 + 123457 + 99999 + 150000)
    assert total["commission"] == dollars(11250 + 9259 + 10000 + 11250 + 3000)
    one = csv_rows(
        curl(
            api,
            owner,
            "/admin/csv-export/commission-report?date_from=2026-01-01"
            f"&date_to=2026-03-31&technician_id={installer['id']}",
        ).raw
    )
    assert [(r["sale_id"], r["technician"]) for r in one] == [
        (str(installed["id"]), "Ian Installer"),
        ("TOTAL", ""),
    ]

    reply = curl(api, owner, "/admin/csv-export/sales")
    assert reply.status == 200
    assert reply.headers["content-disposition"] == 'attachment; filename="sales.csv"'
    rows = csv_rows(reply.raw)
    listed = api.get("/sales?limit=200", as_=owner).data
    assert len(rows) == listed["total"] == 8
    by_id = {int(r["sale_id"]): r for r in rows}
    assert by_id[voided["id"]]["approval_status"] == "pending (voided)"
    assert by_id[voided["id"]]["notes"] == "cancelled job"
    assert by_id[made["today"]["id"]]["customer"] == "Today Customer"
    assert [r["sale_date"] for r in rows] == sorted(r["sale_date"] for r in rows)
    q1 = csv_rows(
        curl(
            api,
            owner,
            "/admin/csv-export/sales?date_from=2026-01-01"
            "&date_to=2026-03-31&approval_status=approved",
        ).raw
    )
    assert {int(r["sale_id"]) for r in q1} == {s["id"] for s in made["q1"]} | {installed["id"]}
    for bad in (
        "?date_from=2026-13-01",
        "?date_from=2026-03-01&date_to=2026-01-01",
        "?approval_status=maybe",
    ):
        reply = curl(api, owner, "/admin/csv-export/sales" + bad)
        assert reply.status == 400 and reply.json["error"]["code"] == "BAD_REQUEST"
    # every export served keeps a copy under the tenant's prefix
    assert sum("/exports/" in k for k in s3_keys(owner.tenant_id)) == 4


def test_formula_cells_are_neutralised(api, owner):
    ready(api, owner)
    evil = technician(api, owner, name='=HYPERLINK("http://evil")', pay_type="commission")
    item = line_item(api, owner, name="@SUM(A1:A9)", price_cents=1000)
    [w1] = past_windows(1)
    sale(
        api,
        owner,
        w1.start,
        technician_id=evil["id"],
        item_id=item["id"],
        sale_price_cents=1000,
        customer_name="+1 555 0100",
        notes="-2+3",
    )
    sale(api, owner, w1.start, customer_name="Plain Customer", notes="@cmd")
    api.get("/admin/pay-periods", as_=owner)
    body = curl(api, owner, "/admin/csv-export/pay-period/1").raw
    [evil_row] = [r for r in csv_rows(body) if r["technician_id"] == str(evil["id"])]
    assert evil_row["technician_name"] == '\'=HYPERLINK("http://evil")'
    *rows, _ = csv_rows(curl(api, owner, "/admin/csv-export/commission-report").raw)
    cells = {(r["technician"], r["customer"], r["item"]) for r in rows}
    assert ('\'=HYPERLINK("http://evil")', "'+1 555 0100", "'@SUM(A1:A9)") in cells
    notes = {r["notes"] for r in csv_rows(curl(api, owner, "/admin/csv-export/sales").raw)}
    assert notes == {"'-2+3", "'@cmd"}
    # the frozen CSV neutralises the same way
    assert api.patch("/admin/pay-periods/1/close", as_=owner).status == 200
    body = curl(api, owner, "/admin/csv-export/pay-period/1").raw
    assert "'=HYPERLINK" in body.decode()


def test_pdfs_carry_the_tenants_branding(api, owner):
    from pypdf import PdfReader

    ready(api, owner)
    reply = api.patch(
        "/admin/settings",
        {"branding": {"display_name": "Smith Heating & Air", "primary_color": "#0f766e"}},
        as_=owner,
    )
    assert reply.status == 200, reply.raw
    [w1] = past_windows(1)
    sale(api, owner, w1.start)
    api.get("/admin/pay-periods", as_=owner)
    expected = b".058824 .462745 .431373"  # #0f766e as reportlab writes a fill colour
    for path in ("/export/pay-period/1/pdf", "/export/commission-statement/1/1/pdf"):
        data = curl(api, owner, path).raw
        assert "Smith Heating & Air" in pdf_text(data)
        content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()
        fills = {line[:-3] for line in content.splitlines() if line.endswith(b" rg")}
        assert expected in fills, (path, fills)


def test_binary_responses_and_accept_headers(api, owner):
    """Chalice serves a binary body only when the request's Accept matches a binary type;
    ``*/*`` (curl, browsers) matches. JSON responses are never base64-encoded."""
    ready(api, owner)
    [w1] = past_windows(1)
    sale(api, owner, w1.start)
    api.get("/admin/pay-periods", as_=owner)
    for accept in (
        "*/*",
        "application/pdf",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ):
        reply = curl(api, owner, "/export/pay-period/1/pdf", accept=accept)
        assert reply.status == 200 and reply.raw.startswith(b"%PDF-"), accept
    reply = curl(api, owner, "/export/pay-period/1/pdf", accept=None)
    assert reply.status == 400 and reply.json["error"]["code"] == "BAD_REQUEST"
    assert "Accept" in reply.json["error"]["message"]
    reply = curl(api, owner, "/export/pay-period/1/pdf", accept="application/json")
    assert reply.status == 400
    for accept in ("*/*", None, "application/json"):  # JSON and CSV: any Accept
        assert curl(api, owner, "/admin/pay-periods/1", accept=accept).json["ok"] is True
        assert curl(api, owner, "/admin/csv-export/pay-period/1", accept=accept).raw.startswith(
            b"period_start,"
        )

    # what the Lambda hands API Gateway: only the PDF is base64 (isBase64Encoded)
    gateway = api.client.http._local_gateway
    headers = {
        "authorization": f"Bearer {owner.access_token}",
        "x-tenant-id": owner.tenant_id,
        "accept": "*/*",
    }
    pdf = gateway.handle_request("GET", "/api/v1/export/pay-period/1/pdf", headers, b"")
    assert pdf["isBase64Encoded"] is True
    for path in ("/api/v1/admin/pay-periods/1", "/api/v1/admin/csv-export/pay-period/1"):
        raw = gateway.handle_request("GET", path, headers, b"")
        assert not raw.get("isBase64Encoded") and isinstance(raw["body"], str), path
    import json

    assert (
        json.loads(
            gateway.handle_request("GET", "/api/v1/admin/pay-periods/1", headers, b"")["body"]
        )["ok"]
        is True
    )

    # With "*/*" among API Gateway's binary media types, request bodies reach Lambda
    # base64-encoded: Chalice decodes them, JSON routes work as before.
    converter = gateway.event_converter
    saved = converter._binary_types
    converter._binary_types = ["application/json"]
    try:
        created = gateway.handle_request(
            "POST",
            "/api/v1/sales",
            {**headers, "content-type": "application/json"},
            json.dumps({**SEED_SALE}).encode(),
        )
    finally:
        converter._binary_types = saved
    assert created["statusCode"] == 201, created
    assert json.loads(created["body"])["data"]["commission_cents"] == 11250


def test_api_gateway_binary_media_types():
    """The deploy template gives API Gateway ``*/*`` as a binary media type (merged into
    ``chalice package`` output from infra/api-gateway.yaml); the app's own binary types
    stay specific, so JSON is never base64-encoded."""
    from chalice.deploy.swagger import CFNSwaggerGenerator
    from chalice.package import TemplateDeepMerger

    import app as app_module

    assert "*/*" not in app_module.app.api.binary_types
    assert "application/pdf" in app_module.app.api.binary_types
    swagger = CFNSwaggerGenerator().generate_swagger(app_module.app)
    generated = {
        "Resources": {
            "RestAPI": {"Type": "AWS::Serverless::Api", "Properties": {"DefinitionBody": swagger}}
        }
    }
    doc = yaml.safe_load((ROOT / "infra" / "api-gateway.yaml").read_text())
    merged = TemplateDeepMerger().merge(doc, generated)
    body = merged["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    assert body["x-amazon-apigateway-binary-media-types"] == ["application/pdf", "*/*"]
    assert body["paths"] == swagger["paths"]
    assert merged["Resources"]["MissingRouteResponse"]["Type"] == "AWS::ApiGateway::GatewayResponse"


def test_exports_are_per_tenant(api, owner, other):
    made = _three_periods(api, owner)
    api.patch("/admin/pay-periods/1/close", as_=owner)
    ready(api, other)
    for path in (
        "/admin/csv-export/pay-period/1",
        "/export/pay-period/1/pdf",
        "/export/pay-period/3/pdf",
        "/export/commission-statement/1/1/pdf",
        "/export/commission-statement/1/3/pdf",
    ):
        reply = curl(api, other, path)
        assert reply.status == 404 and reply.json["error"]["code"] == "NOT_FOUND", path
    assert csv_rows(curl(api, other, "/admin/csv-export/sales").raw) == []
    [total] = csv_rows(curl(api, other, "/admin/csv-export/commission-report").raw)
    assert (total["sale_id"], total["sale_price"], total["commission"]) == ("TOTAL", "0.00", "0.00")
    assert made["today"]["customer_name"] == "Today Customer"
    assert all(k.startswith(f"tenants/{owner.tenant_id}/") for k in s3_keys(owner.tenant_id))
    assert s3_keys(other.tenant_id) and all(
        "/pay-periods/" not in k for k in s3_keys(other.tenant_id)
    )
