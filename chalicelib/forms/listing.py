"""The template list (``GET /admin/forms``) on ``platform.listing``: the templates'
partition ``T#<tid>#FORM`` in id order, counted by the rollup scope
``keys.FORMS_ROLLUP_SCOPE`` in blocks of 100 ids (fine) and 10,000 ids (coarse), facet
``active`` ("1"/"0"). Creating and deleting a template and changing ``active`` carry
``counted(...)`` in their own transaction (conditioned on the template as read)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.forms.store import FormItem, Part
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.platform.tx import Labelled

ROLLUP = Rollup(keys.FORMS_ROLLUP_SCOPE, fine=8, coarse=6)  # blocks of 100 / 10,000 ids


def facet(active: bool) -> str:
    return "1" if active else "0"


def entry(form_id: int, active: bool) -> Entry:
    return keys.id_sk(form_id), facet(active)


def counted(tenant_id: str, form_id: int, old: bool | None, new: bool | None) -> Part:
    """The part that counts a new template (``old`` None), a deleted one (``new`` None) or
    a change of ``active``."""
    before = None if old is None else entry(form_id, old)
    after = None if new is None else entry(form_id, new)

    def part(tx: Labelled) -> None:
        rollups.move(tx, tenant_id, ROLLUP, before, after)

    return part


def page(tenant_id: str, request: PageRequest, *, active: bool | None) -> dict[str, Any]:
    """One page of the templates, by id (only active or inactive ones if ``active``)."""
    source = listing.Source.partition(FormItem, keys.forms_pk(tenant_id), descending=False)
    wanted = None if active is None else facet(active)
    return listing.page(
        source,
        ROLLUP,
        tenant_id,
        request,
        name=f"forms|active={wanted}",
        matches=None if wanted is None else (lambda f: f == wanted),
        condition=None if active is None else FormItem.active == active,
    )
