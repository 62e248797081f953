"""The e-mail that sends an estimate (``POST /admin/estimates/{id}/send``), through
``platform.email`` (SES): the total, how long it is valid, and the customer's signed link
(``estimates.links``: view, accept or decline without a login, until the end of
``valid_until``)."""

from __future__ import annotations

import html as markup
import logging
from collections.abc import Mapping
from typing import Any

from chalicelib.core.money import shown_dollars as money
from chalicelib.platform import email

log = logging.getLogger("tradekitt.estimates")


def message(business: str, estimate: Mapping[str, Any], link: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the e-mail."""
    number = estimate["estimate_number"]
    subject = f"Estimate {number} from {business}"
    total = money(estimate["total_cents"])
    lines = "\n".join(
        f"- {line['description']} x {line['quantity']}: {money(line['total_cents'])}"
        for line in estimate["line_items"]
    )
    text = (
        f"Hello {estimate.get('customer_name') or ''},\n\n"
        f"{business} sent you estimate {number}: {total}, valid until "
        f"{estimate['valid_until']}.\n\n{lines}\n\n"
        f"View it, then accept or decline it online: {link}\n"
    )
    items = "".join(
        f"<li>{markup.escape(line['description'])} x {line['quantity']}: "
        f"{money(line['total_cents'])}</li>"
        for line in estimate["line_items"]
    )
    html = (
        f"<p>{markup.escape(business)} sent you estimate <b>{number}</b>: {total}, valid "
        f"until {estimate['valid_until']}.</p><ul>{items}</ul>"
        f'<p><a href="{markup.escape(link)}">View, accept or decline the estimate</a></p>'
    )
    return subject, text, html


def send(business: str, estimate: Mapping[str, Any], link: str) -> str | None:
    """E-mail the estimate to its customer; the address sent to, or None when it has no
    e-mail or SES refused (logged: sending again re-sends)."""
    to = estimate.get("customer_email")
    if not to:
        return None
    try:
        email.send(to, *message(business, estimate, link))
    except Exception:  # noqa: BLE001 - the estimate is sent; the e-mail can be sent again
        log.exception("could not e-mail estimate %s", estimate["estimate_number"])
        return None
    return to
