"""sla.rules: deadline arithmetic, met and missed at the boundary, what a write records
and which deadlines stay watched (pure, no AWS)."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.sla import rules
from chalicelib.sla.rules import RESOLUTION, RESPONSE, Clock, Missed

CREATED = "2026-03-28T09:00:00.000Z"
POLICY = rules.Policy(response_minutes=60, resolution_minutes=240)
DUE = ("2026-03-28T10:00:00.000Z", "2026-03-28T13:00:00.000Z")


def _job(status="pending", **fields) -> Clock:
    return Clock(status, DUE[0], DUE[1], **fields)


def test_deadlines_are_created_plus_minutes_in_utc():
    assert rules.deadlines(CREATED, POLICY) == DUE
    assert rules.deadlines(CREATED, None) == (None, None)
    # across midnight, a month end and from an offset
    late = rules.deadlines("2026-03-31T23:30:15.250Z", rules.Policy(45, 1440))
    assert late == ("2026-04-01T00:15:15.250Z", "2026-04-01T23:30:15.250Z")
    assert rules.deadlines("2026-03-28T11:00:00+02:00", rules.Policy(1, 1))[0] == (
        "2026-03-28T09:01:00.000Z"
    )


@pytest.mark.parametrize(
    ("response", "resolution", "field"),
    [
        (0, 10, "high.response_minutes"),
        (10, 0, "high.resolution_minutes"),
        (-5, 10, "high.response_minutes"),
        (11, 10, "high.response_minutes"),
        (1, rules.MAX_MINUTES + 1, "high.resolution_minutes"),
        (True, 10, "high.response_minutes"),
        (1.5, 10, "high.response_minutes"),
    ],
)
def test_policy_checks_name_the_field(response, resolution, field):
    with pytest.raises(InvalidInput) as caught:
        rules.check_policy(response, resolution, where="high")
    assert caught.value.field == field


def test_policy_bounds_and_equal_minutes():
    assert rules.check_policy(1, 1) == rules.Policy(1, 1)
    assert rules.check_policy(30, rules.MAX_MINUTES).resolution_minutes == rules.MAX_MINUTES
    with pytest.raises(InvalidInput):
        rules.check_priority("critical")
    assert rules.check_priority("urgent") == "urgent"


def test_met_at_the_deadline_missed_a_millisecond_later():
    assert rules.is_met("2026-03-28T10:00:00.000Z", DUE[0])
    assert rules.is_met("2026-03-28T09:59:59.999Z", DUE[0])
    assert not rules.is_met("2026-03-28T10:00:00.001Z", DUE[0])
    assert rules.is_met("2026-03-28T12:00:00+02:00", DUE[0])  # the same instant


def test_a_new_job_watches_both_deadlines():
    out = rules.assess(None, _job(), CREATED)
    assert out.record == [] and out.unwatch == {}
    assert out.watch == {RESPONSE: DUE[0], RESOLUTION: DUE[1]}
    assert not rules.assess(None, Clock("pending"), CREATED)  # no policy: nothing


def test_acknowledged_on_time_stops_watching_the_response():
    at = DUE[0]  # exactly at the deadline
    responded = rules.responded_at(_job("dispatched"), "acknowledged", at)
    assert responded == at
    out = rules.assess(_job("dispatched"), _job("acknowledged", responded_at=at), at)
    assert out.record == [] and out.unwatch == {RESPONSE: DUE[0]} and out.watch == {}


def test_acknowledged_late_records_a_met_violation():
    at = "2026-03-28T10:00:00.001Z"
    out = rules.assess(_job("dispatched"), _job("acknowledged", responded_at=at), at)
    assert out.record == [Missed(RESPONSE, DUE[0], at)]
    assert out.unwatch == {RESPONSE: DUE[0]}


def test_a_move_past_the_deadline_records_it_open():
    at = "2026-03-28T10:30:00.000Z"
    out = rules.assess(_job("pending"), _job("dispatched"), at)
    assert out.record == [Missed(RESPONSE, DUE[0], None)]
    assert out.unwatch == {RESPONSE: DUE[0]} and out.watch == {}
    # the sweep, with nothing else changing, finds the same; and both once both passed
    assert rules.assess(_job(), _job(), at).record == out.record
    both = rules.assess(_job(), _job(), "2026-03-28T13:00:00.001Z")
    assert [m.kind for m in both.record] == [RESPONSE, RESOLUTION]
    assert rules.assess(_job(), _job(), DUE[0]).record == []  # at the deadline: not yet


def test_missed_once_then_met_late():
    missed = frozenset({RESPONSE})
    before = _job("dispatched", missed=missed)
    at = "2026-03-28T11:00:00.000Z"
    out = rules.assess(before, _job("acknowledged", responded_at=at, missed=missed), at)
    assert out.record == [] and out.met == [(RESPONSE, at)]
    assert out.unwatch == {} and out.watch == {}  # it was already out of the index
    # later moves do not meet it again
    after = _job("en_route", responded_at=at, missed=missed)
    assert rules.assess(_job("acknowledged", responded_at=at, missed=missed), after, at).met == []


def test_response_stays_met_after_a_reassignment():
    at = "2026-03-28T09:30:00.000Z"
    before = _job("acknowledged", responded_at=at)
    assert rules.responded_at(before, "dispatched", "2026-03-28T12:00:00.000Z") == at
    out = rules.assess(before, _job("dispatched", responded_at=at), "2026-03-28T12:00:00.000Z")
    assert out.record == []


def test_completed_late_misses_the_resolution():
    at = "2026-03-28T13:05:00.000Z"
    before = _job("in_progress", responded_at="2026-03-28T09:10:00.000Z")
    after = _job("completed", responded_at=before.responded_at, completed_at=at)
    out = rules.assess(before, after, at)
    assert out.record == [Missed(RESOLUTION, DUE[1], at)]
    assert out.unwatch == {RESOLUTION: DUE[1]}


def test_cancelled_before_a_deadline_never_misses_it():
    at = "2026-03-28T09:30:00.000Z"
    out = rules.assess(_job("pending"), _job("cancelled", cancelled_at=at), at)
    assert out.record == [] and out.unwatch == {RESPONSE: DUE[0], RESOLUTION: DUE[1]}
    # a cancelled job the sweep looks at later: nothing missed, nothing watched
    later = rules.assess(
        _job("cancelled", cancelled_at=at), _job("cancelled", cancelled_at=at), "2026-03-29"
    )
    assert not later


def test_cancelled_after_a_deadline_missed_it():
    at = "2026-03-28T10:30:00.000Z"
    out = rules.assess(_job("pending"), _job("cancelled", cancelled_at=at), at)
    assert out.record == [Missed(RESPONSE, DUE[0], None)]
    assert out.unwatch == {RESPONSE: DUE[0], RESOLUTION: DUE[1]}


def test_new_deadlines_move_the_watch():
    new = ("2026-03-28T09:30:00.000Z", "2026-03-28T11:00:00.000Z")
    after = Clock("pending", *new)
    out = rules.assess(_job(), after, "2026-03-28T09:10:00.000Z")
    assert out.unwatch == {RESPONSE: DUE[0], RESOLUTION: DUE[1]}
    assert out.watch == {RESPONSE: new[0], RESOLUTION: new[1]}
    # removing the policy's deadlines stops watching
    gone = rules.assess(_job(), Clock("pending"), "2026-03-28T09:10:00.000Z")
    assert gone.watch == {} and set(gone.unwatch) == {RESPONSE, RESOLUTION}
    # a priority change to a shorter deadline already behind: missed now
    short = Clock("pending", "2026-03-28T09:05:00.000Z", DUE[1])
    assert rules.assess(_job(), short, "2026-03-28T09:10:00.000Z").record == [
        Missed(RESPONSE, "2026-03-28T09:05:00.000Z", None)
    ]
