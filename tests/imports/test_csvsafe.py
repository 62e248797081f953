"""core.csvsafe: decoding, reading with line numbers, limits, formula cells."""

from __future__ import annotations

import pytest

from chalicelib.core import csvsafe
from chalicelib.core.csvsafe import CsvProblem


def test_decode_drops_bom_and_refuses_bad_bytes() -> None:
    assert csvsafe.decode(b"\xef\xbb\xbfa,b\n") == "a,b\n"
    with pytest.raises(CsvProblem, match="UTF-8"):
        csvsafe.decode(b"a\xff")
    with pytest.raises(CsvProblem, match="NUL"):
        csvsafe.decode("a\x00b")
    with pytest.raises(CsvProblem) as exc:
        csvsafe.decode(b"x" * 11, max_bytes=10)
    assert exc.value.too_large


def test_read_gives_line_numbers_across_quoted_newlines_and_blank_lines() -> None:
    header, rows = csvsafe.read('Name , Notes\nA,"two\nlines"\n\nB,\nC\n', max_rows=10)
    assert header == ["name", "notes"]
    assert [(r.line, r.cells) for r in rows] == [
        (2, {"name": "A", "notes": "two\nlines"}),
        (5, {"name": "B", "notes": ""}),
        (6, {"name": "C", "notes": ""}),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("a,a\n1,2\n", "twice"),
        ("a\n1,2\n", "cells"),
        ('a\n"unclosed\n', "malformed"),
    ],
)
def test_read_refuses_bad_files(text: str, message: str) -> None:
    with pytest.raises(CsvProblem, match=message):
        csvsafe.read(text, max_rows=10)


def test_row_and_cell_limits() -> None:
    with pytest.raises(CsvProblem) as exc:
        csvsafe.read("a\n1\n2\n3\n", max_rows=2)
    assert exc.value.too_large and exc.value.line == 4
    with pytest.raises(CsvProblem, match="longer"):
        csvsafe.read("a\n" + "x" * (csvsafe.MAX_CELL + 1) + "\n", max_rows=2)


@pytest.mark.parametrize(
    ("cell", "is_formula"),
    [
        ("=1+1", True),
        ("@SUM(A1)", True),
        ("+SUM(A1)", True),
        ("-2+3", True),
        ("\tx", True),
        ("\rx", True),
        ("-12.50", False),
        ("+1 (555) 010-2000", False),
        ("John", False),
        ("", False),
        ("a=b", False),
    ],
)
def test_formula(cell: str, is_formula: bool) -> None:
    assert csvsafe.formula(cell) is is_formula
    assert csvsafe.neutralise(cell) == ("'" + cell if is_formula else cell)
