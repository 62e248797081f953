"""The imports' own items: one per import, and the pointer from a file's digest to it.

Keys (``platform.keys``): ``T#<tid>#IMPORT`` / ``<id>`` (the import: kind, digest,
status ``running`` -> ``completed`` | ``failed``, rows, created, first and last id);
``T#<tid>#IMPORTFILE`` / ``<kind>#<sha256>`` (which import brought that file). The
import and its pointer are created in one transaction, the pointer only if its key is
free, so two uploads of one file at once make one import; they are completed in one
transaction too.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.platform import counters, keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import labelled_transaction

COUNTER = "import"
RUNNING, COMPLETED, FAILED = "running", "completed", "failed"


@register
class ImportItem(BaseItem):
    tenant_id = UnicodeAttribute()
    import_id = NumberAttribute()
    kind = UnicodeAttribute()
    digest = UnicodeAttribute()
    status = UnicodeAttribute()
    rows = NumberAttribute()
    created = NumberAttribute(default=0)
    first_id = NumberAttribute(null=True)
    last_id = NumberAttribute(null=True)
    created_by = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)


@register
class ImportFileItem(BaseItem):
    tenant_id = UnicodeAttribute()
    import_id = NumberAttribute()


def get(tenant_id: str, import_id: int, consistent: bool = False) -> ImportItem | None:
    return ImportItem.find(
        keys.import_key(tenant_id, import_id), tenant_id=tenant_id, consistent=consistent
    )


def by_file(tenant_id: str, kind: str, digest: str) -> ImportItem | None:
    """The import that brought this file (two consistent reads), if any."""
    pointer = ImportFileItem.find(keys.import_file_key(tenant_id, kind, digest), consistent=True)
    return get(tenant_id, int(pointer.import_id), consistent=True) if pointer else None


def start(
    tenant_id: str, kind: str, digest: str, rows: int, user_id: int | None, now: datetime
) -> ImportItem:
    """A new running import and its file pointer (``ConditionFailed`` labelled ``file``
    when the file's pointer exists: another upload of it got in first)."""
    import_id = counters.next_id(tenant_id, COUNTER)
    item = ImportItem(
        *keys.import_key(tenant_id, import_id),
        tenant_id=tenant_id,
        import_id=import_id,
        kind=kind,
        digest=digest,
        status=RUNNING,
        rows=rows,
        created=0,
        created_by=user_id,
        created_at=now,
    )
    pointer = ImportFileItem(
        *keys.import_file_key(tenant_id, kind, digest), tenant_id=tenant_id, import_id=import_id
    )
    with labelled_transaction() as tx:
        tx.create("import", item)
        tx.create("file", pointer)
    return item


def complete(item: ImportItem, ids: list[int], now: datetime) -> ImportItem:
    item.update(
        actions=[
            ImportItem.status.set(COMPLETED),
            ImportItem.created.set(len(ids)),
            ImportItem.first_id.set(ids[0]) if ids else ImportItem.first_id.remove(),
            ImportItem.last_id.set(ids[-1]) if ids else ImportItem.last_id.remove(),
            ImportItem.completed_at.set(now),
        ],
        condition=ImportItem.status == RUNNING,
    )
    return item


def fail(item: ImportItem, reason: str, now: datetime, forget_file: bool) -> None:
    """Mark the import failed; ``forget_file``: nothing was written, so the same file may
    be imported again (its pointer is removed)."""
    with labelled_transaction() as tx:
        tx.update(
            "import",
            item,
            [
                ImportItem.status.set(FAILED),
                ImportItem.error.set(reason[:500]),
                ImportItem.completed_at.set(now),
            ],
        )
        if forget_file:
            tx.delete(
                "file",
                ImportFileItem(*keys.import_file_key(item.tenant_id, item.kind, item.digest)),
            )
