"""dispatch.rules.suggest: each part of a suggestion's score, the weights, rounding, and
the ranking."""

from __future__ import annotations

from chalicelib.dispatch.rules import geo
from chalicelib.dispatch.rules import suggest as rules
from chalicelib.dispatch.rules.suggest import Booking, Candidate, JobFacts

JOB = Booking(job_id=1, start="2026-03-28T09:00:00Z", end="2026-03-28T11:00:00Z")
HERE = (27.95, -82.45)


def _km_east(km: float) -> tuple[float, float]:
    """A point ``km`` east of HERE (along the parallel, close enough)."""
    lng = HERE[1]
    while geo.distance_km(HERE, (HERE[0], lng)) < km:
        lng += 0.0001
    return HERE[0], lng


def _tech(tech_id: int = 1, **fields) -> Candidate:
    return Candidate(technician_id=tech_id, name=f"T{tech_id}", **fields)


def test_weights_make_100_and_a_perfect_fit_scores_100():
    assert sum(rules.WEIGHTS.values()) == 100
    job = JobFacts(booking=JOB, required=(("HVAC", "hvac"),), zone_id=3, point=HERE)
    best = rules.score(job, _tech(levels={"hvac": 5}, serves_zone=True, position=HERE))
    assert best["score"] == 100
    assert best["points"] == {"skills": 35, "zone": 20, "distance": 20, "load": 10, "overlap": 15}
    assert best["distance_km"] == 0.0 and best["matched_skills"] == [{"name": "HVAC", "level": 5}]


def test_skills_share_by_level_tag_and_missing():
    required = (("HVAC", "hvac"), ("Gas", "gas"))
    job = JobFacts(booking=JOB, required=required)
    got = rules.score(job, _tech(levels={"hvac": 5}))
    assert got["points"]["skills"] == 18  # 35 * (1.0 + 0) / 2 = 17.5, half up
    assert got["matched_skills"] == [{"name": "HVAC", "level": 5}]
    assert got["missing_skills"] == ["Gas"]
    got = rules.score(job, _tech(levels={"hvac": 1, "gas": 3}))
    assert got["points"]["skills"] == 25  # 35 * (0.6 + 0.8) / 2 = 24.5
    tagged = rules.score(job, _tech(levels={"hvac": 5}, tags=frozenset({"gas"})))
    assert tagged["matched_skills"][1] == {"name": "Gas", "level": None}
    assert tagged["points"]["skills"] == 28  # the tag counts as level 1: 35 * 1.6 / 2
    assert rules.score(job, _tech())["points"]["skills"] == 0
    assert rules.score(JobFacts(booking=JOB), _tech())["points"]["skills"] == 35  # none asked


def test_zone_part():
    in_zone = JobFacts(booking=JOB, zone_id=4)
    assert rules.score(in_zone, _tech(serves_zone=True))["points"]["zone"] == 20
    outside = rules.score(in_zone, _tech(serves_zone=False))
    assert outside["points"]["zone"] == 0 and outside["serves_zone"] is False
    no_zone = rules.score(JobFacts(booking=JOB), _tech(serves_zone=False))
    assert no_zone["points"]["zone"] == 20 and no_zone["serves_zone"] is None


def test_distance_part():
    job = JobFacts(booking=JOB, point=HERE)
    for km, points in ((0, 20), (20, 15), (40, 10), (79.9, 0), (80, 0), (500, 0)):
        got = rules.score(job, _tech(position=_km_east(km), position_from="gps"))
        assert got["points"]["distance"] == points, km
        assert got["distance_from"] == "gps" and abs(got["distance_km"] - km) < 0.1
    unknown = rules.score(job, _tech())
    assert unknown["points"]["distance"] == 5 and unknown["distance_km"] is None
    assert unknown["distance_from"] is None
    nowhere = rules.score(JobFacts(booking=JOB), _tech(position=HERE, position_from="home_base"))
    assert nowhere["points"]["distance"] == 5 and nowhere["distance_from"] is None


def test_load_counts_the_days_other_jobs_minutes():
    job = JobFacts(booking=JOB)
    day = (
        Booking(2, start="2026-03-28T13:00:00Z", end="2026-03-28T15:00:00Z"),  # 120
        Booking(3, estimated_minutes=90),  # no window: its estimate
        Booking(4),  # neither: 60
        Booking(5, status="cancelled", estimated_minutes=300),  # not counted
        Booking(1, estimated_minutes=400),  # the job itself: not counted
        Booking(6, status="completed", estimated_minutes=30),  # done, still that day's work
    )
    got = rules.score(job, _tech(bookings=day))
    assert got["jobs_that_day"] == 4 and got["scheduled_minutes"] == 300
    assert got["points"]["load"] == 4  # 10 * (1 - 300 / 480) = 3.75
    full = (Booking(2, estimated_minutes=480), Booking(3, estimated_minutes=60))
    assert rules.score(job, _tech(bookings=full))["points"]["load"] == 0
    assert rules.score(job, _tech())["points"]["load"] == 10


def test_overlapping_bookings():
    job = JobFacts(booking=JOB)  # 09:00-11:00
    day = (
        Booking(2, start="2026-03-28T10:30:00Z", end="2026-03-28T12:00:00Z"),  # overlaps
        Booking(3, start="2026-03-28T11:00:00Z", end="2026-03-28T12:00:00Z"),  # touches
        Booking(4, start="2026-03-28T08:30:00Z"),  # 60 min default: overlaps
        Booking(5, start="2026-03-28T07:00:00Z", estimated_minutes=90),  # ends 08:30
        Booking(6, start="2026-03-28T09:00:00Z", status="cancelled"),
        Booking(7, start="2026-03-28T09:00:00Z", status="completed"),
        Booking(8),  # no window
    )
    got = rules.score(job, _tech(bookings=day))
    assert got["overlapping_job_ids"] == [2, 4] and got["points"]["overlap"] == 0
    assert rules.score(job, _tech(bookings=day[1:2]))["points"]["overlap"] == 15
    start_only = JobFacts(booking=Booking(1, start="2026-03-28T11:30:00Z", estimated_minutes=15))
    assert rules.score(start_only, _tech(bookings=day))["overlapping_job_ids"] == [2, 3]
    unscheduled = JobFacts(booking=Booking(1))
    assert rules.score(unscheduled, _tech(bookings=day))["overlapping_job_ids"] == []


def test_score_is_the_sum_of_its_parts_and_rank_breaks_ties_by_id():
    job = JobFacts(booking=JOB, required=(("HVAC", "hvac"),), zone_id=1, point=HERE)
    techs = [
        _tech(5, levels={"hvac": 3}, position=_km_east(10), position_from="home_base"),
        _tech(2, levels={"hvac": 3}, position=_km_east(10), position_from="gps"),
        _tech(9, serves_zone=True, position=HERE),
        _tech(1),
    ]
    ranked = rules.rank(job, techs)
    for item in ranked:
        assert item["score"] == sum(item["points"].values())
        assert 0 <= item["score"] <= 100
    scores = [(s["technician_id"], s["score"]) for s in ranked]
    assert scores == sorted(scores, key=lambda t: (-t[1], t[0]))
    assert [s["technician_id"] for s in ranked][:2] == [2, 5]  # the same score: by id
