"""``make bench``: run every ``bench/bench_*.py`` module's ``run()`` and print its figures.

Benchmarks count what is stable (AWS calls per request, items read, import time ratios);
they are not tests and assert nothing.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    for name in wanted:
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        result = module.run()
        took = time.perf_counter() - started
        print(f"== {name} ({took:.1f}s)")
        print(json.dumps(result, indent=2, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
