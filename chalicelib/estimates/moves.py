"""An estimate's moves beyond ``estimates.service``: send (the e-mail with the customer's
signed link), the public signed-link routes, and converting an accepted estimate into an
invoice and, optionally, a dispatch job.

Converting is made safe in two halves:

1. a *lease* on the estimate (a nonce and an expiry, 60 s) taken by a conditional write:
   a second convert while one runs is 409, and a retry after a failure takes it over;
2. the invoice is created by ``invoices.service.create`` with the estimate's
   ``invoice_id`` written *in the invoice's own transaction* (conditioned on the lease and
   on no invoice recorded yet), so an estimate never gets two invoices: a retry after a
   failure further on (the job) finds ``invoice_id`` and reuses that invoice;
3. then the job (``dispatch.service.create``), and last the estimate becomes
   ``converted`` with ``job_id`` (conditioned on what was read; the lease is cleared).

A failure between the job's creation and step 3 (the process dying there) could leave a
job the estimate does not name; a failure anywhere else is retried safely.

DynamoDB calls besides the caller's account: send 3 (a consistent GetItem, one
TransactWriteItems for a draft, the tenant's settings for the business name) and one SES
send; the public view 2 GetItem, accept / decline through the link 2 (GetItem,
TransactWriteItems); convert 4 + the invoice's 2 (+ the job's 2 and 1 SQS send).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from chalicelib.communications import service as communications
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict
from chalicelib.dispatch import service as dispatch
from chalicelib.dispatch.rules import geo, workflow
from chalicelib.estimates import links, listing, mail, rules, service, store
from chalicelib.estimates.models import ConvertIn
from chalicelib.estimates.store import EstimateItem
from chalicelib.invoices import service as invoices
from chalicelib.invoices.models import InvoiceIn
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.settings import service as settings

log = logging.getLogger("tradekitt.estimates")
LEASE_S = 60


def _business(tenant_id: str) -> str:
    branding = settings.effective(settings.get(tenant_id)).get("branding") or {}
    return str(branding.get("display_name") or "TradeKitt")


def link_of(estimate: EstimateItem) -> str:
    """The customer's signed link (until the end of ``valid_until``, UTC)."""
    token = links.issue(
        estimate.tenant_id,
        int(estimate.estimate_id),
        rules.link_expires_at(estimate.valid_until),
    )
    return links.url(token)


# --- send ----------------------------------------------------------------------------------
def send(principal: Principal, estimate_id: int) -> dict[str, Any]:
    """A draft becomes sent (``valid_until`` must not have passed); a sent estimate is sent
    again unchanged; expired, answered or converted ones are 409. The customer is e-mailed
    the signed link (``emailed_to``: null without an e-mail or when SES refused)."""
    tid = principal.tenant_id

    def plan(estimate: EstimateItem) -> tuple[Any, list, None]:
        status = rules.after_send(estimate.status, estimate.valid_until, service.today())
        if status == estimate.status:
            return None, [], None
        at = clock.iso_utc(clock.now())
        return {"status": status, "sent_at": at, "updated_at": at}, [], None

    estimate, _ = service.move(tid, estimate_id, plan)
    shown = service.view(estimate)
    url = link_of(estimate)
    business = _business(tid)
    emailed = mail.send(business, shown, url)
    _log_email(tid, shown, emailed, mail.message(business, shown, url)[0])
    return {**shown, "emailed_to": emailed, "public_url": url}


def _log_email(tenant_id: str, shown: dict[str, Any], emailed: str | None, subject: str) -> None:
    """The e-mail in the customer's communications log (``communications.service``)."""
    to = shown.get("customer_email")
    if not to:
        return
    communications.log_email(
        tenant_id,
        customer_id=shown["customer_id"],
        to=to,
        kind="estimate",
        subject=subject,
        status="sent" if emailed else "failed",
        ref=shown["estimate_number"],
    )


# --- the public signed link ------------------------------------------------------------------
def public_view(estimate: dict[str, Any], business: str) -> dict[str, Any]:
    keep = (
        "estimate_number", "status", "customer_name", "line_items", "tax_bps",
        "subtotal_cents", "tax_cents", "total_cents", "valid_until", "notes", "sent_at",
        "responded_at",
    )  # fmt: skip
    return {**{k: estimate[k] for k in keep}, "business_name": business}


def by_link(token: str) -> dict[str, Any]:
    """What the customer sees through the link (any status: they see their answer)."""
    tid, estimate_id = links.verify(token)
    estimate = service.get(tid, estimate_id)
    return public_view(estimate, _business(tid))


def respond_by_link(token: str, accept: bool) -> dict[str, Any]:
    """The customer's answer through the link: 409 when expired, declined, already
    accepted; 401 for a tampered or expired link."""
    tid, estimate_id = links.verify(token)
    shown = service.respond(tid, estimate_id, accept, via="link")
    return public_view(shown, _business(tid))


# --- convert ---------------------------------------------------------------------------------
def _claim(tid: str, estimate_id: int, lease: str) -> EstimateItem:
    """Take the conversion lease (409 while another conversion holds it)."""

    def plan(estimate: EstimateItem) -> tuple[dict, list, None]:
        rules.check_convert(estimate.status)
        now = clock.now()
        held = estimate.convert_lease and (estimate.convert_lease_until or "") > clock.iso_utc(now)
        if held:
            raise Conflict(
                f"estimate {estimate_id} is being converted by another request; retry shortly"
            )
        until = clock.iso_utc(now + timedelta(seconds=LEASE_S))
        return {"convert_lease": lease, "convert_lease_until": until}, [], None

    estimate, _ = service.move(tid, estimate_id, plan)
    return estimate


def _release(estimate: EstimateItem, lease: str) -> None:
    """Best effort, after a failure: let a retry start at once."""
    try:
        store.change(estimate, {"convert_lease": None, "convert_lease_until": None}, [])
    except Exception:  # noqa: BLE001 - the lease expires by itself
        log.warning("could not release the conversion lease of estimate %s", estimate.estimate_id)


def _invoice(principal: Principal, estimate: EstimateItem, lease: str, due: Any) -> dict:
    if estimate.invoice_id is not None:  # a retry: the invoice exists, reuse it
        return invoices.get(estimate.tenant_id, int(estimate.invoice_id))
    data = InvoiceIn.model_validate(
        {
            "customer_id": int(estimate.customer_id),
            "line_items": [
                {k: line[k] for k in ("description", "amount_cents", "quantity")}
                for line in estimate.line_items
            ],
            "due_date": due,
            "tax_bps": int(estimate.tax_bps or 0),
            "notes": estimate.notes,
        }
    )
    at = clock.iso_utc(clock.now())
    recorded: dict[str, Any] = {}

    def link(invoice_id: int) -> store.Part:
        recorded.clear()
        recorded.update({"invoice_id": invoice_id, "updated_at": at})
        return store.link_part(estimate, dict(recorded), lease)

    invoice = invoices.create(principal, data, link=link)
    store.applied_locally(estimate, recorded)
    return invoice


def _job(principal: Principal, estimate: EstimateItem, options: ConvertIn) -> dict[str, Any]:
    fields = options.model_dump(exclude_none=True, exclude={"create_job", "due_date"})
    first = estimate.line_items[0]["description"] if estimate.line_items else ""
    number = rules.number_of(int(estimate.estimate_id))
    fields.setdefault("title", f"{number}: {first}"[:200])
    fields.setdefault("description", estimate.notes or f"From estimate {number}")
    fields["customer_id"] = int(estimate.customer_id)
    return dispatch.create(principal, fields)


def convert(principal: Principal, estimate_id: int, options: ConvertIn) -> dict[str, Any]:
    """An accepted estimate becomes an invoice (same customer, lines, tax, notes) and,
    with ``create_job``, a dispatch job; once only (409 the second time)."""
    tid = principal.tenant_id
    if options.create_job:  # the job's own checks first, before anything is written
        workflow.check_window(options.scheduled_start, options.scheduled_end)
        geo.check_place(options.service_zip, options.latitude, options.longitude)
    lease = uuid.uuid4().hex
    estimate = _claim(tid, estimate_id, lease)
    try:
        due = rules.invoice_due(service.today(), options.due_date).isoformat()
        invoice = _invoice(principal, estimate, lease, due)
        job = _job(principal, estimate, options) if options.create_job else None
    except Exception:
        _release(estimate, lease)
        raise
    at = clock.iso_utc(clock.now())
    changes = {
        "status": rules.CONVERTED,
        "converted_at": at,
        "updated_at": at,
        "job_id": None if job is None else int(job["id"]),
        "convert_lease": None,
        "convert_lease_until": None,
    }
    for _ in retries():
        try:
            store.change(estimate, changes, [listing.counted(estimate, status=rules.CONVERTED)])
            break
        except Contention:
            continue  # another write held the list's counts
        except ConditionFailed as exc:
            raise Conflict(f"estimate {estimate_id} changed while being converted") from exc
    else:
        raise service.busy(estimate_id)
    return {"invoice": invoice, "job": job, "estimate": service.view(estimate)}
