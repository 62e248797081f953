"""Onboarding imports: a CSV file of technicians, line items or sales, checked whole,
then written in batches.

1. The file is read (``core.csvsafe``: UTF-8, at most 1 MiB, at most ``rules.MAX_ROWS``
   rows: 413 past either) and its header checked (unknown or missing required columns:
   422).
2. The file's digest (``rules.digest``, of the rows as bodies) is looked up: a file of
   this kind imported before answers that import's summary with ``duplicate: true`` and
   creates nothing (2 reads).
3. Every row is validated with the create route's own model (``TechnicianIn``,
   ``LineItemIn``, ``SaleIn``) and rules (a technician's home base; a sale's technician,
   item, installer, customer, date, pay period and commission: ``sales.bulk.plan``).
   Any problem: 422 ``VALIDATION_ERROR`` whose ``details`` list ``{line, field,
   message}`` for the first ``rules.MAX_REPORTED`` problems (the message says how many
   more), and nothing is written.
4. The import is started (its id, and a pointer from the digest, created if free: two
   uploads of one file at once make one import), the rows are written by their feature's
   bulk entry point (``technicians.service.create_many``, ``catalog.service.create_many``,
   ``sales.bulk.write``: ids reserved in one block, BatchWriteItem of 25, summed counts)
   and the import completed with its first and last id.

A failure after 4 began marks the import ``failed``; when nothing was written (a pay
period closed meanwhile: 409) the file may be imported again, otherwise its pointer stays
and a re-import answers 409 naming the failed import (some of its items may exist; check
them before importing the rest under a changed file).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ValidationError

from chalicelib.catalog import service as catalog
from chalicelib.catalog.api import LineItemIn
from chalicelib.core import clock, csvsafe
from chalicelib.core.auth import Principal
from chalicelib.core.errors import (
    BadRequest,
    Conflict,
    InvalidInput,
    PayloadTooLarge,
    ValidationFailed,
    found,
)
from chalicelib.imports import rules, store
from chalicelib.imports.store import ImportItem
from chalicelib.platform.tx import ConditionFailed
from chalicelib.sales import bulk as sales_bulk
from chalicelib.sales.models import SaleIn
from chalicelib.technicians import service as technicians
from chalicelib.technicians.api import TechnicianIn

log = logging.getLogger("tradekitt.imports")
MODELS: dict[str, type[BaseModel]] = {
    rules.TECHNICIANS: TechnicianIn,
    rules.LINE_ITEMS: LineItemIn,
    rules.SALES: SaleIn,
}


def summary(item: ImportItem, duplicate: bool = False) -> dict[str, Any]:
    return {
        "import_id": int(item.import_id),
        "kind": item.kind,
        "status": item.status,
        "rows": int(item.rows),
        "created": int(item.created or 0),
        "first_id": int(item.first_id) if item.first_id is not None else None,
        "last_id": int(item.last_id) if item.last_id is not None else None,
        "duplicate": duplicate,
        "created_by": int(item.created_by) if item.created_by is not None else None,
        "created_at": item.created_at,
        "completed_at": item.completed_at,
    }


def get(tenant_id: str, import_id: int) -> dict[str, Any]:
    return summary(found(store.get(tenant_id, import_id), f"import {import_id} not found"))


def _refuse(problems: list[rules.Problem]) -> None:
    message, details = rules.report(problems)
    raise ValidationFailed(message, details=details)


Bodies = list[tuple[int, dict[str, Any]]]


def _read(kind: str, raw: bytes | str) -> tuple[Bodies, list[rules.Problem]]:
    """The file's rows as (line, body), and its formula cells (left out of the bodies)."""
    try:
        text = csvsafe.decode(raw)
        header, rows = csvsafe.read(text, rules.MAX_ROWS[kind])
    except csvsafe.CsvProblem as exc:
        where = f"line {exc.line}: " if exc.line else ""
        if exc.too_large:
            raise PayloadTooLarge(where + exc.message) from exc
        raise BadRequest(where + exc.message) from exc
    problems = rules.check_header(kind, header)
    if problems:
        _refuse(problems)
    if not rows:
        raise ValidationFailed(
            "the file has no rows below its header",
            details=[{"line": 2, "field": "body", "message": "no rows"}],
        )
    bodies = []
    for row in rows:
        body, found_problems = rules.row_fields(kind, row.line, row.cells)
        problems += found_problems
        bodies.append((row.line, body))
    return bodies, problems


def _validated(kind: str, bodies: Bodies, problems: list[rules.Problem]) -> list[Any]:
    """Every row through the create route's model (and a technician's home base); the
    formula cells found before (their fields are not reported twice)."""
    model = MODELS[kind]
    refused = {(p.line, p.field) for p in problems}
    problems = list(problems)
    valid: list[Any] = []
    for line, body in bodies:
        try:
            data = model.model_validate(body)
            if kind == rules.TECHNICIANS:
                valid.append(
                    technicians.with_home_base(data.model_dump(exclude={"username", "password"}))
                )
            elif kind == rules.LINE_ITEMS:
                valid.append(data.model_dump())
            else:
                valid.append(data)
        except ValidationError as exc:
            for err in exc.errors():
                name = ".".join(str(p) for p in err["loc"]) or "row"
                if (line, name) not in refused:
                    problems.append(rules.Problem(line, name, err["msg"]))
        except InvalidInput as exc:
            problems.append(rules.Problem(line, exc.field, exc.message))
    if problems:
        _refuse(problems)
    return valid


def run(principal: Principal, kind: str, raw: bytes | str) -> tuple[dict[str, Any], bool]:
    """Import a file; returns (summary, created: False when it was a duplicate)."""
    tid = principal.tenant_id
    bodies, problems = _read(kind, raw)
    digest = rules.digest(kind, [body for _, body in bodies])
    if not problems:  # (a file with formula cells was never imported)
        earlier = store.by_file(tid, kind, digest)
        if earlier is not None:
            return _earlier(earlier), False
    valid = _validated(kind, bodies, problems)
    plan = None
    if kind == rules.SALES:
        plan, problems = sales_bulk.plan(principal, valid)
        if problems:
            _refuse([rules.Problem(bodies[i][0], f, m) for i, f, m in problems])
    try:
        item = store.start(tid, kind, digest, len(bodies), principal.user_id, clock.now())
    except ConditionFailed:  # the same file, uploaded at the same time, got in first
        earlier = store.by_file(tid, kind, digest)
        if earlier is None:
            raise Conflict("this file is being imported; retry shortly") from None
        return _earlier(earlier), False
    token = f"{tid}#import#{item.import_id}"
    try:
        if kind == rules.TECHNICIANS:
            ids = technicians.create_many(tid, valid, token)
        elif kind == rules.LINE_ITEMS:
            ids = catalog.create_many(tid, valid, token)
        else:
            ids = sales_bulk.write(plan, token)  # type: ignore[arg-type]
    except Conflict as exc:  # nothing was written
        store.fail(item, exc.message, clock.now(), forget_file=True)
        raise
    except Exception as exc:
        log.exception("import %s of tenant %s failed part way", item.import_id, tid)
        store.fail(item, type(exc).__name__, clock.now(), forget_file=False)
        raise
    store.complete(item, ids, clock.now())
    log.info("import %s: %s %s created", item.import_id, len(ids), kind)
    return summary(item), True


def _earlier(item: ImportItem) -> dict[str, Any]:
    if item.status == store.COMPLETED:
        return summary(item, duplicate=True)
    if item.status == store.RUNNING:
        raise Conflict(f"this file is being imported (import {item.import_id}); retry shortly")
    raise Conflict(
        f"this file's import {item.import_id} failed part way; some of its rows may exist "
        "(check them, then import the remaining rows as a new file)"
    )
