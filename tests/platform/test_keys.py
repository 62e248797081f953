"""platform/keys/ holds every key format: no two key families may ever produce the same
partition key, tenant keys stay inside their tenant, and every entity is registered."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib.platform import keys

TENANTS = ("7d1c0f6e-0000-4000-8000-000000000001", "7d1c0f6e-0000-4000-8000-000000000002")
SAMPLES = {"int": 7, "str": "x-1", "datetime": datetime(2026, 3, 4, tzinfo=UTC)}
NOT_TABLE_KEYS = {
    "tenant_pk",
    "id_sk",
    "sale_sort",
    "job_sort",
    "jobs_rollup_scope",
    "sale_date_range",
    "sales_rollup_scope",
    "rollup_coarse_sk",
    "outbox_shards",
    "export_prefix",
    "period_file_key",
    "statement_file_key",
    "export_copy_key",
    "form_upload_prefix",
    "branding_upload_prefix",  # S3 object keys, not table keys
    "invoice_sort",
    "invoices_rollup_scope",
    "invoice_pdf_key",
    "estimate_sort",
    "estimates_rollup_scope",
    "communication_sort",
    "communications_rollup_scope",
    "review_sort",
    "reviews_rollup_scope",
}
# The package's modules (``keys`` re-exports every name they define).
MODULES = [
    importlib.import_module(f"{keys.__name__}.{info.name}")
    for info in pkgutil.iter_modules(keys.__path__)
]


def _key_functions():
    for name, fn in inspect.getmembers(keys, inspect.isfunction):
        if fn.__module__ in {module.__name__ for module in MODULES} and name not in NOT_TABLE_KEYS:
            yield name, fn


def _call(fn, tenant_id: str):
    args = {}
    for param in inspect.signature(fn).parameters.values():
        kind = param.annotation if isinstance(param.annotation, str) else "str"
        args[param.name] = tenant_id if param.name == "tenant_id" else SAMPLES.get(kind, "x-1")
    return fn(**args)


def _pk(value) -> str:
    return value[0] if isinstance(value, tuple) else value


def test_entity_names_and_global_prefixes_are_distinct_and_plain():
    names = list(keys.ENTITIES) + list(keys.GLOBAL_PREFIXES) + [keys.TENANT_PREFIX]
    assert len(names) == len(set(names))
    assert all(name and "#" not in name and name.isupper() for name in names)
    assert set(keys.ENTITIES.values()) <= {
        path.name for path in Path(keys.__file__).parents[2].iterdir() if path.is_dir()
    }


def test_every_partition_key_names_its_family():
    """The segments that decide a partition are (tenant prefix, tenant, entity) or (global
    prefix): every key function yields a registered family, and tenant keys start with
    their own tenant, so one tenant's keys can never address another tenant's items."""
    families: dict[str, set[str]] = {}
    for name, fn in _key_functions():
        for tenant_id in TENANTS:
            pk = _pk(_call(fn, tenant_id))
            parts = pk.split("#")
            if parts[0] == keys.TENANT_PREFIX:
                assert parts[1] == tenant_id, (name, pk)
                family = parts[2]
                assert family in keys.ENTITIES, (name, pk)
            else:
                family = parts[0]
                assert family in keys.GLOBAL_PREFIXES, (name, pk)
                assert tenant_id not in pk.split("#")[:2], (name, pk)
            families.setdefault(family, set()).add(name)
    unused = set(keys.ENTITIES) | set(keys.GLOBAL_PREFIXES)
    assert unused - set(families) == set(), "registered names no key function uses"


def test_tenant_pk_refuses_an_unregistered_entity():
    with pytest.raises(ValueError, match="unregistered entity"):
        keys.tenant_pk(TENANTS[0], "NOT_A_FAMILY")


def test_every_tenant_partition_is_built_with_a_registered_literal():
    """New key formats go through ``tenant_pk`` with an entity literal listed in ENTITIES
    (so a reviewer sees the whole set in one place)."""
    trees = [ast.parse(Path(module.__file__).read_text()) for module in MODULES]
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tenant_pk":
            entity = node.args[1]
            assert isinstance(entity, ast.Constant) and entity.value in keys.ENTITIES, ast.unparse(
                node
            )
