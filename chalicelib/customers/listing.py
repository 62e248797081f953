"""The customers list (``GET /admin/customers``): newest first, ``total`` from the rollup,
and ``search=`` through the search-key entries (``customers.search``).

Without ``search``: ``platform.listing`` over the base partition ``T#<tid>#CUST`` (sort
key ``<id>``, id descending), counted by ``store.ROLLUP`` by facet (``customers.rules``:
active or inactive; ``active=`` counts one facet and reads only the blocks of ids that
hold it). A merge moves the merged-away customer out of the partition (and its count). Page 1 is one Query with
``Limit`` plus the rollup read; page N reads about ``limit`` customers plus one block of
100 ids; a cursor page ``limit``.

With ``search`` (a documented bound, not O(limit)): one Query ``begins_with(<normalised
prefix>)`` on ``T#<tid>#CUSTSEARCH`` reads every matching search-key entry (about 100
bytes each, key and id only), at most ``MAX_MATCHES``: a prefix that matches more is
400 ``BAD_REQUEST`` asking for a longer one. The matches are ordered by term (A-Z), then
newest first within a term, and de-duplicated by customer (each customer at its first
term). ``total`` counts those customers exactly; the page's customers are then read with
one ``BatchGetItem`` (per 100). A search cursor holds the last (term, id) returned and is
signed for the tenant, the prefix and ``active``. Search entries carry ``active`` (kept in
step by the update that changes it), so ``search=`` with ``active=`` filters the same
entries and its total stays exact; a merged customer's entries are deleted by the merge.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import PageRequest, page_body
from chalicelib.customers import rules, search, store
from chalicelib.customers.store import CustomerItem
from chalicelib.platform import cursors, keys, listing

MAX_MATCHES = 1000  # search-key entries a search may match (a customer has up to 12)


def page(
    tenant_id: str,
    request: PageRequest,
    search_text: str | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """One page of the tenant's customers, newest first, or of those ``search_text``
    finds; ``active``: only the active (or inactive) ones. Merged-away customers are in
    neither."""
    prefix = search.prefix_of(search_text)
    if prefix:
        return _search_page(tenant_id, prefix, request, active)
    source = listing.Source.partition(CustomerItem, keys.customers_pk(tenant_id))
    condition = None
    if active is True:
        condition = CustomerItem.active.does_not_exist() | (CustomerItem.active == True)  # noqa: E712
    elif active is False:
        condition = CustomerItem.active == False  # noqa: E712
    return listing.page(
        source,
        store.ROLLUP,
        tenant_id,
        request,
        name=f"customers|active={active}",
        matches=rules.listed(active),
        condition=condition,
    )


def _matches(tenant_id: str, prefix: str, active: bool | None) -> list[tuple[str, int]]:
    """``(term, customer id)`` of every customer the prefix finds, in list order."""
    entries = store.search_entries(tenant_id, prefix, MAX_MATCHES + 1)
    if len(entries) > MAX_MATCHES:
        raise BadRequest(
            f"search matches more than {MAX_MATCHES} names, e-mails, phones or ZIPs; "
            "type more of it"
        )
    first: dict[int, str] = {}
    for entry in entries:
        term, customer_id = str(entry.term), int(entry.customer_id)
        if active is not None and (entry.active is not False) != active:
            continue
        # a term that only looks like a match: "a#" begins "a#name#..." of the term "a"
        if term.startswith(prefix) and (customer_id not in first or term < first[customer_id]):
            first[customer_id] = term
    return sorted(((t, c) for c, t in first.items()), key=_order)


def _order(match: tuple[str, int]) -> tuple[str, int]:
    term, customer_id = match
    return term, -customer_id


def _search_page(
    tenant_id: str, prefix: str, request: PageRequest, active: bool | None
) -> dict[str, Any]:
    binding = "|".join((tenant_id, "customers-search", prefix, f"active={active}"))
    position = cursors.read(request.cursor, binding) if request.cursor else None
    found = _matches(tenant_id, prefix, active)
    if position is not None:  # after the last (term, id) returned
        last = (position.sort, int(position.key["id"]))
        start = bisect_right([_order(m) for m in found], _order(last))
    else:
        start = request.offset
    chosen = found[start : start + request.limit]
    items = store.get_all(tenant_id, [customer_id for _, customer_id in chosen])
    next_cursor = None
    if chosen and start + len(chosen) < len(found):
        term, customer_id = chosen[-1]
        next_cursor = cursors.issue(
            binding, cursors.Position(start + len(chosen), term, {"id": str(customer_id)})
        )
    return page_body(items, len(found), request, offset=start, next_cursor=next_cursor)
