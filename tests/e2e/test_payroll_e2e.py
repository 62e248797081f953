"""The seed's Pay Periods, CSV Export and PDF Export curls, over real HTTP against the
`make run` stack: files are written with ``-o`` exactly as the seed does, then parsed
(csv module, pypdf) and checked against the frozen totals to the cent."""

from __future__ import annotations

import csv
import io
import subprocess
import textwrap

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import ok
from tests.e2e.test_auth_e2e import SEED_HOST, curl, needs_curl


def _download(stack, command: str, cwd) -> bytes:
    """Run a seed curl that writes a file with -o; return the file's bytes."""
    command = textwrap.dedent(command).replace(SEED_HOST, stack.base_url)
    subprocess.run(["bash", "-c", command + " -s -f"], cwd=cwd, check=True, timeout=60)
    name = command.rsplit("-o ", 1)[1].split()[0]
    return (cwd / name).read_bytes()


@pytest.fixture(scope="module")
def payroll(stack):
    account = stack.register("Payroll Plumbing")
    headers = account["headers"]
    tech = stack.create(
        "/admin/technicians",
        {"name": "Mike Johnson", "pay_type": "hourly", "base_pay_cents": 2500},
        headers,
    )
    item = stack.create(
        "/admin/line-items",
        {"name": "Water heater", "category": "Install", "price_cents": 150000},
        headers,
    )
    ok(
        stack.request(
            "PUT",
            f"/api/v1/admin/commission-config/tech/{tech['id']}/item/{item['id']}",
            {"commission_rate_bps": 750, "ov_rate_bps": 0, "discount_scale_enabled": False},
            headers,
        )
    )
    sale_ids = []
    for price in (150000, 123457):  # 750 bps: 11250 and 9259 (92.5928 -> 92.59)
        sale = ok(
            stack.request(
                "POST",
                "/api/v1/sales",
                {
                    "technician_id": tech["id"],
                    "item_id": item["id"],
                    "sale_price_cents": price,
                    "customer_name": '=HYPERLINK("http://x")',
                    "sale_date": "2026-02-10",
                },
                headers,
            ),
            201,
        )
        ok(stack.request("PATCH", f"/api/v1/sales/{sale['id']}/approve", {}, headers))
        sale_ids.append(sale["id"])
    periods = ok(
        stack.request("GET", "/api/v1/admin/pay-periods?date=2026-02-10", headers=headers)
    )["items"]
    [period] = [p for p in periods if p["start_date"] <= "2026-02-10" <= p["end_date"]]
    return {
        "account": account,
        "headers": headers,
        "tech": tech,
        "period": period,
        "sale_ids": sale_ids,
    }


@needs_curl
def test_seed_pay_period_curls_over_http(stack, payroll, tmp_path):
    account, period = payroll["account"], payroll["period"]
    sub = {"<access_token>": account["access_token"], "<tenant-uuid>": account["tenant_id"]}

    def fill(text: str) -> str:
        for key, value in sub.items():
            text = text.replace(key, value)
        return text

    listed = curl(
        stack,
        fill("""curl "https://api.tradekitt.com/api/v1/admin/pay-periods" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\""""),
    )
    assert period["id"] in [p["id"] for p in listed["data"]["items"]]

    closed = curl(
        stack,
        fill(
            textwrap.dedent(f"""\
        curl -X PATCH https://api.tradekitt.com/api/v1/admin/pay-periods/{period["id"]}/close \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\"""")
        ),
    )
    assert closed["ok"] is True, closed
    frozen = closed["data"]
    [mike] = [t for t in frozen["technicians"] if t["technician_id"] == payroll["tech"]["id"]]
    assert mike["commission_cents"] == 11250 + 9259
    assert mike["sales_cents"] == 150000 + 123457

    csv_bytes = _download(
        stack,
        fill(f"""\
        curl "https://api.tradekitt.com/api/v1/admin/csv-export/pay-period/{period["id"]}" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -o pay-period-{period["id"]}.csv"""),
        tmp_path,
    )
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8"))))
    text = csv_bytes.decode("utf-8")
    assert "205.09" in text and "2734.57" in text  # commission and sales, in dollars
    assert any("Mike Johnson" in ",".join(r.values()) for r in rows)

    pdf_bytes = _download(
        stack,
        fill(f"""\
        curl "https://api.tradekitt.com/api/v1/export/pay-period/{period["id"]}/pdf" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -o pay-period.pdf"""),
        tmp_path,
    )
    assert pdf_bytes.startswith(b"%PDF")
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert "205.09" in pdf_text and "Payroll Plumbing" in pdf_text

    statement = _download(
        stack,
        fill(f"""\
        curl "https://api.tradekitt.com/api/v1/export/commission-statement/{payroll["tech"]["id"]}/{period["id"]}/pdf" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -o statement.pdf"""),
        tmp_path,
    )
    statement_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(statement)).pages)
    assert "112.50" in statement_text and "92.59" in statement_text

    report = _download(
        stack,
        fill("""\
        curl "https://api.tradekitt.com/api/v1/admin/csv-export/commission-report?date_from=2026-01-01&date_to=2026-03-31" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -o commission-report.csv"""),
        tmp_path,
    ).decode("utf-8")
    assert "112.50" in report and "92.59" in report
    assert "'=HYPERLINK" in report  # a formula in a customer name is neutralised

    sales_csv = _download(
        stack,
        fill("""\
        curl "https://api.tradekitt.com/api/v1/admin/csv-export/sales" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -o sales.csv"""),
        tmp_path,
    ).decode("utf-8")
    assert "1500.00" in sales_csv and "1234.57" in sales_csv

    # The closed period is locked: a sale dated inside it is refused.
    code, _, body = stack.request(
        "POST",
        "/api/v1/sales",
        {
            "technician_id": payroll["tech"]["id"],
            "item_id": 1,
            "sale_price_cents": 1000,
            "sale_date": "2026-02-10",
        },
        payroll["headers"],
    )
    assert code == 409 and body["error"]["code"] == "CONFLICT"
