"""Seed the demo tenant (business code ``DEMO``) through the same services the API uses.

Idempotent: when ``DEMO`` exists it only prints the login. The admin password is random,
kept in ``.local/demo-login.txt`` (git-ignored) so re-runs print the same one.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from chalicelib.accounts import service as accounts
from chalicelib.accounts import store as tenants
from infra.local import seed_business
from infra.local.files import read_or_create

PROJECT_DIR = Path(__file__).resolve().parents[2]
CREDENTIALS = PROJECT_DIR / ".local" / "demo-login.txt"
DEMO_CODE = "DEMO"
ADMIN_USERNAME = "admin"


def _password() -> str:
    return read_or_create(CREDENTIALS.name, lambda: "demo-" + secrets.token_urlsafe(12))


def seed() -> dict[str, str]:
    password = _password()
    tenant_id = tenants.tenant_id_for_code(DEMO_CODE)
    if tenant_id is None:
        _, tenant = accounts.register(
            email="owner@demo.tradekitt.test",
            username=ADMIN_USERNAME,
            password=password,
            first_name="Demo",
            last_name="Owner",
            company_name="Demo",
        )
        tenant_id = tenant.tenant_id
        if tenant.business_code != DEMO_CODE:
            raise RuntimeError(f"demo tenant got code {tenant.business_code}, expected DEMO")
        seed_business.seed(tenant_id)
    return {
        "business_code": DEMO_CODE,
        "tenant_id": tenant_id,
        "username": ADMIN_USERNAME,
        "password": password,
        "technician_username": seed_business.TECH_USERNAME,
        "technician_password": seed_business.technician_password(),
    }


def print_login(info: dict[str, str], api: str) -> None:
    print(
        f"""
Demo tenant ready.
  business code : {info["business_code"]}
  tenant id     : {info["tenant_id"]}
  username      : {info["username"]}
  password      : {info["password"]}
  technician    : {info["technician_username"]} / {info["technician_password"]}

  curl {api}/api/v1/tenants/resolve/{info["business_code"]}
  curl -X POST {api}/api/v1/auth/login -H "Content-Type: application/json" \\
       -H "X-Tenant-Id: {info["tenant_id"]}" \\
       -d '{{"username": "{info["username"]}", "password": "{info["password"]}"}}'
""",
        flush=True,
    )


if __name__ == "__main__":
    print_login(seed(), sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000")
