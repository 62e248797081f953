"""Key formats of the technician skills catalogue and the technicians' skill levels."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk

# --- technician skills ------------------------------------------------------------------
# The catalogue is one partition by id (``GET /admin/technician-skills``), counted by the
# rollup scope ``SKILLS_ROLLUP_SCOPE``; ``SKILLNAME`` holds one pointer per normalised name
# (the name's uniqueness, and a job's required skill -> the catalogue's id in one read);
# ``TECHSKILL`` one item per technician with their levels (skill id -> 1..5).
SKILLS_ROLLUP_SCOPE = ("SKILL",)


def skill_key(tenant_id: str, skill_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "SKILL"), id_sk(skill_id)


def skills_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "SKILL")


def skill_name_key(tenant_id: str, name_key: str) -> tuple[str, str]:
    """``name_key`` is ``skills.rules.name_key(name)`` (trimmed, spaces collapsed,
    case-folded)."""
    return tenant_pk(tenant_id, "SKILLNAME"), name_key


def technician_skills_key(tenant_id: str, technician_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "TECHSKILL"), id_sk(technician_id)
