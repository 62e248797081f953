"""The request and response models of ``/admin/technician-skills`` (``skills.api``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt, model_validator

from chalicelib.core.schemas import Body, Id, Out, reference_example
from chalicelib.skills.rules import MAX_LEVEL, MAX_LEVELS, MAX_NAME, MIN_LEVEL

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]


class SkillIn(Body):
    """``name`` is unique in the catalogue whatever its case and spacing (409)."""

    model_config = reference_example({"name": "HVAC", "description": "Heating and cooling"})

    name: Name
    description: str | None = Field(default=None, max_length=1000)


class SkillPatch(Body):
    model_config = reference_example({"name": "HVAC repair"})

    name: Name | None = None
    description: str | None = Field(default=None, max_length=1000)


class SkillOut(Out):
    id: int
    name: str
    description: str | None
    created_at: str
    updated_at: str


class SkillDeletedOut(Out):
    id: int
    deleted: bool


class LevelIn(Body):
    """A catalogue skill by ``skill_id`` or by ``name`` (any case), and its ``level``:
    1 (basic) to 5 (expert)."""

    skill_id: Id | None = None
    name: Name | None = None
    level: Annotated[StrictInt, Field(ge=MIN_LEVEL, le=MAX_LEVEL)]

    @model_validator(mode="after")
    def _one_skill(self) -> LevelIn:
        if (self.skill_id is None) == (self.name is None):
            raise ValueError("give skill_id or name (one of them)")
        return self


class LevelsIn(Body):
    """The technician's whole set of skills (what is not listed is removed)."""

    model_config = reference_example(
        {"skills": [{"skill_id": 1, "level": 4}, {"name": "Refrigeration", "level": 2}]}
    )

    skills: Annotated[list[LevelIn], Field(max_length=MAX_LEVELS)]


class LevelOut(Out):
    skill_id: int
    name: str
    level: int


class LevelsOut(Out):
    technician_id: int
    skills: list[LevelOut]
