"""imports.rules (pure) and platform.bulk's packing: cells to body values, headers,
formula cells, the file digest, the problems' report, templates; ADDs summed per item and
packed into transactions of distinct items."""

from __future__ import annotations

import csv
import io

import pytest
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.imports import rules
from chalicelib.imports.rules import Problem
from chalicelib.platform import bulk
from chalicelib.platform.bulk import BulkWrite
from chalicelib.platform.rollups import RollupItem


def test_cells_become_the_bodies_values():
    body, problems = rules.row_fields(
        rules.TECHNICIANS,
        2,
        {
            "name": "  Ann ",
            "base_pay_cents": "2500",
            "skills": "hvac; ;plumbing",
            "active": "No",
            "home_latitude": "30.5",
            "phone": "",
        },
    )
    assert problems == []
    assert body == {
        "name": "Ann",
        "base_pay_cents": 2500,
        "skills": ["hvac", "plumbing"],
        "active": False,
        "home_latitude": 30.5,
    }
    # not of the column's format: left as text, for the model to name
    body, _ = rules.row_fields(rules.LINE_ITEMS, 2, {"price_cents": "1.50", "active": "maybe"})
    assert body == {"price_cents": "1.50", "active": "maybe"}


@pytest.mark.parametrize("cell", ["=1", "+A1", "-1+1", "@x", "\t1", " =1", "\r"])
def test_formula_cells_are_problems(cell):
    body, problems = rules.row_fields(rules.LINE_ITEMS, 7, {"name": cell})
    assert "name" not in body
    assert problems == [Problem(7, "name", "looks like a spreadsheet formula; refused")]


def test_header_problems():
    assert rules.check_header(rules.LINE_ITEMS, ["name", "price_cents"]) == []
    found = rules.check_header(rules.LINE_ITEMS, ["name", "cost"])
    assert {(p.line, p.field) for p in found} == {(1, "cost"), (1, "price_cents")}


def test_digest_is_of_the_values_only():
    one = rules.digest(rules.SALES, [{"a": 1, "b": "x"}])
    assert one == rules.digest(rules.SALES, [{"b": "x", "a": 1}])
    assert one != rules.digest(rules.SALES, [{"a": 2, "b": "x"}])
    assert one != rules.digest(rules.LINE_ITEMS, [{"a": 1, "b": "x"}])


def test_report_orders_caps_and_counts():
    problems = [Problem(line, "f", "m") for line in range(200, 0, -1)]
    message, details = rules.report(problems, cap=3)
    assert [d["line"] for d in details] == [1, 2, 3]
    assert message == (
        "200 problem(s) in 200 row(s); nothing was imported (the first 3 are listed, 197 more)"
    )


@pytest.mark.parametrize("kind", rules.KINDS)
def test_templates_and_their_columns(kind):
    header, example = list(csv.reader(io.StringIO(rules.template(kind))))
    assert header == rules.known_in(kind)
    assert len(example) == len(header)
    table = rules.describe(kind)
    assert all(f"`{name}`" in table for name in header)


def test_bulk_sums_adds_and_packs_distinct_items(monkeypatch):
    monkeypatch.setattr(bulk, "MAX_TX_ITEMS", 2)
    monkeypatch.setattr(bulk, "MAX_ADDS", 2)
    writer = BulkWrite()
    for _ in range(3):
        writer.update("r", RollupItem("p", "A"), [NumberAttribute(attr_name="n#1").add(1)])
    writer.update("r", RollupItem("p", "A"), [NumberAttribute(attr_name="n#2").add(1)])
    writer.update("r", RollupItem("p", "A"), [NumberAttribute(attr_name="n#3").add(-1)])
    writer.update("r", RollupItem("p", "B"), [NumberAttribute(attr_name="n#1").add(5)])
    writer.update("r", RollupItem("p", "C"), [NumberAttribute(attr_name="n#1").add(0)])
    # not an ADD: kept as its own update
    writer.update("s", RollupItem("p", "D"), [UnicodeAttribute(attr_name="s").set("x")])
    assert dict(writer.adds[("p", "A")]) == {"n#1": 3, "n#2": 1, "n#3": -1}
    assert len(writer.updates) == 1
    chunks = list(writer._transactions())
    # A is split in two updates (2 attributes each at most), which never share a
    # transaction; C adds nothing and is left out
    assert chunks == [
        [(("p", "A"), [("n#1", 3), ("n#2", 1)]), (("p", "B"), [("n#1", 5)])],
        [(("p", "A"), [("n#3", -1)])],
    ]
    with pytest.raises(TypeError):
        writer.check("x")
