"""A tenant's pay-period schedule: which window of which frequency holds a day, across
changes of the pay-period frequency. Pure: standard library and ``payperiods.rules.windows``.

A schedule is a list of segments ``[{"from": None, "frequency": "biweekly"},
{"from": "2026-04-06", "frequency": "monthly"}, ...]``: each frequency applies from its
``from`` day (the first segment from the beginning of time) until the next segment starts.
Inside a segment the windows are ``payperiods.rules.windows.period_for``'s, clipped to the
segment: the first window of a new frequency starts on the segment's first day.

Rule for a frequency change (``Schedule.change``): it takes effect the day after the
current pay period ends. Every window up to and including the current one keeps its
dates, so no period that exists (open or closed, with its sales, id and frozen totals)
ever changes, and a closed period is never overlapped: sales cannot be dated in the
future, so nothing is recorded yet on or after the new segment's first day. Changing the
frequency again before that day replaces the pending change; changing it back cancels it.

Example: biweekly, today 2026-03-04 in the window 2026-02-23..2026-03-08, switch to
monthly: windows 2026-03-09..2026-03-31 (clipped), then 2026-04-01..2026-04-30, ...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib.payperiods.rules.windows import FREQUENCIES, PeriodWindow, period_for

DEFAULT_FREQUENCY = "biweekly"
SETTINGS_KEY = "pay_period_schedule"


class ScheduleError(ValueError):
    """A stored schedule or a requested change that cannot be valid."""


@dataclass(frozen=True)
class Segment:
    start: date | None  # None: from the beginning of time
    frequency: str

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat() if self.start else None, "frequency": self.frequency}


@dataclass(frozen=True)
class Schedule:
    segments: tuple[Segment, ...]

    def __post_init__(self) -> None:
        if not self.segments or self.segments[0].start is not None:
            raise ScheduleError("a schedule starts with a segment from the beginning of time")
        previous: date | None = None
        for seg in self.segments:
            if seg.frequency not in FREQUENCIES:
                raise ScheduleError(f"unknown pay period frequency {seg.frequency!r}")
            if seg is not self.segments[0]:
                if seg.start is None or (previous is not None and seg.start <= previous):
                    raise ScheduleError("segments must start on strictly increasing days")
                previous = seg.start

    # --- construction -----------------------------------------------------------------
    @classmethod
    def single(cls, frequency: str = DEFAULT_FREQUENCY) -> Schedule:
        return cls((Segment(None, frequency),))

    @classmethod
    def from_list(cls, raw: Any, default_frequency: str = DEFAULT_FREQUENCY) -> Schedule:
        if not raw:
            return cls.single(default_frequency)
        segments = []
        for entry in raw:
            start = entry.get("from")
            segments.append(
                Segment(date.fromisoformat(start) if start else None, entry.get("frequency"))
            )
        return cls(tuple(segments))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Schedule:
        """The schedule stored in tenant settings; a tenant that never changed its
        frequency has none stored: one segment of ``pay_period_frequency``."""
        settings = settings or {}
        frequency = settings.get("pay_period_frequency") or DEFAULT_FREQUENCY
        return cls.from_list(settings.get(SETTINGS_KEY), frequency)

    def to_list(self) -> list[dict[str, Any]]:
        return [seg.to_dict() for seg in self.segments]

    # --- lookups ---------------------------------------------------------------------
    def _index(self, day: date) -> int:
        index = 0
        for i, seg in enumerate(self.segments):
            if seg.start is None or seg.start <= day:
                index = i
        return index

    def frequency_on(self, day: date) -> str:
        return self.segments[self._index(day)].frequency

    def window_for(self, day: date) -> PeriodWindow:
        """The pay period holding ``day``."""
        i = self._index(day)
        seg = self.segments[i]
        window = period_for(day, seg.frequency)
        start, end = window.start, window.end
        if seg.start is not None and start < seg.start:
            start = seg.start
        if i + 1 < len(self.segments):
            last = self.segments[i + 1].start - timedelta(days=1)  # type: ignore[operator]
            end = min(end, last)
        return PeriodWindow(start, end, seg.frequency)

    def next_window(self, window: PeriodWindow) -> PeriodWindow:
        return self.window_for(window.end + timedelta(days=1))

    def previous_window(self, window: PeriodWindow) -> PeriodWindow:
        return self.window_for(window.start - timedelta(days=1))

    def windows_between(self, first: date, last: date) -> Iterator[PeriodWindow]:
        """Every window overlapping ``first``..``last``, in order."""
        if last < first:
            raise ValueError("last must not be before first")
        window = self.window_for(first)
        while True:
            yield window
            if window.end >= last:
                return
            window = self.next_window(window)

    # --- changes ---------------------------------------------------------------------
    def change(self, frequency: str, today: date) -> Schedule:
        """The schedule after switching to ``frequency`` (see the module docstring)."""
        if frequency not in FREQUENCIES:
            raise ScheduleError(f"unknown pay period frequency {frequency!r}")
        effective = self.window_for(today).end + timedelta(days=1)
        kept = tuple(s for s in self.segments if s.start is None or s.start < effective)
        if kept[-1].frequency == frequency:
            return Schedule(kept)
        return Schedule(kept + (Segment(effective, frequency),))


def settings_after_change(
    old: Mapping[str, Any], new: dict[str, Any], today: date
) -> dict[str, Any]:
    """Tenant settings about to be stored (``new``), with ``pay_period_schedule`` updated
    when ``pay_period_frequency`` changed from ``old``. ``today`` is the tenant's date."""
    wanted = new.get("pay_period_frequency") or DEFAULT_FREQUENCY
    after = Schedule.from_settings(old).change(wanted, today)
    result = dict(new)
    if len(after.segments) == 1:
        result.pop(SETTINGS_KEY, None)  # no change of frequency has ever taken effect
    else:
        result[SETTINGS_KEY] = after.to_list()
    return result
