"""End-to-end fixture: the real ``make run`` stack over HTTP.

``stack`` starts ``python -m infra.local.run`` (what ``make run`` runs) on free ports:
moto server, the CloudFormation deploy, the DEMO seed, the dev server and the worker.
Tests talk to it with real HTTP. Ctrl-C (SIGINT) at the end must stop everything.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports (every socket stays bound until all are chosen: two
    calls in a row may otherwise get the same port)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def ok(result: tuple[int, dict[str, str], Any], status: int = 200) -> Any:
    """The ``data`` of a ``Stack.request`` result that answered ``status``."""
    code, _, body = result
    assert code == status, body
    return body["data"]


def refused(stack: Stack, path: str, headers: dict[str, str]) -> None:
    """A GET of ``path`` is answered 400 ``BAD_REQUEST`` (a cursor it does not take)."""
    status, _, body = stack.request("GET", path, headers=headers)
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST", (path, body)


@dataclass
class Stack:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen
    log_path: Path
    demo: dict[str, str] = field(default_factory=dict)
    ports: tuple[int, ...] = ()
    log_file: Any = None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        url = path if path.startswith("http") else self.base_url + path
        data = (
            None
            if body is None
            else (body if isinstance(body, bytes) else json.dumps(body).encode())
        )
        req = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - localhost
                status, resp_headers, raw = resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            status, resp_headers, raw = exc.code, dict(exc.headers), exc.read()
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return status, resp_headers, parsed

    def create(self, path: str, body: Any, headers: dict[str, str]) -> dict[str, Any]:
        """POST ``/api/v1<path>``, expecting 201; the created resource."""
        return ok(self.request("POST", "/api/v1" + path, body, headers), 201)

    def register(self, company: str = "E2E Heating") -> dict[str, Any]:
        suffix = uuid.uuid4().hex[:8]
        status, _, body = self.request(
            "POST",
            "/api/v1/auth/register",
            {
                "email": f"e2e-{suffix}@example.com",
                "username": f"e2e{suffix}",
                "password": "securePassword123!",
                "first_name": "E",
                "last_name": "Two",
                "company_name": company,
            },
        )
        assert status == 201, body
        data = body["data"]
        data["headers"] = {
            "Authorization": f"Bearer {data['access_token']}",
            "X-Tenant-Id": data["tenant_id"],
        }
        return data

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_stack(workdir: Path, state_dir: Path, **extra_env: str) -> Stack:
    """``python -m infra.local.run`` (what ``make run`` runs) on free ports, its local
    state in ``state_dir``; returns once ``/health`` answers 200 (the first request)."""
    api_port, aws_port = free_ports(2)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "TABLE_NAME", "EVENTS_QUEUE", "EXPORTS_BUCKET", "FRESH"))
    }
    env.update(
        {
            "PORT": str(api_port),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
            "STAGE": "local",
            "LOCAL_STATE_DIR": str(state_dir),
            "RATE_LIMIT_IP": "100000",
            "RATE_LIMIT_TENANT": "100000",
            "RATE_LIMIT_AUTH": "100000",
            "QUIET_ACCESS_LOG": "1",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
    )
    env.pop("JWT_SECRET", None)
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"stack-{api_port}.log"
    log_file = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "infra.local.run"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{api_port}"
    stack = Stack(base_url=base_url, env=env, process=proc, log_path=log_path)
    stack.ports = (api_port, aws_port)
    stack.log_file = log_file
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make run stack exited early:\n{stack.log()}")
        try:
            status, _, _ = stack.request("GET", "/api/v1/health")
            if status == 200:
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"stack did not become healthy:\n{stack.log()}")
    stack.demo = {"password": (ROOT / ".local" / "demo-login.txt").read_text().strip()}
    return stack


def stop_stack(stack: Stack) -> None:
    """What Ctrl-C does to ``make run``; everything it started must be gone."""
    proc = stack.process
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    finally:
        stack.log_file.close()
    for port in stack.ports:  # everything it started is gone
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"


@pytest.fixture(scope="session")
def sso_jwks():
    """The test SSO providers' JWKS, served from this process on a free port; the stack's
    ``SSO_*`` settings trust them (tests/support/sso_keys.py signs their id_tokens)."""
    from tests.support import sso_keys

    server = sso_keys.JwksServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, sso_jwks) -> Stack:
    from tests.support import sso_keys

    workdir = tmp_path_factory.mktemp("stack")
    stack = start_stack(workdir, workdir / "state", **sso_keys.environment(sso_jwks))
    yield stack
    stop_stack(stack)
