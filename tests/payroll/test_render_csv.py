from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.payroll.render_csv import (
    COMMISSION_REPORT_COLUMNS,
    PAY_PERIOD_COLUMNS,
    SALES_COLUMNS,
    commission_report_csv,
    format_cents,
    format_minutes_as_hours,
    pay_period_csv,
    safe_cell,
    sales_csv,
)
from chalicelib.payroll.rules import compute_totals


def parse(data: bytes) -> list[dict[str, str]]:
    assert isinstance(data, bytes)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def dollars_to_cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, frac = text.lstrip("-").split(".")
    assert len(frac) == 2
    return sign * (int(whole) * 100 + int(frac))


# --------------------------------------------------------------------------- #
# Formatting helpers
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "cents, text",
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (100, "1.00"),
        (-1234, "-12.34"),
        (123456789, "1234567.89"),
        (Decimal("250"), "2.50"),
    ],
)
def test_format_cents(cents, text):
    assert format_cents(cents) == text


@pytest.mark.parametrize("bad", [1.5, True, "100", None, Decimal("1.5")])
def test_format_cents_rejects_non_integers(bad):
    with pytest.raises(TypeError):
        format_cents(bad)


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**15), 10**15))
def test_format_cents_roundtrip(cents):
    assert dollars_to_cents(format_cents(cents)) == cents


@pytest.mark.parametrize(
    "minutes, text",
    [(0, "0.00"), (60, "1.00"), (90, "1.50"), (1, "0.02"), (20, "0.33"), (4801, "80.02")],
)
def test_format_minutes_as_hours(minutes, text):
    assert format_minutes_as_hours(minutes) == text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("Bob = boss", "Bob = boss"),
        ("O'Brien", "O'Brien"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (date(2026, 3, 2), "2026-03-02"),
        ("Zoë 漢字", "Zoë 漢字"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


# --------------------------------------------------------------------------- #
# pay_period_csv
# --------------------------------------------------------------------------- #

PERIOD = {"id": "p-1", "start": date(2026, 3, 1), "end": "2026-03-15", "status": "closed"}


def make_totals():
    return [
        compute_totals(
            {"id": 1, "name": "Ann Lee", "pay_type": "hourly", "hourly_rate_cents": 2001},
            [(125000, 12500), (9999, 1000)],
            [-2500],
            30,
        ),
        compute_totals(
            {"id": 2, "name": "=cmd|' /C calc'!A0", "pay_type": "salary", "salary_cents": 250000},
            [(50000, 2500)],
            [],
            4800,
        ),
        compute_totals({"id": 3, "name": "Clawed Back", "pay_type": "commission"}, [], [-1234], 0),
    ]


def test_pay_period_csv_rows_and_total():
    totals = make_totals()
    data = pay_period_csv(PERIOD, totals)
    assert b"\r\n" in data and data.endswith(b"\r\n")
    rows = parse(data)
    assert list(rows[0]) == list(PAY_PERIOD_COLUMNS)
    assert len(rows) == len(totals) + 1

    ann, sal, claw, total = rows
    assert ann["period_start"] == "2026-03-01" and ann["period_end"] == "2026-03-15"
    assert ann["technician_id"] == "1"
    assert ann["technician_name"] == "Ann Lee"
    assert ann["hours_worked"] == "0.50"
    assert ann["hourly_rate"] == "20.01"
    assert ann["base_pay"] == "10.00"  # 1000.5 cents -> 1000 (half-even)
    assert ann["commission"] == "135.00"
    assert ann["adjustments"] == "-25.00"
    assert ann["total_pay"] == "120.00"

    assert sal["technician_name"].startswith("'=")  # neutralised user text
    assert sal["hourly_rate"] == ""
    assert sal["base_pay"] == "2500.00"

    # Our own negative money cells are NOT mangled.
    assert claw["adjustments"] == "-12.34"
    assert claw["total_pay"] == "-12.34"

    assert total["technician_name"] == "TOTAL"
    for column, attr in [
        ("sales", "sales_cents"),
        ("base_pay", "base_pay_cents"),
        ("commission", "commission_cents"),
        ("adjustments", "adjustments_cents"),
        ("total_pay", "total_pay_cents"),
    ]:
        expected = sum(getattr(t, attr) for t in totals)
        assert dollars_to_cents(total[column]) == expected
        assert sum(dollars_to_cents(r[column]) for r in rows[:-1]) == expected
    assert total["sales_count"] == "3"
    assert total["total_pay"] == format_cents(12000 + 252500 - 1234)


def test_pay_period_csv_accepts_dicts_and_empty_list():
    totals = make_totals()
    from_dicts = pay_period_csv(PERIOD, [t.to_dict() for t in totals])
    assert from_dicts == pay_period_csv(PERIOD, totals)

    rows = parse(pay_period_csv(PERIOD, []))
    assert len(rows) == 1 and rows[0]["technician_name"] == "TOTAL"
    assert rows[0]["total_pay"] == "0.00"


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=20),
            st.integers(0, 10**6),
            st.lists(st.tuples(st.integers(0, 10**8), st.integers(0, 10**7)), max_size=4),
            st.lists(st.integers(-(10**6), 10**6), max_size=3),
            st.integers(0, 10**4),
        ),
        max_size=8,
    )
)
def test_pay_period_csv_total_property(techs):
    totals = [
        compute_totals(
            {"id": i, "name": name, "pay_type": "hourly", "hourly_rate_cents": rate},
            sales,
            adj,
            minutes,
        )
        for i, (name, rate, sales, adj, minutes) in enumerate(techs)
    ]
    rows = parse(pay_period_csv(PERIOD, totals))
    assert len(rows) == len(totals) + 1
    for row, t in zip(rows, totals, strict=False):  # the last row is the TOTAL
        assert dollars_to_cents(row["total_pay"]) == t.total_pay_cents
        name = row["technician_name"]
        # Round-trips exactly, except for the neutralising quote.
        assert name == t.technician_name or (
            name == "'" + t.technician_name and name[1] in "=+-@\t\r"
        )
    assert dollars_to_cents(rows[-1]["total_pay"]) == sum(t.total_pay_cents for t in totals)


# --------------------------------------------------------------------------- #
# commission_report_csv / sales_csv
# --------------------------------------------------------------------------- #

SALES = [
    {
        "sale_id": "s-1",
        "sale_date": date(2026, 3, 2),
        "technician": "Ann Lee",
        "customer": '=HYPERLINK("http://x","y")',
        "item": 'Furnace, 80k BTU\nwith "install"',
        "sale_price_cents": 450000,
        "commission_cents": 45000,
        "rule": "Standard 10%",
        "approval_status": "approved",
        "payment_status": "unpaid",
        "notes": "@admin please check",
    },
    {
        "sale_id": "s-2",
        "sale_date": "2026-03-03",
        "technician_name": "Bob",
        "customer_name": "-Minus Corp",
        "item_name": "Service call",
        "sale_price_cents": 9999,
        "commission_cents": None,  # not computed yet
        "rule_name": "+flat",
        "approval_status": "pending",
        "payment_status": "unpaid",
    },
    {
        "id": "s-3",
        "sale_date": "2026-03-04",
        "technician": "Cy",
        "customer": "Refund Co",
        "item": "Clawback",
        "sale_price_cents": -1234,
        "commission_cents": -123,
        "rule": "Standard 10%",
        "approval_status": "approved",
        "payment_status": "paid",
    },
]


def test_commission_report_csv():
    rows = parse(commission_report_csv(SALES))
    assert list(rows[0]) == list(COMMISSION_REPORT_COLUMNS)
    assert len(rows) == 4
    first, second, third, total = rows
    assert first["sale_date"] == "2026-03-02"
    assert first["customer"] == '\'=HYPERLINK("http://x","y")'
    assert first["item"] == 'Furnace, 80k BTU\nwith "install"'  # quoting survives
    assert first["sale_price"] == "4500.00" and first["commission"] == "450.00"
    assert second["technician"] == "Bob"
    assert second["customer"] == "'-Minus Corp"
    assert second["rule"] == "'+flat"
    assert second["commission"] == ""
    assert third["sale_id"] == "s-3"
    assert third["sale_price"] == "-12.34" and third["commission"] == "-1.23"
    assert total["sale_id"] == "TOTAL"
    assert dollars_to_cents(total["sale_price"]) == 450000 + 9999 - 1234
    assert dollars_to_cents(total["commission"]) == 45000 - 123


def test_commission_report_csv_empty():
    rows = parse(commission_report_csv([]))
    assert rows == [
        dict.fromkeys(COMMISSION_REPORT_COLUMNS, "")
        | {"sale_id": "TOTAL", "sale_price": "0.00", "commission": "0.00"}
    ]


def test_sales_csv():
    data = sales_csv(SALES)
    assert data.count(b"\r\n") >= 4
    rows = parse(data)
    assert list(rows[0]) == list(SALES_COLUMNS)
    assert len(rows) == 3  # no totals row
    assert rows[0]["notes"] == "'@admin please check"
    assert rows[0]["customer"].startswith("'=")
    assert rows[1]["customer"] == "'-Minus Corp"
    assert rows[2]["sale_price"] == "-12.34"
    assert rows[2]["notes"] == ""


def test_csv_is_utf8_without_bom():
    data = sales_csv([{"sale_id": "s", "customer": "Zoë 漢字", "sale_price_cents": 1}])
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Zoë 漢字".encode() in data


def test_csv_rejects_float_money():
    with pytest.raises(TypeError):
        commission_report_csv([{"sale_id": "s", "sale_price_cents": 12.5, "commission_cents": 1}])
