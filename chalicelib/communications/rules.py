"""Pure rules of the customer communications log: what an entry is and how it is counted.

An entry has a ``channel``: ``email`` (every e-mail sent to a customer, logged by the
feature that sent it, with ``status`` sent or failed), ``note`` or ``call`` (added by
staff). ``kind`` says what it is about: for an e-mail the sender's kind (``invoice``,
``estimate``, ``verification``, ``follow_up``...), for a note or call the channel itself.
The list counts each entry under the facet ``<channel>|<kind>``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from chalicelib.core.errors import InvalidInput

EMAIL, NOTE, CALL = "email", "note", "call"
CHANNELS = (EMAIL, NOTE, CALL)
STAFF_KINDS = (NOTE, CALL)
SENT, FAILED = "sent", "failed"
EMAIL_STATUSES = (SENT, FAILED)
DIRECTIONS = ("inbound", "outbound")
MAX_CALL_SECONDS = 24 * 3600
MAX_BODY = 5000
MAX_SUBJECT = 300
FUTURE_SLACK = timedelta(minutes=5)  # clocks of phones and laptops drift
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
OTHER = "other"


def email_kind(kind: str | None) -> str:
    """The stored kind of an e-mail: the sender's kind in lower case, ``other`` when it is
    not a plain word (``[a-z][a-z0-9_]*``, at most 40) or names a staff channel."""
    value = (kind or "").strip().lower()
    if not _KIND.match(value) or value in CHANNELS:
        return OTHER
    return value


def email_status(status: str | None) -> str:
    """``sent`` or ``failed`` (anything else was not a sent e-mail: ``failed``)."""
    return SENT if status == SENT else FAILED


def clip(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def check_staff_entry(
    kind: str,
    direction: str | None,
    duration_seconds: int | None,
    occurred_at: datetime | None,
    now: datetime,
) -> str | None:
    """Check a note or call; returns its direction (a call defaults to ``outbound``; a
    note has none). A direction or duration on a note, a duration past a day, or a time
    in the future is an ``InvalidInput`` naming the field."""
    if kind not in STAFF_KINDS:
        raise InvalidInput(f"must be one of {', '.join(STAFF_KINDS)}", field="kind")
    if kind == NOTE:
        if direction is not None:
            raise InvalidInput("only a call has a direction", field="direction")
        if duration_seconds is not None:
            raise InvalidInput("only a call has a duration", field="duration_seconds")
    if duration_seconds is not None and not 0 <= duration_seconds <= MAX_CALL_SECONDS:
        raise InvalidInput(
            f"must be between 0 and {MAX_CALL_SECONDS} seconds", field="duration_seconds"
        )
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidInput(f"must be one of {', '.join(DIRECTIONS)}", field="direction")
    if occurred_at is not None and occurred_at > now + FUTURE_SLACK:
        raise InvalidInput("must not be in the future", field="occurred_at")
    if kind == CALL:
        return direction or "outbound"
    return None


def facet(channel: str, kind: str) -> str:
    return f"{channel}|{kind}"


def matches(channel: str | None, kind: str | None):  # noqa: ANN201 - a facet predicate
    """Which facets a list filter keeps (None: every one)."""
    if channel is None and kind is None:
        return None

    def keep(value: str) -> bool:
        got_channel, _, got_kind = value.partition("|")
        return (channel is None or got_channel == channel) and (kind is None or got_kind == kind)

    return keep
