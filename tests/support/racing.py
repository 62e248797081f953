"""Calls raced against each other: one thread each, released together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def at_once(calls: Sequence[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    """Run the ``calls`` at once, one thread each (a barrier releases them together, each
    waited for up to ``timeout`` seconds); their results in order (None for a call that
    did not return)."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(n: int) -> None:
        start.wait(timeout)
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
