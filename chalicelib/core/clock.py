"""The one clock seam: every reading of the time goes through this module.

Services call ``clock.now()`` (an aware UTC datetime), ``clock.time()`` (epoch seconds),
``clock.monotonic()`` (durations and time budgets), ``clock.sleep()`` and
``clock.today_in(zone)`` (a business's calendar day). The functions are independent of
each other, so a test replaces exactly the one it needs (``monkeypatch.setattr(clock,
"time", ...)``) without moving the others: pinning ``time`` for a rate-limit window does
not move the clock that issues and checks tokens.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def time() -> float:
    """Seconds since the epoch (leases, TTLs, rate-limit windows, delivery schedules)."""
    return _time.time()


def monotonic() -> float:
    """A clock for durations and time budgets (never goes backwards)."""
    return _time.monotonic()


def sleep(seconds: float) -> None:
    _time.sleep(seconds)


def today_in(timezone_name: str | None, at: datetime | None = None) -> date:
    """The calendar day in a business's timezone (UTC when the name is unknown), now or
    at the instant ``at``."""
    moment = at or now()
    try:
        zone = ZoneInfo(timezone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def iso_utc(moment: datetime, timespec: str = "milliseconds") -> str:
    """``2026-03-04T05:06:07.123Z``: an instant as ISO-8601 UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
