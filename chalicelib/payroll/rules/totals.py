"""Per-technician pay totals over one period: base pay (hourly, salary, commission-only),
commission, adjustments. Pure: integer cents only, no floats."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from chalicelib.core.money import as_cents, round_half_even

PAY_TYPES: tuple[str, ...] = ("hourly", "salary", "commission")


def hourly_base_pay_cents(hourly_rate_cents: int, minutes_worked: int) -> int:
    """rate (cents/hour) x minutes / 60, rounded half-to-even to a cent, once."""
    rate = as_cents(hourly_rate_cents, "hourly_rate_cents")
    minutes = as_cents(minutes_worked, "minutes_worked")
    return round_half_even(rate * minutes, 60)


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
    def from_dict(cls, data: Mapping[str, Any]) -> TechnicianTotals:
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

    @classmethod
    def coerce(cls, item: Any) -> TechnicianTotals:
        """``item`` as totals: totals pass through, a mapping is read with ``from_dict``."""
        if isinstance(item, TechnicianTotals):
            return item
        if isinstance(item, Mapping):
            return cls.from_dict(item)
        raise TypeError(f"expected TechnicianTotals or a mapping, got {type(item).__name__}")


_MISSING = object()


def _coerce_id(value: Any) -> Any:
    # Decimal ids (DynamoDB) become ints; anything else is kept as given.
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def first_value(row: Any, *names: str, default: Any = None) -> Any:
    """The first present, non-None value among ``names`` of a mapping or an object."""
    for name in names:
        value = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
        if value is not None:
            return value
    return default


def _lookup(info: Any, *names: str, default: Any = _MISSING) -> Any:
    value = first_value(info, *names)
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
        as_cents(price, "sale_price_cents"),
        as_cents(commission, "commission_cents"),
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

    minutes = as_cents(minutes_worked, "minutes_worked")
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
        adjustments_total += as_cents(amount, "adjustment amount_cents")

    hourly_rate = 0
    if pay_type == "hourly":
        hourly_rate = as_cents(_lookup(technician, "hourly_rate_cents"), "hourly_rate_cents")
        if hourly_rate < 0:
            raise ValueError("hourly_rate_cents must not be negative")
        base = hourly_base_pay_cents(hourly_rate, minutes)
    elif pay_type == "salary":
        base = as_cents(
            _lookup(technician, "salary_cents", "base_pay_cents", "salary_cents_per_period"),
            "salary_cents",
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


SUMMED_FIELDS = (
    "hours_minutes",
    "sales_count",
    "sales_cents",
    "base_pay_cents",
    "commission_cents",
    "adjustments_cents",
    "total_pay_cents",
)


def sum_totals(totals: Iterable[TechnicianTotals]) -> dict[str, int]:
    """Column sums of a period's per-technician totals (the TOTAL row of every export)."""
    sums = dict.fromkeys(SUMMED_FIELDS, 0)
    for item in totals:
        for name in SUMMED_FIELDS:
            sums[name] += getattr(item, name)
    return sums
