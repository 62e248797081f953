"""SLA rules (SPEC.md "Dispatch": SLA deadlines from the policy of the job's priority):
pure, no AWS, no HTTP.

- A policy gives a priority ``response_minutes`` and ``resolution_minutes``: positive
  whole minutes, response no later than resolution.
- A job's deadlines are its creation time plus those minutes (UTC ISO strings, to the
  millisecond); without a policy for its priority it has none. A change of priority
  recomputes them from the creation time with the new priority's policy.
- Response is met the first time the job reaches ``acknowledged`` or any later step
  (``RESPONDED``); a reassignment afterwards does not undo it. Resolution is met when the
  job is ``completed``. Met exactly at the deadline is met; a millisecond later is missed.
- A cancelled job stops counting at its cancellation: a deadline still ahead then is never
  missed; one already behind was missed.
- Each deadline is missed at most once (a *violation*); a violation still open records the
  time the job met that deadline late (``met_at``), if it ever does.

``assess`` decides, for one write of a job (its state before and after, and the time of the
write), which violations to record, which recorded ones were met, and which deadlines the
sweep must keep watching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chalicelib.core.errors import InvalidInput
from chalicelib.dispatch.rules import workflow

PRIORITIES = workflow.PRIORITIES
RESPONSE = "response"
RESOLUTION = "resolution"
KINDS = (RESPONSE, RESOLUTION)
MAX_MINUTES = 525_600  # a year
RESPONDED = frozenset(
    {
        workflow.ACKNOWLEDGED,
        workflow.EN_ROUTE,
        workflow.ON_SITE,
        workflow.IN_PROGRESS,
        workflow.COMPLETED,
    }
)


@dataclass(frozen=True)
class Policy:
    response_minutes: int
    resolution_minutes: int


def check_priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise InvalidInput(
            f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}",
            field="priority",
        )
    return priority


def check_policy(response_minutes: int, resolution_minutes: int, where: str = "") -> Policy:
    """A valid policy, or ``InvalidInput`` naming the field (prefixed by ``where``)."""
    prefix = f"{where}." if where else ""
    for name, value in (
        ("response_minutes", response_minutes),
        ("resolution_minutes", resolution_minutes),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput("must be a whole number of minutes", field=prefix + name)
        if not 1 <= value <= MAX_MINUTES:
            raise InvalidInput(f"must be between 1 and {MAX_MINUTES} minutes", field=prefix + name)
    if response_minutes > resolution_minutes:
        raise InvalidInput(
            "response_minutes must not exceed resolution_minutes",
            field=prefix + "response_minutes",
        )
    return Policy(response_minutes, resolution_minutes)


def _parse(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """``2026-03-28T09:00:00.000Z``: the format of every SLA time (and of the jobs' own)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def deadlines(created_at: str, policy: Policy | None) -> tuple[str | None, str | None]:
    """``(response due, resolution due)`` of a job created at ``created_at``."""
    if policy is None:
        return None, None
    start = _parse(created_at)
    return (
        iso(start + timedelta(minutes=policy.response_minutes)),
        iso(start + timedelta(minutes=policy.resolution_minutes)),
    )


def is_met(met_at: str, due: str) -> bool:
    """Met at the deadline or before it (same-format ISO strings compare as times)."""
    return iso(_parse(met_at)) <= iso(_parse(due))


@dataclass(frozen=True)
class Clock:
    """What the SLA looks at in a job."""

    status: str
    response_due: str | None = None
    resolution_due: str | None = None
    responded_at: str | None = None
    completed_at: str | None = None
    cancelled_at: str | None = None
    missed: frozenset[str] = frozenset()

    def due(self, kind: str) -> str | None:
        return self.response_due if kind == RESPONSE else self.resolution_due

    def met_at(self, kind: str) -> str | None:
        return self.responded_at if kind == RESPONSE else self.completed_at

    def watched(self) -> dict[str, str]:
        """The deadlines still running: set, not met, not missed, not cancelled."""
        if self.status == workflow.CANCELLED:
            return {}
        found = {}
        for kind in KINDS:
            due = self.due(kind)
            if due is not None and self.met_at(kind) is None and kind not in self.missed:
                found[kind] = due
        return found


def responded_at(before: Clock | None, status: str, now: str) -> str | None:
    """When the job first responded, given the status it moves to at ``now``."""
    if before is not None and before.responded_at is not None:
        return before.responded_at
    return now if status in RESPONDED else None


@dataclass(frozen=True)
class Missed:
    kind: str
    due: str
    met_at: str | None  # None: still open when recorded


@dataclass
class Assessment:
    record: list[Missed] = field(default_factory=list)  # new violations
    met: list[tuple[str, str]] = field(default_factory=list)  # (kind, met_at) of recorded ones
    unwatch: dict[str, str] = field(default_factory=dict)  # kind -> due, watched no more
    watch: dict[str, str] = field(default_factory=dict)  # kind -> due, newly watched

    @property
    def missed(self) -> frozenset[str]:
        return frozenset(m.kind for m in self.record)

    def __bool__(self) -> bool:
        return bool(self.record or self.met or self.unwatch or self.watch)


def assess(before: Clock | None, after: Clock, now: str) -> Assessment:
    """What one write of a job at ``now`` does to its SLA: ``before`` is the job as read
    (None for a new job), ``after`` as written (its ``missed`` as read)."""
    out = Assessment()
    stop = after.cancelled_at if after.status == workflow.CANCELLED else None
    for kind in KINDS:
        due = after.due(kind)
        met_at = after.met_at(kind)
        if kind in after.missed:
            if met_at is not None and (before is None or before.met_at(kind) is None):
                out.met.append((kind, met_at))
            continue
        if due is None:
            continue
        if met_at is not None:
            if not is_met(met_at, due):
                out.record.append(Missed(kind, due, met_at))
        elif not is_met(stop or now, due):
            out.record.append(Missed(kind, due, None))
    old = before.watched() if before is not None else {}
    new = Clock(
        after.status,
        after.response_due,
        after.resolution_due,
        after.responded_at,
        after.completed_at,
        after.cancelled_at,
        after.missed | out.missed,
    ).watched()
    out.unwatch = {k: d for k, d in old.items() if new.get(k) != d}
    out.watch = {k: d for k, d in new.items() if old.get(k) != d}
    return out
