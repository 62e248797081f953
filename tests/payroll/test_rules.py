"""payroll.rules: statement lines, per-technician totals and report rows."""

from __future__ import annotations

from chalicelib.payroll import rules as payroll

TECHS = [
    {"id": 1, "name": "Mike", "pay_type": "hourly", "base_pay_cents": 2500, "active": True},
    {"id": 2, "name": "Sally", "pay_type": "salary", "base_pay_cents": 200000, "active": True},
    {"id": 3, "name": "Ian", "pay_type": "commission", "base_pay_cents": 0, "active": True},
    {"id": 4, "name": "Gone", "pay_type": "hourly", "base_pay_cents": 2000, "active": False},
    {"id": 5, "name": "Old", "pay_type": "commission", "base_pay_cents": 0, "active": False},
]


def _sale(
    sale_id,
    tech,
    price,
    commission,
    *,
    status="approved",
    voided=False,
    installer=None,
    installer_commission=0,
    day="2026-03-02",
    snapshot=None,
):
    return {
        "id": sale_id,
        "technician_id": tech,
        "technician_name": f"T{tech}",
        "installer_id": installer,
        "installer_commission_cents": installer_commission,
        "sale_price_cents": price,
        "commission_cents": commission,
        "commission_snapshot": snapshot
        or {
            "rule": "tech_item",
            "rate_bps": 750,
            "effective_rate_bps": 750,
            "flat_cents": None,
            "ov_rate_bps": 0,
        },
        "installer_commission_snapshot": {
            "rule": "tech_plan",
            "rate_bps": 200,
            "effective_rate_bps": 200,
            "flat_cents": None,
            "ov_rate_bps": 0,
        },
        "approval_status": status,
        "voided": voided,
        "sale_date": day,
        "customer_name": "C",
        "item_name": "I",
        "payment_status": "unpaid",
    }


def test_only_approved_unvoided_sales_earn():
    assert payroll.lines_of(_sale(1, 1, 100, 7, status="pending")) == []
    assert payroll.lines_of(_sale(1, 1, 100, 7, status="rejected")) == []
    assert payroll.lines_of(_sale(1, 1, 100, 7, voided=True)) == []
    [(tech, line)] = payroll.lines_of(_sale(1, 1, 100, 7))
    assert (tech, line.role, line.rate_bps, line.commission_cents) == (1, "technician", 750, 7)


def test_rates_used():
    flat = _sale(
        1,
        1,
        100,
        2500,
        snapshot={"rule": "tech_item", "flat_cents": 2500, "rate_bps": None, "ov_rate_bps": 0},
    )
    [(_, line)] = payroll.lines_of(flat)
    assert (line.rate_bps, line.flat_cents) == (None, 2500)
    tiered = _sale(
        1,
        1,
        150000,
        9000,
        snapshot={
            "rule": "tech_plan",
            "plan_kind": "tiered",
            "rate_bps": None,
            "flat_cents": None,
            "effective_rate_bps": None,
        },
    )
    [(_, line)] = payroll.lines_of(tiered)
    assert (line.rate_bps, line.flat_cents, line.rule) == (None, None, "tech_plan")


def test_statements_totals_and_roster():
    sales = [
        _sale(1, 1, 150000, 11250, installer=3, installer_commission=3000),
        _sale(2, 1, 123457, 9259, day="2026-03-01"),
        _sale(3, 2, 99999, 3330),
        _sale(4, 1, 50000, 3750, status="pending"),
        _sale(5, 5, 1000, 75),  # an inactive technician with a sale
    ]
    adjustments = [
        {
            "technician_id": 1,
            "sale_id": 9,
            "role": "technician",
            "amount_cents": -500,
            "reason": "clawback",
            "effective_date": "2026-03-03",
        },
        {
            "technician_id": 4,
            "sale_id": 8,
            "role": "technician",
            "amount_cents": -100,
            "reason": "clawback",
            "effective_date": "2026-03-04",
        },
    ]
    result = payroll.statements(TECHS, sales, adjustments, {1: 90})
    by_id = {s.technician_id: s for s in result}
    assert list(by_id) == [1, 2, 3, 4, 5]  # active ones + inactive ones with activity
    mike = by_id[1].totals
    assert (
        mike.sales_count,
        mike.sales_cents,
        mike.commission_cents,
        mike.adjustments_cents,
        mike.hours_minutes,
        mike.base_pay_cents,
        mike.total_pay_cents,
    ) == (2, 273457, 20509, -500, 90, 3750, 3750 + 20509 - 500)
    assert [ln.sale_id for ln in by_id[1].lines] == [2, 1]  # by date
    sally = by_id[2].totals
    assert (sally.base_pay_cents, sally.total_pay_cents) == (200000, 203330)
    ian = by_id[3]
    assert (ian.totals.sales_count, ian.totals.sales_cents, ian.totals.commission_cents) == (
        0,
        0,
        3000,
    )
    assert ian.lines[0].role == "installer" and ian.lines[0].rule == "installer: tech_plan"
    assert by_id[4].totals.total_pay_cents == -100
    assert by_id[5].totals.technician_name == "Old"
    summary = payroll.summary(s.totals for s in result)
    assert summary["technician_count"] == 5
    assert summary["total_pay_cents"] == sum(s.totals.total_pay_cents for s in result)
    assert summary["sales_count"] == 4
    # a statement survives its JSON form
    for st in result:
        assert payroll.Statement.from_dict(st.to_dict()) == st


def test_unknown_technician_gets_a_commission_only_statement():
    [st] = payroll.statements([], [_sale(1, 9, 100, 7)], [])
    assert (st.technician_id, st.totals.technician_name, st.totals.pay_type) == (
        9,
        "T9",
        "commission",
    )


def test_report_rows():
    sales = [
        _sale(2, 1, 100, 7, installer=3, installer_commission=2, day="2026-03-02"),
        _sale(1, 2, 200, 14, day="2026-03-01"),
        _sale(3, 1, 5, 1, status="pending"),
    ]
    rows = payroll.commission_report_rows(sales, {3: "Ian"})
    assert [(r["sale_id"], r["technician"], r["sale_price_cents"]) for r in rows] == [
        (1, "T2", 200),
        (2, "T1", 100),
        (2, "Ian", None),
    ]
    plain = payroll.sales_rows([_sale(1, 1, 100, 7, voided=True), _sale(2, 1, 1, 1)])
    assert [r["approval_status"] for r in plain] == ["approved (voided)", "approved"]
    assert plain[0]["sale_id"] == 1
