"""Reconciliation rules, no AWS: layouts by header, exact amounts, dates, skipped rows,
formula cells, malformed files with their lines, references, natural keys and file
digests, and which candidates match."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.reconciliation.rules import candidates, cells, layouts, reading

STRIPE = "id,Created (UTC),Amount,Currency,Description,Customer Email\n"


@pytest.mark.parametrize(
    "text, cents",
    [
        ("150", 15000),
        ("150.00", 15000),
        ("150.5", 15050),
        (".99", 99),
        ("$1,234.56", 123456),
        (" $ 1234.56 ", 123456),
        ("-$5.00", -500),
        ("$-5.00", -500),
        ("(5.00)", -500),
        ("+7.10", 710),
        ("1,000,000.01", 100000001),
        ("12.34 USD", 1234),
    ],
)
def test_amounts_are_exact_cents(text, cents):
    assert cells.parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.005", "1,00", "12,3456", "$", "1e3", "0x10"])
def test_bad_amounts_say_why(text):
    with pytest.raises(ValueError):
        cells.parse_amount(text)


@pytest.mark.parametrize(
    "text, day",
    [
        ("2026-04-10", date(2026, 4, 10)),
        ("2026-04-10 14:03:00", date(2026, 4, 10)),
        ("2026-04-10T14:03:00Z", date(2026, 4, 10)),
        ("04/10/2026", date(2026, 4, 10)),
        ("4/1/26", date(2026, 4, 1)),
        ("04/10/2026 9:15 AM", date(2026, 4, 10)),
    ],
)
def test_dates(text, day):
    assert cells.parse_date(text) == day


@pytest.mark.parametrize("text", ["2026-02-30", "13/01/2026", "yesterday", ""])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        cells.parse_date(text)


def test_layouts_are_recognised_by_their_header():
    assert reading.parse(STRIPE + "ch_1,2026-04-10,1.00,usd,x,a@b.co\n").layout == "stripe"
    square = "Date,Time,Gross Sales,Total Collected,Transaction ID\n2026-04-10,9:00,1,1,T1\n"
    assert reading.parse(square).layout == "square"
    qb = "Date,Transaction Type,Num,Name,Memo,Amount\n04/10/2026,Payment,1,Ann,,1.00\n"
    assert reading.parse(qb).layout == "quickbooks"
    with pytest.raises(layouts.CsvRefused) as refused:
        reading.parse("When,How much\n2026-04-10,1.00\n")
    assert refused.value.problems[0]["line"] == 1 and "mapping" in str(refused.value)
    mapped = reading.parse(
        "When,How much,Who,Memo\n2026-04-10,1.00,Ann Lee,INV-7\n",
        {"date": "when", "amount": "HOW MUCH", "customer": "Who", "reference": "Memo"},
    )
    [row] = mapped.rows
    assert mapped.layout == "mapped" and row.customer_name == "Ann Lee"
    assert row.reference == "INV-7" and row.external_id is None


def test_a_mapped_customer_column_is_an_email_or_a_name():
    [row] = reading.parse("d,a,c\n2026-04-10,1.00,Ann@Example.com\n",
                        {"date": "d", "amount": "a", "customer": "c"}).rows  # fmt: skip
    assert row.customer_email == "ann@example.com" and row.customer_name is None


def test_rows_that_are_no_payment_are_skipped_with_the_reason():
    text = (
        "id,Created (UTC),Amount,Currency,Status,Type\n"
        "ch_1,2026-04-10,10.00,usd,Paid,charge\n"
        "ch_2,2026-04-10,10.00,usd,Failed,charge\n"
        "po_3,2026-04-10,10.00,usd,,payout\n"
        "ch_4,2026-04-10,10.00,eur,Paid,charge\n"
        "re_5,2026-04-10,-10.00,usd,,\n"
        "ch_6,2026-04-10,0.00,usd,,\n"
    )
    rows = reading.parse(text).rows
    assert [r.skip for r in rows] == [
        None,
        "Failed is not a payment",
        "payout is not a payment",
        "amount in EUR; invoices are in USD",
        "a refund or other negative amount",
        "a zero amount",
    ]


def test_formula_cells_are_neutralised_numbers_are_not():
    text = STRIPE + 'ch_1,2026-04-10,1.00,usd,"=1+2",x@y.co\nch_2,2026-04-10,1.00,usd,-5,\n'
    first, second = reading.parse(text).rows
    assert first.reference == "'=1+2"
    assert second.reference == "-5"  # a plain number is data
    assert (
        cells.neutral("@SUM(A1)") == "'@SUM(A1)" and cells.neutral("+1 555 0100") == "+1 555 0100"
    )


@pytest.mark.parametrize(
    "text, line, field",
    [
        (STRIPE + 'ch_1,2026-04-10,1.00,usd,"open,\n', 2, "csv"),
        (STRIPE + "ch_1,2026-04-10,1.00,usd,x,y,z\n", 2, "csv"),
        (STRIPE + "ch_1,2026-04-10,1.00,usd,,\nch_2,2026-04-31,1.00,usd,,\n", 3, "date"),
        (STRIPE + "ch_1,2026-04-10,lots,usd,,\n", 2, "amount"),
        (STRIPE, 0, "csv"),
        ("", 0, "csv"),
        ("id,id\n1,2\n", 1, "csv"),
    ],
)
def test_malformed_files_name_the_line(text, line, field):
    with pytest.raises(layouts.CsvRefused) as refused:
        reading.parse(text)
    problem = refused.value.problems[0]
    assert (problem["line"], problem["field"]) == (line, field), refused.value.problems


def test_a_quoted_cell_may_span_lines_and_lines_count_from_the_header():
    text = STRIPE + 'ch_1,2026-04-10,1.00,usd,"two\nlines",\nch_2,2026-04-10,bad,usd,,\n'
    with pytest.raises(layouts.CsvRefused) as refused:
        reading.parse(text)
    assert refused.value.problems == [
        {
            "line": 4,
            "field": "amount",
            "message": "'bad' is not an amount (e.g. 1234.56 or $1,234.56)",
        }
    ]


def test_bounds():
    with pytest.raises(layouts.CsvRefused) as refused:
        reading.parse(STRIPE + ("ch_1,2026-04-10,1.00,usd,x,\n" * 40_000))
    [problem] = refused.value.problems
    assert problem["line"] == reading.line_at_limit(
        STRIPE + ("ch_1,2026-04-10,1.00,usd,x,\n" * 40_000)
    )
    assert problem["line"] > 1 and "bytes" in problem["message"]
    with pytest.raises(layouts.CsvRefused) as refused:
        reading.parse(STRIPE + "ch_1,2026-04-10,1.00,usd,,\n" * (reading.MAX_ROWS + 1))
    assert refused.value.problems[0]["line"] == reading.MAX_ROWS + 2
    many = STRIPE + "ch_1,2026-04-10,x,usd,,\n" * 150
    with pytest.raises(layouts.CsvRefused) as refused:
        reading.parse(many)
    assert len(refused.value.problems) == reading.MAX_PROBLEMS and refused.value.more == 50


def test_references():
    found = candidates.references(
        "Payment for INV-000042, invoice #7 and Invoice No. 9; Sale 17, SALE-18; "
        "wholesale 3, invoices 4, INV-000000, inv42"
    )
    assert found == [
        ("invoice", 42),
        ("invoice", 7),
        ("invoice", 9),
        ("sale", 17),
        ("sale", 18),
    ]
    assert candidates.references("Stripe invoice 1A2B3C-0001") == []


def _row(**fields):
    base = {
        "line": 2,
        "date": date(2026, 4, 10),
        "amount_cents": 100,
        "external_id": None,
        "reference": "Tip ",
        "customer_email": None,
        "customer_name": None,
        "currency": None,
    }
    return reading.PaymentRow(**{**base, **fields})


def test_natural_keys_and_file_digests():
    assert _row(external_id="ch_1").natural_key == _row(external_id="ch_1", line=9).natural_key
    assert _row(external_id="ch_1").natural_key != _row(external_id="ch_2").natural_key
    assert _row().natural_key == _row(reference=" tip").natural_key  # case and spaces
    assert _row().natural_key != _row(amount_cents=101).natural_key
    assert _row().natural_key != _row(date=date(2026, 4, 11)).natural_key
    text = STRIPE + "ch_1,2026-04-10,1.00,usd,x,\n"
    same = "\ufeff" + text.replace("\n", "\r\n") + "\r\n\r\n"
    assert reading.file_digest(text, None) == reading.file_digest(same, None)
    assert reading.file_digest(text, None) != reading.file_digest(text + "ch_2,x\n", None)
    assert reading.file_digest(text, None) != reading.file_digest(text, {"date": "Created"})


def _invoice(**fields):
    return {
        "id": 5,
        "invoice_number": "INV-000005",
        "status": "sent",
        "balance_cents": 10000,
        "sent_at": "2026-04-01T10:00:00Z",
        "created_at": "2026-03-30T10:00:00Z",
        "due_date": "2026-04-30",
        **fields,
    }


def test_which_invoices_and_sales_can_take_a_payment():
    assert candidates.invoice_refusal(_invoice(), 10000) is None
    assert "more than the balance" in candidates.invoice_refusal(_invoice(), 10001)
    assert candidates.invoice_refusal(_invoice(status="draft"), 1) == "INV-000005 is draft"
    assert candidates.invoice_refusal(_invoice(status="overdue"), 1) is None
    day = date(2026, 4, 10)
    assert candidates.invoice_fits(_invoice(), 5000, day)
    assert candidates.invoice_fits(_invoice(), 5000, date(2026, 3, 25))  # sent - 7 days
    assert not candidates.invoice_fits(_invoice(), 5000, date(2026, 3, 24))
    assert candidates.invoice_fits(_invoice(), 5000, date(2026, 5, 7))  # due + 7 days
    assert not candidates.invoice_fits(_invoice(), 5000, date(2026, 5, 8))
    assert not candidates.invoice_fits(_invoice(status="paid"), 5000, day)
    sale = {"id": 3, "payment_status": "unpaid", "voided": False, "sale_price_cents": 5000,
            "sale_date": "2026-04-05"}  # fmt: skip
    assert candidates.sale_fits(sale, 5000, day)
    assert not candidates.sale_fits(sale, 4999, day)  # a sale matches its exact price only
    assert not candidates.sale_fits(sale, 5000, date(2026, 4, 13))  # more than 7 days after
    assert not candidates.sale_fits({**sale, "voided": True}, 5000, day)
    assert candidates.sale_refusal(sale, 5001) is not None
    assert candidates.sale_refusal({**sale, "payment_status": "paid"}, 1) == "sale 3 is paid"
    assert candidates.sale_status_after(sale, 5000) == "paid"
    assert candidates.sale_status_after(sale, 100) == "partial"


def test_only_a_single_candidate_matches():
    assert candidates.decide([("invoice", 1)]) == (("invoice", 1), None)
    assert candidates.decide([("invoice", 1), ("invoice", 1)]) == (("invoice", 1), None)
    target, reason = candidates.decide([("invoice", 1), ("sale", 2)])
    assert target is None and "2 candidates (invoice 1, sale 2)" in reason
    target, reason = candidates.decide([])
    assert target is None and "no open invoice" in reason
