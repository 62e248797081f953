"""Pagination with the seed's limits: 1 <= ``page`` <= 10,000 (default 1), 1 <= ``limit``
<= 200 (default 50), and an opaque ``cursor`` (at most 1,024 printable ASCII characters,
from a previous page's ``next_cursor``; it wins over ``page``). Anything else is a 400
``BAD_REQUEST``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_PAGE = 10_000
MAX_CURSOR = 1024


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def _positive_int(name: str, raw: str | None, default: int, maximum: int) -> int:
    if raw is None:
        return default
    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        raise BadRequest(f"{name} must be a positive integer")
    if len(text.lstrip("0")) > len(str(maximum)) or int(text) > maximum:
        raise BadRequest(f"{name} must be at most {maximum}")
    value = int(text)
    if value < 1:
        raise BadRequest(f"{name} must be a positive integer")
    return value


def parse_page(query: dict[str, str] | None) -> PageRequest:
    """Read ``page`` and ``limit`` from query parameters."""
    query = query or {}
    page = _positive_int("page", query.get("page"), 1, MAX_PAGE)
    limit = _positive_int("limit", query.get("limit"), DEFAULT_LIMIT, MAX_LIMIT)
    cursor = query.get("cursor") or None  # an empty ``cursor=`` asks for page 1
    if cursor is not None and not (
        len(cursor) <= MAX_CURSOR and cursor.isascii() and cursor.isprintable()
    ):
        raise BadRequest(
            f"cursor must be a next_cursor of this list (at most {MAX_CURSOR} characters)"
        )
    return PageRequest(page=page, limit=limit, cursor=cursor)


def page_body(
    items: Sequence[Any],
    total: int,
    page: PageRequest,
    *,
    offset: int | None = None,
    next_cursor: str | None = None,
) -> dict[str, Any]:
    """The list response: ``items``, ``total``, ``page``, ``limit``, ``total_pages`` and
    ``next_cursor`` (None on the last page). ``offset``: where the items start when a
    cursor, not ``page``, chose them (``page`` then says which page that is)."""
    total_pages = (total + page.limit - 1) // page.limit if total else 0
    start = page.offset if offset is None else offset
    return {
        "items": list(items),
        "total": total,
        "page": start // page.limit + 1,
        "limit": page.limit,
        "total_pages": total_pages,
        "next_cursor": next_cursor,
    }
