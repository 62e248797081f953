"""The request and response models of ``/admin/customer-communications``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictInt, WithJsonSchema

from chalicelib.communications.rules import MAX_BODY, MAX_CALL_SECONDS, MAX_SUBJECT
from chalicelib.core.schemas import Body, Id, IdQuery, Out, Query, reference_example

Channel = Literal["email", "note", "call"]
StaffKind = Literal["note", "call"]
Direction = Literal["inbound", "outbound"]


def _instant(value: Any) -> Any:
    """An ISO 8601 date-time (no offset means UTC) as an aware UTC datetime."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-03-28T09:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 2000 <= moment.astimezone(UTC).year <= 2999:
        raise ValueError("must be a date-time between the years 2000 and 2999")
    return moment.astimezone(UTC)


Instant = Annotated[
    datetime, BeforeValidator(_instant), WithJsonSchema({"type": "string", "format": "date-time"})
]


class CommunicationIn(Body):
    """A note or a call about a customer. ``direction`` (a call's; default ``outbound``)
    and ``duration_seconds`` only for calls; ``occurred_at`` defaults to now and may not
    be in the future."""

    model_config = reference_example(
        {
            "customer_id": 1,
            "kind": "call",
            "body": "Called about the AC estimate; will decide by Friday",
            "direction": "outbound",
            "duration_seconds": 240,
        }
    )

    customer_id: Id
    kind: StaffKind
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY)]
    subject: Annotated[str, Field(min_length=1, max_length=MAX_SUBJECT)] | None = None
    direction: Direction | None = None
    duration_seconds: Annotated[StrictInt, Field(ge=0, le=MAX_CALL_SECONDS)] | None = None
    occurred_at: Instant | None = None


class CommunicationFilter(Query):
    """``customer_id`` (another tenant's: 404), ``channel`` (email, note, call) and
    ``kind`` (note, call, or an e-mail's kind: invoice, estimate, verification,
    follow_up...)."""

    customer_id: IdQuery | None = None
    channel: Channel | None = None
    kind: (
        Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")] | None
    ) = None


class CommunicationOut(Out):
    id: int
    customer_id: int | None
    channel: Channel
    kind: str
    direction: Direction | None
    to: str | None
    subject: str | None
    body: str | None
    status: Literal["sent", "failed"] | None = Field(
        description="An e-mail's: sent, or failed (SES refused it); null for notes and calls"
    )
    ref: str | None = Field(description="What an e-mail was about, e.g. the invoice id")
    duration_seconds: int | None
    occurred_at: str
    sent_at: str | None
    created_by: int | None
    created_at: str
