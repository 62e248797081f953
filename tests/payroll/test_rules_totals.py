from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.money import round_half_even as div_round_half_even  # the one rounding
from chalicelib.payroll.rules import TechnicianTotals, compute_totals, hourly_base_pay_cents

# --------------------------------------------------------------------------- #
# Money math
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "n, d, expected",
    [
        (5, 2, 2),  # 2.5 -> 2
        (7, 2, 4),  # 3.5 -> 4
        (-5, 2, -2),
        (-7, 2, -4),
        (11, 4, 3),  # 2.75
        (9, 4, 2),  # 2.25
        (0, 60, 0),
        (30, 60, 0),  # 0.5 -> 0
        (90, 60, 2),  # 1.5 -> 2
        (5, -2, -2),
    ],
)
def test_div_round_half_even(n, d, expected):
    assert div_round_half_even(n, d) == expected


@settings(max_examples=200, deadline=None)
@given(n=st.integers(-(10**12), 10**12), d=st.integers(1, 10**6))
def test_div_round_half_even_matches_decimal(n, d):
    from decimal import ROUND_HALF_EVEN, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        expected = (Decimal(n) / Decimal(d)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert div_round_half_even(n, d) == int(expected)


@pytest.mark.parametrize(
    "rate, minutes, expected",
    [
        (2550, 60, 2550),
        (2550, 90, 3825),
        (2001, 30, 1000),  # 1000.5 -> 1000 (even)
        (2003, 30, 1002),  # 1001.5 -> 1002 (even)
        (1999, 1, 33),  # 33.316 -> 33
        (2000, 1, 33),  # 33.33 -> 33
        (2010, 1, 34),  # 33.5 -> 34 (even)
        (2070, 1, 34),  # 34.5 -> 34 (even)
        (3333, 4800, 266640),  # 80 h
        (0, 500, 0),
        (2500, 0, 0),
    ],
)
def test_hourly_base_pay_half_even(rate, minutes, expected):
    assert hourly_base_pay_cents(rate, minutes) == expected


def test_hourly_base_pay_rejects_floats():
    with pytest.raises(TypeError):
        hourly_base_pay_cents(25.5, 60)
    with pytest.raises(TypeError):
        hourly_base_pay_cents(2550, True)


# --------------------------------------------------------------------------- #
# compute_totals
# --------------------------------------------------------------------------- #


def test_hourly_totals():
    tech = {
        "technician_id": 7,
        "technician_name": "Ann Lee",
        "pay_type": "hourly",
        "hourly_rate_cents": 2001,
    }
    totals = compute_totals(tech, [(125000, 12500), (9999, 1000), (1, 0)], [-2500, -1], 30)
    assert totals == TechnicianTotals(
        technician_id=7,
        technician_name="Ann Lee",
        pay_type="hourly",
        sales_count=3,
        sales_cents=135000,
        commission_cents=13500,
        adjustments_cents=-2501,
        hours_minutes=30,
        hourly_rate_cents=2001,
        base_pay_cents=1000,  # 1000.5 rounded half-even ONCE
        total_pay_cents=1000 + 13500 - 2501,
    )


def test_base_pay_rounded_once_not_per_sale_or_per_hour():
    # 119 minutes at $20.03/h = 238357/60 = 3972.62 -> 3973. Rounding a
    # per-minute rate first (33 cents) would give 33 * 119 = 3927.
    tech = {"id": 1, "name": "B", "pay_type": "hourly", "hourly_rate_cents": 2003}
    totals = compute_totals(tech, [], [], 119)
    assert totals.base_pay_cents == 3973
    assert div_round_half_even(2003, 60) * 119 == 3927


def test_salary_totals_use_salary_as_given():
    tech = {
        "id": 3,
        "name": "Sal",
        "pay_type": "salary",
        "salary_cents": 250000,
        "hourly_rate_cents": 9999,
    }
    totals = compute_totals(
        tech, [{"sale_price_cents": 50000, "commission_cents": 2500}], [1000], 4800
    )
    assert totals.base_pay_cents == 250000
    assert totals.hourly_rate_cents == 0
    assert totals.hours_minutes == 4800
    assert totals.total_pay_cents == 250000 + 2500 + 1000


def test_commission_only_totals():
    tech = {"id": 4, "display_name": "Com", "pay_type": "commission"}
    totals = compute_totals(tech, iter([(10000, 1000)] * 3), iter([-1000]), 0)
    assert (totals.base_pay_cents, totals.commission_cents, totals.total_pay_cents) == (
        0,
        3000,
        2000,
    )
    assert totals.technician_name == "Com"


def test_totals_accept_objects_and_integral_decimals():
    class Tech:
        technician_id = Decimal("9")
        technician_name = "Obj"
        pay_type = "hourly"
        hourly_rate_cents = Decimal("3000")

    totals = compute_totals(Tech(), [(Decimal("100"), Decimal("10"))], [Decimal("-5")], 120)
    assert totals.technician_id == 9
    assert totals.base_pay_cents == 6000
    assert totals.total_pay_cents == 6005


@pytest.mark.parametrize(
    "tech, sales, adjustments, minutes, exc",
    [
        ({"id": 1, "pay_type": "piecework"}, [], [], 0, ValueError),
        ({"id": 1, "pay_type": "hourly"}, [], [], 60, ValueError),  # no rate
        ({"id": 1, "pay_type": "salary"}, [], [], 60, ValueError),  # no salary
        ({"id": 1, "pay_type": "commission"}, [(10.5, 1)], [], 0, TypeError),
        ({"id": 1, "pay_type": "commission"}, [], [0.5], 0, TypeError),
        ({"id": 1, "pay_type": "commission"}, [], [Decimal("0.5")], 0, TypeError),
        ({"id": 1, "pay_type": "commission"}, [], [], -1, ValueError),
        ({"id": 1, "pay_type": "hourly", "hourly_rate_cents": -1}, [], [], 1, ValueError),
        ({"pay_type": "commission"}, [], [], 0, ValueError),  # no id
    ],
)
def test_compute_totals_validation(tech, sales, adjustments, minutes, exc):
    with pytest.raises(exc):
        compute_totals(tech, sales, adjustments, minutes)


def test_totals_to_dict_roundtrip():
    tech = {"id": 7, "name": "Ann", "pay_type": "hourly", "hourly_rate_cents": 2550}
    totals = compute_totals(tech, [(100, 10)], [-3], 90)
    data = totals.to_dict()
    assert data["total_pay_cents"] == 3825 + 10 - 3
    assert set(data) == {
        "technician_id",
        "technician_name",
        "pay_type",
        "sales_count",
        "sales_cents",
        "commission_cents",
        "adjustments_cents",
        "hours_minutes",
        "hourly_rate_cents",
        "base_pay_cents",
        "total_pay_cents",
    }
    assert TechnicianTotals.from_dict(data) == totals


@settings(max_examples=200, deadline=None)
@given(
    rate=st.integers(0, 100_000),
    minutes=st.integers(0, 200 * 60),
    sales=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**8)), max_size=20),
    adjustments=st.lists(st.integers(-(10**6), 10**6), max_size=5),
)
def test_totals_identity(rate, minutes, sales, adjustments):
    tech = {"id": 1, "name": "P", "pay_type": "hourly", "hourly_rate_cents": rate}
    t = compute_totals(tech, sales, adjustments, minutes)
    assert t.total_pay_cents == t.base_pay_cents + t.commission_cents + t.adjustments_cents
    assert t.commission_cents == sum(c for _, c in sales)
    assert t.sales_cents == sum(p for p, _ in sales)
    assert t.adjustments_cents == sum(adjustments)
    # |base - exact| <= 1/2 cent
    assert abs(t.base_pay_cents * 60 - rate * minutes) * 2 <= 60


def test_sum_totals_adds_every_money_column():
    from chalicelib.payroll.rules import TechnicianTotals, sum_totals

    rows = [
        TechnicianTotals(1, "A", "hourly", 2, 1000, 75, -10, 90, 2500, 3750, 3815),
        TechnicianTotals(2, "B", "salary", 1, 500, 50, 0, 0, 0, 180000, 180050),
    ]
    assert sum_totals(rows) == {
        "hours_minutes": 90,
        "sales_count": 3,
        "sales_cents": 1500,
        "base_pay_cents": 183750,
        "commission_cents": 125,
        "adjustments_cents": -10,
        "total_pay_cents": 183865,
    }
    assert sum_totals([])["total_pay_cents"] == 0
