"""``/admin/leads``: prospective customers (web, phone, referral, portal), their status
(``leads.rules``: new -> contacted -> qualified -> won | lost) with its history, and
their conversion into a customer with an estimate or a dispatch job. Admins, managers
and dispatchers (``customers:read``/``write``: a lead is a customer to be); converting
to an estimate also needs ``billing:write`` (admins, managers), to a job
``dispatch:write``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.auth import require
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.leads import service
from chalicelib.leads.models import (
    ConvertedOut,
    ConvertIn,
    HistoryPage,
    LeadFilter,
    LeadIn,
    LeadOut,
    LeadPatch,
    StatusIn,
)

bp = Blueprint(__name__)
TAG = "leads"
PATH = "/admin/leads"
ONE = f"{PATH}/{{lead_id}}"


@endpoint(
    bp,
    PATH,
    "POST",
    summary="Create a lead",
    tag=TAG,
    permission=roles.CUSTOMERS_WRITE,
    body=LeadIn,
    response=LeadOut,
    status=201,
)
def create_lead(req: ApiRequest) -> Any:
    """A new lead (``new``). ``email`` or ``phone`` is required (422 naming ``email``)."""
    return service.create(req.user, req.body.model_dump(exclude_none=True))


@endpoint(
    bp,
    PATH,
    "GET",
    summary="List leads",
    tag=TAG,
    permission=roles.CUSTOMERS_READ,
    query=LeadFilter,
    response=page_of(LeadOut),
    paginated=True,
)
def list_leads(req: ApiRequest) -> Any:
    """Newest first; ``status`` and ``source`` filters, ``total`` exact."""
    return service.page(req.tenant_id, req.query, req.page)  # type: ignore[arg-type]


@endpoint(
    bp, ONE, "GET", summary="Get a lead", tag=TAG, permission=roles.CUSTOMERS_READ, response=LeadOut
)
def get_lead(req: ApiRequest) -> Any:
    return service.get(req.tenant_id, req.int_param("lead_id"))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Change a lead",
    tag=TAG,
    permission=roles.CUSTOMERS_WRITE,
    body=LeadPatch,
    response=LeadOut,
    errors=(409,),
)
def update_lead(req: ApiRequest) -> Any:
    """Contact, description, service address and source of an open lead (a won or lost
    one is 409). The status moves through ``POST .../status``."""
    changes = changes_of(req.body, ("name", "source"))
    return service.update(req.tenant_id, req.int_param("lead_id"), changes)


@endpoint(
    bp,
    f"{ONE}/status",
    "POST",
    summary="Move a lead's status",
    tag=TAG,
    permission=roles.CUSTOMERS_WRITE,
    body=StatusIn,
    response=LeadOut,
    errors=(409,),
)
def move_lead(req: ApiRequest) -> Any:
    """new -> contacted -> qualified; lost (with a ``reason``) from any of them. ``won``
    is reached by converting. Any other move is 409; each move is kept in ``history``
    (who, when, from, to, reason)."""
    body = req.body
    return service.move(req.user, req.int_param("lead_id"), body.status, body.reason)


@endpoint(
    bp,
    f"{ONE}/history",
    "GET",
    summary="A lead's status history",
    tag=TAG,
    permission=roles.CUSTOMERS_READ,
    response=HistoryPage,
)
def lead_history(req: ApiRequest) -> Any:
    """Every status change, oldest first: ``from``, ``to``, ``at``, ``by`` (the user id;
    null for leads made by the portal or a web form), ``reason``."""
    return service.history(req.tenant_id, req.int_param("lead_id"))


@endpoint(
    bp,
    f"{ONE}/convert",
    "POST",
    summary="Convert a lead",
    tag=TAG,
    permission=roles.CUSTOMERS_WRITE,
    body=ConvertIn,
    response=ConvertedOut,
    status=201,
    errors=(403, 409),
)
def convert_lead(req: ApiRequest) -> Any:
    """A qualified lead becomes a customer (the tenant's customer with the lead's e-mail,
    else a new one from the lead) and an estimate or a dispatch job for them; the lead is
    ``won`` with their ids. Converting again is 409; a retry after a failure continues
    where it stopped (no second customer or estimate)."""
    body = req.body
    require(req.user, roles.BILLING if body.create == "estimate" else roles.DISPATCH_WRITE)
    data = body.model_dump(mode="json", exclude_none=True)
    return service.convert(req.user, req.int_param("lead_id"), data)
