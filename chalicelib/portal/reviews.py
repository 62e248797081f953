"""Reviews (1-5) of completed dispatch jobs, which feed technicians' ratings, and service
requests, which reach a business as leads. Part of the portal's service (``portal.service``
re-exports what other code calls).

Posting a review: the caller's account and session (the route decorator's
``BatchGetItem``), the businesses (``service.businesses``: 1 Query, 1 ``BatchGetItem``),
the job (1 GetItem), then 1 ``TransactWriteItems``: the review (one per job: its key is
the job's id, created only if free), its technician's review count and rating sum (ADD),
the list counts.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import CustomerPrincipal
from chalicelib.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from chalicelib.core.pagination import PageRequest
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.portal import listing, rules, store
from chalicelib.portal import service as portal
from chalicelib.portal.store import ReviewItem

COMPLETED = "completed"


def _verified(principal: CustomerPrincipal) -> store.PortalAccountItem:
    account = portal._account(principal)
    if not account.email_verified:
        raise Forbidden("verify your email first (POST /customer/verify)")
    return account


def view(review: ReviewItem) -> dict[str, Any]:
    return {
        "id": int(review.job_id),
        "job_id": int(review.job_id),
        "technician_id": None if review.technician_id is None else int(review.technician_id),
        "customer_id": int(review.customer_id),
        "rating": int(review.rating),
        "text": review.text,
        "created_at": review.created_at,
    }


def post(
    principal: CustomerPrincipal, business_code: str, job_id: int, rating: int, text: str | None
) -> dict[str, Any]:
    """A review of a completed job of this customer's at that business: 404 for a job that
    is not theirs (or an unknown business), 409 before it is completed or the second
    time; 403 before the e-mail is verified."""
    from chalicelib.dispatch import service as dispatch

    account = _verified(principal)
    where = portal.business(account, business_code)
    try:
        job = dispatch.job_in(where.tenant_id, job_id)
    except NotFound:
        job = None
    if job is None or not where.owns(job.get("customer_id")):
        raise NotFound(f"dispatch job {job_id} not found")
    if job.get("status") != COMPLETED:
        raise RuleViolation("only a completed job can be reviewed")
    technician_id = job.get("technician_id")
    review = store.new_review(
        where.tenant_id,
        job_id,
        technician_id,
        customer_id=where.customer_id,
        account_id=account.account_id,
        rating=rating,
        text=text,
        created_at=clock.iso_utc(clock.now()),
    )
    for _ in retries():
        try:
            store.create_review(review, [listing.counted(review)])
        except ConditionFailed as exc:
            if "review" in exc.failed:
                raise Conflict(f"job {job_id} has been reviewed already") from exc
            raise
        except Contention:
            continue
        return {
            **view(review),
            "business_code": where.business_code,
            "business_name": where.business_name,
        }
    raise Conflict("too many concurrent reviews; retry the request")


def page(
    tenant_id: str, request: PageRequest, technician_id: int | None, rating: int | None
) -> dict[str, Any]:
    body = listing.page(tenant_id, request, technician_id=technician_id, rating=rating)
    body["items"] = [view(item) for item in body["items"]]
    return body


def get(tenant_id: str, job_id: int) -> dict[str, Any]:
    review = store.get_review(tenant_id, job_id)
    if review is None:
        raise NotFound(f"review of job {job_id} not found")
    return view(review)


ratings = portal.ratings


def technician_rating(tenant_id: str, technician_id: int) -> dict[str, Any]:
    """One technician's rating (404 for a technician the tenant does not have)."""
    from chalicelib.technicians import service as technicians

    technicians.get(tenant_id, technician_id)
    return {"technician_id": technician_id, **ratings(tenant_id, [technician_id])[technician_id]}


def service_request(principal: CustomerPrincipal, fields: dict[str, Any]) -> dict[str, Any]:
    """A request for service to the business with ``business_code`` (404 for an unknown
    one; it need not know the customer yet): it reaches the business as a lead of source
    ``portal``, with the account's name and e-mail. 403 before the e-mail is verified."""
    from chalicelib.accounts import service as accounts
    from chalicelib.leads import service as leads

    account = _verified(principal)
    tenant = accounts.resolve_tenant(fields["business_code"])
    description = fields["description"]
    if fields.get("preferred_date"):
        description = f"{description}\nPreferred date: {fields['preferred_date']}"
    lead_fields: dict[str, Any] = {
        "name": rules.full_name(account.first_name, account.last_name) or account.email,
        "email": account.email,
        "phone": fields.get("phone"),
        "description": description,
    }
    if fields.get("address"):
        lead_fields["service_address"] = fields["address"]
    lead = leads.create_for(tenant.tenant_id, lead_fields, source="portal")
    return {
        "business_code": tenant.business_code,
        "business_name": tenant.name,
        "lead_id": int(lead["id"]),
        "status": lead.get("status", "new"),
        "preferred_date": fields.get("preferred_date"),
        "description": fields["description"],
    }
