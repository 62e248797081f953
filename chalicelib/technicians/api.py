"""``/admin/technicians``: the technician roster (pay, skills, service zones, login)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from chalice import Blueprint
from pydantic import Field, StrictBool, model_validator

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import (
    Amount,
    Body,
    Email,
    Out,
    Password,
    Query,
    Timestamp,
    Username,
    changes_of,
    id_from,
    page_of,
    reference_example,
)
from chalicelib.technicians import service as technicians

bp = Blueprint(__name__)

PayType = Literal["hourly", "salary", "commission"]
Tag = Annotated[str, Field(min_length=1, max_length=60)]
Tags = Annotated[list[Tag], Field(max_length=50)]
NOT_NULL = ("name", "pay_type", "base_pay_cents", "skills", "service_zones", "active")
HomeZip = Annotated[str, Field(min_length=1, max_length=10, description="5 digits or ZIP+4")]
HomeLatitude = Annotated[float, Field(ge=-90, le=90)]
HomeLongitude = Annotated[float, Field(ge=-180, le=180)]


class TechnicianIn(Body):
    """``base_pay_cents`` is the hourly rate (hourly) or the pay per pay period (salary);
    commission-only technicians use ``commission``. ``username`` + ``password`` (and
    ``email``) create a ``technician`` login linked to this record. The home base
    (where suggestions measure distance from without a GPS fix, and where route
    optimisation starts the day):
    ``home_latitude`` and ``home_longitude`` together, or ``home_zip`` alone (its
    centroid; an unknown ZIP is then 422)."""

    model_config = reference_example(
        {"name": "Mike Johnson", "pay_type": "hourly", "base_pay_cents": 2500}
    )

    name: str = Field(min_length=1, max_length=120)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40)
    pay_type: PayType = "hourly"
    base_pay_cents: Amount = 0
    skills: Tags = Field(default_factory=list)
    service_zones: Tags = Field(default_factory=list)
    active: StrictBool = True
    home_zip: HomeZip | None = None
    home_latitude: HomeLatitude | None = None
    home_longitude: HomeLongitude | None = None
    username: Username | None = None
    password: Password | None = None

    @model_validator(mode="after")
    def _login_pair(self) -> TechnicianIn:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password must be given together to create a login")
        return self


class TechnicianPatch(Body):
    """Only the fields sent change; ``email``/``phone`` null clears them. ``active: false``
    deactivates the technician (and blocks their login). ``home_zip`` sent without
    coordinates re-derives the home base from the ZIP (null clears it);
    ``home_latitude`` and ``home_longitude`` (together) set the point exactly."""

    model_config = reference_example({"base_pay_cents": 2800})

    name: str | None = Field(default=None, min_length=1, max_length=120)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40)
    pay_type: PayType | None = None
    base_pay_cents: Amount | None = None
    skills: Tags | None = None
    service_zones: Tags | None = None
    active: StrictBool | None = None
    home_zip: HomeZip | None = None
    home_latitude: HomeLatitude | None = None
    home_longitude: HomeLongitude | None = None


class TechniciansQuery(Query):
    active: bool | None = Field(default=None, description="only active (true) or inactive")


class TechnicianOut(Out):
    id: int = id_from("technician_id")
    name: str
    email: str | None
    phone: str | None
    pay_type: str
    base_pay_cents: int
    skills: list[str]
    service_zones: list[str]
    active: bool
    home_zip: str | None = None
    home_latitude: float | None = None
    home_longitude: float | None = None
    user_id: int | None
    username: str | None
    has_login: bool
    created_at: Timestamp
    updated_at: Timestamp
    review_count: int = Field(default=0, description="customers' reviews of their jobs")
    rating_average: str | None = Field(
        default=None, description='the reviews\' average to one decimal ("4.5"); null: none'
    )


def _rated(tenant_id: str, techs: list[Any]) -> list[dict[str, Any]]:
    """The technicians with their customers' rating (``portal.service.ratings``: one
    ``BatchGetItem``)."""
    from chalicelib.portal import service as portal

    rated = portal.ratings(tenant_id, [int(t.technician_id) for t in techs])
    return [
        {**TechnicianOut.model_validate(t).model_dump(), **rated[int(t.technician_id)]}
        for t in techs
    ]


@endpoint(
    bp,
    "/admin/technicians",
    "GET",
    summary="List technicians",
    tag="technicians",
    permission=roles.TECHNICIANS_READ,
    query=TechniciansQuery,
    response=page_of(TechnicianOut),
    paginated=True,
)
def list_technicians(req: ApiRequest) -> Any:
    """By id; ``active`` filters. ``total`` is exact; pass a page's ``next_cursor`` as
    ``cursor`` to walk on at the same cost per page. ``review_count`` and
    ``rating_average``: the customers' reviews (customer portal)."""
    body = technicians.page(req.tenant_id, req.page, active=req.query.active)  # type: ignore[arg-type]
    return {**body, "items": _rated(req.tenant_id, list(body["items"]))}


@endpoint(
    bp,
    "/admin/technicians",
    "POST",
    summary="Create a technician",
    tag="technicians",
    permission=roles.TECHNICIANS_WRITE,
    body=TechnicianIn,
    response=TechnicianOut,
    status=201,
)
def create_technician(req: ApiRequest) -> Any:
    """409 when the login's username (or e-mail) is taken."""
    body: TechnicianIn = req.body
    fields = body.model_dump(exclude={"username", "password"})
    return technicians.create(
        req.tenant_id,
        fields,
        username=body.username,
        password=body.password,
        login_email=fields["email"],
    )


@endpoint(
    bp,
    "/admin/technicians/{technician_id}",
    "GET",
    summary="Get a technician",
    tag="technicians",
    permission=roles.TECHNICIANS_READ,
    response=TechnicianOut,
)
def get_technician(req: ApiRequest) -> Any:
    """With ``review_count`` and ``rating_average``, the customers' reviews of the
    technician's jobs (customer portal)."""
    tech = technicians.get(req.tenant_id, req.int_param("technician_id"))
    return _rated(req.tenant_id, [tech])[0]


@endpoint(
    bp,
    "/admin/technicians/{technician_id}",
    "PATCH",
    summary="Update a technician",
    tag="technicians",
    permission=roles.TECHNICIANS_WRITE,
    body=TechnicianPatch,
    response=TechnicianOut,
)
def update_technician(req: ApiRequest) -> Any:
    tech = technicians.update(
        req.tenant_id, req.int_param("technician_id"), changes_of(req.body, NOT_NULL)
    )
    return _rated(req.tenant_id, [tech])[0]


@endpoint(
    bp,
    "/admin/technicians/{technician_id}",
    "DELETE",
    summary="Deactivate a technician",
    tag="technicians",
    permission=roles.TECHNICIANS_WRITE,
    response=TechnicianOut,
)
def deactivate_technician(req: ApiRequest) -> Any:
    """Technicians are never deleted (their sales and pay history stay): this sets
    ``active`` to false and blocks their login. ``PATCH {"active": true}`` restores."""
    tech = technicians.update(req.tenant_id, req.int_param("technician_id"), {"active": False})
    return _rated(req.tenant_id, [tech])[0]
