"""A payments export's cells (SPEC.md "Payment reconciliation"): pure.

Amounts are exact (``Decimal``): ``150``, ``150.00``, ``$1,234.56``, ``-$5.00``,
``(5.00)``; more than two decimals is refused; dates ``YYYY-MM-DD`` (a time after it is
dropped) or ``MM/DD/YYYY`` (``MM/DD/YY``). Text cells (reference, description, customer,
transaction id) that a spreadsheet would run (``core.csvsafe.formula``: starting with
``=``, ``@``, a tab, a carriage return, or ``+``/``-`` before anything but a plain
number) are stored neutralised, with a leading apostrophe (``'=HYPERLINK(...)``). The
onboarding imports refuse such cells; a payments export is the processor's, with text
the payers typed, so it imports and the cell is defused instead. Amounts and dates are
parsed, never kept as text.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from chalicelib.core import csvsafe

MAX_AMOUNT_CENTS = 10**12

_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_amount(text: str) -> int:
    """Integer cents of a money cell, exactly (ValueError with the reason)."""
    s = text.strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    for _ in range(2):  # "-$5.00" and "$-5.00"
        if s[:1] in "-+" and s:
            negative ^= s[0] == "-"
            s = s[1:].strip()
        if s[:1] == "$":
            s = s[1:].strip()
    if s.upper().endswith(" USD"):
        s = s[:-4].strip()
    if not (_PLAIN.match(s) or _GROUPED.match(s)):
        raise ValueError(f"{text.strip()!r} is not an amount (e.g. 1234.56 or $1,234.56)")
    try:
        cents = Decimal(s.replace(",", "")) * 100
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not an amount") from None
    if cents != cents.to_integral_value():
        raise ValueError(f"{text.strip()!r} has more than two decimals")
    value = int(cents)
    if value > MAX_AMOUNT_CENTS:
        raise ValueError(f"{text.strip()!r} is too large")
    return -value if negative else value


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` (anything after it, a time, is dropped) or ``MM/DD/YYYY``."""
    s = text.strip()
    try:
        iso = _ISO_DATE.match(s)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        us = _US_DATE.match(s.split(" ")[0])
        if us:
            year = int(us.group(3))
            year = year + 2000 if year < 100 else year
            return date(year, int(us.group(1)), int(us.group(2)))
    except ValueError:
        raise ValueError(f"{s!r} is not a real calendar date") from None
    raise ValueError(f"{s!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def neutral(text: str) -> str:
    """A text cell as stored: one a spreadsheet would run as a formula
    (``core.csvsafe.formula``) gets a leading apostrophe."""
    return csvsafe.neutralise(text)
