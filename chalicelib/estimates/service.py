"""Estimates (issue 13 item 3): create, read, list, change drafts and answer them
(accept / decline, by staff, the portal or the signed link). Sending, the signed link and
converting are ``estimates.moves``. The rules (statuses, moves; the line and total rules
are the invoices') are ``estimates.rules``.

Other features call ``create_for``, ``of_customer`` and ``respond`` (the portal, leads).

Creating (``POST /admin/estimates``), DynamoDB calls besides the caller's account:

1. one consistent ``BatchGetItem``: the estimate id counter, the customer (``customer_id``)
   or its e-mail pointer (``customer_email``), and the customer id counter when the
   estimate may create its customer;
2. one ``TransactWriteItems``: the estimate, its counts in the list's rollups, the id
   counter (compare-and-set on the value read in 1: the estimate number is the next one)
   and, when no customer was found, the new customer with its e-mail pointer, search
   entries, count and id (``customers.service``: linked, never duplicated).

When another estimate took the number first, the request reserves one outright
(``UpdateItem ADD``) and retries; a number reserved by a request that then fails is never
reused (numbers can have a gap; they never repeat).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from pydantic import ValidationError

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, ValidationFailed, found
from chalicelib.core.pagination import PageRequest
from chalicelib.estimates import listing, rules, store
from chalicelib.estimates.models import EstimateFilter, EstimateIn
from chalicelib.estimates.store import EstimateItem
from chalicelib.invoices import service as invoices

log = logging.getLogger("tradekitt.estimates")
ENTITY = "estimate"
PATCHABLE = ("line_items", "valid_until", "tax_bps", "notes")


def today() -> date:
    return clock.now().date()


def view(estimate: EstimateItem) -> dict[str, Any]:
    return {
        "id": int(estimate.estimate_id),
        "estimate_number": rules.number_of(int(estimate.estimate_id)),
        "status": rules.shown_status(estimate.status, estimate.valid_until, today()),
        "customer_id": int(estimate.customer_id),
        "customer_name": estimate.customer_name,
        "customer_email": estimate.customer_email,
        "line_items": list(estimate.line_items or []),
        "tax_bps": int(estimate.tax_bps or 0),
        "subtotal_cents": int(estimate.subtotal_cents),
        "tax_cents": int(estimate.tax_cents),
        "total_cents": int(estimate.total_cents),
        "valid_until": estimate.valid_until,
        "notes": estimate.notes,
        "created_at": estimate.created_at,
        "updated_at": estimate.updated_at,
        "sent_at": estimate.sent_at,
        "responded_at": estimate.responded_at,
        "responded_via": estimate.responded_via,
        "converted_at": estimate.converted_at,
        "invoice_id": None if estimate.invoice_id is None else int(estimate.invoice_id),
        "job_id": None if estimate.job_id is None else int(estimate.job_id),
    }


def _totals(lines: list[dict[str, Any]], tax_bps: int) -> dict[str, int]:
    t = rules.totals(lines, tax_bps)
    return {
        "subtotal_cents": t.subtotal_cents,
        "tax_cents": t.tax_cents,
        "total_cents": t.total_cents,
    }


# --- creating ------------------------------------------------------------------------------
def create(
    tenant_id: str, data: EstimateIn, *, created_by: int | None, via: str = "staff"
) -> dict[str, Any]:
    """A draft with the tenant's next estimate number; the customer linked or created (the
    invoices' create: ``invoices.service.create_numbered``)."""
    lines = rules.check_lines([line.model_dump() for line in data.line_items])
    amounts = _totals(lines, data.tax_bps)
    valid_until = rules.check_valid_until(data.valid_until, today())

    def build(estimate_id: int, customer: Any, at: str) -> EstimateItem:
        return store.new_estimate(
            tenant_id,
            estimate_id,
            customer_id=customer.customer_id,
            customer_name=customer.name,
            customer_email=customer.email,
            line_items=lines,
            tax_bps=data.tax_bps,
            **amounts,
            valid_until=valid_until,
            notes=data.notes,
            status=rules.DRAFT,
            revision=1,
            created_by=created_by,
            created_via=via,
            created_at=at,
            updated_at=at,
        )

    estimate = invoices.create_numbered(
        tenant_id, store.DOCS, ENTITY, data, source="estimate", build=build
    )
    return view(estimate)


def create_for(tenant_id: str, fields: dict[str, Any], actor: str) -> dict[str, Any]:
    """For other features (leads, the portal): ``fields`` as the ``POST /admin/estimates``
    body; a bad field is 422 naming it, like the route (``ValidationFailed`` with
    ``details`` for the body's shape, ``InvalidInput`` with ``field`` for a rule such as
    ``valid_until`` in the past). ``actor`` says who asked (stored as ``created_via``,
    e.g. "portal", "lead"). Returns the estimate's view."""
    try:
        data = EstimateIn.model_validate(fields)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
            for err in exc.errors()
        ]
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise ValidationFailed(message, details=details) from exc
    return create(tenant_id, data, created_by=None, via=str(actor)[:50] or "staff")


# --- reading -------------------------------------------------------------------------------
def get_item(tenant_id: str, estimate_id: int, consistent: bool = False) -> EstimateItem:
    return found(
        store.get(tenant_id, estimate_id, consistent=consistent),
        f"estimate {estimate_id} not found",
    )


def get(tenant_id: str, estimate_id: int) -> dict[str, Any]:
    return view(get_item(tenant_id, estimate_id))


def page(tenant_id: str, flt: EstimateFilter, request: PageRequest) -> dict[str, Any]:
    body = listing.page(
        tenant_id,
        request,
        today=today(),
        status=flt.status,
        customer_id=flt.customer_id,
        valid_from=flt.valid_from.isoformat() if flt.valid_from else None,
        valid_to=flt.valid_to.isoformat() if flt.valid_to else None,
    )
    body["items"] = [view(item) for item in body["items"]]
    return body


def of_customer(tenant_id: str, customer_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """A customer's estimates (their views, with ``created_at``), newest first, at most
    ``limit`` (one Query on gsi3): for the customer's history and the portal."""
    limit = max(1, min(int(limit), 200))
    return [view(item) for item in store.of_customer(tenant_id, customer_id, limit)]


# --- changing ------------------------------------------------------------------------------
def busy(estimate_id: int) -> Conflict:
    return Conflict(f"estimate {estimate_id} is being changed by other requests; retry")


def move(tenant_id: str, estimate_id: int, plan: Any) -> tuple[EstimateItem, Any]:
    """Read the estimate, let ``plan(estimate)`` say what to write (``(changes, parts,
    result)``; None changes: nothing), and write it conditioned on what was read; a
    change of status moves the list's counts in the same transaction (``platform.documents``)."""
    return store.DOCS.move(
        lambda: get_item(tenant_id, estimate_id, consistent=True),
        plan,
        store.change,
        busy(estimate_id),
    )


def update(tenant_id: str, estimate_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """A draft's ``line_items``, ``valid_until``, ``tax_bps``, ``notes`` (409 once sent)."""
    changes = {k: v for k, v in changes.items() if k in PATCHABLE}
    if "valid_until" in changes:
        changes["valid_until"] = rules.check_valid_until(changes["valid_until"], today())
    if "line_items" in changes:
        changes["line_items"] = rules.check_lines(changes["line_items"])

    def plan(estimate: EstimateItem) -> tuple[Any, list, None]:
        rules.check_update(estimate.status)
        if not changes:
            return None, [], None
        lines = changes.get("line_items", estimate.line_items)
        tax = changes.get("tax_bps", int(estimate.tax_bps or 0))
        write = {**changes, **_totals(lines, tax), "updated_at": clock.iso_utc(clock.now())}
        parts = []
        if "valid_until" in changes and changes["valid_until"] != estimate.valid_until:
            parts.append(listing.counted(estimate, valid_until=changes["valid_until"]))
        return write, parts, None

    estimate, _ = move(tenant_id, estimate_id, plan)
    return view(estimate)


def respond(tenant_id: str, estimate_id: int, accept: bool, via: str) -> dict[str, Any]:
    """The customer's answer (``via``: "staff" on their behalf, "portal", "link"): a sent
    estimate becomes accepted or declined. 409 when it is expired, declined, already
    accepted (or converted) or not sent; another tenant's id is 404."""
    rules.check_via(via)

    def plan(estimate: EstimateItem) -> tuple[dict, list, None]:
        status = rules.after_response(estimate.status, estimate.valid_until, today(), accept)
        at = clock.iso_utc(clock.now())
        changes = {"status": status, "responded_at": at, "responded_via": via, "updated_at": at}
        return changes, [], None

    estimate, _ = move(tenant_id, estimate_id, plan)
    return view(estimate)
