"""Pay period windows and period status rules. Pure: standard library only.

Periods are anchored deterministically so that *any* date (including dates
long before a tenant signed up) maps to exactly one period, and consecutive
periods tile the calendar with no gap and no overlap:

* ``weekly``      -- 7-day windows starting on Mondays, counted from EPOCH.
* ``biweekly``    -- 14-day windows counted from EPOCH (forwards and backwards).
* ``semimonthly`` -- the 1st-15th and the 16th-last day of each month.
* ``monthly``     -- calendar months.

A window's ``key`` is the ISO date of its first day ("2026-03-02"); together
with the frequency it identifies the period uniquely.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.core.errors import RuleViolation

# A Monday. Weekly and biweekly windows are counted from here (also backwards).
EPOCH = date(2024, 1, 1)
assert EPOCH.weekday() == 0

WEEKLY = "weekly"
BIWEEKLY = "biweekly"
SEMIMONTHLY = "semimonthly"
MONTHLY = "monthly"
FREQUENCIES: tuple[str, ...] = (WEEKLY, BIWEEKLY, SEMIMONTHLY, MONTHLY)

_FIXED_LENGTH_DAYS = {WEEKLY: 7, BIWEEKLY: 14}


# --------------------------------------------------------------------------- #
# Windows
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class PeriodWindow:
    """One pay period: ``start`` .. ``end`` (both inclusive)."""

    start: date
    end: date
    frequency: str

    @property
    def key(self) -> str:
        """Stable identifier of the window within its frequency: start ISO date."""
        return self.start.isoformat()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and contains(self, day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "frequency": self.frequency,
        }


def _check_frequency(frequency: str) -> str:
    if not isinstance(frequency, str) or frequency not in FREQUENCIES:
        raise ValueError(
            f"unknown pay period frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}"
        )
    return frequency


def _as_date(day: Any) -> date:
    # datetime is a subclass of date: reduce it to its calendar day.
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    raise TypeError(f"expected a date, got {type(day).__name__}")


def _last_day_of_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def period_for(day: date, frequency: str) -> PeriodWindow:
    """The unique window of ``frequency`` that contains ``day``."""
    _check_frequency(frequency)
    day = _as_date(day)
    length = _FIXED_LENGTH_DAYS.get(frequency)
    if length is not None:
        # Floor division: dates before EPOCH land in negative-index windows.
        index = (day - EPOCH).days // length
        try:
            start = EPOCH + timedelta(days=index * length)
            end = start + timedelta(days=length - 1)
        except OverflowError:
            raise ValueError(
                f"{day.isoformat()} is too close to the limits of the calendar "
                f"for a {frequency} pay period"
            ) from None
        return PeriodWindow(start, end, frequency)
    last = _last_day_of_month(day.year, day.month)
    if frequency == SEMIMONTHLY:
        if day.day <= 15:
            return PeriodWindow(day.replace(day=1), day.replace(day=15), frequency)
        return PeriodWindow(day.replace(day=16), day.replace(day=last), frequency)
    # MONTHLY
    return PeriodWindow(day.replace(day=1), day.replace(day=last), frequency)


def period_for_key(key: str, frequency: str) -> PeriodWindow:
    """Rebuild a window from its ``key``; ValueError if the key is not a window start."""
    _check_frequency(frequency)
    try:
        start = date.fromisoformat(key)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"invalid pay period key {key!r}") from exc
    window = period_for(start, frequency)
    if window.start != start:
        raise ValueError(f"{key!r} is not the start of a {frequency} pay period")
    return window


def next_period(window: PeriodWindow) -> PeriodWindow:
    try:
        return period_for(window.end + timedelta(days=1), window.frequency)
    except OverflowError:
        raise ValueError("no pay period after the end of the calendar") from None


def previous_period(window: PeriodWindow) -> PeriodWindow:
    try:
        return period_for(window.start - timedelta(days=1), window.frequency)
    except OverflowError:
        raise ValueError("no pay period before the start of the calendar") from None


def periods_between(start: date, end: date, frequency: str) -> list[PeriodWindow]:
    """All windows overlapping ``start`` .. ``end`` (inclusive), in order.

    The first window may begin before ``start`` and the last may end after
    ``end``: windows are never truncated.
    """
    _check_frequency(frequency)
    start, end = _as_date(start), _as_date(end)
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    windows = [period_for(start, frequency)]
    while windows[-1].end < end:
        windows.append(next_period(windows[-1]))
    return windows


def contains(window: PeriodWindow, day: date) -> bool:
    day = _as_date(day)
    return window.start <= day <= window.end


# --------------------------------------------------------------------------- #
# Period status
# --------------------------------------------------------------------------- #


class PeriodStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def parse(cls, value: PeriodStatus | str) -> PeriodStatus:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown pay period status {value!r}") from None


_ALLOWED_TRANSITIONS = {(PeriodStatus.OPEN, PeriodStatus.CLOSED)}


class PayPeriodError(RuleViolation):
    """Base class for pay period rule violations (HTTP 409 like every ``RuleViolation``);
    ``code`` says which rule."""

    status = 409
    code = "PAY_PERIOD_ERROR"


class PeriodClosedError(PayPeriodError):
    """The period is already closed (it cannot be closed again)."""

    code = "PERIOD_CLOSED"


class PeriodLockedError(PayPeriodError):
    """A sale dated in a closed period cannot be created or changed."""

    code = "PERIOD_LOCKED"


def can_transition(current: PeriodStatus | str, target: PeriodStatus | str) -> bool:
    """Only open -> closed is allowed (a closed period never reopens)."""
    return (PeriodStatus.parse(current), PeriodStatus.parse(target)) in _ALLOWED_TRANSITIONS


def ensure_can_close(status: PeriodStatus | str) -> None:
    if PeriodStatus.parse(status) is PeriodStatus.CLOSED:
        raise PeriodClosedError("pay period is already closed")


def ensure_open_for(day: date, window: PeriodWindow, status: PeriodStatus | str) -> None:
    """Raise PeriodLockedError if ``day`` falls in ``window`` and it is closed."""
    status = PeriodStatus.parse(status)
    if status is PeriodStatus.CLOSED and contains(window, day):
        raise PeriodLockedError(
            f"{_as_date(day).isoformat()} falls in the closed {window.frequency} pay period "
            f"{window.start.isoformat()}..{window.end.isoformat()}"
        )
