"""The request and response models of the SLA API (``sla.api``)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, StrictInt

from chalicelib.core.schemas import Body, DateRange, IdQuery, Out, reference_example
from chalicelib.sla.rules import MAX_MINUTES

Priority = Literal["low", "normal", "high", "urgent"]
Kind = Literal["response", "resolution"]
Minutes = StrictInt


class PolicyIn(Body):
    """Whole minutes from the job's creation; ``response_minutes`` must not exceed
    ``resolution_minutes``."""

    response_minutes: Minutes = Field(ge=1, le=MAX_MINUTES)
    resolution_minutes: Minutes = Field(ge=1, le=MAX_MINUTES)


class PoliciesPatch(Body):
    """Only the priorities sent change: a policy sets that priority's, ``null`` removes
    it. Another key (a misspelt priority) is 422."""

    model_config = ConfigDict(extra="forbid") | reference_example(
        {
            "urgent": {"response_minutes": 30, "resolution_minutes": 240},
            "high": {"response_minutes": 60, "resolution_minutes": 480},
        }
    )

    low: PolicyIn | None = None
    normal: PolicyIn | None = None
    high: PolicyIn | None = None
    urgent: PolicyIn | None = None


class PolicyOut(Out):
    priority: Priority
    configured: bool
    response_minutes: int | None
    resolution_minutes: int | None
    updated_at: str | None


class PoliciesOut(Out):
    items: list[PolicyOut] = Field(description="low, normal, high, urgent: always all four")
    updated_at: str | None


class ViolationsQuery(DateRange):
    """``date_from``..``date_to``: the missed deadline's UTC day."""

    kind: Kind | None = None
    priority: Priority | None = None
    technician_id: IdQuery | None = Field(
        default=None, description="the technician who held the job when it missed"
    )


class ViolationOut(Out):
    job_id: int
    title: str
    priority: str
    kind: Kind
    due: str = Field(description="the deadline missed (UTC)")
    met_at: str | None = Field(
        description="when the job met it late (acknowledged or completed); null while open"
    )
    technician_id: int | None = Field(description="who held the job when it was recorded")
    technician_name: str | None
    recorded_at: str
