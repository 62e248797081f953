"""Pure payroll rules: per-technician totals (``totals``) and the statements, period
summary and report rows built from a period's sales and adjustments (``statements``).
Integer cents only; re-exported here so callers write ``from chalicelib.payroll import
rules``."""

from chalicelib.payroll.rules.statements import (
    SUMMARY_FIELDS,
    Line,
    Statement,
    adjustment_rows,
    commission_report_rows,
    lines_of,
    sales_rows,
    statement_rows,
    statements,
    summary,
)
from chalicelib.payroll.rules.totals import (
    PAY_TYPES,
    SUMMED_FIELDS,
    TechnicianTotals,
    compute_totals,
    first_value,
    hourly_base_pay_cents,
    sum_totals,
)

__all__ = [
    "PAY_TYPES",
    "SUMMARY_FIELDS",
    "SUMMED_FIELDS",
    "Line",
    "Statement",
    "TechnicianTotals",
    "adjustment_rows",
    "commission_report_rows",
    "compute_totals",
    "first_value",
    "hourly_base_pay_cents",
    "lines_of",
    "sales_rows",
    "statement_rows",
    "statements",
    "sum_totals",
    "summary",
]
