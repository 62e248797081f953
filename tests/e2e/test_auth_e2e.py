"""The seed's login flow, over real HTTP against the `make run` stack.

The curl commands and the JavaScript ``login()`` are the seed's own text with only the
host and the placeholders (<tenant-uuid>, passwords, tokens) substituted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import pytest

SEED_HOST = "https://api.tradekitt.com"


def curl(stack, command: str) -> dict:
    """Run a seed curl command (as a shell line) against the stack; parse its JSON."""
    command = command.replace(SEED_HOST, stack.base_url)
    out = subprocess.run(
        ["bash", "-c", command + " -s"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    return json.loads(out)


needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")


@needs_curl
def test_seed_curls_resolve_login_refresh(stack):
    resolved = curl(stack, "curl https://api.tradekitt.com/api/v1/tenants/resolve/DEMO")
    assert resolved["ok"] is True
    tenant = resolved["data"]
    assert set(tenant) >= {"businessCode", "businessName", "apiUrl", "tenantId", "branding"}
    assert tenant["businessCode"] == "DEMO"
    assert set(tenant["branding"]) >= {"display_name", "primary_color"}

    login = curl(
        stack,
        textwrap.dedent(f"""\
        curl -X POST https://api.tradekitt.com/api/v1/auth/login \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: {tenant["tenantId"]}" \\
          -d '{{"username": "admin", "password": "{stack.demo["password"]}"}}'"""),
    )
    assert login["ok"] is True
    data = login["data"]
    assert data["user"]["username"] == "admin"
    assert data["user"]["is_admin"] is True and data["user"]["roles"] == ["admin"]
    assert data["access_token"].startswith("eyJ") and data["refresh_token"].startswith("eyJ")

    refreshed = curl(
        stack,
        textwrap.dedent(f"""\
        curl -X POST https://api.tradekitt.com/api/v1/auth/refresh \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: {tenant["tenantId"]}" \\
          -d '{{"refresh_token": "{data["refresh_token"]}"}}'"""),
    )
    assert refreshed["ok"] is True
    assert refreshed["data"]["access_token"].startswith("eyJ")

    # The refreshed access token works on an authenticated route.
    status, _, me = stack.request(
        "GET",
        "/api/v1/auth/me",
        headers={
            "Authorization": f"Bearer {refreshed['data']['access_token']}",
            "X-Tenant-Id": tenant["tenantId"],
        },
    )
    assert status == 200 and me["data"]["username"] == "admin"


@needs_curl
def test_seed_register_curl(stack):
    reply = curl(
        stack,
        textwrap.dedent("""\
        curl -X POST https://api.tradekitt.com/api/v1/auth/register \\
          -H "Content-Type: application/json" \\
          -d '{
            "email": "jane-e2e@mycompany.example",
            "username": "mycompany",
            "password": "securePassword123!",
            "first_name": "Jane",
            "last_name": "Smith",
            "company_name": "Smith HVAC"
          }'"""),
    )
    assert reply["ok"] is True, reply
    data = reply["data"]
    assert data["business_code"].startswith("SMITHHVAC")
    assert data["business_name"] == "Smith HVAC"
    assert data["access_token"] and data["refresh_token"]


JS_LOGIN = """
const API_BASE = '%(base)s/api/v1';

async function login(businessCode, username, password) {
  // Step 1: Resolve tenant
  const resolveRes = await fetch(`${API_BASE}/tenants/resolve/${businessCode}`);
  const { data: tenant } = await resolveRes.json();

  // Step 2: Authenticate
  const loginRes = await fetch(`${API_BASE}/auth/login`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Tenant-Id': tenant.tenantId,
    },
    body: JSON.stringify({ username, password }),
  });
  const { data } = await loginRes.json();

  if (data.mfa_required) {
    // Prompt user for MFA code, then call /auth/mfa-verify
    return { mfaRequired: true, challengeToken: data.mfa_challenge_token };
  }

  return {
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    user: data.user,
  };
}

login('DEMO', 'admin', process.argv[2]).then(r => console.log(JSON.stringify(r)));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_seed_javascript_login_example(stack, tmp_path):
    script = tmp_path / "login.mjs"
    script.write_text(JS_LOGIN % {"base": stack.base_url})
    out = subprocess.run(
        ["node", str(script), stack.demo["password"]],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    result = json.loads(out)
    assert result["accessToken"].startswith("eyJ")
    assert result["refreshToken"].startswith("eyJ")
    assert result["user"]["username"] == "admin"


def test_python_client_follows_the_same_flow(stack):
    """The same flow with the standard library, for machines without curl or node."""
    status, _, resolved = stack.request("GET", "/api/v1/tenants/resolve/demo")
    assert status == 200
    tenant_id = resolved["data"]["tenantId"]
    status, _, login = stack.request(
        "POST",
        "/api/v1/auth/login",
        {"username": "admin", "password": stack.demo["password"]},
        {"X-Tenant-Id": tenant_id},
    )
    assert status == 200, login
    status, _, refreshed = stack.request(
        "POST",
        "/api/v1/auth/refresh",
        {"refresh_token": login["data"]["refresh_token"]},
        {"X-Tenant-Id": tenant_id},
    )
    assert status == 200 and refreshed["data"]["access_token"]
    # The old refresh token is spent: reuse revokes the session.
    status, _, reused = stack.request(
        "POST",
        "/api/v1/auth/refresh",
        {"refresh_token": login["data"]["refresh_token"]},
        {"X-Tenant-Id": tenant_id},
    )
    assert status == 401 and reused["error"]["code"] == "UNAUTHORIZED"


def test_envelopes_over_http(stack):
    status, _, body = stack.request("GET", "/api/v1/no/such/route")
    assert status == 404 and body == {
        "ok": False,
        "error": {"code": "NOT_FOUND", "message": "no such route"},
    }
    status, headers, body = stack.request("DELETE", "/api/v1/health")
    assert status == 405 and body["error"]["code"] == "METHOD_NOT_ALLOWED"
    status, _, body = stack.request(
        "POST",
        "/api/v1/auth/login",
        b"{not json",
        {"X-Tenant-Id": "00000000-0000-0000-0000-000000000000"},
    )
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST"
    status, _, body = stack.request("GET", "/api/v1/auth/me")
    assert status == 401 and body["error"]["code"] == "UNAUTHORIZED"
    status, _, body = stack.request("GET", "/api/v1/health")
    assert status == 200 and body["ok"] is True


def test_openapi_document_is_served(stack):
    status, _, doc = stack.request("GET", "/api/openapi.json")
    assert status == 200
    assert "/api/v1/auth/login" in doc["paths"]
    assert "/api/v1/tenants/resolve/{code}" in doc["paths"]
