"""The skills catalogue, the name pointers that keep names unique, and each technician's
levels.

Keys (``platform.keys``, "skills"): skill ``T#<tid>#SKILL`` / ``<id>``; name pointer
``T#<tid>#SKILLNAME`` / ``<name key>`` -> skill id (created, moved and deleted in the
skill's own transactions, so two skills can never share a name); levels
``T#<tid>#TECHSKILL`` / ``<technician id>`` with ``levels`` (skill id -> 1..5). A deleted
skill leaves its id in technicians' levels: it is no longer shown or matched (no pointer,
no skill item) and is dropped by the technician's next PUT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]


@register
class SkillItem(BaseItem):
    tenant_id = UnicodeAttribute()
    skill_id = NumberAttribute()
    name = UnicodeAttribute()
    name_key = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


@register
class SkillNameItem(BaseItem):
    """A name's owner: the skill whose name (compared by ``rules.name_key``) it is."""

    tenant_id = UnicodeAttribute()
    skill_id = NumberAttribute()


@register
class TechnicianSkillsItem(BaseItem):
    """A technician's levels: ``levels`` maps the skill id (as text) to 1..5."""

    tenant_id = UnicodeAttribute()
    technician_id = NumberAttribute()
    levels = MapAttribute(default=dict)
    updated_at = UnicodeAttribute()


# --- reads -------------------------------------------------------------------------------
def ref(tenant_id: str, skill_id: int) -> tuple[type[SkillItem], tuple[str, str]]:
    return SkillItem, keys.skill_key(tenant_id, skill_id)


def name_ref(tenant_id: str, key: str) -> tuple[type[SkillNameItem], tuple[str, str]]:
    return SkillNameItem, keys.skill_name_key(tenant_id, key)


def levels_ref(
    tenant_id: str, technician_id: int
) -> tuple[type[TechnicianSkillsItem], tuple[str, str]]:
    return TechnicianSkillsItem, keys.technician_skills_key(tenant_id, technician_id)


def get(tenant_id: str, skill_id: int, consistent: bool = False) -> SkillItem | None:
    return SkillItem.find(
        keys.skill_key(tenant_id, skill_id), tenant_id=tenant_id, consistent=consistent
    )


def levels_of(item: TechnicianSkillsItem | None) -> dict[int, int]:
    """skill id -> level of a technician's levels item (none without one)."""
    if item is None:
        return {}
    raw = item.levels.as_dict() if hasattr(item.levels, "as_dict") else dict(item.levels or {})
    return {int(k): int(v) for k, v in raw.items()}


# --- writes ------------------------------------------------------------------------------
def new_skill(tenant_id: str, skill_id: int, **fields: Any) -> SkillItem:
    return SkillItem(
        *keys.skill_key(tenant_id, skill_id), tenant_id=tenant_id, skill_id=skill_id, **fields
    )


def _pointer(tenant_id: str, key: str, skill_id: int) -> SkillNameItem:
    return SkillNameItem(
        *keys.skill_name_key(tenant_id, key), tenant_id=tenant_id, skill_id=skill_id
    )


def create(skill: SkillItem, parts: list[Part]) -> None:
    """The skill and its name pointer (``ConditionFailed`` labelled ``name`` when the name
    is taken), with the parts (its count)."""
    with labelled_transaction() as tx:
        tx.create("skill", skill)
        tx.create("name", _pointer(skill.tenant_id, skill.name_key, int(skill.skill_id)))
        for part in parts:
            part(tx)


def update(skill: SkillItem, changes: dict[str, Any], at: str) -> SkillItem:
    """Rename and/or describe a skill as read; a new name key moves the pointer in the
    same transaction (``name`` when taken, ``skill`` when the skill changed meanwhile)."""
    actions = [SkillItem.updated_at.set(at)]
    for name, value in changes.items():
        attr = getattr(SkillItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    condition = SkillItem.name_key == skill.name_key
    new_key = changes.get("name_key", skill.name_key)
    with labelled_transaction() as tx:
        tx.update("skill", skill, actions, condition=condition)
        if new_key != skill.name_key:
            old = _pointer(skill.tenant_id, skill.name_key, int(skill.skill_id))
            tx.delete("old_name", old, condition=SkillNameItem.skill_id == int(skill.skill_id))
            tx.create("name", _pointer(skill.tenant_id, new_key, int(skill.skill_id)))
    for name, value in changes.items():
        setattr(skill, name, value)
    skill.updated_at = at
    return skill


def delete(skill: SkillItem, parts: list[Part]) -> None:
    """The skill and its pointer (``skill`` when it changed or went meanwhile)."""
    pointer = _pointer(skill.tenant_id, skill.name_key, int(skill.skill_id))
    with labelled_transaction() as tx:
        tx.delete("skill", skill, condition=SkillItem.name_key == skill.name_key)
        tx.delete("name", pointer, condition=SkillNameItem.skill_id == int(skill.skill_id))
        for part in parts:
            part(tx)


def put_levels(tenant_id: str, technician_id: int, levels: dict[int, int], at: str) -> None:
    TechnicianSkillsItem(
        *keys.technician_skills_key(tenant_id, technician_id),
        tenant_id=tenant_id,
        technician_id=technician_id,
        levels={str(k): v for k, v in levels.items()},
        updated_at=at,
    ).save()
