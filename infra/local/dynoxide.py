"""dynoxide: the local DynamoDB of ``make run`` (a SQLite-backed DynamoDB emulator whose
static binary ships in the npm package ``@dynoxide/<platform>``).

Why not moto's DynamoDB: moto server applies ``TransactWriteItems`` on a copy of the table
and restores that copy when a transaction fails, with no lock, so a failing transaction can
wipe another one's committed writes; it also deep-copies the whole table per transaction
(about 180 ms at 5,000 items) and keeps everything in memory. dynoxide keeps the table in a
SQLite file under the state directory, so it is correct under concurrency, fast, and
survives a restart. Where no dynoxide binary exists for the platform (or npm is missing),
``make run`` falls back to moto with its DynamoDB requests serialised (``emulator.py``).
"""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

VERSION = "1.2.1"
# npm packages of the dynoxide release, by (system, machine).
PACKAGES = {("Linux", "x86_64"): "@dynoxide/linux-x64"}


class Unavailable(RuntimeError):
    """No dynoxide binary for this machine (the caller falls back to moto)."""


def package() -> str:
    key = (platform.system(), platform.machine())
    if key not in PACKAGES:
        raise Unavailable(f"no dynoxide binary for {key[0]} {key[1]}")
    return PACKAGES[key]


def binary(tools_dir: Path) -> Path:
    """The dynoxide binary, installed with npm into ``tools_dir`` on first use (under a
    file lock: parallel stacks, e.g. end-to-end test workers, install it once)."""
    name = package()
    path = tools_dir / "node_modules" / name / "dynoxide"
    tools_dir.mkdir(parents=True, exist_ok=True)
    with (tools_dir / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and _installed_version(tools_dir) == VERSION:
            return path
        npm = shutil.which("npm")
        if npm is None:
            raise Unavailable("npm is not installed (Node.js 20 brings it)")
        print(f"Installing {name}@{VERSION} (the local DynamoDB) with npm", flush=True)
        result = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(tools_dir),
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--loglevel=error",
                f"{name}@{VERSION}",
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not path.exists():
            raise Unavailable(f"npm could not install {name}@{VERSION}: {result.stderr.strip()}")
        path.chmod(0o755)
        _version_file(tools_dir).write_text(VERSION + "\n")
        return path


def _installed_version(tools_dir: Path) -> str | None:
    file = _version_file(tools_dir)
    return file.read_text().strip() if file.exists() else None


def _version_file(tools_dir: Path) -> Path:
    return tools_dir / "dynoxide.version"


def start(executable: Path, port: int, db_path: Path) -> subprocess.Popen:
    """``dynoxide serve`` on 127.0.0.1:``port`` with its data in ``db_path``."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(executable),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db-path",
            str(db_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "error")},
    )


if __name__ == "__main__":  # `python -m infra.local.dynoxide <tools dir>`: install only
    print(binary(Path(sys.argv[1])))
