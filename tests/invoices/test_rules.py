"""Pure invoice rules: line totals, tax rounded half to even once per invoice, statuses
(overdue computed on read) and moves."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.invoices import rules


def _line(amount, quantity=1, description="x"):
    return {"description": description, "amount_cents": amount, "quantity": quantity}


def test_line_totals_and_subtotal():
    lines = rules.check_lines([_line(15000), _line(1999, 3, " Filter ")])
    assert [line["total_cents"] for line in lines] == [15000, 5997]
    assert lines[1]["description"] == "Filter"
    assert rules.totals(lines, 0) == rules.Totals(20997, 0, 20997)


def test_tax_is_rounded_half_to_even_once_per_invoice():
    # two lines of 5 cents at 10 %: per line 0.5 + 0.5 would round to 0 + 0, the invoice
    # rounds 1.0 once: 1 cent
    lines = rules.check_lines([_line(5), _line(5)])
    assert rules.totals(lines, 1000) == rules.Totals(10, 1, 11)
    # exact ties go to the even cent: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2
    assert rules.totals([_line(50)], 1000).tax_cents == 5
    assert rules.totals([_line(5)], 1000).tax_cents == 0
    assert rules.totals([_line(15)], 1000).tax_cents == 2
    assert rules.totals([_line(25)], 1000).tax_cents == 2
    assert rules.totals([_line(15000)], 825) == rules.Totals(15000, 1238, 16238)  # 1237.5
    assert rules.totals([_line(15000)], 10000).total_cents == 30000


@pytest.mark.parametrize(
    "lines, field",
    [
        ([], "line_items"),
        ([_line(100, 0)], "line_items.0.quantity"),
        ([_line(100, -1)], "line_items.0.quantity"),
        ([_line(-1)], "line_items.0.amount_cents"),
        ([_line(1.5)], "line_items.0.amount_cents"),
        ([_line(True)], "line_items.0.amount_cents"),
        ([_line(100, description="  ")], "line_items.0.description"),
    ],
)
def test_bad_lines(lines, field):
    with pytest.raises(InvalidInput) as exc:
        rules.check_lines(lines)
    assert exc.value.field == field


def test_tax_over_100_percent():
    for bad in (10001, -1, 1.5):
        with pytest.raises(InvalidInput):
            rules.check_tax(bad)


def test_overdue_is_computed_from_the_due_date():
    today = date(2026, 4, 16)
    assert rules.shown_status("sent", "2026-04-15", today) == "overdue"
    assert rules.shown_status("partial", "2026-04-15", today) == "overdue"
    assert rules.shown_status("sent", "2026-04-16", today) == "sent"
    for status in ("draft", "paid", "void"):
        assert rules.shown_status(status, "2026-01-01", today) == status
    assert rules.stored_filter("overdue", today) == (("sent", "partial"), "", "2026-04-15")
    assert rules.stored_filter("sent", today) == (("sent",), "2026-04-16", "")
    assert rules.stored_filter("paid", today) == (("paid",), "", "")
    assert rules.stored_filter(None, today) == (None, "", "")


def test_moves():
    rules.check_update("draft")
    for status in ("sent", "partial", "paid", "void"):
        with pytest.raises(RuleViolation):
            rules.check_update(status)
    assert rules.after_send("draft") == "sent"
    assert rules.after_send("partial") == "partial"
    for status in ("paid", "void"):
        with pytest.raises(RuleViolation):
            rules.after_send(status)
    assert rules.after_payment("sent", 1000, 400) == ("partial", 600)
    assert rules.after_payment("partial", 600, 600) == ("paid", 0)
    with pytest.raises(InvalidInput) as exc:
        rules.after_payment("sent", 1000, 1001)
    assert exc.value.field == "amount_cents"
    for status in ("draft", "void", "paid"):
        with pytest.raises(RuleViolation):
            rules.after_payment(status, 1000, 1)
    for status in ("draft", "sent", "partial"):
        rules.check_void(status)
    for status in ("paid", "void"):
        with pytest.raises(RuleViolation):
            rules.check_void(status)
    assert rules.number_of(42) == "INV-000042"
