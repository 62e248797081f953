"""The invoice PDF: pure, ``bytes`` out, branded like the payroll PDFs
(``payroll.render_pdf``: the business's display name as the title and its primary colour
in headings and table headers, Helvetica, a footer with the page number).

reportlab is imported on first use (cold starts stay cheap); ``invariant=True`` makes
identical input give identical bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from chalicelib.core.money import shown_dollars as money

DEFAULT_COLOR = "#1f4e79"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _color(branding: Mapping[str, Any]) -> str:
    value = str(branding.get("primary_color") or "")
    return value if _HEX.match(value) else DEFAULT_COLOR


def invoice_pdf(branding: Mapping[str, Any] | None, invoice: Mapping[str, Any]) -> bytes:
    """One invoice (``invoices.service.view``): header, bill-to, lines, totals, payments."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    branding = branding or {}
    business = str(branding.get("display_name") or "TradeKitt").strip() or "TradeKitt"
    brand = colors.HexColor(_color(branding))
    base = getSampleStyleSheet()
    title = ParagraphStyle(
        "TKTitle", parent=base["Title"], textColor=brand, alignment=0, fontSize=18, leading=22
    )
    heading = ParagraphStyle(
        "TKHeading", parent=base["Heading2"], fontSize=12, leading=15, textColor=brand
    )
    body = ParagraphStyle("TKBody", parent=base["Normal"], fontSize=9.5, leading=12)
    cell = ParagraphStyle("TKCell", parent=base["Normal"], fontSize=8, leading=9.5)
    right = ParagraphStyle("TKCellR", parent=cell, alignment=TA_RIGHT)

    def p(text: Any, style: Any = body) -> Any:
        return Paragraph(escape("" if text is None else str(text)), style)

    def table(rows: list[list[Any]], widths: list[float], money_from: int) -> Any:
        t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                    ("BACKGROUND", (0, 0), (-1, 0), brand),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (money_from, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")),
                ]
            )
        )
        return t

    number = invoice["invoice_number"]
    story: list[Any] = [
        p(business, title),
        p(f"Invoice {number}", heading),
        p(f"Status: {invoice['status']}"),
        p(f"Due date: {invoice['due_date']}"),
        p(f"Issued: {str(invoice.get('sent_at') or invoice['created_at'])[:10]}"),
        p("Bill to", heading),
        p(invoice.get("customer_name") or ""),
        p(invoice.get("customer_email") or ""),
        p("Items", heading),
    ]
    rows: list[list[Any]] = [["Description", "Unit price", "Qty", "Amount"]]
    for line in invoice["line_items"]:
        rows.append(
            [
                p(line["description"], cell),
                money(line["amount_cents"]),
                str(line["quantity"]),
                money(line["total_cents"]),
            ]
        )
    story.append(table(rows, [3.9 * inch, 1.1 * inch, 0.6 * inch, 1.3 * inch], 1))
    bps = int(invoice["tax_bps"])
    tax = f"Tax ({bps // 100}.{bps % 100:02d} %)"
    totals = [
        ["", ""],
        ["Subtotal", money(invoice["subtotal_cents"])],
        [tax, money(invoice["tax_cents"])],
        ["Total", money(invoice["total_cents"])],
        ["Paid", money(invoice["paid_cents"])],
        ["Balance due", money(invoice["balance_cents"])],
    ]
    story.append(p("Totals", heading))
    story.append(table(totals, [2.5 * inch, 1.5 * inch], 1))
    if invoice.get("payments"):
        story.append(p("Payments", heading))
        paid = [["Date", "Method", "Reference", "Amount"]]
        for pay in invoice["payments"]:
            paid.append(
                [
                    str(pay["recorded_at"])[:10],
                    p(pay["method"], cell),
                    p(pay.get("reference") or "", cell),
                    p(money(pay["amount_cents"]), right),
                ]
            )
        story.append(table(paid, [1.1 * inch, 1.5 * inch, 2.9 * inch, 1.4 * inch], 3))
    if invoice.get("notes"):
        story += [p("Notes", heading), p(invoice["notes"])]

    buffer = io.BytesIO()
    margin = 0.6 * inch
    footer = f"{business} - invoice {number} - due {invoice['due_date']}"

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#6b7280"))
        canvas.drawString(margin, margin / 2, footer)
        canvas.drawRightString(letter[0] - margin, margin / 2, f"Page {document.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"Invoice {number}",
        author=business,
        creator="TradeKitt",
        invariant=True,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
