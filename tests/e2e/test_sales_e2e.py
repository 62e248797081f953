"""The seed's Sales and Technicians calls, over real HTTP against the `make run` stack.

The curl commands and the JavaScript ``recordSale()`` are the seed's own text with only
the host, ids and placeholders (<access_token>, <tenant-uuid>) substituted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
import uuid

import pytest

from tests.e2e.test_auth_e2e import curl, needs_curl


@pytest.fixture(scope="module")
def shop(stack):
    account = stack.register("Curl Cooling")
    headers = account["headers"]
    status, _, item = stack.request(
        "POST",
        "/api/v1/admin/line-items",
        {"name": "Annual maintenance package", "category": "Maintenance", "price_cents": 150000},
        headers,
    )
    assert status == 201, item
    return {
        "token": account["access_token"],
        "tenant": account["tenant_id"],
        "headers": headers,
        "item_id": item["data"]["id"],
    }


def sub(text: str, shop: dict, **ids: int) -> str:
    text = text.replace("<access_token>", shop["token"]).replace("<tenant-uuid>", shop["tenant"])
    for name, value in ids.items():
        text = text.replace(f"{{{name}}}", str(value))
    return textwrap.dedent(text)


@needs_curl
def test_seed_technician_and_commission_curls(stack, shop):
    created = curl(
        stack,
        sub(
            """\
        curl -X POST https://api.tradekitt.com/api/v1/admin/technicians \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{
            "name": "Mike Johnson",
            "pay_type": "hourly",
            "base_pay_cents": 2500
          }'""",
            shop,
        ),
    )
    assert created["ok"] is True, created
    tech_id = created["data"]["id"]
    assert created["data"]["pay_type"] == "hourly" and created["data"]["base_pay_cents"] == 2500

    listed = curl(
        stack,
        sub(
            """\
        curl "https://api.tradekitt.com/api/v1/admin/technicians?page=1&limit=50" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\"""",
            shop,
        ),
    )
    assert {"items", "total", "page", "limit", "total_pages"} <= set(listed["data"])
    assert tech_id in [t["id"] for t in listed["data"]["items"]]

    updated = curl(
        stack,
        sub(
            """\
        curl -X PATCH https://api.tradekitt.com/api/v1/admin/technicians/{tech} \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{"base_pay_cents": 2800}'""",
            shop,
            tech=tech_id,
        ),
    )
    assert updated["data"]["base_pay_cents"] == 2800

    config = curl(
        stack,
        sub(
            """\
        curl -X PUT https://api.tradekitt.com/api/v1/admin/commission-config/tech/{tech}/item/{item} \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{
            "commission_rate_bps": 750,
            "ov_rate_bps": 0,
            "discount_scale_enabled": false
          }'""",
            shop,
            tech=tech_id,
            item=shop["item_id"],
        ),
    )
    assert config["ok"] is True, config
    assert config["data"]["commission_rate_bps"] == 750


@needs_curl
def test_seed_sales_curls(stack, shop):
    status, _, tech = stack.request(
        "POST",
        "/api/v1/admin/technicians",
        {"name": "Sale Tech", "pay_type": "hourly", "base_pay_cents": 2500},
        shop["headers"],
    )
    tech_id = tech["data"]["id"]
    status, _, _ = stack.request(
        "PUT",
        f"/api/v1/admin/commission-config/tech/{tech_id}/item/{shop['item_id']}",
        {"commission_rate_bps": 750, "ov_rate_bps": 0, "discount_scale_enabled": False},
        shop["headers"],
    )
    assert status == 200
    record = sub(
        """\
        curl -X POST https://api.tradekitt.com/api/v1/sales \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -H "Idempotency-Key: unique-key-{key}" \\
          -d '{
            "technician_id": {tech},
            "item_id": {item},
            "sale_price_cents": 150000,
            "customer_name": "John Doe",
            "notes": "Annual maintenance package",
            "payment_type": "credit_card"
          }'""",
        shop,
        tech=tech_id,
        item=shop["item_id"],
        key=uuid.uuid4().int % 10**9,
    )
    first = curl(stack, record)
    assert first["ok"] is True, first
    sale = first["data"]
    assert sale["commission_cents"] == 11250  # 750 bps of $1,500.00
    assert sale["sale_price_cents"] == 150000 and sale["customer_name"] == "John Doe"
    replay = curl(stack, record)  # same Idempotency-Key, same body
    assert replay["data"]["id"] == sale["id"]

    listed = curl(
        stack,
        sub(
            """\
        curl "https://api.tradekitt.com/api/v1/sales?date_from=2026-01-01&date_to=2099-12-31" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\"""",
            shop,
        ),
    )
    assert [s["id"] for s in listed["data"]["items"]] == [sale["id"]]

    paid = curl(
        stack,
        sub(
            """\
        curl -X PATCH https://api.tradekitt.com/api/v1/sales/{sale}/payment-status \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{"status": "paid", "payment_date": "2026-03-15"}'""",
            shop,
            sale=sale["id"],
        ),
    )
    assert paid["data"]["payment_status"] == "paid"
    assert paid["data"]["payment_date"] == "2026-03-15"

    voided = curl(
        stack,
        sub(
            """\
        curl -X PATCH https://api.tradekitt.com/api/v1/sales/{sale}/void \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{"voided": true}'""",
            shop,
            sale=sale["id"],
        ),
    )
    assert voided["data"]["voided"] is True


JS_RECORD_SALE = """
const API_BASE = '%(base)s/api/v1';

async function recordSale(accessToken, tenantId, saleData) {
  const res = await fetch(`${API_BASE}/sales`, {
    method: 'POST',
    headers: {
      'Authorization': `Bearer ${accessToken}`,
      'Content-Type': 'application/json',
      'X-Tenant-Id': tenantId,
      'Idempotency-Key': crypto.randomUUID(),
    },
    body: JSON.stringify(saleData),
  });
  const { ok, data, error } = await res.json();
  if (!ok) throw new Error(error.message);
  return data;
}

const [token, tenant, sale] = process.argv.slice(2);
recordSale(token, tenant, JSON.parse(sale)).then(d => console.log(JSON.stringify(d)))
  .catch(e => { console.log(JSON.stringify({ thrown: e.message })); });
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_seed_javascript_record_sale(stack, shop, tmp_path):
    status, _, tech = stack.request(
        "POST",
        "/api/v1/admin/technicians",
        {"name": "JS Tech", "pay_type": "hourly", "base_pay_cents": 2500},
        shop["headers"],
    )
    script = tmp_path / "record.mjs"
    script.write_text(JS_RECORD_SALE % {"base": stack.base_url})

    def run(sale: dict) -> dict:
        out = subprocess.run(
            ["node", str(script), shop["token"], shop["tenant"], json.dumps(sale)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        return json.loads(out)

    data = run(
        {
            "technician_id": tech["data"]["id"],
            "item_id": shop["item_id"],
            "sale_price_cents": 150000,
            "customer_name": "John Doe",
            "payment_type": "credit_card",
        }
    )
    assert data["sale_price_cents"] == 150000 and data["technician_id"] == tech["data"]["id"]
    # The example throws error.message on a bad body: the envelope carries one.
    bad = run(
        {"technician_id": tech["data"]["id"], "item_id": shop["item_id"], "sale_price_cents": -5}
    )
    assert "sale_price_cents" in bad["thrown"]
