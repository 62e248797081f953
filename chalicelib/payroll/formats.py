"""How payroll documents show numbers: dollars from integer cents, hours from minutes,
rates from basis points, and the brand colour. Pure, integer arithmetic only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chalicelib.core.money import as_cents, cents_to_dollars_str
from chalicelib.settings.rules import DEFAULT_PRIMARY_COLOR

_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def format_cents(cents: Any) -> str:
    """Integer cents -> dollars with two decimals: 123456 -> "1234.56", -5 -> "-0.05"."""
    return cents_to_dollars_str(as_cents(cents, "cents"))


def format_minutes_as_hours(minutes: Any) -> str:
    """Minutes -> decimal hours with two decimals, rounded half-to-even (90 -> "1.50")."""
    value = as_cents(minutes, "minutes")
    sign = "-" if value < 0 else ""
    # hundredths of an hour = minutes * 100 / 60, rounded half-even, integer only.
    q, r = divmod(abs(value) * 100, 60)
    if 2 * r > 60 or (2 * r == 60 and q % 2 == 1):
        q += 1
    hours, hundredths = divmod(q, 100)
    return f"{sign}{hours}.{hundredths:02d}"


_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def validate_hex_color(value: Any, default: str = DEFAULT_PRIMARY_COLOR) -> str:
    """Normalised "#rrggbb" for a valid "#rgb"/"#rrggbb" string, else ``default``."""
    if not isinstance(value, str):
        return default
    value = value.strip()
    if not _HEX_RE.match(value):
        return default
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def format_money(cents: Any) -> str:
    """Integer cents -> "$1,234.56" / "-$12.34" (integer math only)."""
    value = as_cents(cents, "cents")
    sign = "-" if value < 0 else ""
    dollars, remainder = divmod(abs(value), 100)
    return f"{sign}${dollars:,}.{remainder:02d}"


def format_rate(line: Mapping[str, Any]) -> str:
    """The rate a sale line used: "12.5%" from ``rate_bps``, "$25.00 flat" from ``flat_cents``."""
    bps = line.get("rate_bps")
    if bps is not None:
        bps = as_cents(bps, "rate_bps")
        sign = "-" if bps < 0 else ""
        whole, frac = divmod(abs(bps), 100)
        text = f"{whole}.{frac:02d}".rstrip("0").rstrip(".")
        return f"{sign}{text}%"
    flat = line.get("flat_cents")
    if flat is not None:
        return f"{format_money(flat)} flat"
    return "-"


def format_minutes(minutes: Any) -> str:
    """Minutes -> "h:mm" (90 -> "1:30")."""
    value = as_cents(minutes, "minutes")
    sign = "-" if value < 0 else ""
    hours, mins = divmod(abs(value), 60)
    return f"{sign}{hours}:{mins:02d}"
