"""One real ``make package STAGE=prod`` build for the whole test session, shared by the
package test and the emulator deploy test, and by every pytest-xdist worker: the first
worker to need it builds it under a lock in the session's shared temporary directory,
the others wait for it and reuse it (a build takes about 35 s on 2 cores)."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from infra import package


@pytest.fixture(scope="session")
def prod_package(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """``(dist, figures)``: ``dist`` holds ``deployment.zip``, ``sam.json`` and
    ``package.json`` of the prod stage; ``figures`` is what ``package.package`` returned."""
    base = tmp_path_factory.getbasetemp()
    # under xdist each worker's basetemp is a folder of the run's own: share that one
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    dist, done = shared / "prod-package" / "prod", shared / "prod-package.done"
    with open(shared / "prod-package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                figures = package.package("prod", dist)
                done.write_text(json.dumps(figures))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return dist, json.loads(done.read_text())
