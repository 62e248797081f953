"""Reconciliation items: imports, the file digests pointing at them, rows and their natural
keys, and the transactions that store and move rows (with their counts).

Keys (``platform.keys``, "reconciliation"): import ``T#<tid>#RECONIMP`` / ``<id>``;
file ``T#<tid>#RECONFILE`` / ``<sha256>``; row ``T#<tid>#RECONROW`` / ``<id>`` with gsi1
``T#<tid>#RECONIMPROW#<import>`` / ``<id>``; natural key ``T#<tid>#RECONKEY`` /
``<sha256>``. The rows lists are counted by rollups (facet: the status) of the tenant's
rows and of each import's rows, moved in the same transactions as the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.batch import get_raw
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import ConditionFailed, Labelled, labelled_transaction

Part = Callable[[Labelled], None]
CHUNK = 30  # rows per transaction: row + key each, plus at most 4 rollup items
ALL_ROWS = Rollup(keys.ReconciliationRollupScopes.ROWS, fine=8, coarse=6)


def import_rollup(import_id: int) -> Rollup:
    return Rollup(keys.ReconciliationRollupScopes.of_import(import_id), fine=8, coarse=6)


@register
class ImportItem(BaseItem):
    tenant_id = UnicodeAttribute()
    import_id = NumberAttribute()
    layout = UnicodeAttribute()
    file_digest = UnicodeAttribute()
    rows = NumberAttribute()
    stored = NumberAttribute()
    duplicates = NumberAttribute()
    skipped = NumberAttribute()
    skipped_rows = JSONAttribute(default=list)
    matched_on_import = NumberAttribute(default=0)
    first_row_id = NumberAttribute(null=True)
    created_by = NumberAttribute(null=True)
    created_at = UnicodeAttribute()


@register
class FileItem(BaseItem):
    tenant_id = UnicodeAttribute()
    import_id = NumberAttribute()


@register
class RowItem(BaseItem):
    tenant_id = UnicodeAttribute()
    row_id = NumberAttribute()
    import_id = NumberAttribute()
    line = NumberAttribute()
    status = UnicodeAttribute()
    date = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    customer_email = UnicodeAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)
    natural_key = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    match_kind = UnicodeAttribute(null=True)
    match_id = NumberAttribute(null=True)
    match_method = UnicodeAttribute(null=True)
    matched_at = UnicodeAttribute(null=True)
    matched_by = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


@register
class KeyItem(BaseItem):
    tenant_id = UnicodeAttribute()
    row_id = NumberAttribute()
    import_id = NumberAttribute()


# --- reading ------------------------------------------------------------------------------
def get_file(tenant_id: str, digest: str) -> FileItem | None:
    return FileItem.find(
        keys.reconciliation_file_key(tenant_id, digest), tenant_id=tenant_id, consistent=True
    )


def get_import(tenant_id: str, import_id: int, consistent: bool = False) -> ImportItem | None:
    return ImportItem.find(
        keys.reconciliation_import_key(tenant_id, import_id),
        tenant_id=tenant_id,
        consistent=consistent,
    )


def get_row(tenant_id: str, row_id: int, consistent: bool = False) -> RowItem | None:
    return RowItem.find(
        keys.reconciliation_row_key(tenant_id, row_id), tenant_id=tenant_id, consistent=consistent
    )


def taken_keys(tenant_id: str, digests: list[str]) -> set[str]:
    """The natural keys (of ``digests``) an earlier row holds: BatchGetItems of 100."""
    taken: set[str] = set()
    for start in range(0, len(digests), 100):
        chunk = list(dict.fromkeys(digests[start : start + 100]))
        wanted = [keys.reconciliation_natural_key(tenant_id, d) for d in chunk]
        for digest, raw in zip(chunk, get_raw(wanted, consistent=True), strict=True):
            if raw is not None:
                taken.add(digest)
    return taken


def status_counts(tenant_id: str, import_id: int) -> dict[str, int]:
    """The import's rows by status (its rollup: one consistent read)."""
    counts = rollups.load(tenant_id, import_rollup(import_id), None, None)
    return {
        status: counts.total(lambda facet, s=status: facet == s)
        for status in ("unmatched", "matched", "ignored")
    }


def page(
    tenant_id: str, request: PageRequest, status: str | None, import_id: int | None
) -> dict[str, Any]:
    """One page of rows in file order (oldest import first), only ``status`` ones when
    given, only one import's when ``import_id`` is."""
    if import_id is not None:
        source = listing.Source(
            RowItem,
            RowItem.gsi1pk,
            RowItem.gsi1sk,
            keys.reconciliation_rows_by_import_pk(tenant_id, import_id),
            index=RowItem.gsi1,
            descending=False,
        )
        rollup = import_rollup(import_id)
    else:
        source = listing.Source.partition(
            RowItem, keys.reconciliation_rows_pk(tenant_id), descending=False
        )
        rollup = ALL_ROWS
    return listing.page(
        source,
        rollup,
        tenant_id,
        request,
        name=f"reconciliation-rows|s={status}|i={import_id}",
        matches=None if status is None else (lambda facet: facet == status),
        condition=None if status is None else RowItem.status == status,
    )


# --- writing ------------------------------------------------------------------------------
def new_row(tenant_id: str, row_id: int, import_id: int, **fields: Any) -> RowItem:
    return RowItem(
        *keys.reconciliation_row_key(tenant_id, row_id),
        tenant_id=tenant_id,
        row_id=row_id,
        import_id=import_id,
        gsi1pk=keys.reconciliation_rows_by_import_pk(tenant_id, import_id),
        gsi1sk=keys.id_sk(row_id),
        **fields,
    )


def _entry(row: RowItem, status: str) -> Entry:
    return keys.id_sk(int(row.row_id)), status


def _counted(tx: Labelled, tenant_id: str, moves: list[tuple[RowItem, str | None, str]]) -> None:
    """Count rows appearing (old None) or changing status, in both scopes."""
    by_import: dict[int, list[tuple[Entry | None, Entry | None]]] = {}
    every: list[tuple[Entry | None, Entry | None]] = []
    for row, old, new in moves:
        pair = (None if old is None else _entry(row, old), _entry(row, new))
        every.append(pair)
        by_import.setdefault(int(row.import_id), []).append(pair)
    rollups.move_all(tx, tenant_id, ALL_ROWS, every)
    for import_id, pairs in by_import.items():
        rollups.move_all(tx, tenant_id, import_rollup(import_id), pairs)


def create_rows(tenant_id: str, rows: list[RowItem]) -> set[int]:
    """Store the rows with their natural keys and counts, ``CHUNK`` per transaction;
    returns the ids of rows not stored because another row holds their key."""
    lost: set[int] = set()
    pending = list(rows)
    while pending:
        chunk, pending = pending[:CHUNK], pending[CHUNK:]
        while chunk:
            try:
                with labelled_transaction() as tx:
                    for row in chunk:
                        tx.create(f"row:{int(row.row_id)}", row)
                        tx.create(f"key:{int(row.row_id)}", _key_item(row))
                    _counted(tx, tenant_id, [(row, None, str(row.status)) for row in chunk])
            except ConditionFailed as exc:
                taken = {int(label[4:]) for label in exc.failed if label.startswith("key:")}
                if not taken:
                    raise
                lost |= taken
                chunk = [row for row in chunk if int(row.row_id) not in taken]
                continue
            break
    return lost


def _key_item(row: RowItem) -> KeyItem:
    return KeyItem(
        *keys.reconciliation_natural_key(row.tenant_id, str(row.natural_key)),
        tenant_id=row.tenant_id,
        row_id=int(row.row_id),
        import_id=int(row.import_id),
    )


def moved(row: RowItem, status: str, changes: dict[str, Any]) -> Part:
    """The part that moves a row from its status as read to ``status`` with ``changes``
    (in the payment's transaction: the row can never be matched twice)."""
    changes = {**changes, "status": status}

    def part(tx: Labelled) -> None:
        actions = []
        for name, value in changes.items():
            attr = getattr(RowItem, name)
            actions.append(attr.remove() if value is None else attr.set(value))
        tx.update("linked", row, actions, condition=RowItem.status == row.status)
        _counted(tx, row.tenant_id, [(row, str(row.status), status)])

    return part


def apply(row: RowItem, parts: list[Part]) -> None:
    """Run the parts (a ``moved`` part) in a transaction of their own."""
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)


def save_import(item: ImportItem) -> bool:
    """The import with its file digest's pointer; False when another import of the same
    file got the pointer first (the import is saved anyway)."""
    pointer = FileItem(
        *keys.reconciliation_file_key(item.tenant_id, str(item.file_digest)),
        tenant_id=item.tenant_id,
        import_id=int(item.import_id),
    )
    try:
        with labelled_transaction() as tx:
            tx.create("import", item)
            tx.create("file", pointer)
    except ConditionFailed as exc:
        if exc.failed != ["file"]:
            raise
        item.save()
        return False
    return True


def matched_on_import(item: ImportItem, matched: int) -> None:
    item.update(actions=[ImportItem.matched_on_import.set(matched)])


def new_import(tenant_id: str, import_id: int, **fields: Any) -> ImportItem:
    return ImportItem(
        *keys.reconciliation_import_key(tenant_id, import_id),
        tenant_id=tenant_id,
        import_id=import_id,
        **fields,
    )
