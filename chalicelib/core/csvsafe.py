"""Reading CSV files that clients upload, safely (pure: standard library only).

Shared by every feature that accepts a CSV (onboarding imports, payment reconciliation):

- ``decode``: the raw body as text: UTF-8 (a byte-order mark is dropped), at most
  ``MAX_BYTES`` (the edge's own 1 MiB body limit), no NUL; ``CsvProblem`` otherwise.
- ``read``: the header and the data rows, each with the line number where it starts in
  the file (1 is the header; a quoted cell may span lines), at most ``max_rows`` data
  rows, cells of at most ``MAX_CELL`` characters, no row wider than the header; blank
  lines are skipped; header names are trimmed and lower-cased.
- ``formula``: whether a cell would run as a formula when the file (or an export of what
  was imported) is opened in a spreadsheet (CSV injection, OWASP): it starts with ``=``,
  ``@``, tab or CR, or with ``+``/``-`` followed by anything but a plain number or phone
  number (``-12.50``, ``+1 (555) 010-2000`` are data, ``+SUM(A1)`` and ``-2+3`` are
  not). Callers refuse such cells (the imports do, naming line and column) rather than
  silently rewrite data.
- ``neutralise``: the cell an export writes instead (a leading apostrophe), for writers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

MAX_BYTES = 1024 * 1024  # the API's body limit (core.wire.MAX_BODY_BYTES)
MAX_CELL = 10_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN = re.compile(r"[+-][0-9][0-9 ().,\-]*\Z")  # -12.50, +1 (555) 010-2000


class CsvProblem(ValueError):
    """The file cannot be read as a CSV at all (``line`` where it went wrong, 0: the
    whole file). ``too_large`` distinguishes a size limit (413) from a bad file."""

    def __init__(self, message: str, line: int = 0, too_large: bool = False) -> None:
        super().__init__(message)
        self.message, self.line, self.too_large = message, line, too_large


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file (the header is line 1)
    cells: dict[str, str] = field(default_factory=dict)  # header name -> cell ('' if absent)


def decode(raw: bytes | str, max_bytes: int = MAX_BYTES) -> str:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        raise CsvProblem(f"the file is {len(data)} bytes; at most {max_bytes}", too_large=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CsvProblem(f"the file is not UTF-8 (byte {exc.start})") from exc
    if "\x00" in text:
        raise CsvProblem("the file contains a NUL character")
    return text.removeprefix("\ufeff")


def formula(cell: str) -> bool:
    """True when a spreadsheet would evaluate ``cell`` (see the module docstring)."""
    if not cell or not cell.startswith(FORMULA_START):
        return False
    return not (cell[0] in "+-" and _PLAIN.match(cell))


def neutralise(cell: str) -> str:
    return "'" + cell if formula(cell) else cell


def read(text: str, max_rows: int) -> tuple[list[str], list[Row]]:
    """The header (trimmed, lower-cased names) and the data rows (see module docstring)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[Row] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            for cell in record:
                if len(cell) > MAX_CELL:
                    raise CsvProblem(f"a cell is longer than {MAX_CELL} characters", start)
            if header is None:
                header = [name.strip().lower() for name in record]
                if len(set(header)) != len(header):
                    raise CsvProblem("the header names a column twice", start)
                continue
            if len(record) > len(header):
                raise CsvProblem(
                    f"the row has {len(record)} cells; the header has {len(header)}", start
                )
            if len(rows) >= max_rows:
                raise CsvProblem(f"the file has more than {max_rows} rows", start, True)
            cells = dict(zip(header, record, strict=False))
            rows.append(Row(start, {name: cells.get(name, "") for name in header}))
    except csv.Error as exc:
        raise CsvProblem(f"malformed CSV: {exc}", line) from exc
    if header is None:
        raise CsvProblem("the file is empty: a header row is required")
    return header, rows
