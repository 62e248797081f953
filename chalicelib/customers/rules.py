"""Customers' pure rules: tags, the list's facets, merging and the history's order.

- **Tags**: at most ``MAX_TAGS`` short labels (1..``MAX_TAG`` characters of letters,
  digits, space, ``-``, ``_``, ``.``, ``/``, ``&``), trimmed, inner white space made one
  space, compared case-insensitively (kept in their first spelling, once each, in order).
- **Facets** of the list's count: ``""`` active (also every customer written before
  ``active`` existed), ``"0"`` inactive. A merged-away customer leaves the list.
- **Merge**: ``from_id`` is folded into ``id``: not itself (422), neither already merged
  (409), and a survivor holds at most ``MAX_ABSORBED`` folded customers (409) so its
  history reads a bounded number of sources.
- **History**: each source (a customer's jobs, sales, invoices, estimates) gives its
  entries newest first; an entry's ``order`` is ``(date, type, id)`` and the history is
  their merge, newest first. A page ends after ``limit`` entries; the next starts strictly
  after the last ``order`` returned.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core.errors import RuleViolation, invalid

MAX_TAGS = 20
MAX_TAG = 30
MAX_ABSORBED = 10  # customers folded into one survivor (directly or through another)
_TAG = re.compile(r"[\w .\-/&]+")
ACTIVE, INACTIVE = "", "0"
TYPES = ("estimate", "invoice", "job", "sale")  # an entry's ``type``
MAX_ID = 10**10 - 1  # the largest id a 10-digit sort key holds (ids never reach it)


# --- tags --------------------------------------------------------------------------------
def check_tags(tags: Iterable[str] | None) -> list[str] | None:
    """The tags as stored (None stays None: no tags); 422 naming ``tags`` otherwise."""
    if tags is None:
        return None
    kept: dict[str, str] = {}
    for raw in tags:
        tag = " ".join(str(raw).split())
        if not tag:
            raise invalid("tags", "a tag may not be empty")
        if len(tag) > MAX_TAG:
            raise invalid("tags", f"a tag has at most {MAX_TAG} characters")
        if not _TAG.fullmatch(tag):
            raise invalid("tags", "a tag holds letters, digits, spaces and - _ . / & only")
        kept.setdefault(tag.casefold(), tag)
    if len(kept) > MAX_TAGS:
        raise invalid("tags", f"at most {MAX_TAGS} tags")
    return list(kept.values())


# --- the list's facet --------------------------------------------------------------------
def facet(active: bool | None) -> str:
    """``active`` None (never set) is active."""
    return INACTIVE if active is False else ACTIVE


def listed(wanted_active: bool | None):  # noqa: ANN201 - a facet predicate or None
    """Which facets ``GET /admin/customers?active=`` counts (None: all)."""
    if wanted_active is None:
        return None
    wanted = ACTIVE if wanted_active else INACTIVE
    return lambda f: f == wanted


# --- merging -----------------------------------------------------------------------------
def check_merge(
    survivor_id: int,
    from_id: int,
    survivor_merged_into: int | None,
    from_merged_into: int | None,
    survivor_absorbed: int,
    from_absorbed: int,
) -> None:
    """Whether ``from_id`` may be folded into ``survivor_id`` (counts: the customers each
    already holds folded)."""
    if survivor_id == from_id:
        raise invalid("from_id", "a customer cannot be merged into itself")
    if from_merged_into is not None:
        raise RuleViolation(
            f"customer {from_id} was already merged into customer {from_merged_into}"
        )
    if survivor_merged_into is not None:
        raise RuleViolation(
            f"customer {survivor_id} was merged into customer {survivor_merged_into}; "
            "merge into that one"
        )
    if survivor_absorbed + 1 + from_absorbed > MAX_ABSORBED:
        raise RuleViolation(f"a customer holds at most {MAX_ABSORBED} merged customers")


# --- the history -------------------------------------------------------------------------
Order = tuple[str, str, int]  # (date, type, id): newest first is descending


@dataclass(frozen=True)
class Entry:
    order: Order
    body: dict[str, Any] = field(compare=False)


def before_key(last: Order | None, kind: str) -> tuple[str, int] | None:
    """For a source of ``kind`` ordered by ``(date, id)``: the exclusive ``(date, id)``
    bound under which its entries come after ``last`` in the history (None: from the
    newest). Entries of an earlier type on the same date come after; of a later one, not."""
    if last is None:
        return None
    date, last_type, last_id = last
    if kind < last_type:  # every id of that date (no counter reaches MAX_ID)
        return date, MAX_ID
    if kind == last_type:
        return date, last_id
    return date, 0


def after(entries: Iterable[Entry], last: Order | None) -> list[Entry]:
    """The entries that come after ``last`` (all when None), in the given order."""
    return [e for e in entries if last is None or e.order < last]


def merge_newest(sources: Iterable[list[Entry]], limit: int) -> tuple[list[Entry], bool]:
    """The ``limit`` newest entries of sources that are each newest first (ties: the
    larger order first), and whether any entry is left over."""
    merged = heapq.merge(*sources, key=lambda e: e.order, reverse=True)
    taken: list[Entry] = []
    seen: set[Order] = set()
    for entry in merged:
        if entry.order in seen:
            continue
        if len(taken) == limit:
            return taken, True
        seen.add(entry.order)
        taken.append(entry)
    return taken, False
