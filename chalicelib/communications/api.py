"""``/admin/customer-communications``: the unified log of what was said to a customer:
every e-mail sent (logged by the feature that sent it, with its status) and the notes
and calls staff add. Admins, managers and dispatchers (``customers:read``/``write``);
technicians have no back-office access to customers (SPEC.md "Roles")."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.communications import service
from chalicelib.communications.models import (
    CommunicationFilter,
    CommunicationIn,
    CommunicationOut,
)
from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import page_of

bp = Blueprint(__name__)
TAG = "customer-communications"
PATH = "/admin/customer-communications"


@endpoint(
    bp,
    PATH,
    "POST",
    summary="Log a note or call",
    tag=TAG,
    permission=roles.CUSTOMERS_WRITE,
    body=CommunicationIn,
    response=CommunicationOut,
    status=201,
    errors=(404,),
)
def add_communication(req: ApiRequest) -> Any:
    """A note or a call about one of the tenant's customers (an unknown id, or another
    tenant's, is 404). E-mails are logged by the features that send them."""
    return service.add(req.user, req.body)


@endpoint(
    bp,
    PATH,
    "GET",
    summary="List customer communications",
    tag=TAG,
    permission=roles.CUSTOMERS_READ,
    query=CommunicationFilter,
    response=page_of(CommunicationOut),
    paginated=True,
    errors=(404,),
)
def list_communications(req: ApiRequest) -> Any:
    """Newest first (by ``occurred_at``); every filter with an exact ``total``."""
    return service.page(req.tenant_id, req.query, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    f"{PATH}/{{communication_id}}",
    "GET",
    summary="Get a communication",
    tag=TAG,
    permission=roles.CUSTOMERS_READ,
    response=CommunicationOut,
)
def get_communication(req: ApiRequest) -> Any:
    return service.get(req.tenant_id, req.int_param("communication_id"))
