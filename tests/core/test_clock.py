"""The clock seam: a business's calendar day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.core import clock


def test_today_is_the_tenants_calendar_day():
    late_evening_in_tampa = datetime(2026, 3, 15, 3, 0, tzinfo=UTC)
    assert clock.today_in("America/New_York", late_evening_in_tampa) == date(2026, 3, 14)
    assert clock.today_in("Asia/Tokyo", late_evening_in_tampa) == date(2026, 3, 15)
    assert clock.today_in("Nowhere/Special", late_evening_in_tampa) == date(2026, 3, 15)
    assert clock.today_in(None, late_evening_in_tampa) == date(2026, 3, 15)
