"""Exact money arithmetic for TradeKitt.

Conventions
-----------
* **Money is an ``int`` number of cents.** ``150000`` means $1,500.00.
* **Rates are ``int`` basis points (bps).** 1 bps = 0.01 %, so 750 bps = 7.5 %
  and 10000 bps = 100 %.
* **No floats, ever.** Every helper here uses integer arithmetic
  (``divmod`` / ``//``); true division is never applied to money.
  ``bool`` and ``float`` values are rejected by the validators, because
  ``True == 1`` and ``0.1 + 0.2 != 0.3`` would silently corrupt amounts.
* **Rounding is round-half-to-even ("banker's rounding") to a whole cent**,
  done once, at the point where an exact fraction of a cent becomes cents.
  Negative amounts round symmetrically: ``-0.5 -> 0``, ``-1.5 -> -2``,
  ``-2.5 -> -2``.

Worked examples::

    >>> apply_bps(150000, 750)   # 7.5 % of $1,500.00
    11250
    >>> apply_bps(5000, 1)       # 0.5 cent  -> 0 (ties to even)
    0
    >>> apply_bps(15000, 1)      # 1.5 cents -> 2
    2
    >>> apply_bps(25000, 1)      # 2.5 cents -> 2
    2
    >>> cents_to_dollars_str(-5)
    '-0.05'
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = [
    "BPS_DENOMINATOR",
    "MAX_RATE_BPS",
    "apply_bps",
    "as_cents",
    "cents_to_dollars_str",
    "require_bps",
    "require_cents",
    "require_int",
    "require_non_negative_cents",
    "round_half_even",
]

#: Basis points in one whole (100 %).
BPS_DENOMINATOR = 10_000

#: Largest rate accepted by :func:`require_bps` by default (100 %).
MAX_RATE_BPS = 10_000


def require_int(value: object, name: str) -> int:
    """Return ``value`` if it is a genuine ``int``; raise ``TypeError`` otherwise.

    ``bool`` is rejected even though it subclasses ``int`` (``True`` is not an
    amount), and so are ``float``, ``Decimal``, strings and ``None``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return value


def require_cents(value: object, name: str) -> int:
    """Validate an integer amount of cents (any sign) and return it."""
    return require_int(value, name)


def require_non_negative_cents(value: object, name: str) -> int:
    """Validate an integer amount of cents that is ``>= 0`` and return it.

    Raises ``TypeError`` for non-integers and ``ValueError`` for negatives.
    """
    cents = require_int(value, name)
    if cents < 0:
        raise ValueError(f"{name} must be >= 0 cents, got {cents}")
    return cents


def require_bps(value: object, name: str, *, maximum: int = MAX_RATE_BPS) -> int:
    """Validate a basis-point rate in ``0..maximum`` (default 0..10000) and return it.

    Raises ``TypeError`` for non-integers and ``ValueError`` when out of range.
    """
    bps = require_int(value, name)
    if not 0 <= bps <= maximum:
        raise ValueError(f"{name} must be between 0 and {maximum} bps, got {bps}")
    return bps


def round_half_even(numerator: int, denominator: int) -> int:
    """Round the exact rational ``numerator / denominator`` to the nearest int.

    Exact ties go to the even neighbour. Works for any signs; the result is
    symmetric around zero (``round_half_even(-x, d) == -round_half_even(x, d)``).

    Raises ``TypeError`` for non-integers and ``ZeroDivisionError`` when
    ``denominator`` is 0.

    >>> round_half_even(5, 2), round_half_even(3, 2), round_half_even(-5, 2)
    (2, 2, -2)
    """
    require_int(numerator, "numerator")
    require_int(denominator, "denominator")
    if denominator == 0:
        raise ZeroDivisionError("round_half_even: denominator must not be 0")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)  # floor division, 0 <= r < d
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def apply_bps(amount_cents: int, bps: int) -> int:
    """Return ``amount_cents * bps / 10000`` rounded half-even to a whole cent.

    Exact integer math; negative amounts are handled symmetrically, so
    ``apply_bps(-a, r) == -apply_bps(a, r)``. ``bps`` is not range-checked
    here (callers validate rates); it must be an ``int``.

    >>> apply_bps(150000, 750)
    11250
    """
    require_int(amount_cents, "amount_cents")
    require_int(bps, "bps")
    return round_half_even(amount_cents * bps, BPS_DENOMINATOR)


def cents_to_dollars_str(cents: int) -> str:
    """Format integer cents as a plain dollar string with two decimals.

    No currency symbol and no thousands separators, so the result is safe to
    parse back: ``150000 -> "1500.00"``, ``-5 -> "-0.05"``, ``0 -> "0.00"``.
    """
    require_int(cents, "cents")
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}{dollars}.{rest:02d}"


def shown_dollars(cents: int) -> str:
    """Integer cents as a document or an e-mail shows them: ``$1234.50``, ``-$5.00``
    below zero (``cents_to_dollars_str`` with the sign before the dollar sign)."""
    text = cents_to_dollars_str(int(cents))
    return f"-${text[1:]}" if text.startswith("-") else f"${text}"


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
