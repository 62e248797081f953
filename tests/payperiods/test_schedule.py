"""payperiods.rules.schedule: windows across changes of the pay-period frequency."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.payperiods.rules import (
    FREQUENCIES,
    Schedule,
    ScheduleError,
    Segment,
    period_for,
    settings_after_change,
)

D = date.fromisoformat


def test_single_frequency_is_period_for():
    schedule = Schedule.single("biweekly")
    for day in (D("2019-06-12"), D("2024-01-01"), D("2026-03-04")):
        assert schedule.window_for(day) == period_for(day, "biweekly")
    assert Schedule.from_settings({}) == Schedule.single("biweekly")
    assert Schedule.from_settings({"pay_period_frequency": "weekly"}) == Schedule.single("weekly")


def test_change_takes_effect_after_the_current_period():
    schedule = Schedule.single("biweekly")
    today = D("2026-03-04")  # biweekly window 2026-02-23..2026-03-08
    changed = schedule.change("monthly", today)
    assert changed.to_list() == [
        {"from": None, "frequency": "biweekly"},
        {"from": "2026-03-09", "frequency": "monthly"},
    ]
    # every window up to the current one keeps its dates
    for day in (D("2026-02-23"), today, D("2026-03-08"), D("2020-01-01")):
        assert changed.window_for(day) == schedule.window_for(day)
    first = changed.window_for(D("2026-03-20"))
    assert (first.start, first.end, first.frequency) == (
        D("2026-03-09"),
        D("2026-03-31"),
        "monthly",
    )
    assert changed.next_window(first).key == "2026-04-01"
    assert changed.previous_window(first) == period_for(today, "biweekly")
    assert [w.key for w in changed.windows_between(D("2026-02-25"), D("2026-04-02"))] == [
        "2026-02-23",
        "2026-03-09",
        "2026-04-01",
    ]


def test_changing_again_before_it_applies_replaces_or_cancels():
    today = D("2026-03-04")
    monthly = Schedule.single("biweekly").change("monthly", today)
    weekly = monthly.change("weekly", today)
    assert weekly.to_list()[-1] == {"from": "2026-03-09", "frequency": "weekly"}
    assert len(weekly.segments) == 2
    assert monthly.change("biweekly", today) == Schedule.single("biweekly")
    assert monthly.change("monthly", today) == monthly
    # after it applied, a further change starts after the (clipped) current period
    later = monthly.change("semimonthly", D("2026-03-20"))
    assert later.to_list()[-1] == {"from": "2026-04-01", "frequency": "semimonthly"}
    assert later.window_for(D("2026-03-20")).key == "2026-03-09"


def test_settings_after_change():
    stored = {"pay_period_frequency": "biweekly"}
    new = settings_after_change(
        stored, {"pay_period_frequency": "monthly", "x": 1}, D("2026-03-04")
    )
    assert new["pay_period_schedule"][-1] == {"from": "2026-03-09", "frequency": "monthly"}
    assert new["x"] == 1
    unchanged = settings_after_change(stored, {"pay_period_frequency": "biweekly"}, D("2026-03-04"))
    assert "pay_period_schedule" not in unchanged
    back = settings_after_change(new, {**new, "pay_period_frequency": "biweekly"}, D("2026-03-05"))
    assert "pay_period_schedule" not in back
    kept = settings_after_change(new, dict(new), D("2026-04-15"))
    assert kept["pay_period_schedule"] == new["pay_period_schedule"]


def test_invalid_schedules():
    with pytest.raises(ScheduleError):
        Schedule(())
    with pytest.raises(ScheduleError):
        Schedule((Segment(D("2026-01-01"), "weekly"),))
    with pytest.raises(ScheduleError):
        Schedule(
            (
                Segment(None, "weekly"),
                Segment(D("2026-02-01"), "monthly"),
                Segment(D("2026-01-01"), "weekly"),
            )
        )
    with pytest.raises(ScheduleError):
        Schedule((Segment(None, "daily"),))
    with pytest.raises(ScheduleError):
        Schedule.single("weekly").change("daily", D("2026-01-01"))


DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    first=st.sampled_from(FREQUENCIES),
    changes=st.lists(st.tuples(st.integers(0, 400), st.sampled_from(FREQUENCIES)), max_size=4),
    probe=DATES,
)
def test_windows_tile_the_calendar_and_never_move(first, changes, probe):
    """Any sequence of changes: windows tile the calendar (no gap, no overlap), each holds
    its day, and no window on or before the day of a change moves."""
    schedule = Schedule.single(first)
    today = date(2020, 1, 1)
    for step, frequency in changes:
        today += timedelta(days=step)
        before = schedule
        current = before.window_for(today)
        schedule = schedule.change(frequency, today)
        for day in (current.start, today, current.end, current.start - timedelta(days=40)):
            assert schedule.window_for(day) == before.window_for(day)
    window = schedule.window_for(probe)
    assert window.start <= probe <= window.end
    assert schedule.next_window(window).start == window.end + timedelta(days=1)
    assert schedule.previous_window(window).end == window.start - timedelta(days=1)
    assert schedule.window_for(window.start) == window == schedule.window_for(window.end)
    assert window.days <= 31
