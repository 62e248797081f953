"""Technician skills (issue 12 item 6): the tenant's catalogue (names unique whatever
their case, ``rules.name_key``) and each technician's level (1-5) per skill, which the
dispatch suggestions match against a job's ``required_skills``.

DynamoDB calls: create 2 (the id counter, one TransactWriteItems: the skill, its name
pointer, its count); get 1; list 1 BatchGetItem (the counts) + about 1 Query of ``limit``;
rename 2 (a consistent GetItem, one TransactWriteItems moving the pointer), describe only
2 (GetItem, TransactWriteItems); delete 2. A technician's levels: read 2 BatchGetItems
(the technician with their levels item, then the skills named); replace 2 or 3 (one
BatchGetItem of the technician, the skills given by id and the names given, one more for
the catalogue names of skills given by name, one PutItem). ``levels_of`` one BatchGetItem
per 100 technicians and one per 100 distinct skills they have.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound, invalid
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import counters
from chalicelib.platform.batch import MAX_KEYS, get_many
from chalicelib.platform.table import chunked
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.skills import listing, rules, store
from chalicelib.skills.store import SkillItem
from chalicelib.technicians import service as technicians

ENTITY = "skill"
name_key = rules.name_key


def read_many(refs: Sequence[Any], consistent: bool = False) -> list[Any]:
    """``platform.batch.get_many`` in batches of 100 keys."""
    found: list[Any] = []
    for chunk in chunked(list(refs), MAX_KEYS):
        found += get_many(chunk, consistent=consistent)
    return found


def view(skill: SkillItem) -> dict[str, Any]:
    return {
        "id": int(skill.skill_id),
        "name": skill.name,
        "description": skill.description,
        "created_at": skill.created_at,
        "updated_at": skill.updated_at,
    }


def _skill(tenant_id: str, skill_id: int, consistent: bool = False) -> SkillItem:
    skill = store.get(tenant_id, skill_id, consistent)
    if skill is None:
        raise NotFound(f"skill {skill_id} not found")
    return skill


def _taken(name: str) -> Conflict:
    return Conflict(f"a skill named {name!r} already exists (names ignore case and spacing)")


# --- the catalogue -------------------------------------------------------------------------
def get(tenant_id: str, skill_id: int) -> dict[str, Any]:
    return view(_skill(tenant_id, skill_id))


def page(tenant_id: str, request: PageRequest) -> dict[str, Any]:
    body = listing.page(tenant_id, request)
    body["items"] = [view(s) for s in body["items"]]
    return body


def create(tenant_id: str, name: str, description: str | None) -> dict[str, Any]:
    shown = rules.check_name(name)
    skill_id = counters.next_id(tenant_id, ENTITY)
    at = clock.iso_utc(clock.now())
    skill = store.new_skill(
        tenant_id,
        skill_id,
        name=shown,
        name_key=rules.name_key(shown),
        description=description,
        created_at=at,
        updated_at=at,
    )
    for _ in retries():
        try:
            store.create(skill, [listing.counted(tenant_id, skill_id, added=True)])
        except ConditionFailed as exc:
            raise _taken(shown) from exc
        except Contention:
            continue
        return view(skill)
    raise Conflict("the skills are being changed by other requests; retry")


def update(tenant_id: str, skill_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """``name`` (a new name must be free, whatever its case) and ``description``."""
    if "name" in changes:
        shown = rules.check_name(changes["name"])
        changes = {**changes, "name": shown, "name_key": rules.name_key(shown)}
    for _ in retries():
        skill = _skill(tenant_id, skill_id, consistent=True)
        if not changes:
            return view(skill)
        try:
            store.update(skill, changes, clock.iso_utc(clock.now()))
        except ConditionFailed as exc:
            if "name" in exc.failed and "skill" not in exc.failed:
                raise _taken(changes["name"]) from exc
            continue  # renamed or deleted meanwhile: apply to what it is now
        except Contention:
            continue
        return view(skill)
    raise Conflict(f"skill {skill_id} is being changed by other requests; retry")


def delete(tenant_id: str, skill_id: int) -> None:
    """Delete a skill: technicians' levels of it are no longer shown nor matched."""
    for _ in retries():
        skill = _skill(tenant_id, skill_id, consistent=True)
        try:
            store.delete(skill, [listing.counted(tenant_id, skill_id, added=False)])
        except (ConditionFailed, Contention):
            continue
        return
    raise Conflict(f"skill {skill_id} is being changed by other requests; retry")


# --- a technician's levels -------------------------------------------------------------------
def _levels_view(technician_id: int, levels: dict[int, int], skills: dict[int, Any]) -> dict:
    shown = [
        {"skill_id": sid, "name": skills[sid].name, "level": level}
        for sid, level in levels.items()
        if skills.get(sid) is not None
    ]
    shown.sort(key=lambda s: (rules.name_key(s["name"]), s["skill_id"]))
    return {"technician_id": technician_id, "skills": shown}


def _skills_by_id(tenant_id: str, ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    found = read_many([store.ref(tenant_id, s) for s in wanted])
    return {s: item for s, item in zip(wanted, found, strict=True) if item is not None}


def technician_levels(tenant_id: str, technician_id: int) -> dict[str, Any]:
    """The technician's skills with their levels, by name (404 for an unknown one)."""
    tech, item = get_many(
        [technicians.ref(tenant_id, technician_id), store.levels_ref(tenant_id, technician_id)]
    )
    if tech is None or tech.tenant_id != tenant_id:
        raise NotFound(f"technician {technician_id} not found")
    levels = store.levels_of(item)
    return _levels_view(technician_id, levels, _skills_by_id(tenant_id, levels))


def set_technician_levels(
    tenant_id: str, technician_id: int, entries: list[dict[str, Any]]
) -> dict[str, Any]:
    """Replace the technician's levels with ``entries`` (each ``skill_id`` or ``name``,
    and ``level``): an unknown technician is 404, an unknown skill or one given twice 422."""
    by_id = sorted({e["skill_id"] for e in entries if e.get("skill_id") is not None})
    by_name = sorted({rules.name_key(e["name"]) for e in entries if e.get("skill_id") is None})
    got = read_many(
        [
            technicians.ref(tenant_id, technician_id),
            *(store.ref(tenant_id, s) for s in by_id),
            *(store.name_ref(tenant_id, k) for k in by_name),
        ],
        consistent=True,
    )
    tech = got[0]
    if tech is None or tech.tenant_id != tenant_id:
        raise NotFound(f"technician {technician_id} not found")
    skills = {s: item for s, item in zip(by_id, got[1 : 1 + len(by_id)], strict=True) if item}
    named = {k: int(p.skill_id) for k, p in zip(by_name, got[1 + len(by_id) :], strict=True) if p}
    levels: dict[int, int] = {}
    for i, entry in enumerate(entries):
        if entry.get("skill_id") is not None:
            skill_id = entry["skill_id"]
            if skill_id not in skills:
                raise invalid(f"skills.{i}.skill_id", f"skill {skill_id} does not exist")
        else:
            key = rules.name_key(entry["name"])
            if key not in named:
                raise invalid(f"skills.{i}.name", f"no skill named {entry['name']!r}")
            skill_id = named[key]
        if skill_id in levels:
            raise invalid(f"skills.{i}", f"skill {skill_id} is listed twice")
        levels[skill_id] = rules.check_level(entry["level"], f"skills.{i}.level")
    missing = [s for s in levels if s not in skills]
    if missing:
        skills.update(_skills_by_id(tenant_id, missing))
    store.put_levels(tenant_id, technician_id, levels, clock.iso_utc(clock.now()))
    return _levels_view(technician_id, levels, skills)


def levels_of(tenant_id: str, technician_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """technician id -> {skill name key (``rules.name_key``): level} of every technician
    asked (empty for one without levels): one BatchGetItem per 100 technicians, then one
    per 100 distinct skills they have."""
    ids = list(dict.fromkeys(technician_ids))
    items = read_many([store.levels_ref(tenant_id, t) for t in ids])
    levels = {t: store.levels_of(item) for t, item in zip(ids, items, strict=True)}
    skills = _skills_by_id(tenant_id, {s for lv in levels.values() for s in lv})
    return {
        t: {skills[s].name_key: level for s, level in lv.items() if s in skills}
        for t, lv in levels.items()
    }


@dataclass(frozen=True)
class RequiredLevels:
    """The levels a job's required skills ask about, read in the caller's batch: ``refs``
    are the required names' pointers and the technicians' levels items; ``levels(got)``
    is technician id -> {name key: level} for the required skills in the catalogue."""

    tenant_id: str
    technician_ids: tuple[int, ...]
    names: tuple[str, ...]  # name keys

    @property
    def refs(self) -> list[Any]:
        if not self.names:
            return []
        return [
            *(store.name_ref(self.tenant_id, k) for k in self.names),
            *(store.levels_ref(self.tenant_id, t) for t in self.technician_ids),
        ]

    def levels(self, got: Sequence[Any]) -> dict[int, dict[str, int]]:
        if not self.names:
            return {t: {} for t in self.technician_ids}
        n = len(self.names)
        ids = {k: int(p.skill_id) for k, p in zip(self.names, got[:n], strict=True) if p}
        out = {}
        for tech_id, item in zip(self.technician_ids, got[n:], strict=True):
            have = store.levels_of(item)
            out[tech_id] = {k: have[s] for k, s in ids.items() if s in have}
        return out


def required_levels(
    tenant_id: str, technician_ids: Iterable[int], required: Iterable[str]
) -> RequiredLevels:
    keys = tuple(dict.fromkeys(rules.name_key(r) for r in required if rules.name_key(r)))
    return RequiredLevels(tenant_id, tuple(dict.fromkeys(technician_ids)), keys)
