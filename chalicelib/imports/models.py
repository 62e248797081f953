"""The request and response models of ``/admin/import/...`` (``imports.api``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.core import csvsafe
from chalicelib.core.schemas import Body, Out, Timestamp, reference_example

Kind = Literal["technicians", "line-items", "sales"]


class OnboardingImportIn(Body):
    """The JSON form of an import's body: the file's text in ``csv`` (the raw
    ``Content-Type: text/csv`` body is the other form)."""

    model_config = reference_example({"csv": "name,price_cents\nAC Tune-Up,15000\n"})

    csv: str = Field(min_length=1, max_length=csvsafe.MAX_BYTES)


class OnboardingImportOut(Out):
    """An import's summary: ``rows`` in the file, ``created`` items (``first_id`` ..
    ``last_id``, consecutive); ``duplicate`` is true when this file had been imported
    already (nothing was created this time; the earlier import's summary)."""

    import_id: int
    kind: str
    status: str
    rows: int
    created: int
    first_id: int | None
    last_id: int | None
    duplicate: bool = False
    created_by: int | None
    created_at: Timestamp
    completed_at: Timestamp
