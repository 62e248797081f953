"""The retry schedule of webhook deliveries (:class:`RetryPolicy`, :func:`split_delay`) and
what an attempt's answer means (:func:`classify_response`).

Standard library only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

# ---------------------------------------------------------------------------
# Retry policy
# ---------------------------------------------------------------------------

SQS_MAX_DELAY_SECONDS = 900
"""Maximum SQS ``DelaySeconds`` (15 minutes)."""

_DEFAULT_SCHEDULE: tuple[int, ...] = (0, 30, 120, 600, 1800, 3600, 7200, 14400)


def _is_int(value: object) -> bool:
    """An ``int`` proper (``True`` and ``False`` are not counts nor status codes)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential-ish retry schedule for webhook deliveries.

    With the defaults a message gets **8 attempts** (at least 6 required)
    spread over **7 h 42 m 30 s** of base delay (at least 6 hours required):
    immediately, then after 30 s, 2 m, 10 m, 30 m, 1 h, 2 h and 4 h. Each
    non-zero delay is multiplied by a random factor in
    ``[1 - jitter, 1 + jitter]`` (default +-20 %) to avoid thundering herds.

    :ivar max_attempts: total delivery attempts, including the first.
    :ivar schedule: base delay in seconds before attempt ``n`` is
        ``schedule[n - 1]``; attempts beyond its length reuse the last entry.
    :ivar jitter: fractional jitter, ``0 <= jitter < 1``.
    """

    max_attempts: int = 8
    schedule: tuple[int, ...] = _DEFAULT_SCHEDULE
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not _is_int(self.max_attempts) or self.max_attempts < 1:
            raise ValueError("max_attempts must be a positive integer")
        if not isinstance(self.schedule, tuple) or not self.schedule:
            raise ValueError("schedule must be a non-empty tuple of delays")
        for delay in self.schedule:
            if not _is_int(delay) or delay < 0:
                raise ValueError("schedule delays must be non-negative integers")
        if not isinstance(self.jitter, (int, float)) or not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def base_delay_seconds(self, attempt_number: int) -> int | None:
        """Un-jittered delay before attempt ``attempt_number`` (1-based).

        :returns: ``None`` when ``attempt_number > max_attempts``.
        :raises ValueError: if ``attempt_number < 1``.
        """
        if not _is_int(attempt_number):
            raise ValueError("attempt_number must be an integer")
        if attempt_number < 1:
            raise ValueError("attempt_number must be >= 1")
        if attempt_number > self.max_attempts:
            return None
        index = min(attempt_number, len(self.schedule)) - 1
        return self.schedule[index]

    def next_delay_seconds(self, attempt_number: int, rng: random.Random) -> int | None:
        """Jittered delay in seconds before attempt ``attempt_number`` (1-based).

        Attempt 1 is the first delivery (delay 0 by default). After attempt
        ``n`` fails, the worker calls ``next_delay_seconds(n + 1, rng)``;
        ``None`` means the attempts are exhausted and the message should be
        dead-lettered. Deterministic for a seeded ``rng``.

        :raises ValueError: if ``attempt_number < 1``.
        """
        base = self.base_delay_seconds(attempt_number)
        if base is None:
            return None
        if base == 0 or self.jitter == 0:
            return base
        factor = 1.0 + rng.uniform(-self.jitter, self.jitter)
        return max(0, int(round(base * factor)))

    def total_schedule_seconds(self) -> int:
        """Sum of the un-jittered delays over all ``max_attempts`` attempts."""
        total = 0
        for attempt in range(1, self.max_attempts + 1):
            total += self.base_delay_seconds(attempt) or 0
        return total


def split_delay(total_seconds: int) -> tuple[int, int]:
    """Split a wait into what SQS can delay now and what is left.

    SQS ``DelaySeconds`` is capped at :data:`SQS_MAX_DELAY_SECONDS` (900 s), so
    a multi-hour wait is done by re-enqueueing the message with
    ``sqs_delay_now`` and the ``remaining_seconds`` carried in the message,
    repeating until nothing remains.

    :returns: ``(sqs_delay_now, remaining_seconds)`` with
        ``0 <= sqs_delay_now <= 900`` and
        ``sqs_delay_now + remaining_seconds == total_seconds``.
    :raises ValueError: if ``total_seconds`` is not a non-negative integer.
    """
    if not _is_int(total_seconds):
        raise ValueError("total_seconds must be an integer")
    if total_seconds < 0:
        raise ValueError("total_seconds must not be negative")
    now = min(total_seconds, SQS_MAX_DELAY_SECONDS)
    return now, total_seconds - now


# ---------------------------------------------------------------------------
# Response classification
# ---------------------------------------------------------------------------

DeliveryOutcome = Literal["success", "retry", "disable"]


def classify_response(status_code: int | None, timed_out: bool) -> DeliveryOutcome:
    """Decide what to do after a delivery attempt.

    * ``timed_out`` or ``status_code is None`` (connection error) -> ``"retry"``;
    * any 2xx -> ``"success"``;
    * 410 Gone -> ``"disable"`` (the receiver asked us to stop; disable the
      endpoint and do not retry);
    * anything else (3xx, 4xx, 5xx, nonsense codes) -> ``"retry"``.

    :raises TypeError: if ``status_code`` is neither ``None`` nor an ``int``.
    """
    if status_code is not None and not _is_int(status_code):
        raise TypeError("status_code must be an int or None")
    if timed_out or status_code is None:
        return "retry"
    if 200 <= status_code <= 299:
        return "success"
    if status_code == 410:
        return "disable"
    return "retry"
