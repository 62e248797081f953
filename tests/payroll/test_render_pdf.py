from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from chalicelib.payroll.render_pdf import (
    DEFAULT_PRIMARY_COLOR,
    commission_statement_pdf,
    format_money,
    format_rate,
    pay_period_pdf,
    validate_hex_color,
)
from chalicelib.payroll.rules import compute_totals

ROOT = Path(__file__).resolve().parents[2]

BRANDING = {"display_name": "Acme Heating & Plumbing", "primary_color": "#0f766e"}
PERIOD = {"id": "pp-2026-03-01", "start": "2026-03-01", "end": "2026-03-15", "status": "closed"}
TECH = {"id": 7, "name": "Ann <Lee>", "pay_type": "hourly", "hourly_rate_cents": 2550}


def text_of(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pages_of(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def make_sales(n: int) -> list[dict]:
    sales = []
    for i in range(n):
        line = {
            "sale_id": f"S-{i:05d}",
            "sale_date": f"2026-03-{i % 15 + 1:02d}",
            "customer": f"Customer {i} & Sons",
            "item": "Tankless water heater install" if i % 3 else "Tune-up",
            "sale_price_cents": 10000 + i,
            "rule": "Standard" if i % 2 else "Flat install bonus",
        }
        if i % 2:
            line["rate_bps"] = 1250
            line["commission_cents"] = (10000 + i) * 1250 // 10000
        else:
            line["flat_cents"] = 2500
            line["commission_cents"] = 2500
        sales.append(line)
    return sales


def statement(sales, adjustments=(), branding=BRANDING, tech=TECH):
    totals = compute_totals(
        tech,
        [(s["sale_price_cents"], s["commission_cents"]) for s in sales],
        [a["amount_cents"] for a in adjustments],
        90,
    )
    return totals, commission_statement_pdf(
        branding, PERIOD, tech, sales, list(adjustments), totals
    )


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "value, expected",
    [
        ("#2563eb", "#2563eb"),
        ("#0F766E", "#0f766e"),
        ("#abc", "#aabbcc"),
        (" #123456 ", "#123456"),
        ("red", DEFAULT_PRIMARY_COLOR),
        ("#12345", DEFAULT_PRIMARY_COLOR),
        ("#gggggg", DEFAULT_PRIMARY_COLOR),
        ("123456", DEFAULT_PRIMARY_COLOR),
        ("#1234567", DEFAULT_PRIMARY_COLOR),
        ("#123456\n", "#123456"),
        ("javascript:alert(1)", DEFAULT_PRIMARY_COLOR),
        (None, DEFAULT_PRIMARY_COLOR),
        (0x2563EB, DEFAULT_PRIMARY_COLOR),
    ],
)
def test_validate_hex_color(value, expected):
    assert validate_hex_color(value) == expected


@pytest.mark.parametrize(
    "cents, text",
    [(0, "$0.00"), (5, "$0.05"), (-1234, "-$12.34"), (123456789, "$1,234,567.89")],
)
def test_format_money(cents, text):
    assert format_money(cents) == text


@pytest.mark.parametrize(
    "line, text",
    [
        ({"rate_bps": 1250}, "12.5%"),
        ({"rate_bps": 1000}, "10%"),
        ({"rate_bps": 1}, "0.01%"),
        ({"rate_bps": 0}, "0%"),
        ({"flat_cents": 2500}, "$25.00 flat"),
        ({"rate_bps": None, "flat_cents": 99}, "$0.99 flat"),
        ({}, "-"),
    ],
)
def test_format_rate(line, text):
    assert format_rate(line) == text


def test_reportlab_is_imported_lazily():
    code = (
        "import sys; import chalicelib.payroll.render_pdf as m; "
        "assert not any(k == 'reportlab' or k.startswith('reportlab.') for k in sys.modules), "
        "sorted(k for k in sys.modules if k.startswith('reportlab'))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --------------------------------------------------------------------------- #
# Commission statement
# --------------------------------------------------------------------------- #


def test_commission_statement_content():
    sales = make_sales(5)
    adjustments = [
        {"description": "Clawback: cancelled job <S-00001>", "amount_cents": -1250},
        {"description": "Spiff", "amount_cents": 500},
    ]
    totals, data = statement(sales, adjustments)
    text = text_of(data)
    assert "Acme Heating & Plumbing" in text
    assert "Commission statement" in text
    assert "2026-03-01" in text and "2026-03-15" in text and "closed" in text
    assert "Ann <Lee>" in text  # escaped for the markup parser, rendered verbatim
    for line in sales:
        assert line["sale_id"] in text
        assert format_money(line["sale_price_cents"]) in text
    assert "12.5%" in text and "$25.00 flat" in text
    assert "Clawback: cancelled job <S-00001>" in text
    assert "-$12.50" in text and "$5.00" in text
    assert "Total pay" in text
    assert format_money(totals.total_pay_cents) in text
    assert format_money(totals.commission_cents) in text
    assert format_money(totals.base_pay_cents) == "$38.25"
    assert "$38.25" in text
    assert "1:30" in text  # hours worked


def fill_colours(data: bytes) -> set[bytes]:
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()
    return {line[:-3] for line in content.splitlines() if line.endswith(b" rg")}


def test_commission_statement_uses_brand_colour_and_fallback():
    _, data = statement(make_sales(1), branding={"display_name": "X", "primary_color": "#0f766e"})
    # 0x0f/255, 0x76/255, 0x6e/255 as reportlab writes fill colours
    brand = b".058824 .462745 .431373"
    default = b".145098 .388235 .921569"  # #2563eb
    assert brand in fill_colours(data) and default not in fill_colours(data)
    _, fallback = statement(
        make_sales(1), branding={"display_name": "X", "primary_color": "nonsense"}
    )
    assert default in fill_colours(fallback)
    _, none = statement(make_sales(1), branding={})
    assert default in fill_colours(none)
    assert "TradeKitt" in text_of(none)


def test_commission_statement_with_no_sales_or_adjustments():
    totals, data = statement(
        [], tech={"id": 1, "name": "Sal", "pay_type": "salary", "salary_cents": 250000}
    )
    text = text_of(data)
    assert "No approved sales" in text and "No adjustments" in text
    assert "$2,500.00" in text
    assert totals.total_pay_cents == 250000


def test_commission_statement_accepts_dict_totals_and_is_deterministic():
    sales = make_sales(3)
    totals, data = statement(sales)
    again = commission_statement_pdf(BRANDING, PERIOD, TECH, sales, [], totals.to_dict())
    assert again == data


def test_hostile_text_does_not_break_rendering():
    sales = make_sales(2)
    sales[0]["customer"] = "<para>&amp; </b> <font color=red>Zoë 漢字 😀"
    sales[0]["item"] = "x" * 5000  # unbreakable and huge: truncated, must not overflow a page
    sales[1]["rule"] = "=cmd|' /C calc'!A0"
    _, data = statement(sales, [{"description": "<b>bold?</b>\nnew line", "amount_cents": -1}])
    text = " ".join(text_of(data).split())  # cells may wrap
    assert "<para>&amp; </b>" in text
    assert "=cmd|' /C calc'!A0" in text
    assert "<b>bold?</b>" in text
    assert "x" * 5000 not in text


def test_sale_ids_and_dates_do_not_wrap():
    sales = make_sales(3)
    text = text_of(statement(sales)[1])
    for line in sales:
        assert line["sale_date"] in text.splitlines()
        assert line["sale_id"] in text.splitlines()


def test_thousand_line_statement_paginates(capsys):
    sales = make_sales(1000)
    start = time.perf_counter()
    totals, data = statement(sales, [{"description": "Clawback", "amount_cents": -9999}])
    elapsed = time.perf_counter() - start
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 10
    # Header row repeats on every page.
    for page in reader.pages[:-1]:
        assert "Commission" in page.extract_text() and "Sale price" in page.extract_text()
    last = reader.pages[-1].extract_text()
    assert "Total pay" in last
    assert format_money(totals.total_pay_cents) in last
    assert totals.sales_count == 1000
    with capsys.disabled():
        print(
            f"\n1,000-line statement: {len(data):,} bytes, {len(reader.pages)} pages, {elapsed:.2f}s"
        )
    assert elapsed < 15


# --------------------------------------------------------------------------- #
# Pay period summary
# --------------------------------------------------------------------------- #


def test_pay_period_pdf():
    totals = [
        compute_totals(
            {"id": 1, "name": "Ann", "pay_type": "hourly", "hourly_rate_cents": 2001},
            [(10000, 1000)],
            [],
            30,
        ),
        compute_totals(
            {"id": 2, "name": "Bob & Co", "pay_type": "salary", "salary_cents": 250000},
            [],
            [-500],
            4800,
        ),
        compute_totals(
            {"id": 3, "name": "Cy", "pay_type": "commission"}, [(99999, 9999)], [-123456], 0
        ),
    ]
    data = pay_period_pdf(BRANDING, PERIOD, totals)
    text = text_of(data)
    assert "Pay period summary" in text and "Acme Heating & Plumbing" in text
    for t in totals:
        assert t.technician_name in text
        assert format_money(t.total_pay_cents) in text
    grand = sum(t.total_pay_cents for t in totals)
    assert "Grand total" in text
    assert format_money(grand) in text
    assert "-$1,134.57" in text  # Cy: 9999 - 123456
    assert pay_period_pdf(BRANDING, PERIOD, [t.to_dict() for t in totals]) == data


def test_pay_period_pdf_many_technicians_paginates():
    totals = [
        compute_totals(
            {"id": i, "name": f"Tech {i}", "pay_type": "commission"}, [(10000, i)], [], 0
        )
        for i in range(150)
    ]
    data = pay_period_pdf(BRANDING, PERIOD, totals)
    assert pages_of(data) > 1
    text = text_of(data)
    assert format_money(sum(range(150))) in text
    assert text.count("Total pay") == pages_of(data)  # header repeated on each page


def test_pay_period_pdf_empty():
    text = text_of(pay_period_pdf({}, PERIOD, []))
    assert "Grand total" in text and "$0.00" in text
