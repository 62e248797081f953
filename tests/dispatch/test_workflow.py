"""The job status machine: every legal move and every illegal one."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.dispatch.rules import workflow as wf

LEGAL = {
    (wf.PENDING, wf.DISPATCHED),
    (wf.DISPATCHED, wf.ACKNOWLEDGED),
    (wf.ACKNOWLEDGED, wf.EN_ROUTE),
    (wf.EN_ROUTE, wf.ON_SITE),
    (wf.ON_SITE, wf.IN_PROGRESS),
    (wf.IN_PROGRESS, wf.COMPLETED),
    *((s, wf.CANCELLED) for s in wf.STATUSES if s not in wf.FINAL),
}
PAIRS = list(itertools.product(wf.STATUSES, wf.STATUSES))


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_every_legal_move(current, target):
    assert wf.can_move(current, target)
    assert wf.check_move(current, target) == target


@pytest.mark.parametrize(("current", "target"), sorted(set(PAIRS) - LEGAL))
def test_every_illegal_move_is_a_rule_violation(current, target):
    assert not wf.can_move(current, target)
    with pytest.raises(RuleViolation):
        wf.check_move(current, target)


def test_unknown_status_is_invalid_input():
    with pytest.raises(InvalidInput):
        wf.check_move(wf.PENDING, "teleported")


@pytest.mark.parametrize("current", wf.STATUSES)
def test_assign_and_unassign_until_en_route(current):
    if current in (wf.PENDING, wf.DISPATCHED, wf.ACKNOWLEDGED):
        assert wf.check_assign(current) == wf.DISPATCHED
    else:
        with pytest.raises(RuleViolation):
            wf.check_assign(current)
    if current in (wf.DISPATCHED, wf.ACKNOWLEDGED):
        assert wf.check_unassign(current) == wf.PENDING
    else:
        with pytest.raises(RuleViolation):
            wf.check_unassign(current)


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_technician_moves_are_the_field_steps_only(current, target):
    if target not in wf.TECHNICIAN_TARGETS:
        with pytest.raises(InvalidInput):
            wf.check_technician_move(current, target)
    elif (current, target) in LEGAL:
        assert wf.check_technician_move(current, target) == target
    else:
        with pytest.raises(RuleViolation):
            wf.check_technician_move(current, target)


def test_window_and_facets():
    wf.check_window("2026-03-28T09:00:00Z", "2026-03-28T11:00:00Z")
    wf.check_window(None, "2026-03-28T11:00:00Z")
    for end in ("2026-03-28T09:00:00Z", "2026-03-28T08:00:00Z"):
        with pytest.raises(InvalidInput):
            wf.check_window("2026-03-28T09:00:00Z", end)
    assert wf.facet("pending", "high") == "pending|high"
    assert wf.facet_filter(None, None) is None
    keep = wf.facet_filter("pending", None)
    assert keep("pending|high") and not keep("dispatched|high")
    keep = wf.facet_filter(None, "urgent")
    assert keep("completed|urgent") and not keep("completed|low")
