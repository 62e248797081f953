"""Numbered per-tenant documents with a dated list (invoices, estimates): the parts their
stores and lists share, parameterised by the item model and the feature's keys.

- ``Number``: the document's number, the next value of its id counter taken by a
  compare-and-set in the document's own transaction; once that lost to another writer,
  one number reserved outright (``UpdateItem ADD``, never reused) for the retries.
- ``load``: the items a create reads, by name, in one consistent ``BatchGetItem``.
- ``Dated``: a document kept in two indexes on ``<date>#<id>`` (gsi1: the tenant's, gsi2:
  one customer's), created and changed in labelled transactions (every change conditioned
  on the item as read, its revision up by one, a new date moving its index entries), and
  listed latest date first on ``platform.listing``, counted by rollups by day and month
  of the date (facet: the stored status) in the tenant's and the customer's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import Conflict
from chalicelib.core.pagination import PageRequest, page_body
from chalicelib.platform import counters, listing, rollups
from chalicelib.platform.batch import get_many
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.platform.tx import (
    ConditionFailed,
    Contention,
    Labelled,
    labelled_transaction,
    retries,
)

Part = Callable[[Labelled], None]
DAY, MONTH = 10, 7  # bucket prefixes of "2026-04-15#0000000042"


class Number:
    """The number of a document being created (``entity``: its id counter); the
    transaction part that claims it is labelled ``label``."""

    def __init__(self, tenant_id: str, entity: str, label: str = "counter") -> None:
        self.tenant_id, self.entity, self.label = tenant_id, entity, label
        self.reserved: int | None = None  # taken with ADD after losing the race once

    def ref(self) -> tuple[Any, tuple[str, str]]:
        """The counter, for the create's batch read."""
        return counters.ref(self.tenant_id, self.entity)

    def take(self, counter: Any) -> tuple[int, list[Part]]:
        """The number from the counter as read, and the parts that claim it (none when it
        was reserved)."""
        if self.reserved is not None:
            return self.reserved, []
        current = counters.current_value(counter)

        def claim(tx: Labelled) -> None:
            counters.claim(tx, self.label, self.tenant_id, self.entity, current)

        return current + 1, [claim]

    def lost(self, failed: Any) -> None:
        """After the transaction failed (labels ``failed``): reserve a number outright
        when the claim lost (once), so a burst of N creates costs O(N) attempts."""
        if self.label in failed and self.reserved is None:
            self.reserved = counters.next_id(self.tenant_id, self.entity)


def load(requests: dict[str, tuple[Any, tuple[str, str]]]) -> dict[str, Any]:
    """Items by name in one consistent ``BatchGetItem`` (None where missing)."""
    got = get_many(list(requests.values()), consistent=True)
    return dict(zip(requests, got, strict=True))


@dataclass(frozen=True)
class Dated:
    """A numbered document kept and listed by a date (see the module)."""

    model: Any  # the PynamoDB item class
    label: str  # its label in the transactions ("invoice")
    id_field: str  # "invoice_id"
    date_field: str  # "due_date"
    name: str  # the list's name in its cursors ("invoices")
    key: Callable[[str, int], tuple[str, str]]  # (tenant, id) -> main key
    sort: Callable[[str, int], str]  # (date, id) -> the indexes' sort key
    tenant_pk: Callable[[str], str]  # gsi1: the tenant's documents
    customer_pk: Callable[[str, int], str]  # gsi2: one customer's
    rollup_scope: Callable[[int | None], Any]  # the list's counts (None: the tenant's)

    # --- store ---------------------------------------------------------------------------
    def index_keys(self, tenant_id: str, doc_id: int, customer_id: int, on: str) -> dict:
        sort = self.sort(on, doc_id)
        return {
            "gsi1pk": self.tenant_pk(tenant_id),
            "gsi1sk": sort,
            "gsi2pk": self.customer_pk(tenant_id, customer_id),
            "gsi2sk": sort,
        }

    def new(self, tenant_id: str, doc_id: int, **fields: Any) -> Any:
        """The item (not written); ``fields`` hold ``customer_id`` and the date."""
        on = fields[self.date_field]
        return self.model(
            *self.key(tenant_id, doc_id),
            tenant_id=tenant_id,
            **{self.id_field: doc_id},
            **self.index_keys(tenant_id, doc_id, fields["customer_id"], on),
            **fields,
        )

    def create(self, item: Any, parts: list[Part]) -> None:
        """The item (label ``self.label`` when its id is taken) with the parts (the id
        counter, a new customer, the counts), in one transaction."""
        with labelled_transaction() as tx:
            tx.create(self.label, item)
            for part in parts:
                part(tx)

    def actions(self, changes: dict[str, Any]) -> list[Any]:
        """Update actions: set each field, remove those changed to None."""
        actions = []
        for name, value in changes.items():
            attr = getattr(self.model, name)
            actions.append(attr.remove() if value is None else attr.set(value))
        return actions

    def change(self, item: Any, changes: dict[str, Any], parts: list[Part], condition: Any) -> Any:
        """Apply ``changes`` to the item under ``condition`` (the item as read; label
        ``self.label`` when it moved meanwhile), with the parts, in one transaction; the
        revision goes up by one and a new date moves its index entries. Returns the item
        as written."""
        changes = {**changes, "revision": int(item.revision) + 1}
        if self.date_field in changes:
            changes.update(
                self.index_keys(
                    item.tenant_id,
                    int(getattr(item, self.id_field)),
                    int(item.customer_id),
                    changes[self.date_field],
                )
            )
        with labelled_transaction() as tx:
            tx.update(self.label, item, self.actions(changes), condition=condition)
            for part in parts:
                part(tx)
        for name, value in changes.items():
            setattr(item, name, value)
        return item

    def move(
        self,
        read: Callable[[], Any],
        plan: Callable[[Any], tuple[Any, list[Part], Any]],
        change: Callable[[Any, dict[str, Any], list[Part]], Any],
        busy: Exception,
        linked: str | None = None,
    ) -> tuple[Any, Any]:
        """Read the item (``read``: consistent), let ``plan(item)`` say what to write
        (``(changes, parts, result)``; None changes: nothing), and write it with
        ``change`` conditioned on what was read; a change of status moves the list's
        counts in the same transaction. Changed meanwhile: again on what it is now (at
        most ``tx.retries``, then ``busy``). ``linked``: the 409 message when another
        feature's part (label ``linked``) failed; without it that is retried too."""
        for _ in retries():
            item = read()
            changes, parts, result = plan(item)
            if changes is None:
                return item, result
            if "status" in changes and changes["status"] != item.status:
                parts = [self.counted(item, status=changes["status"]), *parts]
            try:
                change(item, changes, parts)
            except ConditionFailed as exc:
                if linked is not None and "linked" in exc.failed:
                    raise Conflict(linked) from exc
                continue
            except Contention:
                continue
            return item, result
        raise busy

    # --- the list ------------------------------------------------------------------------
    def rollup(self, customer_id: int | None = None) -> Rollup:
        return Rollup(self.rollup_scope(customer_id), DAY, MONTH)

    def entries(self, item: Any, **changes: Any) -> dict[Rollup, Entry]:
        """The item's entry in both scopes, with ``changes`` (status, date) applied."""
        state = {"status": item.status, self.date_field: getattr(item, self.date_field)}
        state.update(changes)
        sort = self.sort(state[self.date_field], int(getattr(item, self.id_field)))
        entry = (sort, state["status"])
        return {self.rollup(): entry, self.rollup(int(item.customer_id)): entry}

    def counted(self, item: Any, *, new: bool = False, **changes: Any) -> Part:
        """The part that counts a new item (``new``) or the ``changes`` of one."""
        old = {} if new else self.entries(item)
        return rollups.moved(item.tenant_id, old, self.entries(item, **changes))

    def page(
        self,
        tenant_id: str,
        request: PageRequest,
        stored: tuple[tuple[str, ...] | None, str, str],
        *,
        status: str | None,
        customer_id: int | None,
        date_from: str | None,
        date_to: str | None,
    ) -> dict[str, Any]:
        """One page, latest date first, of the items matching every filter. ``stored``:
        what the ``status`` filter reads (the stored statuses it keeps, None: all; and the
        date bounds it implies, ``""``: open), from the feature's rules."""
        if customer_id is not None:
            hash_value = self.customer_pk(tenant_id, customer_id)
            source = listing.Source.on_index(self.model, "gsi2", hash_value)
        else:
            source = listing.Source.on_index(self.model, "gsi1", self.tenant_pk(tenant_id))
        kept, low, high = stored
        low = max(filter(None, (low, date_from)), default=None)
        high = min(filter(None, (high, date_to)), default=None)
        if low and high and low > high:  # e.g. overdue with a range that starts today
            return page_body([], 0, request)
        condition = None
        if kept is not None:
            condition = self.model.status.is_in(*kept)
        return listing.page(
            source,
            self.rollup(customer_id),
            tenant_id,
            request,
            name=f"{self.name}|s={status}|c={customer_id}|{low}|{high}",
            low=low,
            high=f"{high}#{rollups.TOP}" if high else None,
            matches=None if kept is None else (lambda facet: facet in kept),
            condition=condition,
        )
