"""Pure rules of the price book: how categories are spelled and matched."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

Matches = Callable[[str], bool] | None

MAX_CATEGORY = 100  # characters, as given


def category_key(category: str) -> str:
    """Categories match case- and space-insensitively: ``' Air  Conditioning'`` ->
    ``'air conditioning'``."""
    return " ".join(category.split()).lower()


def tidy_category(category: str) -> str:
    """The spelling kept: inner whitespace collapsed (matching uses ``category_key``)."""
    return " ".join(category.split())


# --- lists ---------------------------------------------------------------------------------
# PynamoDB reads "[" and "]" in an attribute name as list indexes (and refuses a lone one),
# so in a facet (a rollup attribute's name) they and the escape itself are percent-encoded.
_FACET_ESCAPES = str.maketrans({"%": "%25", "[": "%5B", "]": "%5D"})


def facet(active: bool, category: str) -> str:
    """What the price book list's filters look at, as the rollup counts it:
    ``<1 or 0>|<category key>`` (the key with ``[``, ``]`` and ``%`` percent-encoded)."""
    return f"{int(bool(active))}|{category_key(category).translate(_FACET_ESCAPES)}"


def parse_facet(value: str) -> tuple[bool, str]:
    """``(active, category key)`` of a facet."""
    return value[:1] == "1", unquote(value[2:])


def facet_filter(active: bool | None = None, category: str | None = None) -> Matches:
    """Which facets a list's filters keep; None when nothing is filtered."""
    if active is None and category is None:
        return None
    wanted_active = None if active is None else str(int(active))
    wanted_key = None if category is None else facet(True, category)[2:]

    def matches(value: str) -> bool:
        return (wanted_active is None or value[:1] == wanted_active) and (
            wanted_key is None or value[2:] == wanted_key
        )

    return matches
