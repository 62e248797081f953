"""The review list (``GET /admin/reviews``) on ``platform.listing``: newest first, counted
by rollups by day and month of the day posted.

Scopes (``keys.reviews_rollup_scope``), each a Query on a sort key ``<day>#<job id>``: the
tenant's reviews on gsi1 ``T#<tid>#REVIEWDATE``, one technician's on gsi2
``T#<tid>#TECHREVIEW#<technician>``. The facet is the rating, so ``rating=`` filters by
facet at O(page).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.portal.store import Part, ReviewItem

DAY, MONTH = 10, 7  # bucket prefixes of "2026-04-15#0000000042"


def _rollup(technician_id: int | None = None) -> Rollup:
    return Rollup(keys.reviews_rollup_scope(technician_id), DAY, MONTH)


def entries(review: ReviewItem) -> dict[Rollup, Entry]:
    entry = (str(review.gsi1sk), str(int(review.rating)))
    scopes = {_rollup(): entry}
    if review.technician_id is not None:
        scopes[_rollup(int(review.technician_id))] = entry
    return scopes


def counted(review: ReviewItem) -> Part:
    """The part that counts a new review in its lists."""
    return rollups.moved(review.tenant_id, {}, entries(review))


def page(
    tenant_id: str, request: PageRequest, *, technician_id: int | None, rating: int | None
) -> dict[str, Any]:
    if technician_id is not None:
        hash_value = keys.reviews_by_technician_pk(tenant_id, technician_id)
        source = listing.Source.on_index(ReviewItem, "gsi2", hash_value)
    else:
        source = listing.Source.on_index(ReviewItem, "gsi1", keys.reviews_by_date_pk(tenant_id))
    wanted = None if rating is None else str(rating)
    return listing.page(
        source,
        _rollup(technician_id),
        tenant_id,
        request,
        name=f"reviews|t={technician_id}|r={rating}",
        matches=None if wanted is None else (lambda facet: facet == wanted),
        condition=None if rating is None else ReviewItem.rating == rating,
    )
