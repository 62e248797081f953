"""A hook on every AWS call botocore makes (``BaseClient._make_api_call``) while a block
runs: what tests and benchmarks use to count, time, record or serialise those calls."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

Call = Callable[[Any, str, dict[str, Any]], Any]  # (client, operation, params) -> reply


@contextlib.contextmanager
def wrapped(wrapper: Callable[[Call, Any, str, dict[str, Any]], Any]) -> Iterator[None]:
    """While the block runs, each AWS call is ``wrapper(call, client, operation, params)``,
    where ``call(client, operation, params)`` makes it as before."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def through(self, operation_name, api_params):  # type: ignore[no-untyped-def]
        return wrapper(original, self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = through  # type: ignore[method-assign]
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


@contextlib.contextmanager
def one_at_a_time() -> Iterator[None]:
    """One AWS call at a time while the block runs (moto's in-process backend is not
    thread-safe: a transaction deep-copies the table), so threads still interleave call
    by call, as requests to DynamoDB do."""
    lock = threading.RLock()

    def serial(call: Call, client: Any, operation: str, params: dict[str, Any]) -> Any:
        with lock:
            return call(client, operation, params)

    with wrapped(serial):
        yield
