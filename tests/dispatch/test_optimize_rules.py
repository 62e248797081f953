"""chalicelib.dispatch.rules.route_day: a technician's day as the optimiser sees it (where
each job is, its window and time on site, the start point, the departure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib.dispatch.rules import geo, route_day
from chalicelib.dispatch.rules.route_day import DayJob, Stop

DAY = date(2026, 3, 28)
TAMPA = (27.9506, -82.4572)


def _at(hh_mm: str) -> datetime:
    return datetime.fromisoformat(f"2026-03-28T{hh_mm}:00+00:00")


def test_a_jobs_place_is_its_coordinates_else_its_zip_else_none():
    assert route_day.point_of(DayJob(1, 27.5, -82.1, "33601")) == (27.5, -82.1)
    assert route_day.point_of(DayJob(1, None, None, "33601")) == geo.zip_centroid("33601")
    assert route_day.point_of(DayJob(1, 27.5, None, "33601")) == geo.zip_centroid("33601")
    assert route_day.point_of(DayJob(1, None, None, "00000")) is None
    assert route_day.point_of(DayJob(1)) is None
    assert route_day.stop_of(DayJob(1)) is None


def test_windows_and_time_on_site():
    both = DayJob(
        1, *TAMPA, scheduled_start="2026-03-28T09:00:00Z", scheduled_end="2026-03-28T11:00:00Z"
    )
    assert route_day.window_of(both) == (_at("09:00"), _at("11:00"))
    start_only = DayJob(1, *TAMPA, scheduled_start="2026-03-28T09:00:00Z")
    assert route_day.window_of(start_only) == (_at("09:00"), _at("09:00"))  # be there then
    end_only = DayJob(1, *TAMPA, scheduled_end="2026-03-28T11:00:00Z")
    assert route_day.window_of(end_only) == (None, _at("11:00"))
    assert route_day.window_of(DayJob(1, *TAMPA)) == (None, None)
    stop = route_day.stop_of(DayJob(7, *TAMPA, estimated_minutes=45))
    assert stop == Stop(7, TAMPA[0], TAMPA[1], None, None, 45.0)
    assert route_day.stop_of(DayJob(7, *TAMPA)).service_minutes == route_day.DEFAULT_SERVICE_MINUTES


def test_the_start_is_home_else_gps_else_the_first_stop():
    stops = [Stop(1, 27.0, -82.0), Stop(2, 28.0, -82.0)]
    home, fix = (27.5, -82.5), (27.7, -82.7)
    assert route_day.start_of(home, fix, stops) == (home, "home")
    assert route_day.start_of(None, fix, stops) == (fix, "gps")
    assert route_day.start_of(None, None, stops) == ((27.0, -82.0), "first_stop")
    assert route_day.start_of(None, None, []) == (None, None)


def test_departure_is_the_workday_start_or_earlier_for_the_first_appointment():
    # 08:00 in New York on 2026-03-28 (EDT) is 12:00 UTC
    assert route_day.departure(DAY, "America/New_York", TAMPA, []) == _at("12:00")
    assert route_day.departure(DAY, None, TAMPA, []) == _at("08:00")  # no zone: UTC
    assert route_day.departure(DAY, "Not/AZone", TAMPA, []) == _at("08:00")
    far = (TAMPA[0] + 0.4, TAMPA[1])
    drive = geo.distance_km(TAMPA, far) / route_day.DEFAULT_SPEED_KMH * 60
    early = Stop(1, *far, window_start=_at("09:00"), window_end=_at("10:00"))
    leave = route_day.departure(DAY, "America/New_York", TAMPA, [early])
    assert abs((_at("09:00") - timedelta(minutes=drive) - leave).total_seconds()) < 1e-6
    deadline = Stop(2, *TAMPA, window_end=_at("07:00"))
    assert route_day.departure(DAY, "UTC", TAMPA, [early, deadline]) == _at("07:00")


def test_plan_day_skips_jobs_without_a_place_and_orders_the_rest():
    jobs = [
        DayJob(1, TAMPA[0] + 0.15, TAMPA[1]),
        DayJob(2),  # nowhere
        DayJob(3, TAMPA[0] + 0.05, TAMPA[1]),
        DayJob(4, TAMPA[0] + 0.10, TAMPA[1]),
    ]
    plan = route_day.plan_day(DAY, "UTC", jobs, last_fix=TAMPA)
    assert plan.skipped == [2] and plan.start_source == "gps"
    assert plan.result.order == [3, 4, 1] and plan.result.given_order == [1, 3, 4]
    assert plan.result.distance_after_km < plan.result.distance_before_km
    assert plan.departure == _at("08:00")
    assert plan.result.arrivals[0] == _at("08:00") + timedelta(
        minutes=geo.distance_km(TAMPA, (TAMPA[0] + 0.05, TAMPA[1])) / 40 * 60
    )
    nothing = route_day.plan_day(DAY, "UTC", [DayJob(9)])
    assert nothing.result is None and nothing.skipped == [9] and nothing.start is None


def test_plan_day_honours_the_windows():
    near = DayJob(
        1, *TAMPA, scheduled_start="2026-03-28T13:00:00Z", scheduled_end="2026-03-28T14:00:00Z"
    )
    far = DayJob(
        2,
        TAMPA[0] + 0.2,
        TAMPA[1],
        scheduled_start="2026-03-28T09:00:00Z",
        scheduled_end="2026-03-28T09:30:00Z",
    )
    plan = route_day.plan_day(DAY, "UTC", [near, far], home=TAMPA)
    assert plan.result.order == [2, 1] and plan.result.feasible
    assert plan.result.arrivals[0] <= _at("09:30")
    assert plan.departure == _at("08:00")  # early enough for 09:00, 22 km away
    assert all(a.tzinfo is UTC or a.utcoffset() == timedelta(0) for a in plan.result.arrivals)
