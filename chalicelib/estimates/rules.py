"""Estimate rules (SPEC.md "Billing documents and agreements"): pure, integer cents.

Line items and totals are the invoices' rules (``invoices.rules``: a line's total is
``amount_cents x quantity``, the tax rounded half to even once per document), so an
estimate converts into an invoice of exactly the same amounts.

Statuses (stored): ``draft`` -> ``sent`` (send) -> ``accepted`` | ``declined`` (the
customer through the signed link or the portal, or staff on the phone) and ``accepted``
-> ``converted`` (an invoice, optionally a dispatch job). ``expired`` is never stored: a
sent estimate whose ``valid_until`` is before today (UTC) is shown and filtered as
``expired`` (it stays valid through its ``valid_until`` day), like an invoice's
``overdue``. Moves:

- update (PATCH): only a draft (409 otherwise);
- send: a draft (``valid_until`` today or later) becomes sent; a sent estimate that has
  not expired is sent again unchanged; expired, accepted, declined, converted are 409;
- accept / decline: only a sent estimate that has not expired (409 otherwise: expired,
  declined, already accepted or converted, not sent yet);
- convert: only an accepted estimate, once (409 otherwise).
"""

from __future__ import annotations

from datetime import date

from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.invoices.rules import (  # noqa: F401  (the estimates' line and total rules)
    MAX_LINE_CENTS,
    MAX_LINES,
    MAX_QUANTITY,
    Totals,
    check_lines,
    check_tax,
    totals,
)

DRAFT, SENT, ACCEPTED, DECLINED, EXPIRED, CONVERTED = (
    "draft",
    "sent",
    "accepted",
    "declined",
    "expired",
    "converted",
)
STORED = (DRAFT, SENT, ACCEPTED, DECLINED, CONVERTED)
STATUSES = (DRAFT, SENT, ACCEPTED, DECLINED, EXPIRED, CONVERTED)  # shown and filtered
VIA = ("staff", "portal", "link")
DEFAULT_INVOICE_DAYS = 30  # a converted estimate's invoice is due 30 days later by default


def number_of(estimate_id: int) -> str:
    """The estimate number shown on the document: ``EST-000042``."""
    return f"EST-{estimate_id:06d}"


def is_expired(status: str, valid_until: str, today: date) -> bool:
    return status == SENT and valid_until < today.isoformat()


def shown_status(status: str, valid_until: str, today: date) -> str:
    """The status the API shows: ``expired`` for a sent estimate past ``valid_until``."""
    return EXPIRED if is_expired(status, valid_until, today) else status


def check_valid_until(valid_until: date, today: date) -> str:
    """``valid_until`` as stored: today or later (a past date is 422)."""
    if valid_until < today:
        raise InvalidInput(f"must be today ({today.isoformat()}) or later", field="valid_until")
    return valid_until.isoformat()


def check_update(status: str) -> None:
    if status != DRAFT:
        raise RuleViolation(f"only a draft estimate can be changed (this one is {status})")


def after_send(status: str, valid_until: str, today: date) -> str:
    """The stored status once sent (a re-send of a sent, unexpired estimate keeps it)."""
    if status == DRAFT:
        if valid_until < today.isoformat():
            raise RuleViolation(f"valid_until ({valid_until}) has passed: change it before sending")
        return SENT
    if status == SENT and not is_expired(status, valid_until, today):
        return SENT
    raise RuleViolation(f"a {shown_status(status, valid_until, today)} estimate cannot be sent")


def after_response(status: str, valid_until: str, today: date, accept: bool) -> str:
    """The stored status once the customer (or staff for them) accepts or declines."""
    shown = shown_status(status, valid_until, today)
    if shown == SENT:
        return ACCEPTED if accept else DECLINED
    if shown == DRAFT:
        raise RuleViolation("the estimate has not been sent yet")
    if shown in (ACCEPTED, CONVERTED):
        raise RuleViolation(f"the estimate was already accepted (it is {shown})")
    article = "an" if shown == EXPIRED else "a"
    raise RuleViolation(f"{article} {shown} estimate can no longer be answered")


def check_convert(status: str) -> None:
    if status == CONVERTED:
        raise RuleViolation("the estimate was already converted")
    if status != ACCEPTED:
        raise RuleViolation(f"only an accepted estimate can be converted (this one is {status})")


def check_via(via: str) -> str:
    if via not in VIA:
        raise InvalidInput(f"must be one of {', '.join(VIA)}", field="via")
    return via


def stored_filter(status: str | None, today: date) -> tuple[tuple[str, ...] | None, str, str]:
    """How a ``status`` filter reads the list: the stored statuses it keeps (None: all)
    and the ``valid_until`` bounds it implies (``""``: open): ``expired`` is sent with
    ``valid_until`` before today, ``sent`` is sent with ``valid_until`` today or later."""
    if status is None:
        return None, "", ""
    if status == EXPIRED:
        return (SENT,), "", date.fromordinal(today.toordinal() - 1).isoformat()
    if status == SENT:
        return (SENT,), today.isoformat(), ""
    return (status,), "", ""


def link_expires_at(valid_until: str) -> date:
    """The day a signed link stops working: the one after ``valid_until`` (00:00 UTC)."""
    return date.fromordinal(date.fromisoformat(valid_until).toordinal() + 1)


def invoice_due(today: date, due_date: date | None) -> date:
    """A converted estimate's invoice due date: the one given, else 30 days from today."""
    return due_date or date.fromordinal(today.toordinal() + DEFAULT_INVOICE_DAYS)
