"""The template list (``GET /admin/forms``) on ``platform.listing``: the templates'
partition ``T#<tid>#FORM`` in id order, counted by the rollup scope
``keys.FORMS_ROLLUP_SCOPE`` in blocks of 100 ids (fine) and 10,000 ids (coarse), facet
``active`` ("1"/"0"). Creating and deleting a template and changing ``active`` carry
``counted(...)`` in their own transaction (conditioned on the template as read)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.forms.store import FormItem, Part
from chalicelib.platform import keys, listing
from chalicelib.platform.rollups import Rollup

ROLLUP = Rollup(keys.FORMS_ROLLUP_SCOPE, fine=8, coarse=6)  # blocks of 100 / 10,000 ids
TEMPLATES = listing.ActiveList("forms", FormItem, keys.forms_pk, ROLLUP)


def counted(tenant_id: str, form_id: int, old: bool | None, new: bool | None) -> Part:
    """The part that counts a new template (``old`` None), a deleted one (``new`` None) or
    a change of ``active``."""
    return TEMPLATES.counted(tenant_id, form_id, old, new)


def page(tenant_id: str, request: PageRequest, *, active: bool | None) -> dict[str, Any]:
    """One page of the templates, by id (only active or inactive ones if ``active``)."""
    return TEMPLATES.page(tenant_id, request, active=active)
