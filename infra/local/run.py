"""``make run``: emulator, deploy, seed, API and worker; Ctrl-C stops all.

Unless ``AWS_ENDPOINT_URL`` already answers (LocalStack, or a moto server of your own), it
starts the local emulator (``emulator.py``: moto for SQS, S3 and CloudFormation) on port
4566 and the local DynamoDB (``dynoxide.py``; ``LOCAL_DYNAMODB=moto`` serves the table
from moto instead, with its DynamoDB requests serialised), deploys
``infra/template.yaml``, restores the saved state, seeds ``DEMO``, then serves the API on
``PORT`` (default 8000) and runs the worker.

Everything entered survives a restart: the table lives in ``<state>/dynamodb.sqlite``,
and the emulator saves the bucket's files and the queues' messages under ``<state>``
(``LOCAL_STATE_DIR``, default ``.local/state``). ``FRESH=1`` (``make run FRESH=1``, or
``make reset``) starts clean.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from infra.local import dynoxide
from infra.local.files import LOCAL_DIR, read_or_create

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
TOOLS_DIR = LOCAL_DIR / "tools"


def state_dir() -> Path:
    return Path(os.environ.get("LOCAL_STATE_DIR") or LOCAL_DIR / "state")


def reset(state: Path) -> None:
    """Forget everything entered locally (the table, files, queued messages)."""
    if state.exists():
        shutil.rmtree(state)
        print(f"Removed the local state in {state}", flush=True)


def _free_port(*taken: int) -> int:
    """A port nothing listens on, other than ``taken`` (ports promised to processes that
    have not bound them yet, such as the API's)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in taken:
            return port


def _local_dynamodb(explicit: str | None) -> tuple[str, Path | None]:
    """("dynoxide", its binary) or ("moto", None) when dynoxide cannot run here."""
    if explicit == "moto":
        return "moto", None
    try:
        return "dynoxide", dynoxide.binary(TOOLS_DIR)
    except dynoxide.Unavailable as exc:
        if explicit == "dynoxide":
            raise
        print(
            f"dynoxide unavailable ({exc}); moto serves the table, one request at a time",
            flush=True,
        )
        return "moto", None


def _post(url: str) -> str:
    request = urllib.request.Request(url, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310 - local only
        return reply.read().decode()


def _reachable(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)  # noqa: S310 - local emulator only
        return True
    except urllib.error.HTTPError:
        return True
    except Exception:  # noqa: BLE001
        return False


def _wait_for(url: str, seconds: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if _reachable(url):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds}s")


def _jwt_secret() -> str:
    return read_or_create("jwt_secret", lambda: secrets.token_urlsafe(48))


def local_environment() -> dict[str, str]:
    """The environment every local process shares."""
    env = dict(os.environ)
    env.setdefault("AWS_ENDPOINT_URL", DEFAULT_ENDPOINT)
    env.setdefault("AWS_ACCESS_KEY_ID", "test")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env.setdefault("STAGE", "local")
    env.setdefault("JWT_SECRET", _jwt_secret())
    env.setdefault("PORT", "8000")
    env.setdefault("API_URL", f"http://localhost:{env['PORT']}")
    env["PYTHONPATH"] = str(PROJECT_DIR)
    return env


def main() -> int:
    env = local_environment()
    os.environ.update(env)
    children: list[subprocess.Popen] = []
    endpoint = env["AWS_ENDPOINT_URL"]
    state = state_dir()
    if os.environ.get("FRESH") not in (None, "", "0"):
        reset(state)

    def stop(*_: object) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in reversed(children):
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    managed = False
    try:
        if _reachable(endpoint):
            print(f"Using the AWS emulator already at {endpoint}", flush=True)
            wanted = os.environ.get("LOCAL_DYNAMODB")
            kind, binary = _local_dynamodb(wanted) if wanted == "dynoxide" else ("", None)
        else:
            managed = True
            kind, binary = _local_dynamodb(os.environ.get("LOCAL_DYNAMODB") or None)
            port = endpoint.rsplit(":", 1)[-1].strip("/")
            print(f"Starting the local emulator on port {port} (state in {state})", flush=True)
            command = [
                sys.executable,
                "-m",
                "infra.local.emulator",
                "--port",
                port,
                "--state-dir",
                str(state),
            ]
            if kind == "moto":
                command.append("--serialize-dynamodb")
            children.append(
                subprocess.Popen(command, env=env, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL)
            )
            _wait_for(endpoint, 30, children[-1])
        if kind == "dynoxide" and binary is not None:
            ddb_port = int(
                os.environ.get("LOCAL_DYNAMODB_PORT")
                or _free_port(int(env["PORT"]), urlsplit(endpoint).port or 4566)
            )
            ddb_endpoint = f"http://127.0.0.1:{ddb_port}"
            print(f"Starting dynoxide (the local DynamoDB) on port {ddb_port}", flush=True)
            children.append(dynoxide.start(binary, ddb_port, state / "dynamodb.sqlite"))
            _wait_for(ddb_endpoint, 30, children[-1])
            env["AWS_ENDPOINT_URL_DYNAMODB"] = ddb_endpoint
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = ddb_endpoint
        subprocess.run(
            [sys.executable, "-m", "infra.local.deploy", env["STAGE"]],
            env=env,
            cwd=PROJECT_DIR,
            check=True,
        )
        if managed:
            print(f"Restored the saved state: {_post(endpoint + '/_local/restore')}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "infra.local.seed", env["API_URL"]],
            env=env,
            cwd=PROJECT_DIR,
            check=True,
        )
        api = subprocess.Popen(
            [sys.executable, "-m", "infra.local.devserver"], env=env, cwd=PROJECT_DIR
        )
        children.append(api)
        worker = PROJECT_DIR / "infra" / "local" / "worker.py"
        if worker.exists():
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "infra.local.worker"], env=env, cwd=PROJECT_DIR
                )
            )
        print("Press Ctrl-C to stop everything.", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        failed = [c.args for c in children if c.poll() not in (None, 0)]
        if failed:
            print(f"stopped: a process exited: {failed}", flush=True)
            return 1
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
