from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.pay_periods import (
    EPOCH,
    FREQUENCIES,
    PeriodClosedError,
    PeriodLockedError,
    PeriodStatus,
    PeriodWindow,
    TechnicianTotals,
    can_transition,
    compute_totals,
    contains,
    div_round_half_even,
    ensure_can_close,
    ensure_open_for,
    hourly_base_pay_cents,
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
@given(a=DATES, span=st.integers(min_value=0, max_value=400), frequency=st.sampled_from(FREQUENCIES))
def test_periods_between_tiles_the_range(a, span, frequency):
    b = a + timedelta(days=span)
    windows = periods_between(a, b, frequency)
    assert windows[0] == period_for(a, frequency)
    assert windows[-1] == period_for(b, frequency)
    for left, right in zip(windows, windows[1:]):
        assert right.start == left.end + timedelta(days=1)
    # Every day in the range is covered by exactly one window.
    for offset in range(0, span + 1, max(1, span // 20)):
        day = a + timedelta(days=offset)
        assert sum(contains(w, day) for w in windows) == 1


def test_periods_between_examples():
    assert [w.key for w in periods_between(date(2024, 2, 10), date(2024, 3, 20), "semimonthly")] == [
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
# Money math
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "n, d, expected",
    [
        (5, 2, 2),  # 2.5 -> 2
        (7, 2, 4),  # 3.5 -> 4
        (-5, 2, -2),
        (-7, 2, -4),
        (11, 4, 3),  # 2.75
        (9, 4, 2),  # 2.25
        (0, 60, 0),
        (30, 60, 0),  # 0.5 -> 0
        (90, 60, 2),  # 1.5 -> 2
        (5, -2, -2),
    ],
)
def test_div_round_half_even(n, d, expected):
    assert div_round_half_even(n, d) == expected


@settings(max_examples=200, deadline=None)
@given(n=st.integers(-10**12, 10**12), d=st.integers(1, 10**6))
def test_div_round_half_even_matches_decimal(n, d):
    from decimal import ROUND_HALF_EVEN, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        expected = (Decimal(n) / Decimal(d)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert div_round_half_even(n, d) == int(expected)


@pytest.mark.parametrize(
    "rate, minutes, expected",
    [
        (2550, 60, 2550),
        (2550, 90, 3825),
        (2001, 30, 1000),  # 1000.5 -> 1000 (even)
        (2003, 30, 1002),  # 1001.5 -> 1002 (even)
        (1999, 1, 33),  # 33.316 -> 33
        (2000, 1, 33),  # 33.33 -> 33
        (2010, 1, 34),  # 33.5 -> 34 (even)
        (2070, 1, 34),  # 34.5 -> 34 (even)
        (3333, 4800, 266640),  # 80 h
        (0, 500, 0),
        (2500, 0, 0),
    ],
)
def test_hourly_base_pay_half_even(rate, minutes, expected):
    assert hourly_base_pay_cents(rate, minutes) == expected


def test_hourly_base_pay_rejects_floats():
    with pytest.raises(TypeError):
        hourly_base_pay_cents(25.5, 60)
    with pytest.raises(TypeError):
        hourly_base_pay_cents(2550, True)


# --------------------------------------------------------------------------- #
# compute_totals
# --------------------------------------------------------------------------- #


def test_hourly_totals():
    tech = {"technician_id": 7, "technician_name": "Ann Lee", "pay_type": "hourly", "hourly_rate_cents": 2001}
    totals = compute_totals(tech, [(125000, 12500), (9999, 1000), (1, 0)], [-2500, -1], 30)
    assert totals == TechnicianTotals(
        technician_id=7,
        technician_name="Ann Lee",
        pay_type="hourly",
        sales_count=3,
        sales_cents=135000,
        commission_cents=13500,
        adjustments_cents=-2501,
        hours_minutes=30,
        hourly_rate_cents=2001,
        base_pay_cents=1000,  # 1000.5 rounded half-even ONCE
        total_pay_cents=1000 + 13500 - 2501,
    )


def test_base_pay_rounded_once_not_per_sale_or_per_hour():
    # 119 minutes at $20.03/h = 238357/60 = 3972.62 -> 3973. Rounding a
    # per-minute rate first (33 cents) would give 33 * 119 = 3927.
    tech = {"id": 1, "name": "B", "pay_type": "hourly", "hourly_rate_cents": 2003}
    totals = compute_totals(tech, [], [], 119)
    assert totals.base_pay_cents == 3973
    assert div_round_half_even(2003, 60) * 119 == 3927


def test_salary_totals_use_salary_as_given():
    tech = {"id": 3, "name": "Sal", "pay_type": "salary", "salary_cents": 250000, "hourly_rate_cents": 9999}
    totals = compute_totals(tech, [{"sale_price_cents": 50000, "commission_cents": 2500}], [1000], 4800)
    assert totals.base_pay_cents == 250000
    assert totals.hourly_rate_cents == 0
    assert totals.hours_minutes == 4800
    assert totals.total_pay_cents == 250000 + 2500 + 1000


def test_commission_only_totals():
    tech = {"id": 4, "display_name": "Com", "pay_type": "commission"}
    totals = compute_totals(tech, iter([(10000, 1000)] * 3), iter([-1000]), 0)
    assert (totals.base_pay_cents, totals.commission_cents, totals.total_pay_cents) == (0, 3000, 2000)
    assert totals.technician_name == "Com"


def test_totals_accept_objects_and_integral_decimals():
    class Tech:
        technician_id = Decimal("9")
        technician_name = "Obj"
        pay_type = "hourly"
        hourly_rate_cents = Decimal("3000")

    totals = compute_totals(Tech(), [(Decimal("100"), Decimal("10"))], [Decimal("-5")], 120)
    assert totals.technician_id == 9
    assert totals.base_pay_cents == 6000
    assert totals.total_pay_cents == 6005


@pytest.mark.parametrize(
    "tech, sales, adjustments, minutes, exc",
    [
        ({"id": 1, "pay_type": "piecework"}, [], [], 0, ValueError),
        ({"id": 1, "pay_type": "hourly"}, [], [], 60, ValueError),  # no rate
        ({"id": 1, "pay_type": "salary"}, [], [], 60, ValueError),  # no salary
        ({"id": 1, "pay_type": "commission"}, [(10.5, 1)], [], 0, TypeError),
        ({"id": 1, "pay_type": "commission"}, [], [0.5], 0, TypeError),
        ({"id": 1, "pay_type": "commission"}, [], [Decimal("0.5")], 0, TypeError),
        ({"id": 1, "pay_type": "commission"}, [], [], -1, ValueError),
        ({"id": 1, "pay_type": "hourly", "hourly_rate_cents": -1}, [], [], 1, ValueError),
        ({"pay_type": "commission"}, [], [], 0, ValueError),  # no id
    ],
)
def test_compute_totals_validation(tech, sales, adjustments, minutes, exc):
    with pytest.raises(exc):
        compute_totals(tech, sales, adjustments, minutes)


def test_totals_to_dict_roundtrip():
    tech = {"id": 7, "name": "Ann", "pay_type": "hourly", "hourly_rate_cents": 2550}
    totals = compute_totals(tech, [(100, 10)], [-3], 90)
    data = totals.to_dict()
    assert data["total_pay_cents"] == 3825 + 10 - 3
    assert set(data) == {
        "technician_id", "technician_name", "pay_type", "sales_count", "sales_cents",
        "commission_cents", "adjustments_cents", "hours_minutes", "hourly_rate_cents",
        "base_pay_cents", "total_pay_cents",
    }
    assert TechnicianTotals.from_dict(data) == totals


@settings(max_examples=200, deadline=None)
@given(
    rate=st.integers(0, 100_000),
    minutes=st.integers(0, 200 * 60),
    sales=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**8)), max_size=20),
    adjustments=st.lists(st.integers(-10**6, 10**6), max_size=5),
)
def test_totals_identity(rate, minutes, sales, adjustments):
    tech = {"id": 1, "name": "P", "pay_type": "hourly", "hourly_rate_cents": rate}
    t = compute_totals(tech, sales, adjustments, minutes)
    assert t.total_pay_cents == t.base_pay_cents + t.commission_cents + t.adjustments_cents
    assert t.commission_cents == sum(c for _, c in sales)
    assert t.sales_cents == sum(p for p, _ in sales)
    assert t.adjustments_cents == sum(adjustments)
    # |base - exact| <= 1/2 cent
    assert abs(t.base_pay_cents * 60 - rate * minutes) * 2 <= 60


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


def test_sum_totals_adds_every_money_column():
    from chalicelib.domain.pay_periods import TechnicianTotals, sum_totals

    rows = [TechnicianTotals(1, "A", "hourly", 2, 1000, 75, -10, 90, 2500, 3750, 3815),
            TechnicianTotals(2, "B", "salary", 1, 500, 50, 0, 0, 0, 180000, 180050)]
    assert sum_totals(rows) == {"hours_minutes": 90, "sales_count": 3, "sales_cents": 1500,
                                "base_pay_cents": 183750, "commission_cents": 125,
                                "adjustments_cents": -10, "total_pay_cents": 183865}
    assert sum_totals([])["total_pay_cents"] == 0
