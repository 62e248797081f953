"""PDF payroll documents: pure functions returning PDF ``bytes``.

reportlab is imported lazily inside the render functions so that importing
this module (e.g. at Lambda cold start) stays cheap.

Tables use platypus ``Table(repeatRows=1)`` so long statements paginate with
the header repeated on every page. Documents are rendered with
``invariant=True`` so identical input gives identical bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from chalicelib.payroll.formats import (
    DEFAULT_PRIMARY_COLOR,
    format_minutes,
    format_money,
    format_rate,
    validate_hex_color,
)
from chalicelib.payroll.rules.totals import TechnicianTotals, first_value, sum_totals

__all__ = [
    "DEFAULT_PRIMARY_COLOR",
    "validate_hex_color",
    "format_money",
    "format_rate",
    "commission_statement_pdf",
    "pay_period_pdf",
]

_CELL_PAD = 4  # left/right cell padding, in points


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


_MAX_CELL_CHARS = 240  # a single table row must never outgrow a page


def _truncate(text: str, limit: int = _MAX_CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


_get = first_value


# --------------------------------------------------------------------------- #
# reportlab plumbing (lazy)
# --------------------------------------------------------------------------- #


class _Kit:
    """reportlab names imported on first use (keeps module import cheap)."""

    def __init__(self, branding: Mapping[str, Any] | None) -> None:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.pagesizes import letter
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
        from reportlab.lib.units import inch
        from reportlab.pdfbase.pdfmetrics import stringWidth
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

        self.colors = colors
        self.Paragraph = Paragraph
        self.SimpleDocTemplate = SimpleDocTemplate
        self.Spacer = Spacer
        self.Table = Table
        self.TableStyle = TableStyle
        self.pagesize = letter
        self.inch = inch
        self.string_width = stringWidth

        branding = branding or {}
        self.business_name = _text(_get(branding, "display_name", "name", default="")).strip()
        self.brand_hex = validate_hex_color(_get(branding, "primary_color"))
        self.brand = colors.HexColor(self.brand_hex)

        base = getSampleStyleSheet()
        self.title = ParagraphStyle(
            "TKTitle",
            parent=base["Title"],
            textColor=self.brand,
            alignment=0,
            fontSize=18,
            leading=22,
            spaceAfter=4,
        )
        self.heading = ParagraphStyle(
            "TKHeading",
            parent=base["Heading2"],
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=self.brand,
        )
        self.body = ParagraphStyle("TKBody", parent=base["Normal"], fontSize=9.5, leading=12)
        self.cell = ParagraphStyle("TKCell", parent=base["Normal"], fontSize=8, leading=9.5)
        self.cell_right = ParagraphStyle("TKCellR", parent=self.cell, alignment=TA_RIGHT)

    def p(self, text: Any, style: Any = None) -> Any:
        """Paragraph with user text escaped (platypus parses a mini-markup)."""
        return self.Paragraph(escape(_text(text)), style or self.body)

    def fit(self, value: Any, width: float, style: Any = None) -> Any:
        """Cell content: a plain string when it fits ``width`` on one line (fast),
        else a wrapping Paragraph with the text escaped."""
        text = _truncate(_text(value))
        if "\n" not in text and self.string_width(text, "Helvetica", 8) <= width - 2 * _CELL_PAD:
            return text
        return self.p(text, style or self.cell)

    def table(
        self,
        rows: list[list[Any]],
        col_widths: list[float],
        *,
        money_from: int,
        total_row: bool = False,
        zebra: bool = True,
    ) -> Any:
        colors = self.colors
        table = self.Table(rows, colWidths=col_widths, repeatRows=1)
        style = [
            ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("BACKGROUND", (0, 0), (-1, 0), self.brand),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (money_from, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if zebra:
            style.append(
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f4f6")])
            )
        if total_row and len(rows) > 1:
            style += [
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#e5e7eb")),
            ]
        table.setStyle(self.TableStyle(style))
        return table

    def build(self, story: list[Any], *, title: str, footer: str) -> bytes:
        buffer = io.BytesIO()
        margin = 0.6 * self.inch
        doc = self.SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin,
            title=title,
            author=self.business_name or "TradeKitt",
            creator="TradeKitt",
            invariant=True,
        )
        page_width, _ = self.pagesize

        def on_page(canvas: Any, document: Any) -> None:
            canvas.saveState()
            canvas.setFont("Helvetica", 7.5)
            canvas.setFillColor(self.colors.HexColor("#6b7280"))
            canvas.drawString(margin, margin / 2, footer)
            canvas.drawRightString(page_width - margin, margin / 2, f"Page {document.page}")
            canvas.restoreState()

        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
        return buffer.getvalue()

    @property
    def frame_width(self) -> float:
        return self.pagesize[0] - 1.2 * self.inch


def _period_line(period: Mapping[str, Any]) -> str:
    start = _text(_get(period, "start", "period_start"))
    end = _text(_get(period, "end", "period_end"))
    status = _text(_get(period, "status"))
    text = f"Pay period {start} to {end}"
    if status:
        text += f" ({status})"
    return text


def _header(kit: _Kit, subtitle: str, period: Mapping[str, Any]) -> list[Any]:
    story = [kit.p(kit.business_name or "TradeKitt", kit.title), kit.p(subtitle, kit.heading)]
    story.append(kit.p(_period_line(period)))
    period_id = _get(period, "id", "period_id")
    if period_id is not None:
        story.append(kit.p(f"Period ID: {_text(period_id)}"))
    return story


# --------------------------------------------------------------------------- #
# Documents
# --------------------------------------------------------------------------- #


def commission_statement_pdf(
    branding: Mapping[str, Any],
    period: Mapping[str, Any],
    technician: Mapping[str, Any],
    sales: Iterable[Mapping[str, Any]],
    adjustments: Iterable[Mapping[str, Any]],
    totals: Any,
) -> bytes:
    """One technician's commission statement for one pay period."""
    kit = _Kit(branding)
    totals = TechnicianTotals.coerce(totals)
    inch = kit.inch
    tech_name = _text(
        _get(technician, "technician_name", "name", "display_name", default=totals.technician_name)
    )

    story = _header(kit, "Commission statement", period)
    story.append(kit.p(f"Technician: {tech_name}"))
    pay_type = _get(technician, "pay_type", default=totals.pay_type)
    if pay_type:
        story.append(kit.p(f"Pay type: {_text(pay_type)}"))

    # Sales lines -------------------------------------------------------------
    story.append(kit.p("Sales", kit.heading))
    header = ["Sale", "Date", "Customer", "Item", "Sale price", "Rule", "Rate", "Commission"]
    widths = [0.75, 0.8, 1.3, 1.5, 0.85, 0.9, 0.65, 0.8]
    scale = kit.frame_width / (sum(widths) * inch)
    widths = [w * inch * scale for w in widths]
    rows: list[list[Any]] = [header]
    for line in sales:
        rows.append(
            [
                kit.fit(_get(line, "sale_id", "id"), widths[0]),
                kit.fit(_get(line, "sale_date"), widths[1]),
                kit.fit(_get(line, "customer", "customer_name"), widths[2]),
                kit.fit(_get(line, "item", "item_name", "description"), widths[3]),
                format_money(_get(line, "sale_price_cents", default=0)),
                kit.fit(_get(line, "rule", "rule_name"), widths[5]),
                format_rate(line),
                format_money(_get(line, "commission_cents", default=0)),
            ]
        )
    if len(rows) > 1:
        story.append(kit.table(rows, widths, money_from=4, zebra=True))
        # Rule (5) is text between money columns: keep it left-aligned.
        story[-1].setStyle(kit.TableStyle([("ALIGN", (5, 0), (5, -1), "LEFT")]))
    else:
        story.append(kit.p("No approved sales in this period."))

    # Adjustments -------------------------------------------------------------
    adj_rows: list[list[Any]] = [["Adjustment", "Amount"]]
    for adj in adjustments:
        adj_rows.append(
            [
                kit.fit(_get(adj, "description", "reason"), kit.frame_width - 1.3 * inch),
                format_money(_get(adj, "amount_cents", default=0)),
            ]
        )
    story.append(kit.p("Adjustments", kit.heading))
    if len(adj_rows) > 1:
        story.append(kit.table(adj_rows, [kit.frame_width - 1.3 * inch, 1.3 * inch], money_from=1))
    else:
        story.append(kit.p("No adjustments."))

    # Totals ------------------------------------------------------------------
    story.append(kit.p("Totals", kit.heading))
    total_rows: list[list[Any]] = [
        ["Item", "Amount"],
        ["Approved sales", str(totals.sales_count)],
        ["Sales total", format_money(totals.sales_cents)],
    ]
    if totals.pay_type == "hourly":
        total_rows.append(["Hours worked", format_minutes(totals.hours_minutes)])
        total_rows.append(["Hourly rate", format_money(totals.hourly_rate_cents)])
    total_rows += [
        ["Base pay", format_money(totals.base_pay_cents)],
        ["Commission", format_money(totals.commission_cents)],
        ["Adjustments", format_money(totals.adjustments_cents)],
        ["Total pay", format_money(totals.total_pay_cents)],
    ]
    story.append(
        kit.table(total_rows, [2.5 * inch, 1.5 * inch], money_from=1, total_row=True, zebra=False)
    )
    story[-1].hAlign = "LEFT"

    return kit.build(
        story,
        title=f"Commission statement - {tech_name} - {_text(_get(period, 'start', 'period_start'))}",
        footer=f"{kit.business_name or 'TradeKitt'} - commission statement - {tech_name} - "
        f"{_period_line(period)}",
    )


def pay_period_pdf(
    branding: Mapping[str, Any], period: Mapping[str, Any], totals: Iterable[Any]
) -> bytes:
    """All technicians' pay for one period, with a grand total row."""
    kit = _Kit(branding)
    inch = kit.inch
    story = _header(kit, "Pay period summary", period)
    story.append(kit.Spacer(1, 6))

    header = [
        "Technician",
        "Pay type",
        "Hours",
        "Sales",
        "Base pay",
        "Commission",
        "Adjustments",
        "Total pay",
    ]
    widths = [1.7, 0.75, 0.6, 0.95, 0.9, 0.95, 0.95, 0.95]
    scale = kit.frame_width / (sum(widths) * inch)
    widths = [w * inch * scale for w in widths]
    rows: list[list[Any]] = [header]
    items = [TechnicianTotals.coerce(item) for item in totals]
    for t in items:
        rows.append(
            [
                kit.fit(t.technician_name, widths[0]),
                _text(t.pay_type),
                format_minutes(t.hours_minutes),
                format_money(t.sales_cents),
                format_money(t.base_pay_cents),
                format_money(t.commission_cents),
                format_money(t.adjustments_cents),
                format_money(t.total_pay_cents),
            ]
        )
    sums = sum_totals(items)
    rows.append(
        [
            "Grand total",
            "",
            format_minutes(sums["hours_minutes"]),
            format_money(sums["sales_cents"]),
            format_money(sums["base_pay_cents"]),
            format_money(sums["commission_cents"]),
            format_money(sums["adjustments_cents"]),
            format_money(sums["total_pay_cents"]),
        ]
    )
    story.append(kit.table(rows, widths, money_from=2, total_row=True))
    return kit.build(
        story,
        title=f"Pay period summary - {_text(_get(period, 'start', 'period_start'))}",
        footer=f"{kit.business_name or 'TradeKitt'} - pay period summary - {_period_line(period)}",
    )
