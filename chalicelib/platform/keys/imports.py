"""Key formats of the onboarding imports (CSV files of technicians, line items, sales)."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- imports --------------------------------------------------------------------------
# One item per import by id (from the counter ``import``), and one pointer per (kind,
# SHA-256 of the normalised file) to the import that brought that file, so a re-import of
# the same file is recognised and creates nothing twice.
def import_key(tenant_id: str, import_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "IMPORT"), id_sk(import_id)


def import_file_key(tenant_id: str, kind: str, digest: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "IMPORTFILE"), f"{kind}#{digest}"
