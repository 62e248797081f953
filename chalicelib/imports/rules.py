"""The onboarding imports' file rules (pure): the columns of each kind, the templates,
turning cells into the create bodies' values, the problems' report and the file digest.

Columns are the create bodies' fields (``POST /admin/technicians``,
``POST /admin/line-items``, ``POST /sales``), named the same; the import validates each
row with the same pydantic model as the route, so a row is accepted exactly when the
route would accept the same values. A cell is text; an empty cell is a field not sent
(its default applies). Integers (``*_cents``, ``*_bps``, ids, quantity) are digits
(cents, never dollars: ``150000`` is $1,500.00); booleans ``true``/``false`` (also
``yes``/``no``, ``1``/``0``); dates ``YYYY-MM-DD``; lists (``skills``,
``service_zones``) are separated by ``;``. Cells are trimmed. A cell that a spreadsheet
would run as a formula (``core.csvsafe.formula``: starting with ``=``, ``+``, ``-``,
``@``, tab or CR, other than a plain number or phone number) is refused, naming line
and column: the file is refused rather than silently changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from chalicelib.core import csvsafe

TECHNICIANS, LINE_ITEMS, SALES = "technicians", "line-items", "sales"
KINDS = (TECHNICIANS, LINE_ITEMS, SALES)
MAX_ROWS = {TECHNICIANS: 1_000, LINE_ITEMS: 5_000, SALES: 5_000}
MAX_REPORTED = 100  # problems listed in a 422's details (the message says how many more)
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")

TEXT, INTEGER, BOOLEAN, DATE, NUMBER, LIST = "text", "integer", "boolean", "date", "number", "list"
FORMATS = {
    TEXT: "text",
    INTEGER: "whole number (digits)",
    BOOLEAN: "true or false",
    DATE: "YYYY-MM-DD",
    NUMBER: "decimal number",
    LIST: "values separated by ;",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool
    doc: str
    example: str = ""


COLUMNS: dict[str, tuple[Column, ...]] = {
    TECHNICIANS: (
        Column("name", TEXT, True, "full name, 1-120 characters", "Mike Johnson"),
        Column("email", TEXT, False, "e-mail address", "mike@example.com"),
        Column("phone", TEXT, False, "up to 40 characters", "555-0100"),
        Column("pay_type", TEXT, False, "hourly (default), salary or commission", "hourly"),
        Column(
            "base_pay_cents",
            INTEGER,
            False,
            "cents: the hourly rate (hourly) or pay per period (salary); default 0",
            "2500",
        ),
        Column("skills", LIST, False, "up to 50 tags of 1-60 characters", "hvac;plumbing"),
        Column("service_zones", LIST, False, "up to 50 tags of 1-60 characters", "north"),
        Column("active", BOOLEAN, False, "default true", "true"),
        Column("home_zip", TEXT, False, "5-digit ZIP (or ZIP+4): the home base", "78701"),
        Column("home_latitude", NUMBER, False, "-90..90, with home_longitude"),
        Column("home_longitude", NUMBER, False, "-180..180, with home_latitude"),
    ),
    LINE_ITEMS: (
        Column("name", TEXT, True, "1-200 characters", "AC Tune-Up"),
        Column("category", TEXT, False, "default General", "Maintenance"),
        Column("price_cents", INTEGER, True, "list price per unit, in cents", "15000"),
        Column("description", TEXT, False, "up to 2,000 characters", "Seasonal check"),
        Column("sku", TEXT, False, "up to 64 characters", "AC-TUNE"),
        Column(
            "default_commission_bps",
            INTEGER,
            False,
            "the item's default commission rate in basis points (1000 = 10%)",
            "1000",
        ),
        Column("active", BOOLEAN, False, "default true", "true"),
    ),
    SALES: (
        Column("technician_id", INTEGER, True, "an active technician's id", "1"),
        Column("item_id", INTEGER, True, "an active line item's id", "1"),
        Column("sale_price_cents", INTEGER, True, "the line total (all units), in cents", "150000"),
        Column("quantity", INTEGER, False, "units, default 1", "1"),
        Column("installer_id", INTEGER, False, "an active technician's id (the installer)"),
        Column("customer_id", INTEGER, False, "an existing customer's id"),
        Column(
            "customer_name",
            TEXT,
            False,
            "without customer_id: a new customer of this name (unless the e-mail matches one)",
            "John Doe",
        ),
        Column("customer_email", TEXT, False, "links the customer with this e-mail, else new"),
        Column("notes", TEXT, False, "up to 2,000 characters", "Annual maintenance package"),
        Column("payment_type", TEXT, False, "up to 50 characters", "credit_card"),
        Column(
            "sale_date",
            DATE,
            False,
            "default today; not in the future nor in a closed pay period",
        ),
    ),
}


def template(kind: str) -> str:
    """The kind's template: the header row and one example row (it imports as is once the
    ids it names exist)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS[kind]])
    writer.writerow([c.example for c in COLUMNS[kind]])
    return out.getvalue()


def describe(kind: str) -> str:
    """The columns as a Markdown table (the OpenAPI description and the README)."""
    lines = ["| column | required | format | meaning |", "|---|---|---|---|"]
    for c in COLUMNS[kind]:
        lines.append(
            f"| `{c.name}` | {'yes' if c.required else 'no'} | {FORMATS[c.kind]} | {c.doc} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


def check_header(kind: str, header: list[str]) -> list[Problem]:
    """Unknown columns and missing required ones (line 1)."""
    known = {c.name for c in COLUMNS[kind]}
    problems = [
        Problem(
            1, name or "(empty)", f"unknown column; the columns are {', '.join(known_in(kind))}"
        )
        for name in header
        if name not in known
    ]
    problems += [
        Problem(1, c.name, "required column is missing")
        for c in COLUMNS[kind]
        if c.required and c.name not in header
    ]
    return problems


def known_in(kind: str) -> list[str]:
    return [c.name for c in COLUMNS[kind]]


def _value(column: Column, cell: str) -> Any:
    """The cell as the create body's value (left as text when it is not of the column's
    format, so the body's model names the field and says why)."""
    if column.kind == INTEGER and _INTEGER.match(cell):
        return int(cell)
    if column.kind == NUMBER and _NUMBER.match(cell):
        return float(cell)
    if column.kind == BOOLEAN and cell.lower() in _TRUE + _FALSE:
        return cell.lower() in _TRUE
    if column.kind == LIST:
        return [part.strip() for part in cell.split(";") if part.strip()]
    return cell


def row_fields(kind: str, line: int, cells: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """A row's body (fields with an empty cell left out) and its formula cells."""
    body: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in COLUMNS[kind]:
        raw = cells.get(column.name, "")
        cell = raw.strip()
        if not cell and not raw.startswith(("\t", "\r")):
            continue
        if csvsafe.formula(raw) or csvsafe.formula(cell):
            problems.append(Problem(line, column.name, "looks like a spreadsheet formula; refused"))
            continue
        body[column.name] = _value(column, cell)
    return body, problems


def digest(kind: str, bodies: list[dict[str, Any]]) -> str:
    """SHA-256 of the normalised file: its kind and rows as the bodies they give (so line
    endings, quoting, blank lines, column order, spacing and a byte-order mark do not
    change it; any value does)."""
    canonical = json.dumps([kind, bodies], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report(problems: list[Problem], cap: int = MAX_REPORTED) -> tuple[str, list[dict[str, Any]]]:
    """The 422's message and details: the first ``cap`` problems by line."""
    ordered = sorted(problems, key=lambda p: (p.line, p.field))
    rows = len({p.line for p in ordered})
    message = f"{len(ordered)} problem(s) in {rows} row(s); nothing was imported"
    if len(ordered) > cap:
        message += f" (the first {cap} are listed, {len(ordered) - cap} more)"
    return message, [p.as_dict() for p in ordered[:cap]]
