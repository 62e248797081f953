"""Payroll for one pay period: statement lines, per-technician totals, period summary and
the rows of the CSV exports. Pure: no AWS, no HTTP, integer cents only.

Inputs are plain mappings: sales as the API shows them (the sales feature's ``SaleOut``),
adjustments as ``payperiods.service.adjustments_between`` returns them, technicians as
``{"id", "name", "pay_type", "base_pay_cents", "active"}``.

Rules (SPEC.md "Commission engine", "Pay periods"):

* Only approved, non-voided sales earn commission. A sale earns a ``technician`` line for
  its seller and, when it names an installer, an ``installer`` line for the installer.
* ``sales_count``/``sales_cents`` count the sales a technician sold (seller lines);
  installer lines add their commission only.
* Adjustments (clawbacks of sales voided after their period closed) count in the period
  they are dated in, signed (negative).
* Base pay: hourly technicians ``base_pay_cents`` (the hourly rate) x minutes worked / 60,
  rounded half-to-even once; salaried technicians ``base_pay_cents`` per period (also for
  a period shortened by a frequency change); commission-only technicians 0.
  ``total = base + commission + adjustments``.
* Who is on a period's payroll: every active technician, and any other technician with a
  commission line or an adjustment in the period. Ordered by technician id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.core.money import as_cents
from chalicelib.payroll.rules.totals import TechnicianTotals, compute_totals, sum_totals
from chalicelib.sales.rules import INSTALLER, TECHNICIAN, earns_commission

SUMMARY_FIELDS = (
    "sales_count",
    "sales_cents",
    "commission_cents",
    "adjustments_cents",
    "hours_minutes",
    "base_pay_cents",
    "total_pay_cents",
)


def _earns(sale: Mapping[str, Any]) -> bool:
    return earns_commission(str(sale.get("approval_status")), bool(sale.get("voided")))


@dataclass(frozen=True)
class Line:
    """One commission line of a statement: the rate used and the commission earned."""

    sale_id: int
    sale_date: str
    role: str
    customer: str | None
    item: str | None
    sale_price_cents: int
    commission_cents: int
    rule: str
    rate_bps: int | None
    flat_cents: int | None
    ov_rate_bps: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "sale_id": self.sale_id,
            "sale_date": self.sale_date,
            "role": self.role,
            "customer": self.customer,
            "item": self.item,
            "sale_price_cents": self.sale_price_cents,
            "commission_cents": self.commission_cents,
            "rule": self.rule,
            "rate_bps": self.rate_bps,
            "flat_cents": self.flat_cents,
            "ov_rate_bps": self.ov_rate_bps,
        }


def _rate(snapshot: Mapping[str, Any] | None) -> tuple[str, int | None, int | None, int]:
    """(rule, rate_bps, flat_cents, ov_rate_bps) of a commission snapshot."""
    snapshot = snapshot or {}
    rule = str(snapshot.get("rule") or "")
    flat = snapshot.get("flat_cents")
    rate = None
    if flat is None:
        rate = snapshot.get("effective_rate_bps")
        if rate is None and snapshot.get("plan_kind") != "tiered":
            rate = snapshot.get("rate_bps")
    return (
        rule,
        None if rate is None else as_cents(rate, "rate_bps"),
        None if flat is None else as_cents(flat, "flat_cents"),
        as_cents(snapshot.get("ov_rate_bps") or 0, "ov_rate_bps"),
    )


def lines_of(sale: Mapping[str, Any]) -> list[tuple[int, Line]]:
    """``(technician_id, line)`` for each earner of ``sale`` (none unless it earns)."""
    if not _earns(sale):
        return []
    price = as_cents(sale["sale_price_cents"], "sale_price_cents")
    common = {
        "sale_id": int(sale["id"]),
        "sale_date": str(sale["sale_date"]),
        "customer": sale.get("customer_name"),
        "item": sale.get("item_name"),
        "sale_price_cents": price,
    }
    rule, rate, flat, ov = _rate(sale.get("commission_snapshot"))
    result = [
        (
            int(sale["technician_id"]),
            Line(
                role=TECHNICIAN,
                commission_cents=as_cents(sale["commission_cents"], "commission"),
                rule=rule,
                rate_bps=rate,
                flat_cents=flat,
                ov_rate_bps=ov,
                **common,
            ),
        )
    ]
    if sale.get("installer_id") is not None:
        rule, rate, flat, ov = _rate(sale.get("installer_commission_snapshot"))
        result.append(
            (
                int(sale["installer_id"]),
                Line(
                    role=INSTALLER,
                    commission_cents=as_cents(
                        sale.get("installer_commission_cents") or 0, "installer_commission_cents"
                    ),
                    rule=f"installer: {rule}" if rule else "installer",
                    rate_bps=rate,
                    flat_cents=flat,
                    ov_rate_bps=ov,
                    **common,
                ),
            )
        )
    return result


@dataclass(frozen=True)
class Statement:
    """One technician's pay for one period."""

    totals: TechnicianTotals
    lines: tuple[Line, ...] = ()
    adjustments: tuple[dict[str, Any], ...] = ()

    @property
    def technician_id(self) -> int:
        return int(self.totals.technician_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals.to_dict(),
            "lines": [ln.to_dict() for ln in self.lines],
            "adjustments": [dict(a) for a in self.adjustments],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Statement:
        return cls(
            totals=TechnicianTotals.from_dict(data["totals"]),
            lines=tuple(Line(**ln) for ln in data.get("lines") or ()),
            adjustments=tuple(dict(a) for a in data.get("adjustments") or ()),
        )


def _technician_info(tech: Mapping[str, Any]) -> dict[str, Any]:
    pay_type = tech.get("pay_type") or "commission"
    base = as_cents(tech.get("base_pay_cents") or 0, "base_pay_cents")
    return {
        "technician_id": int(tech["id"]),
        "technician_name": tech.get("name") or "",
        "pay_type": pay_type,
        "hourly_rate_cents": base if pay_type == "hourly" else 0,
        "salary_cents": base if pay_type == "salary" else 0,
    }


@dataclass
class _Acc:
    lines: list[Line] = field(default_factory=list)
    adjustments: list[dict[str, Any]] = field(default_factory=list)
    name: str | None = None


def statements(
    technicians: Iterable[Mapping[str, Any]],
    sales: Iterable[Mapping[str, Any]],
    adjustments: Iterable[Mapping[str, Any]],
    minutes: Mapping[int, int] | None = None,
) -> list[Statement]:
    """Every statement of the period (see the module docstring for who is included)."""
    minutes = minutes or {}
    roster = {int(t["id"]): t for t in technicians}
    acc: dict[int, _Acc] = {tid: _Acc() for tid, t in roster.items() if t.get("active", True)}
    for sale in sales:
        for tech_id, line in lines_of(sale):
            entry = acc.setdefault(tech_id, _Acc())
            entry.lines.append(line)
            if line.role == TECHNICIAN and sale.get("technician_name"):
                entry.name = entry.name or str(sale["technician_name"])
    for adj in adjustments:
        acc.setdefault(int(adj["technician_id"]), _Acc()).adjustments.append(dict(adj))
    result = []
    for tech_id in sorted(acc):
        entry = acc[tech_id]
        tech = roster.get(tech_id) or {
            "id": tech_id,
            "name": entry.name or f"#{tech_id}",
            "pay_type": "commission",
        }
        lines = sorted(entry.lines, key=lambda ln: (ln.sale_date, ln.sale_id, ln.role))
        adjs = sorted(
            entry.adjustments,
            key=lambda a: (
                str(a.get("effective_date")),
                int(a.get("sale_id") or 0),
                str(a.get("role")),
            ),
        )
        pairs = [
            (ln.sale_price_cents if ln.role == TECHNICIAN else 0, ln.commission_cents)
            for ln in lines
        ]
        totals = compute_totals(
            _technician_info(tech),
            pairs,
            [as_cents(a["amount_cents"], "amount_cents") for a in adjs],
            int(minutes.get(tech_id, 0)),
        )
        totals = replace(totals, sales_count=sum(1 for ln in lines if ln.role == TECHNICIAN))
        result.append(Statement(totals=totals, lines=tuple(lines), adjustments=tuple(adjs)))
    return result


def summary(totals: Iterable[TechnicianTotals]) -> dict[str, int]:
    """Period-wide sums (what the exports' TOTAL rows show) and the technician count."""
    rows = list(totals)
    sums = sum_totals(rows)
    return {"technician_count": len(rows), **{name: sums[name] for name in SUMMARY_FIELDS}}


def statement_rows(statement: Statement) -> list[dict[str, Any]]:
    """Sale lines as ``render_pdf.commission_statement_pdf`` reads them."""
    return [ln.to_dict() for ln in statement.lines]


def adjustment_rows(statement: Statement) -> list[dict[str, Any]]:
    """Adjustments as the PDF shows them (description + signed amount)."""
    return [
        {
            "description": f"{a.get('effective_date')}: {a.get('reason') or 'adjustment'}",
            "amount_cents": as_cents(a["amount_cents"], "amount_cents"),
        }
        for a in statement.adjustments
    ]


# --- CSV rows --------------------------------------------------------------------------------
def commission_report_rows(
    sales: Iterable[Mapping[str, Any]], names: Mapping[int, str]
) -> list[dict[str, Any]]:
    """One row per commission line of the sales that earn (approved, not voided), oldest
    first; installer rows leave the sale price empty so the TOTAL counts each sale once."""
    rows = []
    for sale in sorted(sales, key=lambda s: (str(s["sale_date"]), int(s["id"]))):
        for tech_id, line in lines_of(sale):
            name = (
                (sale.get("technician_name") if line.role == TECHNICIAN else None)
                or names.get(tech_id)
                or f"#{tech_id}"
            )
            rows.append(
                {
                    "sale_id": line.sale_id,
                    "sale_date": line.sale_date,
                    "technician_id": tech_id,
                    "technician": name,
                    "customer": line.customer,
                    "item": line.item,
                    "sale_price_cents": line.sale_price_cents if line.role == TECHNICIAN else None,
                    "commission_cents": line.commission_cents,
                    "rule": line.rule,
                    "approval_status": sale.get("approval_status"),
                    "payment_status": sale.get("payment_status"),
                }
            )
    return rows


def sales_rows(sales: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every sale, oldest first; a voided sale's status reads ``"<status> (voided)"``."""
    rows = []
    for sale in sorted(sales, key=lambda s: (str(s["sale_date"]), int(s["id"]))):
        status = sale.get("approval_status")
        rows.append(
            {
                **sale,
                "sale_id": sale["id"],
                "approval_status": f"{status} (voided)" if sale.get("voided") else status,
            }
        )
    return rows
