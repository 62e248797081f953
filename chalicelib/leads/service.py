"""Leads (issue 13 item 6): prospective customers from the web, the phone, referrals and
the portal, moved through ``rules.MOVES`` and converted into a customer with an estimate
or a dispatch job.

DynamoDB calls besides the caller's account:

- create (``POST`` or ``create_for``): 2 (the id counter's ``UpdateItem ADD``; one
  ``TransactWriteItems``: the lead and its count);
- get 1; the list: the counts (one consistent ``BatchGetItem``) and one Query of
  ``limit`` for page 1 (``leads.listing``);
- PATCH and a status move: 2 (a consistent ``GetItem``; one ``TransactWriteItems``: the
  lead conditioned on its revision, with its counts moved when the status or source
  changes);
- convert: a consistent ``GetItem``; the customer step (the e-mail pointer's
  ``BatchGetItem``; a new customer's id ``UpdateItem ADD``; one ``TransactWriteItems``: the
  customer, its pointer, search entries and count with the lead's ``customer_id``, so the
  two agree); the lease (one conditional ``UpdateItem``); the estimate
  (``estimates.service.create_for``) or job (``dispatch.service.create``); one
  ``TransactWriteItems`` recording it on the lead (``won``) with the counts.

A retry of a conversion that failed half way continues where it stopped: the customer
recorded on the lead is reused (never a second one), and an estimate or job a failed
attempt made for that customer since the conversion started is adopted rather than made
again (``estimates.service.of_customer``, ``dispatch.service.of_customer``).
Two convert requests at once: one makes the estimate or job while it holds the lease
(``LEASE_S``), the other is 409.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, InvalidInput, ValidationFailed, found
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import service as customers
from chalicelib.leads import listing, rules, store
from chalicelib.leads.store import LeadItem
from chalicelib.platform import counters
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, retries

log = logging.getLogger("tradekitt.leads")
ENTITY = "lead"
LEASE_S = 30  # a conversion's estimate or job is being made by one request until then
PATCHABLE = (*rules.TEXT_FIELDS, "source")


def view(lead: LeadItem) -> dict[str, Any]:
    def number(value: Any) -> int | None:
        return None if value is None else int(value)

    return {
        "id": int(lead.lead_id),
        "name": lead.name,
        "email": lead.email,
        "phone": lead.phone,
        "source": lead.source,
        "description": lead.description,
        "service_address": lead.service_address,
        "service_city": lead.service_city,
        "service_state": lead.service_state,
        "service_zip": lead.service_zip,
        "status": lead.status,
        "lost_reason": lead.lost_reason,
        "customer_id": number(lead.customer_id),
        "estimate_id": number(lead.estimate_id),
        "job_id": number(lead.job_id),
        "history": list(lead.history or []),
        "created_by": number(lead.created_by),
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
        "won_at": lead.won_at,
        "lost_at": lead.lost_at,
    }


def _iso(now: datetime) -> str:
    return clock.iso_utc(now)


# --- creating ----------------------------------------------------------------------------
def _create(tenant_id: str, fields: dict[str, Any], source: str, by: int | None) -> LeadItem:
    clean = rules.check_fields(fields)
    lead_id = counters.next_id(tenant_id, ENTITY)
    now = clock.now()
    at = _iso(now)
    lead = store.new_lead(
        tenant_id,
        lead_id,
        **clean,
        source=rules.source_of(source),
        status=rules.NEW,
        history=[rules.history_entry(None, rules.NEW, at, by, None)],
        revision=1,
        created_by=by,
        created_at=at,
        updated_at=at,
    )
    for _ in retries():  # a concurrent write held the list's counts: the same id again
        try:
            store.create(lead, [listing.counted(lead, new=True)])
        except Contention:
            continue
        return lead
    raise Conflict("too many concurrent leads; retry the request")


def create_for(tenant_id: str, fields: dict[str, Any], source: str) -> dict[str, Any]:
    """For other features (the portal's service requests, web forms): a new lead from
    ``fields`` (name, email, phone, description, service_address, service_city,
    service_state, service_zip; other keys ignored) with ``source`` ("portal", "web",
    "phone", "referral"; anything else is "other"). A missing name, neither e-mail nor
    phone, or an over-long field is 422 naming it. Returns the lead's view."""
    return view(_create(tenant_id, dict(fields), source, None))


def create(principal: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    source = fields.pop("source", None)
    return view(_create(principal.tenant_id, fields, source, principal.user_id))


# --- reading -----------------------------------------------------------------------------
def get_item(tenant_id: str, lead_id: int, consistent: bool = False) -> LeadItem:
    return found(store.get(tenant_id, lead_id, consistent=consistent), f"lead {lead_id} not found")


def get(tenant_id: str, lead_id: int) -> dict[str, Any]:
    return view(get_item(tenant_id, lead_id))


def history(tenant_id: str, lead_id: int) -> dict[str, Any]:
    """Who moved the lead to which status, when (oldest first)."""
    return {"items": list(get_item(tenant_id, lead_id).history or [])}


def page(tenant_id: str, flt: Any, request: PageRequest) -> dict[str, Any]:
    body = listing.page(tenant_id, request, status=flt.status, source=flt.source)
    body["items"] = [view(item) for item in body["items"]]
    return body


# --- changing ----------------------------------------------------------------------------
def _busy(lead_id: int) -> Conflict:
    return Conflict(f"lead {lead_id} is being changed by other requests; retry")


def _write(lead: LeadItem, changes: dict[str, Any], parts: list[Any]) -> bool:
    """Write ``changes`` (with the counts when the status or source moves); False when the
    lead changed meanwhile (read it again)."""
    moved = {k: changes[k] for k in ("status", "source") if k in changes}
    if any(getattr(lead, k) != v for k, v in moved.items()):
        parts = [listing.counted(lead, **moved), *parts]
    try:
        store.change(lead, changes, parts)
    except ConditionFailed as exc:
        if "lead" in exc.failed:
            return False
        raise
    except Contention:
        return False
    return True


def update(tenant_id: str, lead_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """The contact, description, address and source of an open lead (409 once won or
    lost); the e-mail or phone may not both be cleared."""
    changes = {k: v for k, v in changes.items() if k in PATCHABLE}
    for name in ("name", "source"):
        if name in changes and not changes[name]:
            raise InvalidInput("may not be null", field=name)
    for _ in retries():
        lead = get_item(tenant_id, lead_id, consistent=True)
        rules.check_edit(lead.status)
        if not changes:
            return view(lead)
        merged = {f: getattr(lead, f) for f in rules.TEXT_FIELDS} | {
            k: v for k, v in changes.items() if k != "source"
        }
        clean = rules.check_fields({k: v for k, v in merged.items() if v is not None})
        write = {f: clean.get(f) for f in rules.TEXT_FIELDS if f in changes}
        if "source" in changes:
            write["source"] = rules.source_of(changes["source"])
        write["updated_at"] = _iso(clock.now())
        if _write(lead, write, []):
            return view(lead)
    raise _busy(lead_id)


def move(principal: Principal, lead_id: int, status: str, reason: str | None) -> dict[str, Any]:
    """``rules.MOVES``: contacted, qualified, lost (with a reason); won by converting."""
    for _ in retries():
        lead = get_item(principal.tenant_id, lead_id, consistent=True)
        rules.check_move(lead.status, status, reason, converting=lead.converting)
        at = _iso(clock.now())
        reason = reason.strip() if reason else None
        entry = rules.history_entry(lead.status, status, at, principal.user_id, reason)
        changes: dict[str, Any] = {
            "status": status,
            "history": [*(lead.history or []), entry][-rules.MAX_HISTORY :],
            "updated_at": at,
        }
        if status == rules.LOST:
            changes.update(lost_reason=reason, lost_at=at)
        if _write(lead, changes, []):
            return view(lead)
    raise _busy(lead_id)


# --- converting --------------------------------------------------------------------------
def _customer_view(customer: Any) -> dict[str, Any]:
    return {
        "id": int(customer.customer_id),
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "address": customer.address,
        "city": customer.city,
        "state": customer.state,
        "zip": customer.zip,
    }


def _with_customer(principal: Principal, lead: LeadItem, create: str, reserved: list[int]) -> bool:
    """Record the lead's customer with the start of its conversion: the tenant's customer
    with the lead's e-mail, else a new one made from the lead (in the same transaction as
    the lead's ``customer_id``, so a retry never makes a second one). False: read the lead
    again."""
    tid = principal.tenant_id
    now = clock.now()
    at = _iso(now)
    parts: list[Any] = []
    customer_id: int | None = None
    if lead.email:
        (pointer,) = get_many([customers.email_ref(tid, lead.email)], consistent=True)
        if pointer is not None:
            customer_id = int(pointer.customer_id)
    if customer_id is None:
        if not reserved:
            reserved.append(customers.reserve_id(tid))
        customer_id = reserved[0]
        customer, pointer = customers.new_from_sale(
            tid, customer_id, lead.name, lead.email, now, source="lead"
        )
        customer.phone = lead.phone
        customer.address = lead.service_address
        customer.city = lead.service_city
        customer.state = lead.service_state
        customer.zip = lead.service_zip
        parts.append(lambda tx: customers.add(tx, customer, pointer))
    changes = {
        "customer_id": customer_id,
        "converting": create,
        "converting_since": lead.converting_since or at,
        "updated_at": at,
    }
    try:
        store.change(lead, changes, parts)
    except ConditionFailed as exc:
        if "customer" in exc.failed:  # the reserved id is taken (cannot happen): a new one
            reserved.clear()
        return False  # the lead moved, or a customer with the e-mail appeared: again
    except Contention:
        return False
    if parts:
        reserved.clear()
    return True


def _take_lease(lead: LeadItem) -> bool:
    """One request makes the estimate or job: the lease, conditioned on the revision."""
    now_s = int(clock.time())
    if lead.lease_until is not None and int(lead.lease_until) > now_s:
        raise Conflict(f"lead {int(lead.lead_id)} is being converted by another request")
    try:
        store.change(lead, {"lease_until": now_s + LEASE_S}, [])
    except (ConditionFailed, Contention):
        return False
    return True


def _release(lead: LeadItem) -> None:
    """After a failed attempt: the lease ends now (0, not removed, so the next attempt
    knows one got as far as making the estimate or job)."""
    try:
        store.change(lead, {"lease_until": 0}, [])
    except Exception:  # noqa: BLE001 - the lease runs out by itself
        log.warning("could not release the conversion lease of lead %s", int(lead.lead_id))


def _adoptable(tenant_id: str, lead: LeadItem, kind: str) -> dict[str, Any] | None:
    """An estimate or job a failed attempt of this conversion made: the customer's newest
    one made since the conversion started (one Query of at most 5)."""
    customer_id = int(lead.customer_id)
    if kind == "estimate":
        from chalicelib.estimates import service as estimates

        recent = estimates.of_customer(tenant_id, customer_id, limit=5)
    else:
        from chalicelib.dispatch import service as dispatch

        recent = dispatch.of_customer(tenant_id, customer_id, limit=5)
    since = _instant(lead.converting_since)  # to the second: jobs keep whole seconds
    since = since.replace(microsecond=0) if since is not None else None
    for made in recent:
        created = _instant(made.get("created_at"))
        if since is not None and created is not None and created >= since:
            return made
    return None


def _instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _make(
    principal: Principal, lead: LeadItem, data: dict[str, Any], again: bool
) -> dict[str, Any]:
    """The estimate or job of the conversion, for the lead's customer (``again``: an
    earlier attempt got as far as making it)."""
    tid = principal.tenant_id
    customer_id = int(lead.customer_id)
    if again:  # did the earlier attempt make one?
        adopted = _adoptable(tid, lead, data["create"])
        if adopted is not None:
            return adopted
    if data["create"] == "estimate":
        from chalicelib.estimates import service as estimates

        fields = {
            "customer_id": customer_id,
            "line_items": data.get("line_items"),
            "valid_until": data.get("valid_until"),
            "tax_bps": data.get("tax_bps") or 0,
            "notes": data.get("notes") or lead.description,
        }
        return estimates.create_for(tid, fields, f"lead {int(lead.lead_id)}")
    from chalicelib.dispatch import service as dispatch
    from chalicelib.dispatch.models import JobIn

    fields = {
        "title": data.get("title") or f"{lead.name}"[:200],
        "description": data.get("description") or lead.description,
        "priority": data.get("priority") or "normal",
        "job_type": data.get("job_type"),
        "estimated_minutes": data.get("estimated_minutes"),
        "scheduled_start": data.get("scheduled_start"),
        "scheduled_end": data.get("scheduled_end"),
        "service_address": lead.service_address,
        "service_city": lead.service_city,
        "service_state": lead.service_state,
        "service_zip": lead.service_zip,
        "customer_id": customer_id,
    }
    try:
        job = JobIn.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValueError as exc:
        errors = getattr(exc, "errors", lambda: [])()
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
            for e in errors
        ]
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details) or str(exc)
        raise ValidationFailed(message, details=details) from exc
    return dispatch.create(principal, job.model_dump(exclude_none=True))


def _record(principal: Principal, lead_id: int, kind: str, made: dict[str, Any]) -> LeadItem:
    """The lead becomes won with the id of what was made (re-read while it moves)."""
    field = "estimate_id" if kind == "estimate" else "job_id"
    for _ in retries():
        lead = get_item(principal.tenant_id, lead_id, consistent=True)
        if getattr(lead, field) is not None:
            return lead
        at = _iso(clock.now())
        entry = rules.history_entry(lead.status, rules.WON, at, principal.user_id, None)
        entry[field] = int(made["id"])
        changes = {
            "status": rules.WON,
            field: int(made["id"]),
            "history": [*(lead.history or []), entry][-rules.MAX_HISTORY :],
            "won_at": at,
            "updated_at": at,
            "converting": None,
            "lease_until": None,
        }
        if _write(lead, changes, []):
            return lead
    raise _busy(lead_id)


def convert(principal: Principal, lead_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """A qualified lead becomes a customer (the tenant's one with its e-mail, else a new
    one) and an estimate or a dispatch job for them; the lead is won with their ids.
    Twice is 409; a retry after a failure continues where it stopped."""
    tid = principal.tenant_id
    kind = data["create"]
    if kind == "estimate":
        for name in ("line_items", "valid_until"):
            if not data.get(name):
                raise InvalidInput("is required to convert to an estimate", field=name)
    reserved: list[int] = []
    for _ in retries():
        lead = get_item(tid, lead_id, consistent=True)
        made_id = lead.estimate_id if lead.estimate_id is not None else lead.job_id
        step = rules.conversion_step(lead.status, lead.customer_id, made_id, kind, lead.converting)
        if step == "customer":
            _with_customer(principal, lead, kind, reserved)
            continue
        if lead.converting is None:  # a customer recorded without a conversion under way
            if not _write(lead, {"converting": kind, "converting_since": _iso(clock.now())}, []):
                continue
        again = lead.lease_until is not None
        if not _take_lease(lead):
            continue
        try:
            made = _make(principal, lead, data, again)
        except Exception:
            _release(lead)
            raise
        won = _record(principal, lead_id, kind, made)
        customer = customers.get(tid, int(won.customer_id))
        return {"lead": view(won), "customer": _customer_view(customer), kind: made}
    raise _busy(lead_id)
