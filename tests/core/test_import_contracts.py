"""The import rules (.importlinter) cover every package: core and platform import no
feature, and every feature's store is private to it. A new feature package that is not in
the contracts fails here; `make lint` runs the contracts themselves (lint-imports)."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"core", "platform"}


def _contracts() -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    return {
        name.split(":", 2)[2]: dict(parser[name])
        for name in parser.sections()
        if name.startswith("importlinter:contract:")
    }


def _lines(value: str) -> set[str]:
    return {line.strip() for line in value.splitlines() if line.strip()}


def _features() -> set[str]:
    return {
        path.name
        for path in (ROOT / "chalicelib").iterdir()
        if (path / "__init__.py").exists() and path.name not in LAYERS
    }


def test_core_and_platform_import_no_feature():
    contracts = _contracts()
    wanted = {f"chalicelib.{name}" for name in _features()}
    assert wanted <= _lines(contracts["core"]["forbidden_modules"])
    assert wanted <= _lines(contracts["platform"]["forbidden_modules"])
    assert "chalicelib.platform" in _lines(contracts["core"]["forbidden_modules"])


def test_every_store_is_private_to_its_feature():
    contracts = _contracts()
    for feature in _features():
        if not (ROOT / "chalicelib" / feature / "store.py").exists():
            continue
        contract = contracts.get(f"{feature}-store")
        assert contract is not None, f"add a protected contract for chalicelib.{feature}.store"
        stores = {f"chalicelib.{feature}.store"} | {  # and any store split by job (*_store.py)
            f"chalicelib.{feature}.{path.stem}"
            for path in (ROOT / "chalicelib" / feature).glob("*_store.py")
        }
        assert _lines(contract["protected_modules"]) == stores
        assert _lines(contract["allowed_importers"]) == {f"chalicelib.{feature}"}
