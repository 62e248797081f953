"""Estimate rules (pure, no AWS): numbers, the shown ``expired`` status, every move's
allowed statuses, the list's status filter and the link's and invoice's dates."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.estimates import rules
from chalicelib.invoices import rules as invoice_rules

TODAY = date(2026, 4, 10)


def test_numbers_and_shared_line_rules():
    assert rules.number_of(1) == "EST-000001"
    assert rules.number_of(1234567) == "EST-1234567"
    # the very same functions as the invoices': an estimate converts to the same amounts
    assert rules.check_lines is invoice_rules.check_lines
    assert rules.totals is invoice_rules.totals
    lines = rules.check_lines(
        [{"description": "New HVAC System", "amount_cents": 850000, "quantity": 1},
         {"description": "Installation Labor", "amount_cents": 250000, "quantity": 1}]
    )  # fmt: skip
    t = rules.totals(lines, 825)
    assert (t.subtotal_cents, t.tax_cents, t.total_cents) == (1100000, 90750, 1190750)


@pytest.mark.parametrize(
    "lines, field",
    [
        ([], "line_items"),
        ([{"description": "x", "amount_cents": 1, "quantity": 0}], "line_items.0.quantity"),
        ([{"description": "x", "amount_cents": 1, "quantity": -1}], "line_items.0.quantity"),
        ([{"description": " ", "amount_cents": 1, "quantity": 1}], "line_items.0.description"),
    ],
)
def test_bad_lines_name_the_field(lines, field):
    with pytest.raises(InvalidInput) as exc:
        rules.check_lines(lines)
    assert exc.value.field == field


def test_tax_over_100_percent_and_valid_until_in_the_past():
    with pytest.raises(InvalidInput) as exc:
        rules.check_tax(10001)
    assert exc.value.field == "tax_bps"
    assert rules.check_valid_until(TODAY, TODAY) == "2026-04-10"
    with pytest.raises(InvalidInput) as exc:
        rules.check_valid_until(date(2026, 4, 9), TODAY)
    assert exc.value.field == "valid_until"


def test_expired_is_shown_for_a_sent_estimate_past_valid_until():
    assert rules.shown_status("sent", "2026-04-10", TODAY) == "sent"  # valid all day
    assert rules.shown_status("sent", "2026-04-09", TODAY) == "expired"
    for status in ("draft", "accepted", "declined", "converted"):
        assert rules.shown_status(status, "2026-01-01", TODAY) == status


def test_send_moves():
    assert rules.after_send("draft", "2026-04-10", TODAY) == "sent"
    assert rules.after_send("sent", "2026-04-10", TODAY) == "sent"  # a re-send
    with pytest.raises(RuleViolation, match="has passed"):
        rules.after_send("draft", "2026-04-09", TODAY)
    for status, valid in (("sent", "2026-04-09"), ("accepted", "2026-05-01"),
                          ("declined", "2026-05-01"), ("converted", "2026-05-01")):  # fmt: skip
        with pytest.raises(RuleViolation):
            rules.after_send(status, valid, TODAY)


def test_answers():
    assert rules.after_response("sent", "2026-04-10", TODAY, True) == "accepted"
    assert rules.after_response("sent", "2026-04-10", TODAY, False) == "declined"
    cases = {
        ("sent", "2026-04-09"): "expired",
        ("draft", "2026-05-01"): "not been sent",
        ("accepted", "2026-05-01"): "already accepted",
        ("converted", "2026-05-01"): "already accepted",
        ("declined", "2026-05-01"): "declined",
    }
    for (status, valid), says in cases.items():
        for accept in (True, False):
            with pytest.raises(RuleViolation, match=says):
                rules.after_response(status, valid, TODAY, accept)


def test_convert_only_accepted_once():
    rules.check_convert("accepted")
    for status in ("draft", "sent", "declined", "converted"):
        with pytest.raises(RuleViolation):
            rules.check_convert(status)
    with pytest.raises(InvalidInput):
        rules.check_via("email")
    assert [rules.check_via(v) for v in rules.VIA] == list(rules.VIA)


def test_status_filter_and_dates():
    assert rules.stored_filter(None, TODAY) == (None, "", "")
    assert rules.stored_filter("expired", TODAY) == (("sent",), "", "2026-04-09")
    assert rules.stored_filter("sent", TODAY) == (("sent",), "2026-04-10", "")
    assert rules.stored_filter("accepted", TODAY) == (("accepted",), "", "")
    assert rules.link_expires_at("2026-04-30") == date(2026, 5, 1)
    assert rules.link_expires_at("2026-12-31") == date(2027, 1, 1)
    assert rules.invoice_due(TODAY, None) == date(2026, 5, 10)
    assert rules.invoice_due(TODAY, date(2026, 4, 20)) == date(2026, 4, 20)
