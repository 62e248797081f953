"""A list walked to its end, by page (``page=1, 2, ...`` up to ``total_pages``) or by
cursor (each page's ``next_cursor`` until one is null): the one loop of the list tests,
for the in-process client (``tests.support.api``) and the e2e stack alike; and the
forged cursors every list refuses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Fetch = Callable[[str], dict[str, Any]]  # GET a url (asserting its status): the reply's data


@dataclass(frozen=True)
class Walk:
    """Every page a walk read (each reply's ``data``), in order."""

    pages: list[dict[str, Any]]

    @property
    def items(self) -> list[dict[str, Any]]:
        return [item for page in self.pages for item in page["items"]]

    @property
    def ids(self) -> list[Any]:
        return [item["id"] for item in self.items]

    @property
    def total(self) -> Any:
        """The last page's ``total``."""
        return self.pages[-1]["total"]

    @property
    def cursors(self) -> list[Any]:
        """The ``next_cursor`` of every page but the last (by cursor: the cursors followed)."""
        return [page["next_cursor"] for page in self.pages[:-1]]


def walk(fetch: Fetch, url: str, limit: int, *, by_cursor: bool) -> Walk:
    """``url`` (a list's path, with its query if it has one) walked ``limit`` entries a
    page: by cursor, from the first page (no position given) along each ``next_cursor``
    until one is null; else by page, from ``page=1`` until the page reaches
    ``total_pages`` (at least 1)."""
    base = f"{url}{'&' if '?' in url else '?'}limit={limit}"
    pages: list[dict[str, Any]] = []
    while True:
        if not by_cursor:
            position = f"&page={len(pages) + 1}"
        elif pages:
            position = f"&cursor={pages[-1]['next_cursor']}"
        else:
            position = ""
        data = fetch(base + position)
        pages.append(data)
        if by_cursor and data["next_cursor"] is None:
            return Walk(pages)
        if not by_cursor and len(pages) >= max(1, data["total_pages"]):
            return Walk(pages)


def forged(cursor: str) -> list[str]:
    """The queries of every list's forged cursors: ``cursor`` with a character added,
    with three cut off, and one too long to be any cursor."""
    return [f"cursor={cursor}x", f"cursor={cursor[:-3]}", "cursor=" + "a" * 1025]


def api_refused(api: Any, account: Any, url: str) -> None:
    """A GET of ``url`` as ``account`` (the in-process client) is answered 400
    ``BAD_REQUEST``."""
    reply = api.get(url, as_=account)
    assert reply.status == 400 and reply.error["code"] == "BAD_REQUEST", (url, reply.raw)


def api_fetch(api: Any, account: Any) -> Fetch:
    """``fetch`` for the in-process client: GET as ``account``, expecting 200."""

    def fetch(url: str) -> dict[str, Any]:
        reply = api.get(url, as_=account)
        assert reply.status == 200, (url, reply.raw)
        return reply.data

    return fetch


def stack_fetch(stack: Any, headers: dict[str, str]) -> Fetch:
    """``fetch`` for the e2e stack (``tests.e2e.conftest.Stack``): GET with ``headers``,
    expecting 200 (as ``tests.e2e.conftest.ok``)."""

    def fetch(url: str) -> dict[str, Any]:
        status, _, body = stack.request("GET", url, headers=headers)
        assert status == 200, body
        return body["data"]

    return fetch
