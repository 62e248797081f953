"""The dispatch job's status machine (SPEC.md "Dispatch"): pure, no AWS, no HTTP.

pending -> dispatched (assign) -> acknowledged (the technician) -> en_route -> on_site ->
in_progress -> completed; cancelled from any status that is not final. Assigning again
(reassigning) is allowed until the technician is en route and puts the job back to
``dispatched`` (the new technician acknowledges it); unassigning puts it back to
``pending``. Every other move is a ``RuleViolation`` (HTTP 409).
"""

from __future__ import annotations

from chalicelib.core.errors import InvalidInput, RuleViolation

PENDING = "pending"
DISPATCHED = "dispatched"
ACKNOWLEDGED = "acknowledged"
EN_ROUTE = "en_route"
ON_SITE = "on_site"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CANCELLED = "cancelled"
STATUSES = (
    PENDING,
    DISPATCHED,
    ACKNOWLEDGED,
    EN_ROUTE,
    ON_SITE,
    IN_PROGRESS,
    COMPLETED,
    CANCELLED,
)
FINAL = frozenset({COMPLETED, CANCELLED})
PRIORITIES = ("low", "normal", "high", "urgent")

# the one forward step out of each status
NEXT: dict[str, str] = {
    PENDING: DISPATCHED,
    DISPATCHED: ACKNOWLEDGED,
    ACKNOWLEDGED: EN_ROUTE,
    EN_ROUTE: ON_SITE,
    ON_SITE: IN_PROGRESS,
    IN_PROGRESS: COMPLETED,
}
# statuses a job may be (re)assigned or unassigned in: before the technician is en route
ASSIGNABLE = frozenset({PENDING, DISPATCHED, ACKNOWLEDGED})
UNASSIGNABLE = frozenset({DISPATCHED, ACKNOWLEDGED})
# what the technician's status call may move their job to (assigning and cancelling are
# the dispatcher's)
TECHNICIAN_TARGETS = (ACKNOWLEDGED, EN_ROUTE, ON_SITE, IN_PROGRESS, COMPLETED)


def can_move(current: str, target: str) -> bool:
    """True when ``current -> target`` is a legal step of the machine (assign, reassign
    and unassign are their own checks)."""
    if target == CANCELLED:
        return current not in FINAL
    return NEXT.get(current) == target


def check_move(current: str, target: str) -> str:
    """``target`` when the move is legal, else ``RuleViolation``."""
    if target not in STATUSES:
        raise InvalidInput(f"unknown status {target!r}", field="status")
    if not can_move(current, target):
        raise RuleViolation(_refusal(current, target))
    return target


def _refusal(current: str, target: str) -> str:
    if current in FINAL:
        return f"the job is {current}; it cannot move to {target}"
    allowed = [NEXT[current], CANCELLED] if current in NEXT else [CANCELLED]
    return f"a {current} job cannot move to {target} (allowed: {', '.join(allowed)})"


def check_technician_move(current: str, target: str) -> str:
    """A technician's own status call: only the field steps (not assigning, not
    cancelling)."""
    if target not in TECHNICIAN_TARGETS:
        raise InvalidInput(
            f"a technician may set the status to {', '.join(TECHNICIAN_TARGETS)}",
            field="status",
        )
    return check_move(current, target)


def check_assign(current: str) -> str:
    """The status after (re)assigning: ``dispatched``, while the job is not yet en route."""
    if current not in ASSIGNABLE:
        raise RuleViolation(
            f"a {current} job cannot be (re)assigned: only pending, dispatched or "
            "acknowledged jobs can"
        )
    return DISPATCHED


def check_unassign(current: str) -> str:
    """The status after unassigning: ``pending``, while the job is not yet en route."""
    if current not in UNASSIGNABLE:
        raise RuleViolation(
            f"a {current} job cannot be unassigned: only dispatched or acknowledged jobs can"
        )
    return PENDING


def check_window(start: str | None, end: str | None) -> None:
    """``scheduled_end`` after ``scheduled_start`` (ISO UTC timestamps, so they compare as
    strings once normalised)."""
    if start is not None and end is not None and end <= start:
        raise InvalidInput("scheduled_end must be after scheduled_start", field="scheduled_end")


def facet(status: str, priority: str) -> str:
    """The list facet of a job: the filters that are not key conditions."""
    return f"{status}|{priority}"


def facet_filter(status: str | None, priority: str | None):  # noqa: ANN201
    """Which facets a list with these filters keeps (None: all)."""
    if status is None and priority is None:
        return None

    def matches(value: str) -> bool:
        s, _, p = value.partition("|")
        return (status is None or s == status) and (priority is None or p == priority)

    return matches
