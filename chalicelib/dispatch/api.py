"""``/admin/dispatch`` (dispatchers, managers, admins) and ``/tech/dispatch`` (a technician's
own jobs): jobs, their workflow and history, the board and its event stream."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalice import Blueprint

from chalicelib.core import clock, roles
from chalicelib.core.routing import ApiRequest, Raw, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.dispatch import optimize, service, suggest
from chalicelib.dispatch.models import (
    AssignIn,
    BoardOut,
    BoardQuery,
    CancelIn,
    DayQuery,
    HistoryOut,
    JobFilter,
    JobIn,
    JobOut,
    JobPatch,
    LocationIn,
    OptimizeIn,
    OptimizeOut,
    PositionOut,
    StatusIn,
    StreamQuery,
)
from chalicelib.dispatch.suggest_models import SuggestionsOut

bp = Blueprint(__name__)
TAG = "dispatch"


# --- the back office -------------------------------------------------------------------------
@endpoint(
    bp,
    "/admin/dispatch",
    "POST",
    summary="Create a dispatch job",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    body=JobIn,
    response=JobOut,
    status=201,
)
def create_job(req: ApiRequest) -> Any:
    """Emits ``dispatch.created``. An unknown ``customer_id`` is 422."""
    return service.create(req.user, req.body.model_dump(exclude_none=True))


@endpoint(
    bp,
    "/admin/dispatch",
    "GET",
    summary="List dispatch jobs",
    tag=TAG,
    permission=roles.DISPATCH_READ,
    query=JobFilter,
    response=page_of(JobOut),
    paginated=True,
)
def list_jobs(req: ApiRequest) -> Any:
    """Newest scheduled day first, then by id. Filters: ``date`` (one day), ``status``,
    ``priority``, ``technician_id``. ``total`` is exact; pass ``next_cursor`` as
    ``cursor`` to walk on."""
    return service.list_jobs(req.user, req.query, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    "/admin/dispatch/board",
    "GET",
    summary="The dispatch board of a day",
    tag=TAG,
    permission=roles.DISPATCH_READ,
    query=BoardQuery,
    response=BoardOut,
)
def get_board(req: ApiRequest) -> Any:
    """The day's jobs by technician (with each one's last position and current status)
    and the unassigned ones."""
    day = req.query.date or clock.now().date()
    return service.board(req.user, day.isoformat())


STREAM_WINDOW = timedelta(minutes=5)
STREAM_SETTLE = timedelta(seconds=1)
RETRY_MS = 3000
# Every event is a ``message`` event, the one the reference's ``eventSource.onmessage``
# receives (a named event only reaches ``addEventListener(name)``); the change's kind
# (``job.assigned``...) is ``type`` in its data.
SSE_EVENT = "message"


def _sse(events: list[dict[str, Any]]) -> str:
    lines = [f"retry: {RETRY_MS}\n\n"]
    for event in events:
        data = json.dumps(
            {"type": event["type"], "created_at": event["created_at"], **event["data"]},
            separators=(",", ":"),
        )
        lines.append(f"id: {event['id']}\nevent: {SSE_EVENT}\ndata: {data}\n\n")
    return "".join(lines)


@endpoint(
    bp,
    "/admin/dispatch/stream",
    "GET",
    summary="The board's events (Server-Sent Events)",
    tag=TAG,
    permission=roles.DISPATCH_READ,
    query=StreamQuery,
    content_type="text/event-stream",
    query_token=True,
)
def stream(req: ApiRequest) -> Any:
    """``text/event-stream``: the events after ``Last-Event-ID`` (header, or
    ``last_event_id``), else those of the last 5 minutes, each with ``id:``,
    ``event: message`` (what ``onmessage`` receives) and ``data:`` lines (JSON: ``type``,
    e.g. ``job.assigned``, ``created_at`` and the change), after a ``retry:`` hint; then
    the response ends and EventSource reconnects with the last id it saw. The token may
    also come as ``access_token`` (EventSource cannot set headers). Events younger than
    a second are left for the next call, so none is missed."""
    after = req.headers.get("last-event-id") or req.query.last_event_id
    events = service.events_after(
        req.tenant_id, (after or "")[:100] or None, clock.now(), STREAM_WINDOW, STREAM_SETTLE
    )
    return Raw(_sse(events), "text/event-stream", headers={"Cache-Control": "no-cache"})


@endpoint(
    bp,
    "/admin/dispatch/optimize-routes",
    "POST",
    summary="Optimize the technicians' routes of a day",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    body=OptimizeIn,
    response=OptimizeOut,
)
def optimize_routes(req: ApiRequest) -> Any:
    """Per technician with open jobs on ``date`` (or each of ``technician_ids``): the
    stop order that shortens the day's travel from their start point (home base, else
    last GPS fix, else the first stop), honouring scheduled windows, with the distance
    before and after and each stop's estimated arrival; exact up to 10 stops, a heuristic
    beyond. A job without coordinates or a known ZIP is in ``skipped_job_ids``.
    ``apply: true`` saves the order on the jobs (``route_position``), which the board
    follows; a change of a job's technician, schedule or place clears it."""
    body: OptimizeIn = req.body
    return optimize.optimize_routes(req.user, body.date, body.technician_ids, body.apply)


@endpoint(
    bp,
    "/admin/dispatch/{job_id}",
    "GET",
    summary="Get a dispatch job",
    tag=TAG,
    permission=roles.DISPATCH_READ,
    response=JobOut,
)
def get_job(req: ApiRequest) -> Any:
    return service.get(req.user, req.int_param("job_id"))


@endpoint(
    bp,
    "/admin/dispatch/{job_id}",
    "PATCH",
    summary="Update a dispatch job",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    body=JobPatch,
    response=JobOut,
)
def update_job(req: ApiRequest) -> Any:
    """The job's details (its status and technician change through the workflow calls);
    a completed or cancelled job is 409."""
    changes = changes_of(req.body, ("title", "priority"))
    return service.update(req.user, req.int_param("job_id"), changes)


@endpoint(
    bp,
    "/admin/dispatch/{job_id}/assign",
    "PATCH",
    summary="Assign a technician",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    body=AssignIn,
    response=JobOut,
)
def assign_job(req: ApiRequest) -> Any:
    """pending -> dispatched; also reassigns a dispatched or acknowledged job (409 once
    the technician is en route). Unknown or inactive technician: 422. Emits
    ``dispatch.assigned``."""
    return service.assign(req.user, req.int_param("job_id"), req.body.technician_id)


@endpoint(
    bp,
    "/admin/dispatch/{job_id}/unassign",
    "PATCH",
    summary="Unassign the technician",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    response=JobOut,
)
def unassign_job(req: ApiRequest) -> Any:
    """dispatched or acknowledged -> pending (409 otherwise)."""
    return service.unassign(req.user, req.int_param("job_id"))


@endpoint(
    bp,
    "/admin/dispatch/{job_id}/cancel",
    "PATCH",
    summary="Cancel a dispatch job",
    tag=TAG,
    permission=roles.DISPATCH_WRITE,
    body=CancelIn,
    response=JobOut,
)
def cancel_job(req: ApiRequest) -> Any:
    """From any status but completed and cancelled (409), with a ``reason``."""
    return service.cancel(req.user, req.int_param("job_id"), req.body.reason)


@endpoint(
    bp,
    "/admin/dispatch/{job_id}/history",
    "GET",
    summary="A dispatch job's history",
    tag=TAG,
    permission=roles.DISPATCH_READ,
    response=HistoryOut,
)
def job_history(req: ApiRequest) -> Any:
    """Every move, oldest first: action, actor, time, from and to status, the technician,
    the GPS fix when one was given, the reason of a cancellation."""
    return service.history(req.user, req.int_param("job_id"))


@endpoint(
    bp,
    "/admin/dispatch/{job_id}/suggestions",
    "GET",
    summary="Suggested technicians for a job",
    tag=TAG,
    permission=roles.DISPATCH_READ,
    response=SuggestionsOut,
    errors=(409,),
)
def job_suggestions(req: ApiRequest) -> Any:
    """The active technicians (up to 200, by id), highest ``score`` (0-100) first, ties by
    technician id, each with the parts of the score: the job's required skills matched
    (with the technician's level) and missing (35 points), whether they serve the job's
    service zone (20), ``distance_km`` from their last GPS fix or home base (20), that
    day's load (10) and overlapping bookings (15); ``points`` shows each part. A cancelled
    or completed job is 409."""
    return suggest.suggestions(req.user, req.int_param("job_id"))


# --- the technician's own jobs -------------------------------------------------------------------
@endpoint(
    bp,
    "/tech/dispatch/my-jobs",
    "GET",
    summary="My dispatch jobs",
    tag=TAG,
    permission=roles.SELF,
    query=DayQuery,
    response=page_of(JobOut),
    paginated=True,
)
def my_jobs(req: ApiRequest) -> Any:
    """The jobs assigned to the caller's technician (of ``date``), newest day first."""
    return service.my_jobs(req.user, req.query.date, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    "/tech/dispatch/my-jobs/{job_id}/acknowledge",
    "PATCH",
    summary="Acknowledge a job",
    tag=TAG,
    permission=roles.SELF,
    response=JobOut,
)
def acknowledge_job(req: ApiRequest) -> Any:
    """dispatched -> acknowledged (409 otherwise). Another technician's job is 404."""
    return service.acknowledge(req.user, req.int_param("job_id"))


@endpoint(
    bp,
    "/tech/dispatch/my-jobs/{job_id}/status",
    "PATCH",
    summary="Update a job's status",
    tag=TAG,
    permission=roles.SELF,
    body=StatusIn,
    response=JobOut,
)
def update_status(req: ApiRequest) -> Any:
    """One step on: acknowledged -> en_route -> on_site -> in_progress -> completed (any
    other move is 409). ``latitude``/``longitude`` (together) go into the history and
    become the technician's last position. Emits ``dispatch.completed``."""
    body: StatusIn = req.body
    return service.set_status(
        req.user, req.int_param("job_id"), body.status, body.latitude, body.longitude
    )


@endpoint(
    bp,
    "/tech/dispatch/location",
    "POST",
    summary="Report my GPS location",
    tag=TAG,
    permission=roles.SELF,
    body=LocationIn,
    response=PositionOut,
    status=201,
)
def report_location(req: ApiRequest) -> Any:
    """Kept as the technician's last position (the board shows it) and sent to the
    board's stream."""
    return service.report_location(req.user, req.body.model_dump())
