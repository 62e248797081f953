"""Auth routes: DynamoDB calls per request; import time and cold start of ``app.py``
against a bare Chalice app (same interpreter, same emulator, same run)."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.common import BENCH_ENV, ROOT, count_calls, emulated_api

RUNS = 7

BARE_APP = textwrap.dedent("""
    import boto3
    from chalice import Chalice

    app = Chalice(app_name="bare")

    @app.route("/item")
    def item():
        ddb = boto3.client("dynamodb")
        got = ddb.get_item(TableName="tradekitt-test", Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
        return {"found": "Item" in got}
""")

IMPORT_PROBE = textwrap.dedent("""
    import sys, time
    t = time.perf_counter()
    import app
    print(time.perf_counter() - t)
""")

# A fresh process: import the app and serve its first DynamoDB-backed request.
COLD_PROBE = textwrap.dedent("""
    import sys, time, json
    t = time.perf_counter()
    import app
    from chalice.test import Client
    path = sys.argv[1]
    headers = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    with Client(app.app, stage_name="test", project_dir=".") as c:
        r = c.http.get(path, headers=headers)
    assert r.status_code == 200, r.body
    print(time.perf_counter() - t)
""")


def _median_seconds(code: str, cwd: str, env: dict[str, str], args: list[str] = ()) -> float:
    samples = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(float(out.strip().splitlines()[-1]))
    return statistics.median(samples)


def _calls_per_request() -> dict:
    with emulated_api() as api:
        account = api.register("Bench HVAC")
        user = account.user["username"]
        result = {}
        with count_calls() as c:
            reply = api.post(
                "/auth/login",
                {"username": user, "password": "securePassword123!"},
                headers={"X-Tenant-Id": account.tenant_id},
            )
        assert reply.status == 200
        result["login"] = {"dynamodb_calls": c.of("dynamodb"), "ops": c.ops("dynamodb")}
        token = reply.data["refresh_token"]
        with count_calls() as c:
            reply = api.post(
                "/auth/refresh",
                {"refresh_token": token},
                headers={"X-Tenant-Id": account.tenant_id},
            )
        assert reply.status == 200
        result["refresh"] = {"dynamodb_calls": c.of("dynamodb"), "ops": c.ops("dynamodb")}
        with count_calls() as c:
            api.post(
                "/auth/register",
                {
                    "email": "b2@example.com",
                    "username": "bench2",
                    "password": "securePassword123!",
                    "company_name": "Bench Two",
                },
            )
        result["register"] = {"dynamodb_calls": c.of("dynamodb"), "ops": c.ops("dynamodb")}
        with count_calls() as c:
            api.get("/auth/me", as_=account)
        result["me"] = {"dynamodb_calls": c.of("dynamodb")}
        result["sso_login"] = _sso_login_calls(api)
        os.environ.update(
            {"RATE_LIMIT_IP": "300", "RATE_LIMIT_TENANT": "200", "RATE_LIMIT_AUTH": "1000"}
        )
        with count_calls() as c:
            api.post(
                "/auth/login",
                {"username": user, "password": "securePassword123!"},
                headers={"X-Tenant-Id": account.tenant_id},
            )
        result["login_with_rate_limits_on"] = {"dynamodb_calls": c.of("dynamodb")}
        os.environ.update({"RATE_LIMIT_IP": "0", "RATE_LIMIT_TENANT": "0", "RATE_LIMIT_AUTH": "0"})
    return result


def _sso_login_calls(api) -> dict:
    """``POST /auth/sso/google`` of a linked identity (the test provider of
    tests/support/sso_keys.py; its JWKS fetched once before the count)."""
    from tests.support import sso_keys

    os.environ.update(sso_keys.environment())
    sub = sso_keys.new_subject()
    body = {
        "id_token": sso_keys.id_token("google", sub),
        "username": "benchsso",
        "company_name": "Bench SSO",
    }
    assert api.post("/auth/sso/google/register", body).status == 201
    with count_calls() as c:
        reply = api.post("/auth/sso/google", {"id_token": sso_keys.id_token("google", sub)})
    assert reply.status == 200, reply.raw
    return {"dynamodb_calls": c.of("dynamodb"), "ops": c.ops("dynamodb")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_headers(env: dict[str, str]) -> str:
    """An admin token for a tenant with only its admin's account (the route still checks
    the account, verifies and queries)."""
    code = (
        "import json, os; from chalicelib.core import clock, tokens; "
        "from chalicelib.accounts.store import UserItem; from chalicelib.platform import keys; "
        "tid = '33333333-3333-3333-3333-333333333333'; "
        "UserItem(*keys.user_key(tid, 1), tenant_id=tid, user_id=1, username='admin', "
        "roles=['admin'], active=True, created_at=clock.now()).save(); "
        "t = tokens.issue_access(tid, 1, ['admin'], 's'); "
        "print(json.dumps({'Authorization': 'Bearer ' + t.token}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def _startup() -> dict:
    port = _free_port()
    env = {
        **os.environ,
        **BENCH_ENV,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": str(ROOT),
        "RATE_LIMIT_IP": "0",
        "RATE_LIMIT_TENANT": "0",
        "RATE_LIMIT_AUTH": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from tests.support.aws import create_resources; create_resources('test')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        with tempfile.TemporaryDirectory() as bare_dir:
            Path(bare_dir, "app.py").write_text(BARE_APP)
            bare_import = _median_seconds(IMPORT_PROBE, bare_dir, env)
            app_import = _median_seconds(IMPORT_PROBE, str(ROOT), env)
            bare_cold = _median_seconds(COLD_PROBE, bare_dir, env, ["/item"])
            app_cold = _median_seconds(COLD_PROBE, str(ROOT), env, ["/api/v1/health"])
            app_cold_sales = _median_seconds(
                COLD_PROBE, str(ROOT), env, ["/api/v1/sales?limit=50", _admin_headers(env)]
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "runs_each": RUNS,
        "import_s": {
            "bare_chalice": round(bare_import, 4),
            "app": round(app_import, 4),
            "ratio": round(app_import / bare_import, 2),
        },
        "cold_start_first_dynamodb_request_s": {
            "bare_chalice_getitem": round(bare_cold, 4),
            "app_health": round(app_cold, 4),
            "ratio": round(app_cold / bare_cold, 2),
            "app_authenticated_list_sales": round(app_cold_sales, 4),
            "ratio_list_sales": round(app_cold_sales / bare_cold, 2),
        },
    }


def run() -> dict:
    return {"dynamodb_calls_per_request": _calls_per_request(), "startup": _startup()}
