"""``make fuzz``: schemathesis over every operation of a running ``make run`` stack.

Start the stack with the rate limits off (``make run RATE_LIMIT_IP=0 RATE_LIMIT_TENANT=0
RATE_LIMIT_AUTH=0``; otherwise most cases get 429 and test nothing), then ``make fuzz``.
It registers a fresh tenant, adds a technician with a login, and runs schemathesis (pinned,
installed on first use into ``.local/fuzz``, never into the project's environment) over
the operations in groups, each group with a fresh access token (tokens last 15 minutes,
and a group may deactivate the technician or log the session out). The check is
``not_a_server_error``: any 5xx fails the run. Reports land in ``.local/fuzz/reports``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = "schemathesis==4.32.5"
PASSWORD = "fuzz-Password-123!"
# (name, role whose token is sent, the paths it covers): together, every operation.
GROUPS = [
    ("public", "admin", r"^/api/v1/(health|tenants|auth/(login|register|refresh|me))"),
    ("technician", "technician", r"^/api/v1/(sales|tech|export|auth/me)"),
    ("sales", "admin", r"^/api/v1/(sales|tech|export)"),
    ("commission", "admin", r"/admin/commission-config"),
    (
        "admin",
        "admin",
        r"/admin/(customers|line-items|settings|technicians|pay-periods|csv-export)",
    ),
    ("webhooks", "admin", r"/admin/webhooks"),
    ("logout", "admin", r"/auth/logout"),
]


def _tool(home: Path) -> Path:
    st = home / "venv" / "bin" / "st"
    if not st.exists():
        subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
        pip = home / "venv" / "bin" / "pip"
        subprocess.run([str(pip), "install", "--quiet", SCHEMATHESIS], check=True)
    return st


def _call(base: str, method: str, path: str, body: dict, headers: dict[str, str]) -> dict:
    request = urllib.request.Request(
        base + "/api/v1" + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - the local stack
        return json.loads(reply.read())["data"]


def _tenant(base: str) -> dict[str, str]:
    """A fresh tenant (the owner's login) and a technician who can log in."""
    suffix = uuid.uuid4().hex[:8]
    owner = _call(
        base,
        "POST",
        "/auth/register",
        {
            "email": f"fuzz-{suffix}@example.com",
            "username": f"fuzz{suffix}",
            "password": PASSWORD,
            "first_name": "Fuzz",
            "last_name": "Owner",
            "company_name": f"Fuzz {suffix}",
        },
        {},
    )
    headers = {
        "Authorization": f"Bearer {owner['access_token']}",
        "X-Tenant-Id": owner["tenant_id"],
    }
    _call(
        base,
        "POST",
        "/admin/technicians",
        {"name": "Fuzz Tech", "username": f"tech{suffix}", "password": PASSWORD},
        headers,
    )
    return {
        "tenant_id": owner["tenant_id"],
        "admin": f"fuzz{suffix}",
        "technician": f"tech{suffix}",
    }


def _token(base: str, tenant: dict[str, str], role: str) -> str:
    data = _call(
        base,
        "POST",
        "/auth/login",
        {"username": tenant[role], "password": PASSWORD},
        {"X-Tenant-Id": tenant["tenant_id"]},
    )
    return data["access_token"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--max-examples", type=int, default=60)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)
    home = ROOT / ".local" / "fuzz"
    reports = home / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    st = _tool(home)
    tenant = _tenant(args.base_url)
    failed = []
    for name, role, paths in GROUPS:
        command = [
            str(st),
            "run",
            f"{args.base_url}/api/openapi.json",
            "--url",
            args.base_url,
            "-H",
            f"Authorization: Bearer {_token(args.base_url, tenant, role)}",
            "-H",
            f"X-Tenant-Id: {tenant['tenant_id']}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            "2",
            "--include-path-regex",
            paths,
            "--report",
            "junit",
            "--report-junit-path",
            str(reports / f"{name}.xml"),
        ]
        print(f"== {name} ({role}): {paths}", flush=True)
        result = subprocess.run(command, capture_output=True, text=True, cwd=home)
        (reports / f"{name}.log").write_text(result.stdout + result.stderr)
        summary = [line for line in result.stdout.splitlines() if "generated" in line]
        print("  ", summary[-1].strip() if summary else "(no summary)", flush=True)
        if "Server error" in result.stdout:
            failed.append(name)
    if failed:
        print(f"server errors in {', '.join(failed)}: see {reports}", file=sys.stderr)
        return 1
    print("no server error over every operation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
