"""``/admin/technician-skills``: the tenant's skills catalogue and each technician's level
per skill (what the dispatch suggestions match a job's ``required_skills`` against)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.skills import service as skills
from chalicelib.skills.models import (
    LevelsIn,
    LevelsOut,
    SkillDeletedOut,
    SkillIn,
    SkillOut,
    SkillPatch,
)

bp = Blueprint(__name__)
TAG = "technician-skills"
PATH = "/admin/technician-skills"
ONE = f"{PATH}/{{skill_id}}"
LEVELS = f"{PATH}/technicians/{{technician_id}}"


@endpoint(
    bp,
    PATH,
    "POST",
    summary="Add a skill to the catalogue",
    tag=TAG,
    permission=roles.SKILLS_WRITE,
    body=SkillIn,
    response=SkillOut,
    status=201,
)
def create_skill(req: ApiRequest) -> Any:
    """409 when a skill of that name exists (names ignore case and spacing)."""
    return skills.create(req.tenant_id, req.body.name, req.body.description)


@endpoint(
    bp,
    PATH,
    "GET",
    summary="List the skills catalogue",
    tag=TAG,
    permission=roles.SKILLS_READ,
    response=page_of(SkillOut),
    paginated=True,
)
def list_skills(req: ApiRequest) -> Any:
    """By id. ``total`` is exact; pass a page's ``next_cursor`` as ``cursor`` to walk on."""
    return skills.page(req.tenant_id, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    ONE,
    "GET",
    summary="Get a skill",
    tag=TAG,
    permission=roles.SKILLS_READ,
    response=SkillOut,
)
def get_skill(req: ApiRequest) -> Any:
    return skills.get(req.tenant_id, req.int_param("skill_id"))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Rename or describe a skill",
    tag=TAG,
    permission=roles.SKILLS_WRITE,
    body=SkillPatch,
    response=SkillOut,
)
def update_skill(req: ApiRequest) -> Any:
    """A new name must be free (409); technicians keep their levels of the skill."""
    changes = changes_of(req.body, ("name",))
    return skills.update(req.tenant_id, req.int_param("skill_id"), changes)


@endpoint(
    bp,
    ONE,
    "DELETE",
    summary="Delete a skill",
    tag=TAG,
    permission=roles.SKILLS_WRITE,
    response=SkillDeletedOut,
)
def delete_skill(req: ApiRequest) -> Any:
    """Technicians' levels of it are no longer shown or matched."""
    skill_id = req.int_param("skill_id")
    skills.delete(req.tenant_id, skill_id)
    return {"id": skill_id, "deleted": True}


@endpoint(
    bp,
    LEVELS,
    "GET",
    summary="A technician's skill levels",
    tag=TAG,
    permission=roles.SKILLS_READ,
    response=LevelsOut,
)
def get_levels(req: ApiRequest) -> Any:
    """Each skill with its level (1-5), by name. An unknown technician is 404."""
    return skills.technician_levels(req.tenant_id, req.int_param("technician_id"))


@endpoint(
    bp,
    LEVELS,
    "PUT",
    summary="Set a technician's skill levels",
    tag=TAG,
    permission=roles.SKILLS_WRITE,
    body=LevelsIn,
    response=LevelsOut,
)
def put_levels(req: ApiRequest) -> Any:
    """Replaces the technician's whole set: each entry names a catalogue skill by
    ``skill_id`` or ``name`` (any case) with a ``level`` from 1 to 5. Unknown technician
    404; unknown skill, or one listed twice, 422."""
    entries = [entry.model_dump() for entry in req.body.skills]
    return skills.set_technician_levels(req.tenant_id, req.int_param("technician_id"), entries)
