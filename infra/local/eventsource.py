"""The npm ``eventsource`` package (a WHATWG EventSource for Node.js: reconnects after
the server ends a response, waits the ``retry:`` the server asked for, sends
``Last-Event-ID``), which the end-to-end test of the dispatch board's stream runs as a
real EventSource client (``tests/e2e/test_dispatch_stream_e2e.py``).

Installed like dynoxide (``infra/local/dynoxide.py``): with npm, pinned, on first use,
into ``.local/tools/eventsource`` (its own prefix, so npm never prunes dynoxide), under a
file lock so parallel test workers install it once. ``python -m infra.local.eventsource
[dir]`` installs it and prints the package's directory.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

# eventsource 4.x runs on Node.js 20 (5.x needs 22.12); its one dependency pinned too
PACKAGES = ("eventsource@4.1.1", "eventsource-parser@3.1.1")
STAMP = " ".join(PACKAGES)
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / ".local" / "tools" / "eventsource"


class Unavailable(RuntimeError):
    """No Node.js/npm on this machine (the caller says so and skips)."""


def node() -> str:
    path = shutil.which("node")
    if path is None:
        raise Unavailable("Node.js is not installed (make run needs Node.js 20 too)")
    return path


def install(prefix: Path = DEFAULT_DIR) -> Path:
    """The installed package's directory (``<prefix>/node_modules/eventsource``)."""
    package = prefix / "node_modules" / "eventsource"
    stamp = prefix / "installed.txt"
    prefix.mkdir(parents=True, exist_ok=True)
    with (prefix / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (package / "package.json").exists() and stamp.exists():
            if stamp.read_text().strip() == STAMP:
                return package
        npm = shutil.which("npm")
        if npm is None:
            raise Unavailable("npm is not installed (Node.js 20 brings it)")
        print(f"Installing {STAMP} (the stream test's EventSource) with npm", flush=True)
        result = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(prefix),
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--loglevel=error",
                *PACKAGES,
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not (package / "package.json").exists():
            raise RuntimeError(f"npm could not install {STAMP}: {result.stderr.strip()}")
        stamp.write_text(STAMP + "\n")
        return package


if __name__ == "__main__":
    print(install(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
