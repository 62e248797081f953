"""Key formats of payment reconciliation (imports of processor exports and their rows)."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- reconciliation ---------------------------------------------------------------------
# An import by id (counter ``recon_import``); the file's hash (sha256 of the normalised
# file and its column mapping) points at the import that took it, so the same file again
# answers that import. A row by id (counter ``recon_row``, in file order); gsi1
# ``RECONIMPROW#<import>`` / ``<row id>`` lists one import's rows. A row's natural key
# (the processor's transaction id, else date + amount + reference; hashed) is claimed
# with the row, so overlapping files never store, or pay, one payment twice. The rows
# lists are counted by ``ReconciliationRollupScopes`` (facet: the row's status).
def reconciliation_import_key(tenant_id: str, import_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "RECONIMP"), id_sk(import_id)


def reconciliation_file_key(tenant_id: str, digest: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "RECONFILE"), digest


def reconciliation_row_key(tenant_id: str, row_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "RECONROW"), id_sk(row_id)


def reconciliation_rows_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "RECONROW")


def reconciliation_rows_by_import_pk(tenant_id: str, import_id: int) -> str:
    return tenant_pk(tenant_id, "RECONIMPROW", id_sk(import_id))


def reconciliation_natural_key(tenant_id: str, digest: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "RECONKEY"), digest


class ReconciliationRollupScopes:
    """Rollup scopes of the rows lists: every row of the tenant, one import's rows."""

    ROWS = ("RECONROWS",)

    @staticmethod
    def of_import(import_id: int) -> tuple[str, ...]:
        return ("RECONROWS", "IMP", id_sk(import_id))
