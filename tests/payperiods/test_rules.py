from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.payperiods.rules import (
    EPOCH,
    FREQUENCIES,
    PeriodClosedError,
    PeriodLockedError,
    PeriodStatus,
    PeriodWindow,
    can_transition,
    contains,
    ensure_can_close,
    ensure_open_for,
    next_period,
    period_for,
    period_for_key,
    periods_between,
    previous_period,
)

DATES = st.dates(min_value=date(1800, 1, 1), max_value=date(2300, 12, 31))


def W(start: str, end: str, frequency: str) -> PeriodWindow:
    return PeriodWindow(date.fromisoformat(start), date.fromisoformat(end), frequency)


# --------------------------------------------------------------------------- #
# period_for
# --------------------------------------------------------------------------- #


def test_epoch_is_a_monday():
    assert EPOCH == date(2024, 1, 1) and EPOCH.weekday() == 0


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2024-01-01", ("2024-01-01", "2024-01-07")),
        ("2024-01-07", ("2024-01-01", "2024-01-07")),
        ("2024-01-08", ("2024-01-08", "2024-01-14")),
        ("2023-12-31", ("2023-12-25", "2023-12-31")),  # day before the epoch
        ("2026-03-04", ("2026-03-02", "2026-03-08")),
        ("1999-12-31", ("1999-12-27", "2000-01-02")),  # crosses a year boundary
    ],
)
def test_weekly(day, expected):
    window = period_for(date.fromisoformat(day), "weekly")
    assert window == W(*expected, "weekly")
    assert window.start.weekday() == 0
    assert window.key == expected[0]
    assert window.days == 7


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2024-01-01", ("2024-01-01", "2024-01-14")),
        ("2024-01-14", ("2024-01-01", "2024-01-14")),
        ("2024-01-15", ("2024-01-15", "2024-01-28")),
        ("2023-12-31", ("2023-12-18", "2023-12-31")),
        ("2023-12-18", ("2023-12-18", "2023-12-31")),
        ("2023-12-17", ("2023-12-04", "2023-12-17")),
        ("2024-02-26", ("2024-02-26", "2024-03-10")),  # spans leap day
        ("2026-03-04", ("2026-02-23", "2026-03-08")),
    ],
)
def test_biweekly_counted_from_epoch_both_directions(day, expected):
    window = period_for(date.fromisoformat(day), "biweekly")
    assert window == W(*expected, "biweekly")
    assert (window.start - EPOCH).days % 14 == 0
    assert window.days == 14


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2026-03-01", ("2026-03-01", "2026-03-15")),
        ("2026-03-15", ("2026-03-01", "2026-03-15")),
        ("2026-03-16", ("2026-03-16", "2026-03-31")),
        ("2026-04-30", ("2026-04-16", "2026-04-30")),
        ("2024-02-29", ("2024-02-16", "2024-02-29")),  # leap year
        ("2023-02-28", ("2023-02-16", "2023-02-28")),
        ("1900-02-20", ("1900-02-16", "1900-02-28")),  # 1900 is not a leap year
        ("2000-02-20", ("2000-02-16", "2000-02-29")),  # 2000 is
        ("2025-12-31", ("2025-12-16", "2025-12-31")),
    ],
)
def test_semimonthly(day, expected):
    assert period_for(date.fromisoformat(day), "semimonthly") == W(*expected, "semimonthly")


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2026-01-31", ("2026-01-01", "2026-01-31")),
        ("2026-02-01", ("2026-02-01", "2026-02-28")),
        ("2024-02-29", ("2024-02-01", "2024-02-29")),
        ("2024-04-15", ("2024-04-01", "2024-04-30")),
        ("1850-12-31", ("1850-12-01", "1850-12-31")),
    ],
)
def test_monthly(day, expected):
    assert period_for(date.fromisoformat(day), "monthly") == W(*expected, "monthly")


def test_datetime_is_reduced_to_its_day():
    assert period_for(datetime(2026, 3, 8, 23, 59), "weekly").key == "2026-03-02"


@pytest.mark.parametrize("frequency", ["daily", "Weekly", "", None, "fortnightly"])
def test_unknown_frequency(frequency):
    with pytest.raises(ValueError):
        period_for(date(2026, 1, 1), frequency)
    with pytest.raises(ValueError):
        periods_between(date(2026, 1, 1), date(2026, 2, 1), frequency)


def test_calendar_limits_raise_value_error():
    with pytest.raises(ValueError):
        period_for(date.min, "biweekly")
    with pytest.raises(ValueError):
        period_for(date.max, "weekly")
    # date.min is a Monday: its weekly window is representable.
    assert period_for(date.min, "weekly").start == date.min
    assert period_for(date.max, "monthly").end == date.max


def test_key_roundtrip_and_neighbours():
    window = period_for(date(2026, 3, 4), "biweekly")
    assert period_for_key(window.key, "biweekly") == window
    assert next_period(window).start == window.end + timedelta(days=1)
    assert previous_period(window).end == window.start - timedelta(days=1)
    with pytest.raises(ValueError):
        period_for_key("2026-03-03", "biweekly")  # not a window start
    with pytest.raises(ValueError):
        period_for_key("not-a-date", "monthly")


def test_window_to_dict_and_membership():
    window = period_for(date(2026, 3, 20), "semimonthly")
    assert window.to_dict() == {
        "key": "2026-03-16",
        "start": "2026-03-16",
        "end": "2026-03-31",
        "frequency": "semimonthly",
    }
    assert date(2026, 3, 31) in window and date(2026, 4, 1) not in window
    assert "2026-03-20" not in window


# --------------------------------------------------------------------------- #
# Tiling properties
# --------------------------------------------------------------------------- #


@settings(max_examples=300, deadline=None)
@given(day=DATES, frequency=st.sampled_from(FREQUENCIES))
def test_every_day_maps_to_one_window_and_neighbours_touch(day, frequency):
    window = period_for(day, frequency)
    assert window.start <= day <= window.end
    assert contains(window, day)
    # Every day of the window maps back to the same window.
    assert period_for(window.start, frequency) == window
    assert period_for(window.end, frequency) == window
    # Consecutive windows touch, never overlap.
    after = period_for(window.end + timedelta(days=1), frequency)
    before = period_for(window.start - timedelta(days=1), frequency)
    assert after.start == window.end + timedelta(days=1)
    assert before.end == window.start - timedelta(days=1)
    assert after != window != before
    assert window.key == window.start.isoformat()


@settings(max_examples=100, deadline=None)
@given(
    a=DATES, span=st.integers(min_value=0, max_value=400), frequency=st.sampled_from(FREQUENCIES)
)
def test_periods_between_tiles_the_range(a, span, frequency):
    b = a + timedelta(days=span)
    windows = periods_between(a, b, frequency)
    assert windows[0] == period_for(a, frequency)
    assert windows[-1] == period_for(b, frequency)
    for left, right in zip(windows, windows[1:], strict=False):
        assert right.start == left.end + timedelta(days=1)
    # Every day in the range is covered by exactly one window.
    for offset in range(0, span + 1, max(1, span // 20)):
        day = a + timedelta(days=offset)
        assert sum(contains(w, day) for w in windows) == 1


def test_periods_between_examples():
    assert [
        w.key for w in periods_between(date(2024, 2, 10), date(2024, 3, 20), "semimonthly")
    ] == [
        "2024-02-01",
        "2024-02-16",
        "2024-03-01",
        "2024-03-16",
    ]
    assert periods_between(date(2026, 3, 2), date(2026, 3, 2), "weekly") == [
        W("2026-03-02", "2026-03-08", "weekly")
    ]
    with pytest.raises(ValueError):
        periods_between(date(2026, 3, 2), date(2026, 3, 1), "weekly")


# --------------------------------------------------------------------------- #
# Status
# --------------------------------------------------------------------------- #


def test_transitions_open_to_closed_only():
    assert can_transition("open", "closed")
    assert can_transition(PeriodStatus.OPEN, PeriodStatus.CLOSED)
    assert not can_transition("closed", "open")
    assert not can_transition("open", "open")
    assert not can_transition("closed", "closed")
    with pytest.raises(ValueError):
        can_transition("open", "archived")


def test_ensure_can_close():
    ensure_can_close("open")
    ensure_can_close(PeriodStatus.OPEN)
    with pytest.raises(PeriodClosedError) as info:
        ensure_can_close("closed")
    assert (info.value.code, info.value.status) == ("PERIOD_CLOSED", 409)
    with pytest.raises(ValueError):
        ensure_can_close("bogus")


def test_ensure_open_for():
    window = period_for(date(2026, 3, 4), "weekly")  # 2026-03-02 .. 2026-03-08
    ensure_open_for(date(2026, 3, 4), window, "open")
    ensure_open_for(date(2026, 3, 9), window, "closed")  # other period: not this lock
    ensure_open_for(date(2026, 3, 1), window, PeriodStatus.CLOSED)
    for day in (date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 8)):
        with pytest.raises(PeriodLockedError) as info:
            ensure_open_for(day, window, "closed")
        assert (info.value.code, info.value.status) == ("PERIOD_LOCKED", 409)
