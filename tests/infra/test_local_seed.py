"""`make run` seeds the demo tenant idempotently through the real services."""

from __future__ import annotations

from infra.local import seed


def test_seed_twice_gives_one_demo_tenant_with_data(api, aws, tmp_path, monkeypatch):
    monkeypatch.setattr("infra.local.files.LOCAL_DIR", tmp_path)
    first = seed.seed()
    second = seed.seed()
    assert first == second and first["business_code"] == "DEMO"
    assert (tmp_path / "demo-login.txt").read_text().strip() == first["password"]
    login = api.post(
        "/auth/login",
        {"username": "admin", "password": first["password"]},
        headers={"X-Tenant-Id": first["tenant_id"]},
    )
    assert login.status == 200, login.raw
    headers = {
        "Authorization": f"Bearer {login.data['access_token']}",
        "X-Tenant-Id": first["tenant_id"],
    }
    technicians = api.get("/admin/technicians", headers=headers).data
    assert technicians["total"] >= 3
    assert api.get("/admin/line-items", headers=headers).data["total"] >= 5
    assert api.get("/admin/customers", headers=headers).data["total"] >= 3
    assert api.get("/tenants/resolve/DEMO").data["tenantId"] == first["tenant_id"]
