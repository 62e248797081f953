"""``/admin/estimates``: estimates with line items, tax in bps and integer-cent totals,
sent to the customer with a signed link, accepted or declined (by the customer online or
by staff), converted into an invoice and optionally a dispatch job (admins and managers:
``billing:write``); ``/public/estimates/{token}``: the customer's signed link (no login)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.estimates import moves, service
from chalicelib.estimates.models import (
    ConvertedOut,
    ConvertIn,
    EstimateFilter,
    EstimateIn,
    EstimateOut,
    EstimatePatch,
    PublicEstimateOut,
    SentOut,
)

bp = Blueprint(__name__)
TAG = "estimates"
PATH = "/admin/estimates"
ONE = f"{PATH}/{{estimate_id}}"
PUBLIC = "/public/estimates/{token}"


@endpoint(
    bp,
    PATH,
    "POST",
    summary="Create an estimate",
    tag=TAG,
    permission=roles.BILLING,
    body=EstimateIn,
    response=EstimateOut,
    status=201,
)
def create_estimate(req: ApiRequest) -> Any:
    """A draft with the tenant's next estimate number (``EST-000001``: sequential, never
    reused). The customer is ``customer_id``, else the one with ``customer_email``, else a
    new one. ``valid_until`` in the past is 422; ``total_cents`` = subtotal + tax, the tax
    rounded half to even once per estimate."""
    return service.create(req.tenant_id, req.body, created_by=req.user.user_id)


@endpoint(
    bp,
    PATH,
    "GET",
    summary="List estimates",
    tag=TAG,
    permission=roles.BILLING,
    query=EstimateFilter,
    response=page_of(EstimateOut),
    paginated=True,
)
def list_estimates(req: ApiRequest) -> Any:
    """Latest ``valid_until`` first. ``status=expired``: sent and past ``valid_until``
    (UTC); ``status=sent``: those still valid. ``total`` is exact."""
    return service.page(req.tenant_id, req.query, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    ONE,
    "GET",
    summary="Get an estimate",
    tag=TAG,
    permission=roles.BILLING,
    response=EstimateOut,
)
def get_estimate(req: ApiRequest) -> Any:
    return service.get(req.tenant_id, req.int_param("estimate_id"))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Change a draft estimate",
    tag=TAG,
    permission=roles.BILLING,
    body=EstimatePatch,
    response=EstimateOut,
)
def update_estimate(req: ApiRequest) -> Any:
    """Line items, ``valid_until``, tax and notes of a draft (409 once sent); totals
    follow."""
    changes = changes_of(req.body, ("line_items", "valid_until", "tax_bps"))
    return service.update(req.tenant_id, req.int_param("estimate_id"), changes)


@endpoint(
    bp,
    f"{ONE}/send",
    "POST",
    summary="Send an estimate",
    tag=TAG,
    permission=roles.BILLING,
    response=SentOut,
)
def send_estimate(req: ApiRequest) -> Any:
    """A draft becomes ``sent`` and the customer is e-mailed a signed link to view, accept
    or decline it without a login (valid until the end of ``valid_until``, UTC); sending a
    sent one again re-sends it. Expired, accepted, declined or converted: 409."""
    return moves.send(req.user, req.int_param("estimate_id"))


@endpoint(
    bp,
    f"{ONE}/accept",
    "POST",
    summary="Accept an estimate for the customer",
    tag=TAG,
    permission=roles.BILLING,
    response=EstimateOut,
)
def accept_estimate(req: ApiRequest) -> Any:
    """Staff record the customer's yes (e.g. on the phone). Only a sent estimate that has
    not expired; expired, declined, already accepted or not sent: 409."""
    return service.respond(req.tenant_id, req.int_param("estimate_id"), True, "staff")


@endpoint(
    bp,
    f"{ONE}/decline",
    "POST",
    summary="Decline an estimate for the customer",
    tag=TAG,
    permission=roles.BILLING,
    response=EstimateOut,
)
def decline_estimate(req: ApiRequest) -> Any:
    """Staff record the customer's no. Only a sent estimate that has not expired (409
    otherwise)."""
    return service.respond(req.tenant_id, req.int_param("estimate_id"), False, "staff")


@endpoint(
    bp,
    f"{ONE}/convert",
    "POST",
    summary="Convert an accepted estimate into an invoice (and a job)",
    tag=TAG,
    permission=roles.BILLING,
    body=ConvertIn,
    response=ConvertedOut,
    status=201,
)
def convert_estimate(req: ApiRequest) -> Any:
    """An accepted estimate becomes a draft invoice (same customer, lines, tax and notes;
    ``due_date`` defaults to 30 days from today) and, with ``create_job: true``, a pending
    dispatch job (``dispatch.created``). Once only: the estimate becomes ``converted`` and
    names both; a second convert is 409. A retry after a failure never makes a second
    invoice."""
    return moves.convert(req.user, req.int_param("estimate_id"), req.body)


@endpoint(
    bp,
    PUBLIC,
    "GET",
    summary="View an estimate through its signed link",
    tag=TAG,
    public=True,
    response=PublicEstimateOut,
    errors=(401,),
)
def public_estimate(req: ApiRequest) -> Any:
    """No login: the token of the e-mailed link names the estimate. A tampered or expired
    link is 401."""
    return moves.by_link(req.params.get("token", ""))


@endpoint(
    bp,
    f"{PUBLIC}/accept",
    "POST",
    summary="Accept an estimate through its signed link",
    tag=TAG,
    public=True,
    response=PublicEstimateOut,
    errors=(401, 409),
)
def public_accept(req: ApiRequest) -> Any:
    """No login. 409 when the estimate expired, was declined or already accepted; 401 for
    a tampered or expired link."""
    return moves.respond_by_link(req.params.get("token", ""), True)


@endpoint(
    bp,
    f"{PUBLIC}/decline",
    "POST",
    summary="Decline an estimate through its signed link",
    tag=TAG,
    public=True,
    response=PublicEstimateOut,
    errors=(401, 409),
)
def public_decline(req: ApiRequest) -> Any:
    """No login. 409 when the estimate expired, was declined or already accepted; 401 for
    a tampered or expired link."""
    return moves.respond_by_link(req.params.get("token", ""), False)
