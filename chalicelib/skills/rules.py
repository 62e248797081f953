"""Technician skills, pure: how a skill's name is compared, and the levels.

A skill's name is unique per tenant whatever its case and spacing: names are compared by
:func:`name_key` (trimmed, inner runs of white space made one space, case-folded, which is
a stronger lower-casing: "HVAC  Repair" and "hvac repair" are the same skill). A job's
``required_skills`` are free strings compared the same way. Levels are 1 (basic) to 5
(expert).
"""

from __future__ import annotations

from chalicelib.core.errors import InvalidInput

MIN_LEVEL, MAX_LEVEL = 1, 5
MAX_NAME = 100
MAX_LEVELS = 100  # skills one technician may have


def tidy(name: str) -> str:
    """The name as shown: trimmed, inner white space collapsed (case kept)."""
    return " ".join(name.split())


def name_key(name: str) -> str:
    """The name as compared: :func:`tidy`, case-folded."""
    return tidy(name).casefold()


def check_name(name: str, field: str = "name") -> str:
    shown = tidy(name)
    if not shown:
        raise InvalidInput("must not be blank", field=field)
    if len(shown) > MAX_NAME:
        raise InvalidInput(f"at most {MAX_NAME} characters", field=field)
    return shown


def check_level(level: object, field: str = "level") -> int:
    if isinstance(level, bool) or not isinstance(level, int):
        raise InvalidInput("must be an integer", field=field)
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        raise InvalidInput(f"must be between {MIN_LEVEL} and {MAX_LEVEL}", field=field)
    return level
