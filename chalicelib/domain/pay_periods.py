"""Pay periods, per-technician payroll totals and period status rules.

Pure domain code: standard library only, no I/O, no floats for money.

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
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

__all__ = [
    "EPOCH",
    "FREQUENCIES",
    "sum_totals",
    "WEEKLY",
    "BIWEEKLY",
    "SEMIMONTHLY",
    "MONTHLY",
    "PAY_TYPES",
    "PeriodWindow",
    "period_for",
    "period_for_key",
    "next_period",
    "previous_period",
    "periods_between",
    "contains",
    "TechnicianTotals",
    "compute_totals",
    "hourly_base_pay_cents",
    "div_round_half_even",
    "as_cents",
    "PeriodStatus",
    "PayPeriodError",
    "PeriodClosedError",
    "PeriodLockedError",
    "can_transition",
    "ensure_can_close",
    "ensure_open_for",
]

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
            f"unknown pay period frequency {frequency!r}; "
            f"expected one of {', '.join(FREQUENCIES)}"
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
# Money helpers (integer only)
# --------------------------------------------------------------------------- #


def as_cents(value: Any, name: str = "value") -> int:
    """Exact integer from an int or an integral Decimal (as DynamoDB returns).

    bool, float, str and non-integral Decimals are refused so money stays exact.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got bool")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")


def _require_int(name: str, value: Any) -> int:
    return as_cents(value, name)


def div_round_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-to-even, integer math only."""
    _require_int("numerator", numerator)
    _require_int("denominator", denominator)
    if denominator == 0:
        raise ZeroDivisionError("denominator must not be zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    q, r = divmod(numerator, denominator)  # floor division: 0 <= r < denominator
    twice = 2 * r
    if twice > denominator or (twice == denominator and q % 2 == 1):
        q += 1
    return q


def hourly_base_pay_cents(hourly_rate_cents: int, minutes_worked: int) -> int:
    """rate (cents/hour) x minutes / 60, rounded half-to-even to a cent, once."""
    _require_int("hourly_rate_cents", hourly_rate_cents)
    _require_int("minutes_worked", minutes_worked)
    return div_round_half_even(hourly_rate_cents * minutes_worked, 60)


# --------------------------------------------------------------------------- #
# Per-technician totals
# --------------------------------------------------------------------------- #

PAY_TYPES: tuple[str, ...] = ("hourly", "salary", "commission")


@dataclass(frozen=True)
class TechnicianTotals:
    technician_id: int
    technician_name: str
    pay_type: str
    sales_count: int
    sales_cents: int
    commission_cents: int
    adjustments_cents: int
    hours_minutes: int
    hourly_rate_cents: int
    base_pay_cents: int
    total_pay_cents: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TechnicianTotals":
        """Inverse of :meth:`to_dict` (missing numeric fields default to 0)."""
        ints = {
            name: as_cents(data.get(name) or 0, name)
            for name in (
                "sales_count",
                "sales_cents",
                "commission_cents",
                "adjustments_cents",
                "hours_minutes",
                "hourly_rate_cents",
                "base_pay_cents",
            )
        }
        total = data.get("total_pay_cents")
        if total is None:
            total = ints["base_pay_cents"] + ints["commission_cents"] + ints["adjustments_cents"]
        return cls(
            technician_id=_coerce_id(data.get("technician_id")),
            technician_name=str(data.get("technician_name") or ""),
            pay_type=str(data.get("pay_type") or ""),
            total_pay_cents=as_cents(total, "total_pay_cents"),
            **ints,
        )


_MISSING = object()


def _coerce_id(value: Any) -> Any:
    # Decimal ids (DynamoDB) become ints; anything else is kept as given.
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def _lookup(info: Any, *names: str, default: Any = _MISSING) -> Any:
    """First present, non-None attribute/key among ``names`` of a dict or object."""
    for name in names:
        if isinstance(info, Mapping):
            value = info.get(name)
        else:
            value = getattr(info, name, None)
        if value is not None:
            return value
    if default is _MISSING:
        raise ValueError(f"technician info is missing {names[0]!r}")
    return default


def _sale_pair(sale: Any) -> tuple[int, int]:
    if isinstance(sale, Mapping):
        price = sale.get("sale_price_cents")
        commission = sale.get("commission_cents")
    else:
        price, commission = sale
    return (
        _require_int("sale_price_cents", price),
        _require_int("commission_cents", commission),
    )


def compute_totals(
    technician: Any,
    approved_sales: Iterable[Any],
    adjustments_cents: Iterable[int],
    minutes_worked: int,
) -> TechnicianTotals:
    """Pay for one technician over one period.

    ``technician`` is a mapping (or object) with ``technician_id`` (or ``id``),
    ``technician_name`` (or ``name`` / ``display_name``), ``pay_type`` and,
    depending on the pay type, ``hourly_rate_cents`` (hourly) or
    ``salary_cents`` / ``base_pay_cents`` (salary: amount per period, as given).

    ``approved_sales`` are ``(sale_price_cents, commission_cents)`` pairs (or
    mappings with those keys); ``adjustments_cents`` are signed amounts
    (clawbacks are negative).

    base = hourly: rate x minutes / 60 rounded half-even once; salary: as
    given; commission: 0.  total = base + commission + adjustments.
    """
    technician_id = _coerce_id(_lookup(technician, "technician_id", "id"))
    name = _lookup(technician, "technician_name", "name", "display_name", default="")
    pay_type = _lookup(technician, "pay_type")
    if pay_type not in PAY_TYPES:
        raise ValueError(f"unknown pay_type {pay_type!r}; expected one of {', '.join(PAY_TYPES)}")

    minutes = _require_int("minutes_worked", minutes_worked)
    if minutes < 0:
        raise ValueError("minutes_worked must not be negative")

    sales_count = sales_cents = commission_cents = 0
    for sale in approved_sales:
        price, commission = _sale_pair(sale)
        sales_count += 1
        sales_cents += price
        commission_cents += commission

    adjustments_total = 0
    for amount in adjustments_cents:
        adjustments_total += _require_int("adjustment amount_cents", amount)

    hourly_rate = 0
    if pay_type == "hourly":
        hourly_rate = _require_int(
            "hourly_rate_cents", _lookup(technician, "hourly_rate_cents")
        )
        if hourly_rate < 0:
            raise ValueError("hourly_rate_cents must not be negative")
        base = hourly_base_pay_cents(hourly_rate, minutes)
    elif pay_type == "salary":
        base = _require_int(
            "salary_cents",
            _lookup(technician, "salary_cents", "base_pay_cents", "salary_cents_per_period"),
        )
        if base < 0:
            raise ValueError("salary_cents must not be negative")
    else:
        base = 0

    return TechnicianTotals(
        technician_id=technician_id,
        technician_name=str(name),
        pay_type=pay_type,
        sales_count=sales_count,
        sales_cents=sales_cents,
        commission_cents=commission_cents,
        adjustments_cents=adjustments_total,
        hours_minutes=minutes,
        hourly_rate_cents=hourly_rate,
        base_pay_cents=base,
        total_pay_cents=base + commission_cents + adjustments_total,
    )


# --------------------------------------------------------------------------- #
# Period status
# --------------------------------------------------------------------------- #


class PeriodStatus(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def parse(cls, value: "PeriodStatus | str") -> "PeriodStatus":
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown pay period status {value!r}") from None


_ALLOWED_TRANSITIONS = {(PeriodStatus.OPEN, PeriodStatus.CLOSED)}


class PayPeriodError(Exception):
    """Base class for pay period rule violations.

    ``code``/``status`` follow the API error envelope convention so the HTTP
    layer can map these without knowing each subclass (both are conflicts).
    """

    status = 409
    code = "PAY_PERIOD_ERROR"


class PeriodClosedError(PayPeriodError):
    """The period is already closed (it cannot be closed again)."""

    code = "PERIOD_CLOSED"


class PeriodLockedError(PayPeriodError):
    """A sale dated in a closed period cannot be created or changed."""

    code = "PERIOD_LOCKED"


def can_transition(current: "PeriodStatus | str", target: "PeriodStatus | str") -> bool:
    """Only open -> closed is allowed (a closed period never reopens)."""
    return (PeriodStatus.parse(current), PeriodStatus.parse(target)) in _ALLOWED_TRANSITIONS


def ensure_can_close(status: "PeriodStatus | str") -> None:
    if PeriodStatus.parse(status) is PeriodStatus.CLOSED:
        raise PeriodClosedError("pay period is already closed")


def ensure_open_for(day: date, window: PeriodWindow, status: "PeriodStatus | str") -> None:
    """Raise PeriodLockedError if ``day`` falls in ``window`` and it is closed."""
    status = PeriodStatus.parse(status)
    if status is PeriodStatus.CLOSED and contains(window, day):
        raise PeriodLockedError(
            f"{_as_date(day).isoformat()} falls in the closed {window.frequency} pay period "
            f"{window.start.isoformat()}..{window.end.isoformat()}"
        )


SUMMED_FIELDS = ("hours_minutes", "sales_count", "sales_cents", "base_pay_cents",
                 "commission_cents", "adjustments_cents", "total_pay_cents")


def sum_totals(totals: Iterable[TechnicianTotals]) -> dict[str, int]:
    """Column sums of a period's per-technician totals (the TOTAL row of every export)."""
    sums = dict.fromkeys(SUMMED_FIELDS, 0)
    for item in totals:
        for name in SUMMED_FIELDS:
            sums[name] += getattr(item, name)
    return sums
