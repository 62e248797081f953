"""The request and response models of the dispatch API (``dispatch.api``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    model_validator,
)

from chalicelib.core.schemas import (
    Body,
    Email,
    Id,
    IdQuery,
    IsoDate,
    Out,
    Query,
    reference_example,
)

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
    else the tenant's customer with ``customer_email`` is linked (never duplicated);
    otherwise a customer is created from ``customer_name`` (and ``customer_email``).
    ``scheduled_end`` must be after
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
    customer_email: Email | None = None


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
    zone_id: IdQuery | None = Field(default=None, description="the jobs of one service zone")

    @model_validator(mode="after")
    def _one_scope(self) -> JobFilter:
        if self.technician_id is not None and self.zone_id is not None:
            raise ValueError("filter by technician_id or by zone_id, not both")
        return self


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
    zone_id: int | None = Field(
        default=None,
        description="its service zone, found from its ZIP or point when it is created and "
        "whenever they change (null: in none)",
    )
    scheduled_start: str | None
    scheduled_end: str | None
    scheduled_date: str
    technician_id: int | None
    technician_name: str | None
    route_position: int | None = Field(
        default=None,
        description="1, 2...: the job's place in its technician's day, saved by "
        "optimize-routes with apply (cleared when its technician, schedule or place changes)",
    )
    cancel_reason: str | None
    created_at: str
    updated_at: str
    acknowledged_at: str | None
    completed_at: str | None
    cancelled_at: str | None
    sla_response_due: str | None = Field(
        default=None,
        description="UTC: created_at + the SLA policy's response minutes for its priority "
        "(met when the job first reaches acknowledged); null without a policy",
    )
    sla_resolution_due: str | None = Field(
        default=None,
        description="UTC: created_at + the policy's resolution minutes (met when "
        "completed); null without a policy",
    )


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


# --- route optimization ------------------------------------------------------------------
class OptimizeIn(Body):
    """``technician_ids``: only these technicians (each must be the tenant's: 422
    otherwise); default every technician with open jobs that day. ``apply``: save the new
    order on the jobs (``route_position``; the board sorts by it)."""

    model_config = reference_example({"date": "2026-03-28"})

    date: IsoDate
    technician_ids: list[Id] | None = Field(default=None, max_length=100)
    apply: StrictBool = False


class RouteStart(Out):
    lat: float
    lng: float
    source: Literal["home", "gps", "first_stop"]


class RouteStop(Out):
    job_id: int
    position: int
    estimated_arrival: str | None
    window_start: str | None
    window_end: str | None
    late: bool


class TechnicianRoute(Out):
    technician_id: int
    name: str
    start: RouteStart | None
    departure: str | None
    distance_before_km: float
    distance_after_km: float
    order: list[int] = Field(description="the job ids in the new order")
    stops: list[RouteStop] = Field(description="per stop of order: its estimated arrival")
    changed: bool
    feasible: bool
    late_job_ids: list[int]
    method: Literal["exact", "heuristic", "given", "none"]
    skipped_job_ids: list[int] = Field(description="jobs with no coordinates and no known ZIP")
    applied: bool


class OptimizeOut(Out):
    date: str
    applied: bool
    routes: list[TechnicianRoute]
