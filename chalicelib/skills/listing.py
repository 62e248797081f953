"""The skills catalogue list (``GET /admin/technician-skills``) on ``platform.listing``:
the partition ``T#<tid>#SKILL`` by id, counted by the rollup scope
``keys.SKILLS_ROLLUP_SCOPE`` in blocks of 100 ids (fine) and 10,000 ids (coarse). It has
no filter, so every entry has the one facet ``FACET``; creating and deleting a skill move
the count in their own transaction."""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Rollup
from chalicelib.platform.tx import Labelled
from chalicelib.skills.store import Part, SkillItem

ROLLUP = Rollup(keys.SKILLS_ROLLUP_SCOPE, fine=8, coarse=6)
FACET = "-"


def counted(tenant_id: str, skill_id: int, *, added: bool) -> Part:
    entry = (keys.id_sk(skill_id), FACET)

    def part(tx: Labelled) -> None:
        rollups.move(tx, tenant_id, ROLLUP, None if added else entry, entry if added else None)

    return part


def page(tenant_id: str, request: PageRequest) -> dict[str, Any]:
    source = listing.Source.partition(SkillItem, keys.skills_pk(tenant_id), descending=False)
    return listing.page(source, ROLLUP, tenant_id, request, name="skills")
