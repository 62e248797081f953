"""Pagination with the seed's limits: 1 <= ``page`` <= 10,000 (default 1), 1 <= ``limit``
<= 200 (default 50). Anything else is a 400 ``BAD_REQUEST``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_PAGE = 10_000


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    limit: int = DEFAULT_LIMIT

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
    return PageRequest(page=page, limit=limit)


def page_body(items: Sequence[Any], total: int, page: PageRequest) -> dict[str, Any]:
    """The list response: ``items``, ``total``, ``page``, ``limit``, ``total_pages``."""
    total_pages = (total + page.limit - 1) // page.limit if total else 0
    return {
        "items": list(items),
        "total": total,
        "page": page.page,
        "limit": page.limit,
        "total_pages": total_pages,
    }


def paginate(items: Sequence[Any], page: PageRequest) -> dict[str, Any]:
    """Slice an already-loaded, already-ordered sequence into a page body."""
    return page_body(items[page.offset : page.offset + page.limit], len(items), page)
