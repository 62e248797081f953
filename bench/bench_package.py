"""Package size (issue 15): a real ``chalice package`` of the prod stage through
``infra.package`` (the runtime-provided libraries stripped), zipped and unzipped bytes,
file count, and the biggest top-level entries. Asserts nothing."""

from __future__ import annotations

import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from infra import package


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "prod"
        figures = package.package("prod", out)
        by_top: Counter[str] = Counter()
        with zipfile.ZipFile(out / "deployment.zip") as archive:
            for info in archive.infolist():
                by_top[info.filename.split("/", 1)[0]] += info.file_size
    return {
        **figures,
        "zipped_mb": round(figures["zipped_bytes"] / 2**20, 2),
        "unzipped_mb": round(figures["unzipped_bytes"] / 2**20, 2),
        "largest_unzipped_mb": {k: round(v / 2**20, 2) for k, v in by_top.most_common(8)},
    }
