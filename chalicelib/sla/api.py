"""``/admin/sla``: SLA policies per priority (admins and managers configure them,
dispatchers read them) and the jobs that missed a deadline."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.errors import invalid
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.sla import service
from chalicelib.sla.models import PoliciesOut, PoliciesPatch, ViolationOut, ViolationsQuery

bp = Blueprint(__name__)
TAG = "sla"


@endpoint(
    bp,
    "/admin/sla",
    "GET",
    summary="The SLA policies",
    tag=TAG,
    permission=roles.SLA_READ,
    response=PoliciesOut,
)
def get_policies(req: ApiRequest) -> Any:
    """Every priority (low, normal, high, urgent) with its response and resolution minutes;
    ``configured: false`` (and null minutes) where it has no policy, and its jobs no
    deadlines."""
    return service.policies(req.tenant_id)


@endpoint(
    bp,
    "/admin/sla",
    "PATCH",
    summary="Set or remove SLA policies",
    tag=TAG,
    permission=roles.SLA_WRITE,
    body=PoliciesPatch,
    response=PoliciesOut,
)
def patch_policies(req: ApiRequest) -> Any:
    """Per priority sent: ``{"response_minutes", "resolution_minutes"}`` (whole minutes,
    1 to 525,600, response no more than resolution) sets its policy, ``null`` removes it;
    the others stay. A job gets its deadlines (``sla_response_due``,
    ``sla_resolution_due``) from the policy when it is created or its priority changes;
    jobs keep the deadlines they have. Answers every priority's policy."""
    changes = changes_of(req.body)
    if not changes:
        raise invalid("low", "name at least one priority: low, normal, high or urgent")
    return service.set_policies(req.tenant_id, changes)


@endpoint(
    bp,
    "/admin/sla/violations",
    "GET",
    summary="Jobs that missed an SLA deadline",
    tag=TAG,
    permission=roles.SLA_READ,
    query=ViolationsQuery,
    response=page_of(ViolationOut),
    paginated=True,
)
def list_violations(req: ApiRequest) -> Any:
    """Latest deadline first. One entry per job and kind: ``response`` (the job was not
    acknowledged by ``due``) or ``resolution`` (not completed by then); ``met_at`` is when
    it was met late, null while still open. Recorded when the job moves past the deadline
    or by the sweep (every 5 minutes); a job cancelled before a deadline never misses it.
    Filters: ``kind``, ``priority``, ``technician_id`` (who held the job then),
    ``date_from``/``date_to`` (the deadline's UTC day). ``total`` is exact; pass
    ``next_cursor`` as ``cursor`` to walk on."""
    return service.violations(req.tenant_id, req.query, req.page)  # type: ignore[arg-type]
