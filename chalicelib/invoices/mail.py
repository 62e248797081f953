"""The e-mail that sends an invoice (``POST /admin/invoices/{id}/send``), through
``platform.email`` (SES): the amount due, the due date and a link to the invoice's PDF
(a presigned S3 url of the stored PDF, valid 7 days, so the customer needs no login).

Known limit: S3 honours a presigned url no longer than the credentials that signed it, and
a Lambda's role credentials last hours, so on AWS the link expires sooner than 7 days. The
lasting fix is a signed link to a public API route (which also needs the stage's
``API_URL``); until then a re-send (``POST .../send``) mails a fresh link."""

from __future__ import annotations

import html as markup
import logging
from collections.abc import Mapping
from typing import Any

from chalicelib.invoices.render_pdf import money
from chalicelib.platform import email, storage

log = logging.getLogger("tradekitt.invoices")
LINK_VALID_S = 7 * 24 * 3600


def message(business: str, invoice: Mapping[str, Any], link: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the e-mail."""
    number = invoice["invoice_number"]
    subject = f"Invoice {number} from {business}"
    due = money(invoice["balance_cents"])
    text = (
        f"Hello {invoice.get('customer_name') or ''},\n\n"
        f"{business} sent you invoice {number}: {due} due by {invoice['due_date']}.\n\n"
        f"View or download it (PDF): {link}\n"
    )
    html = (
        f"<p>{markup.escape(business)} sent you invoice <b>{number}</b>: {due} due by "
        f"{invoice['due_date']}.</p>"
        f'<p><a href="{markup.escape(link)}">View the invoice (PDF)</a></p>'
    )
    return subject, text, html


def send(business: str, invoice: Mapping[str, Any], pdf_key: str) -> str | None:
    """E-mail the invoice to its customer; the address sent to, or None when it has no
    e-mail or SES refused (logged: sending again re-sends)."""
    to = invoice.get("customer_email")
    if not to:
        return None
    link = storage.presigned_get(pdf_key, LINK_VALID_S)
    try:
        email.send(to, *message(business, invoice, link))
    except Exception:  # noqa: BLE001 - the invoice is sent; the e-mail can be sent again
        log.exception("could not e-mail invoice %s", invoice["invoice_number"])
        return None
    return to
