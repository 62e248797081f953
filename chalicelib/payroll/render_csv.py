"""CSV exports for payroll: pure functions returning UTF-8 ``bytes``.

Money is formatted from integer cents with integer math only ("-12.34").
User-supplied text is passed through :func:`safe_cell` to neutralise
spreadsheet formula injection; money and count cells produced here are not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from chalicelib.core.money import as_cents
from chalicelib.payroll.formats import format_cents, format_minutes_as_hours
from chalicelib.payroll.rules.totals import TechnicianTotals, first_value, sum_totals

__all__ = [
    "FORMULA_PREFIXES",
    "format_cents",
    "format_minutes_as_hours",
    "safe_cell",
    "pay_period_csv",
    "commission_report_csv",
    "sales_csv",
    "PAY_PERIOD_COLUMNS",
    "COMMISSION_REPORT_COLUMNS",
    "SALES_COLUMNS",
]

# Cells starting with any of these are interpreted as formulas by spreadsheets.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Render a user-supplied value as a CSV cell that cannot start a formula.

    Text starting with '=', '+', '-', '@', TAB or CR gets a leading single
    quote. ``None`` becomes "". Dates use ISO format. Other values are str()'d
    and checked the same way.
    """
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _money_cell(value: Any) -> str:
    return "" if value is None else format_cents(value)


_get = first_value


def _write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # excel dialect: "\r\n" line endings, minimal quoting
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- #
# Pay period
# --------------------------------------------------------------------------- #

PAY_PERIOD_COLUMNS: tuple[str, ...] = (
    "period_start",
    "period_end",
    "technician_id",
    "technician_name",
    "pay_type",
    "hours_worked",
    "hourly_rate",
    "sales_count",
    "sales",
    "base_pay",
    "commission",
    "adjustments",
    "total_pay",
)

TOTAL_LABEL = "TOTAL"


def pay_period_csv(period: Mapping[str, Any], totals: Iterable[Any]) -> bytes:
    """One row per technician plus a final TOTAL row (sums of every money column)."""
    start = safe_cell(_get(period, "start", "period_start"))
    end = safe_cell(_get(period, "end", "period_end"))
    rows: list[list[str]] = []
    items = [TechnicianTotals.coerce(item) for item in totals]
    for t in items:
        rows.append(
            [
                start,
                end,
                safe_cell(t.technician_id),
                safe_cell(t.technician_name),
                safe_cell(t.pay_type),
                format_minutes_as_hours(t.hours_minutes),
                format_cents(t.hourly_rate_cents) if t.pay_type == "hourly" else "",
                str(t.sales_count),
                format_cents(t.sales_cents),
                format_cents(t.base_pay_cents),
                format_cents(t.commission_cents),
                format_cents(t.adjustments_cents),
                format_cents(t.total_pay_cents),
            ]
        )
    sums = sum_totals(items)
    rows.append(
        [
            start,
            end,
            "",
            TOTAL_LABEL,
            "",
            format_minutes_as_hours(sums["hours_minutes"]),
            "",
            str(sums["sales_count"]),
            format_cents(sums["sales_cents"]),
            format_cents(sums["base_pay_cents"]),
            format_cents(sums["commission_cents"]),
            format_cents(sums["adjustments_cents"]),
            format_cents(sums["total_pay_cents"]),
        ]
    )
    return _write(PAY_PERIOD_COLUMNS, rows)


# --------------------------------------------------------------------------- #
# Commission report / sales
# --------------------------------------------------------------------------- #

COMMISSION_REPORT_COLUMNS: tuple[str, ...] = (
    "sale_id",
    "sale_date",
    "technician",
    "customer",
    "item",
    "sale_price",
    "commission",
    "rule",
    "approval_status",
    "payment_status",
)


def commission_report_csv(rows: Iterable[Any]) -> bytes:
    """Sale lines with their commission, plus a TOTAL row (sale price, commission).

    Each row is a mapping with ``sale_id``, ``sale_date``, ``technician`` (or
    ``technician_name``), ``customer`` (or ``customer_name``), ``item`` (or
    ``item_name``), ``sale_price_cents``, ``commission_cents`` (may be None),
    ``rule`` (or ``rule_name``), ``approval_status``, ``payment_status``.
    """
    out: list[list[str]] = []
    price_sum = commission_sum = 0
    for row in rows:
        price = _get(row, "sale_price_cents")
        commission = _get(row, "commission_cents")
        if price is not None:
            price_sum += as_cents(price, "sale_price_cents")
        if commission is not None:
            commission_sum += as_cents(commission, "commission_cents")
        out.append(
            [
                safe_cell(_get(row, "sale_id", "id")),
                safe_cell(_get(row, "sale_date")),
                safe_cell(_get(row, "technician", "technician_name")),
                safe_cell(_get(row, "customer", "customer_name")),
                safe_cell(_get(row, "item", "item_name", "description")),
                _money_cell(price),
                _money_cell(commission),
                safe_cell(_get(row, "rule", "rule_name")),
                safe_cell(_get(row, "approval_status")),
                safe_cell(_get(row, "payment_status")),
            ]
        )
    out.append(
        [
            TOTAL_LABEL,
            "",
            "",
            "",
            "",
            format_cents(price_sum),
            format_cents(commission_sum),
            "",
            "",
            "",
        ]
    )
    return _write(COMMISSION_REPORT_COLUMNS, out)


SALES_COLUMNS: tuple[str, ...] = (
    "sale_id",
    "sale_date",
    "technician_id",
    "technician",
    "customer",
    "item",
    "sale_price",
    "commission",
    "approval_status",
    "payment_status",
    "notes",
)


def sales_csv(rows: Iterable[Any]) -> bytes:
    """Plain sales export, one line per sale, no totals row (re-importable)."""
    out: list[list[str]] = []
    for row in rows:
        out.append(
            [
                safe_cell(_get(row, "sale_id", "id")),
                safe_cell(_get(row, "sale_date")),
                safe_cell(_get(row, "technician_id")),
                safe_cell(_get(row, "technician", "technician_name")),
                safe_cell(_get(row, "customer", "customer_name")),
                safe_cell(_get(row, "item", "item_name", "description")),
                _money_cell(_get(row, "sale_price_cents")),
                _money_cell(_get(row, "commission_cents")),
                safe_cell(_get(row, "approval_status")),
                safe_cell(_get(row, "payment_status")),
                safe_cell(_get(row, "notes")),
            ]
        )
    return _write(SALES_COLUMNS, out)
