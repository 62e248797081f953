"""Customer communications (issue 13 item 6): the log of every e-mail sent to a customer
(``log_email``, called by the features that send them: invoices, estimates, the portal)
and the notes and calls staff add (``/admin/customer-communications``).

DynamoDB calls: an entry (``log_email`` or ``POST``) costs 2 besides the caller's account
(the id counter's ``UpdateItem ADD``; one ``TransactWriteItems``: the entry and its counts
in the tenant's and the customer's rollups), plus the customer's ``GetItem`` for a staff
entry; ``GET`` by id 1; the list: the counts (one consistent ``BatchGetItem``), the
customer when filtered by one, and one Query of ``limit`` for page 1
(``communications.listing``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from chalicelib.communications import listing, rules, store
from chalicelib.communications.store import CommunicationItem
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, found
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import service as customers
from chalicelib.platform import counters
from chalicelib.platform.tx import Contention, retries

log = logging.getLogger("tradekitt.communications")
ENTITY = "communication"


def view(entry: CommunicationItem) -> dict[str, Any]:
    return {
        "id": int(entry.communication_id),
        "customer_id": None if entry.customer_id is None else int(entry.customer_id),
        "channel": entry.channel,
        "kind": entry.kind,
        "direction": entry.direction,
        "to": entry.to,
        "subject": entry.subject,
        "body": entry.body,
        "status": entry.status,
        "ref": entry.ref,
        "duration_seconds": (
            None if entry.duration_seconds is None else int(entry.duration_seconds)
        ),
        "occurred_at": entry.occurred_at,
        "sent_at": entry.sent_at,
        "created_by": None if entry.created_by is None else int(entry.created_by),
        "created_at": entry.created_at,
    }


def _record(tenant_id: str, fields: dict[str, Any], now: datetime) -> CommunicationItem:
    """Write one entry with its counts (a concurrent write of the same counts is retried
    with the same id)."""
    entry_id = counters.next_id(tenant_id, ENTITY)
    fields = {k: v for k, v in fields.items() if v is not None}
    fields.setdefault("occurred_at", clock.iso_utc(now))
    entry = store.new_entry(tenant_id, entry_id, created_at=clock.iso_utc(now), **fields)
    for _ in retries():
        try:
            store.create(entry, [listing.counted(entry)])
        except Contention:
            continue
        return entry
    raise Conflict("too many concurrent communications; retry the request")


def log_email(
    tenant_id: str,
    *,
    customer_id: int | None,
    to: str,
    kind: str,
    subject: str,
    status: str,
    ref: str | None = None,
) -> None:
    """Log an e-mail sent (``status`` "sent") or refused ("failed") to ``to``: ``kind``
    ("invoice", "estimate", "verification", "follow_up"...), its subject, ``ref`` (e.g.
    the invoice id), ``sent_at`` now. Never raises: a failure to log is itself logged, so
    the send that called it answers as it would have."""
    try:
        now = clock.now()
        at = clock.iso_utc(now)
        _record(
            tenant_id,
            {
                "customer_id": None if customer_id is None else int(customer_id),
                "channel": rules.EMAIL,
                "kind": rules.email_kind(kind),
                "direction": "outbound",
                "to": rules.clip(to, 320),
                "subject": rules.clip(subject, rules.MAX_SUBJECT),
                "status": rules.email_status(status),
                "ref": rules.clip(None if ref is None else str(ref), 200),
                "occurred_at": at,
                "sent_at": at,
            },
            now,
        )
    except Exception:  # noqa: BLE001 - logging an e-mail must never fail its sender
        log.exception("could not log the %s e-mail to customer %s", kind, customer_id)


def add(principal: Principal, data: Any) -> dict[str, Any]:
    """A note or call about one of the tenant's customers (another tenant's id: 404)."""
    tid = principal.tenant_id
    now = clock.now()
    direction = rules.check_staff_entry(
        data.kind, data.direction, data.duration_seconds, data.occurred_at, now
    )
    customer = customers.get(tid, data.customer_id)
    occurred = clock.iso_utc(data.occurred_at) if data.occurred_at else clock.iso_utc(now)
    entry = _record(
        tid,
        {
            "customer_id": int(customer.customer_id),
            "channel": data.kind,
            "kind": data.kind,
            "direction": direction,
            "subject": data.subject,
            "body": data.body,
            "duration_seconds": data.duration_seconds,
            "occurred_at": occurred,
            "created_by": principal.user_id,
        },
        now,
    )
    return view(entry)


def get(tenant_id: str, communication_id: int) -> dict[str, Any]:
    entry = found(
        store.get(tenant_id, communication_id),
        f"communication {communication_id} not found",
    )
    return view(entry)


def page(tenant_id: str, flt: Any, request: PageRequest) -> dict[str, Any]:
    """Newest first (by ``occurred_at``), filtered by customer, channel and kind."""
    customer_id = None
    if flt.customer_id is not None:
        customer_id = int(customers.get(tenant_id, flt.customer_id).customer_id)
    body = listing.page(
        tenant_id, request, customer_id=customer_id, channel=flt.channel, kind=flt.kind
    )
    body["items"] = [view(item) for item in body["items"]]
    return body


def of_customer(tenant_id: str, customer_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """A customer's communications (their views), newest first, at most ``limit`` (one
    Query on gsi2): for the customer's history."""
    request = PageRequest(page=1, limit=max(1, min(limit, 200)))
    body = listing.page(tenant_id, request, customer_id=customer_id, channel=None, kind=None)
    return [view(item) for item in body["items"]]
