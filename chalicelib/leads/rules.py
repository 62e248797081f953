"""Pure rules of leads: the status machine, what a lead must hold, what a conversion may
do. No AWS, no HTTP.

Status machine (``MOVES``): ``new -> contacted -> qualified -> won``; ``lost`` from any
open status (new, contacted, qualified) and it needs a reason. ``won`` is reached only by
converting the lead (``POST /admin/leads/{id}/convert``), which needs ``qualified``;
``won`` and ``lost`` are final. Any other move is a ``RuleViolation`` (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core import text
from chalicelib.core.errors import InvalidInput, RuleViolation

NEW, CONTACTED, QUALIFIED, WON, LOST = "new", "contacted", "qualified", "won", "lost"
STATUSES = (NEW, CONTACTED, QUALIFIED, WON, LOST)
OPEN = (NEW, CONTACTED, QUALIFIED)
FINAL = (WON, LOST)
SOURCES = ("web", "phone", "referral", "portal", "other")
MOVES: dict[str, tuple[str, ...]] = {
    NEW: (CONTACTED, LOST),
    CONTACTED: (QUALIFIED, LOST),
    QUALIFIED: (WON, LOST),
    WON: (),
    LOST: (),
}
CONVERT_TO = ("estimate", "job")
MAX_HISTORY = 20  # a lead moves at most four times; room for the conversion's entries
TEXT_FIELDS = {
    "name": 200,
    "email": 320,
    "phone": 40,
    "description": 5000,
    "service_address": 300,
    "service_city": 100,
    "service_state": 50,
    "service_zip": 20,
}


def source_of(source: str | None) -> str:
    """A known source, else ``other``."""
    value = (source or "").strip().lower()
    return value if value in SOURCES else "other"


def check_contact(email: str | None, phone: str | None) -> None:
    """A lead can be reached: an e-mail or a phone number (422 naming ``email``)."""
    if not (email or "").strip() and not (phone or "").strip():
        raise InvalidInput("give an email or a phone number", field="email")


def check_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The lead's text fields trimmed (empty: absent); a missing name or an over-long
    field is an ``InvalidInput`` naming it; an e-mail or phone is required."""
    clean: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInput("must be a string", field=name)
        value = value.strip()
        if len(value) > limit:
            raise InvalidInput(f"must be at most {limit} characters", field=name)
        if value:
            clean[name] = value
    if not clean.get("name"):
        raise InvalidInput("is required", field="name")
    if "email" in clean:
        problem = text.email_problem(clean["email"])
        if problem:
            raise InvalidInput(problem, field="email")
        clean["email"] = text.normalize_email(clean["email"])
    check_contact(clean.get("email"), clean.get("phone"))
    return clean


def check_move(
    current: str, target: str, reason: str | None, converting: str | None = None
) -> None:
    """A status change by ``POST /admin/leads/{id}/status``: allowed by ``MOVES``; ``won``
    only by converting; ``lost`` needs a reason; none while a conversion is under way."""
    if target not in STATUSES:
        raise InvalidInput(f"must be one of {', '.join(STATUSES)}", field="status")
    if converting is not None:
        raise RuleViolation(f"the lead is being converted to a {converting}; finish it")
    if target == WON:
        raise RuleViolation("a lead is won by converting it (POST /admin/leads/{id}/convert)")
    if target not in MOVES.get(current, ()):
        raise RuleViolation(f"a {current} lead cannot become {target}")
    if target == LOST and not (reason or "").strip():
        raise InvalidInput("a lost lead needs a reason", field="reason")


def check_edit(status: str) -> None:
    if status in FINAL:
        raise RuleViolation(f"a {status} lead cannot be changed")


def conversion_step(
    status: str, customer_id: int | None, result_id: int | None, create: str, started: str | None
) -> str:
    """What a convert request does next, from the lead as read:

    - ``customer``: make or link the customer (a qualified lead with none recorded);
    - ``create``: make the estimate or job (a customer recorded, nothing made yet);
    - ``done`` never: a converted lead (``won`` with its estimate or job) is a 409.

    A lead whose conversion started (``started``: the kind being made) continues only
    with that same kind (another kind is a 409)."""
    if create not in CONVERT_TO:
        raise InvalidInput(f"must be one of {', '.join(CONVERT_TO)}", field="create")
    if status == WON and result_id is not None:
        raise RuleViolation("the lead is already converted")
    if started is not None and started != create:
        raise RuleViolation(f"the lead's conversion to a {started} is under way; retry it")
    if status != QUALIFIED and started is None:
        raise RuleViolation(f"only a qualified lead can be converted (it is {status})")
    return "customer" if customer_id is None else "create"


def history_entry(
    from_status: str | None, to_status: str, at: str, by: int | None, reason: str | None
) -> dict[str, Any]:
    return {"from": from_status, "to": to_status, "at": at, "by": by, "reason": reason}


def facet(status: str, source: str) -> str:
    return f"{status}|{source}"


def matches(status: str | None, source: str | None):  # noqa: ANN201 - a facet predicate
    if status is None and source is None:
        return None

    def keep(value: str) -> bool:
        got_status, _, got_source = value.partition("|")
        return (status is None or got_status == status) and (source is None or got_source == source)

    return keep
