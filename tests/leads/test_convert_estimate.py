"""Converting a lead to an estimate through the API (moto): the estimate for the new
customer, a refused estimate leaves the lead ready for a corrected retry, and a retry
after the estimate was made but not recorded adopts it (no second estimate)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.leads.test_api import LEAD, PATH, _qualified

FUTURE = (date.today() + timedelta(days=30)).isoformat()
BODY = {
    "create": "estimate",
    "line_items": [{"description": "Water heater", "amount_cents": 120000, "quantity": 1}],
    "valid_until": FUTURE,
    "tax_bps": 825,
}


def test_convert_to_an_estimate(api, owner):
    lead = _qualified(api, owner)["id"]
    reply = api.post(f"{PATH}/{lead}/convert", BODY, as_=owner)
    assert reply.status == 201, reply.raw
    got = reply.data
    estimate, customer = got["estimate"], got["customer"]
    assert customer["email"] == LEAD["email"] and estimate["customer_id"] == customer["id"]
    assert estimate["total_cents"] == 120000 + 9900 and estimate["status"] == "draft"
    assert estimate["notes"] == LEAD["description"]
    assert got["lead"]["estimate_id"] == estimate["id"] and got["lead"]["job_id"] is None
    assert "job" not in got or got["job"] is None
    assert api.get(f"/admin/estimates/{estimate['id']}", as_=owner).data["id"] == estimate["id"]
    assert api.post(f"{PATH}/{lead}/convert", BODY, as_=owner).status == 409
    assert api.post(f"{PATH}/{lead}/convert", {"create": "job"}, as_=owner).status == 409


def test_a_refused_estimate_can_be_corrected_at_once(api, owner):
    lead = _qualified(api, owner)["id"]
    past = {**BODY, "valid_until": (date.today() - timedelta(days=1)).isoformat()}
    reply = api.post(f"{PATH}/{lead}/convert", past, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "valid_until"
    reply = api.post(f"{PATH}/{lead}/convert", BODY, as_=owner)  # no lease left to wait for
    assert reply.status == 201, reply.raw
    assert api.get("/admin/estimates", as_=owner).data["total"] == 1
    assert api.get("/admin/customers", as_=owner).data["total"] == 1


def test_a_retry_adopts_the_estimate_a_failed_attempt_made(api, owner, monkeypatch):
    from chalicelib.core import clock
    from chalicelib.leads import service

    lead = _qualified(api, owner)["id"]
    real = service._record

    def lost(*args, **kwargs):
        raise RuntimeError("the request died before recording the estimate")

    monkeypatch.setattr(service, "_record", lost)
    assert api.post(f"{PATH}/{lead}/convert", BODY, as_=owner).status == 500
    assert api.get("/admin/estimates", as_=owner).data["total"] == 1
    monkeypatch.setattr(service, "_record", real)
    # the dead request's lease holds off a retry until it runs out
    assert api.post(f"{PATH}/{lead}/convert", BODY, as_=owner).status == 409
    later = clock.time() + service.LEASE_S + 1
    monkeypatch.setattr(clock, "time", lambda: later)
    got = api.post(f"{PATH}/{lead}/convert", BODY, as_=owner).data
    assert api.get("/admin/estimates", as_=owner).data["total"] == 1  # adopted, not remade
    assert got["lead"]["estimate_id"] == got["estimate"]["id"] == 1
    assert api.get("/admin/customers", as_=owner).data["total"] == 1
