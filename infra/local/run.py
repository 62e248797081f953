"""``make run``: emulator, deploy, seed, API (and later the worker); Ctrl-C stops all.

Starts moto server on port 4566 unless ``AWS_ENDPOINT_URL`` already answers (LocalStack
or a running moto), deploys ``infra/template.yaml``, seeds ``DEMO``, then serves the API
on ``PORT`` (default 8000).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from infra.local.files import read_or_create

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


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

    def stop(*_: object) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        if _reachable(endpoint):
            print(f"Using the AWS emulator already at {endpoint}", flush=True)
        else:
            port = endpoint.rsplit(":", 1)[-1].strip("/")
            print(f"Starting moto server on port {port}", flush=True)
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", port],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            _wait_for(endpoint, 30, children[-1])
        subprocess.run(
            [sys.executable, "-m", "infra.local.deploy", env["STAGE"]],
            env=env,
            cwd=PROJECT_DIR,
            check=True,
        )
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
