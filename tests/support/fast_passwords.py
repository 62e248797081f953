"""argon2id at its lowest cost for the in-process tests (test speed only).

Production hashes at OWASP's parameters (19 MiB, t=2: about 50 ms a hash, more on a busy
machine); a test registers an account, logs in and creates technicians, so that cost was
paid several times per test. ``install()`` swaps the module's hasher for argon2id at
8 KiB, t=1 (the same algorithm and encoded format; ``verify`` reads the parameters from
each hash). ``tests/accounts/test_password_cost.py`` checks the production parameters
through ``PRODUCTION``. The ``make run`` stacks of the end-to-end tests hash at
production cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PRODUCTION: Callable[[], Any] | None = None


def install() -> None:
    global PRODUCTION
    from argon2 import PasswordHasher

    from chalicelib.accounts import passwords

    if PRODUCTION is not None:
        return
    PRODUCTION = passwords._hasher
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._hasher = lambda: cheap
