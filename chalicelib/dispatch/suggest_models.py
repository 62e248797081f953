"""The response models of ``GET /admin/dispatch/{id}/suggestions`` (``dispatch.suggest``;
the scoring and its weights are ``dispatch.rules.suggest``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.core.schemas import Out


class MatchedSkill(Out):
    name: str = Field(description="as the job requires it")
    level: int | None = Field(description="1-5; null: only on the technician's roster record")


class SuggestionPoints(Out):
    """Whole points per part (their sum is the score): skills of 35, zone of 20, distance
    of 20, load of 10, overlap of 15."""

    skills: int
    zone: int
    distance: int
    load: int
    overlap: int


class Suggestion(Out):
    technician_id: int
    name: str
    score: int = Field(ge=0, le=100)
    matched_skills: list[MatchedSkill]
    missing_skills: list[str]
    serves_zone: bool | None = Field(description="null when the job is in no zone")
    distance_km: float | None = Field(description="null when either position is unknown")
    distance_from: Literal["gps", "home_base"] | None = Field(
        description="the technician's last GPS fix, else their home base"
    )
    jobs_that_day: int = Field(description="their other jobs of the job's day (not cancelled)")
    scheduled_minutes: int
    overlapping_job_ids: list[int] = Field(
        description="their open jobs whose scheduled window overlaps this job's"
    )
    points: SuggestionPoints


class SuggestionsOut(Out):
    job_id: int
    scheduled_date: str
    zone_id: int | None
    latitude: float | None = Field(description="the job's point: its coordinates, else its ZIP's")
    longitude: float | None
    location_from: Literal["job", "zip"] | None
    required_skills: list[str]
    weights: dict[str, int]
    items: list[Suggestion] = Field(description="highest score first, ties by technician id")
    total: int
