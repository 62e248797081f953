"""Pure rules of the price book: how categories are spelled and matched."""

from __future__ import annotations

MAX_CATEGORY = 100  # characters, as given


def category_key(category: str) -> str:
    """Categories match case- and space-insensitively: ``' Air  Conditioning'`` ->
    ``'air conditioning'``."""
    return " ".join(category.split()).lower()


def tidy_category(category: str) -> str:
    """The spelling kept: inner whitespace collapsed (matching uses ``category_key``)."""
    return " ".join(category.split())
