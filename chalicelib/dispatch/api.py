"""``/admin/dispatch`` (dispatchers, managers, admins) and ``/tech/dispatch`` (a technician's
own jobs): jobs, their workflow and history, the board and its event stream."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from chalice import Blueprint
from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, WithJsonSchema

from chalicelib.core import clock, roles
from chalicelib.core.routing import ApiRequest, Raw, endpoint
from chalicelib.core.schemas import (
    Body,
    Id,
    IdQuery,
    IsoDate,
    Out,
    Query,
    changes_of,
    page_of,
    reference_example,
)
from chalicelib.dispatch import service

bp = Blueprint(__name__)
TAG = "dispatch"

Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal[
    "pending",
    "dispatched",
    "acknowledged",
    "en_route",
    "on_site",
    "in_progress",
    "completed",
    "cancelled",
]
TechStatus = Literal["acknowledged", "en_route", "on_site", "in_progress", "completed"]


def _utc(value: Any) -> Any:
    """An ISO 8601 timestamp as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC; no offset means UTC)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-03-28T09:00:00Z") from None
    if not 2000 <= moment.year <= 2999:
        raise ValueError("must be a date-time between the years 2000 and 2999")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


When = Annotated[
    str, BeforeValidator(_utc), WithJsonSchema({"type": "string", "format": "date-time"})
]


def _rounded(places: int):  # noqa: ANN202
    return AfterValidator(lambda v: round(float(v), places))


Latitude = Annotated[float, Field(ge=-90, le=90), _rounded(7)]
Longitude = Annotated[float, Field(ge=-180, le=180), _rounded(7)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Skill = Annotated[str, Field(min_length=1, max_length=100)]


class JobPatch(Body):
    """Only the fields sent change; null clears an optional field."""

    title: Text | None = None
    description: str | None = Field(default=None, max_length=5000)
    priority: Priority | None = None
    job_type: str | None = Field(default=None, min_length=1, max_length=100)
    required_skills: list[Skill] | None = Field(default=None, max_length=50)
    estimated_minutes: StrictInt | None = Field(default=None, ge=1, le=100000)
    service_address: str | None = Field(default=None, max_length=300)
    service_city: str | None = Field(default=None, max_length=100)
    service_state: str | None = Field(default=None, max_length=50)
    service_zip: str | None = Field(default=None, max_length=20)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    scheduled_start: When | None = None
    scheduled_end: When | None = None


class JobIn(JobPatch):
    """A new job starts ``pending``. Give ``customer_id`` to link an existing customer;
    otherwise a customer is created from ``customer_name``. ``scheduled_end`` must be after
    ``scheduled_start``; the job is on the board of ``scheduled_start``'s day (UTC; today
    without one)."""

    model_config = reference_example(
        {
            "title": "AC Repair - Smith Residence",
            "description": "Unit not cooling, thermostat reads 85F",
            "priority": "high",
            "customer_name": "John Smith",
            "service_address": "123 Oak St",
            "service_city": "Tampa",
            "service_state": "FL",
            "service_zip": "33601",
            "scheduled_start": "2026-03-28T09:00:00Z",
            "scheduled_end": "2026-03-28T11:00:00Z",
        }
    )

    title: Text
    priority: Priority = "normal"
    customer_id: Id | None = None
    customer_name: Text | None = None


class AssignIn(Body):
    model_config = reference_example({"technician_id": 3})

    technician_id: Id


class CancelIn(Body):
    reason: str = Field(min_length=1, max_length=1000)


class StatusIn(Body):
    model_config = reference_example(
        {"status": "on_site", "latitude": 27.9506, "longitude": -82.4572}
    )

    status: TechStatus
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class LocationIn(Body):
    model_config = reference_example(
        {"latitude": 27.9506, "longitude": -82.4572, "speed": 35.5, "heading": 180}
    )

    latitude: Latitude
    longitude: Longitude
    speed: Annotated[float, Field(ge=0, le=1000), _rounded(2)] | None = None
    heading: Annotated[float, Field(ge=0, le=360), _rounded(2)] | None = None


class JobFilter(Query):
    date: IsoDate | None = Field(default=None, description="the scheduled day, YYYY-MM-DD")
    status: Status | None = None
    priority: Priority | None = None
    technician_id: IdQuery | None = None


class DayQuery(Query):
    date: IsoDate | None = Field(default=None, description="YYYY-MM-DD (default: all days)")


class BoardQuery(Query):
    date: IsoDate | None = Field(default=None, description="YYYY-MM-DD (default: today, UTC)")


class StreamQuery(Query):
    last_event_id: str | None = Field(
        default=None, max_length=100, description="as the Last-Event-ID header"
    )
    access_token: str | None = Field(
        default=None,
        max_length=4096,
        description="the bearer token, for EventSource clients that cannot set headers",
    )


class JobOut(Out):
    id: int
    title: str
    description: str | None
    priority: str
    status: str
    job_type: str | None
    required_skills: list[str] | None
    estimated_minutes: int | None
    customer_id: int | None
    customer_name: str | None
    service_address: str | None
    service_city: str | None
    service_state: str | None
    service_zip: str | None
    latitude: float | None
    longitude: float | None
    scheduled_start: str | None
    scheduled_end: str | None
    scheduled_date: str
    technician_id: int | None
    technician_name: str | None
    cancel_reason: str | None
    created_at: str
    updated_at: str
    acknowledged_at: str | None
    completed_at: str | None
    cancelled_at: str | None


class MoveOut(Out):
    action: str
    actor_id: int
    at: str
    from_status: str | None
    to_status: str
    technician_id: int | None
    previous_technician_id: int | None
    latitude: float | None
    longitude: float | None
    reason: str | None


class HistoryOut(Out):
    job_id: int
    items: list[MoveOut]


class PositionOut(Out):
    technician_id: int
    latitude: float
    longitude: float
    speed: float | None
    heading: float | None
    at: str


class BoardPosition(Out):
    lat: float
    lng: float
    at: str


class BoardColumn(Out):
    technician_id: int
    name: str
    status: str
    position: BoardPosition | None
    jobs: list[JobOut]


class BoardOut(Out):
    date: str
    technicians: list[BoardColumn]
    unassigned: list[JobOut]
    total: int


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


def _sse(events: list[dict[str, Any]]) -> str:
    lines = [f"retry: {RETRY_MS}\n\n"]
    for event in events:
        data = json.dumps(
            {"type": event["type"], "created_at": event["created_at"], **event["data"]},
            separators=(",", ":"),
        )
        lines.append(f"id: {event['id']}\nevent: {event['type']}\ndata: {data}\n\n")
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
    ``last_event_id``), else those of the last 5 minutes, each with ``id:``, ``event:``
    and ``data:`` (JSON) lines, after a ``retry:`` hint; then the response ends and
    EventSource reconnects with the last id it saw. The token may also come as
    ``access_token`` (EventSource cannot set headers). Events younger than a second
    are left for the next call, so none is missed."""
    after = req.headers.get("last-event-id") or req.query.last_event_id
    events = service.events_after(
        req.tenant_id, (after or "")[:100] or None, clock.now(), STREAM_WINDOW, STREAM_SETTLE
    )
    return Raw(_sse(events), "text/event-stream", headers={"Cache-Control": "no-cache"})


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
