"""Local-only generated files under ``.local/`` (git-ignored), created exactly once even
when several stacks start at the same time (e.g. parallel end-to-end test workers)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

LOCAL_DIR = Path(__file__).resolve().parents[2] / ".local"


def read_or_create(name: str, make: Callable[[], str]) -> str:
    """The file's content; created with ``make()`` (mode 0600) if it does not exist."""
    LOCAL_DIR.mkdir(exist_ok=True)
    path = LOCAL_DIR / name
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(make() + "\n")
    for _ in range(50):  # a concurrent creator may not have written yet
        content = path.read_text().strip()
        if content:
            return content
        time.sleep(0.05)
    raise RuntimeError(f"{path} is empty")
