"""Rate limits from the seed's table, counted in DynamoDB (shared by every instance)."""

from __future__ import annotations

import pytest
from chalice.test import Client

import app as app_module
from infra.local.gateway import install_on_test_client
from tests.conftest import ROOT
from tests.support.api import Api


@pytest.fixture(autouse=True)
def fixed_window(monkeypatch):
    """Pin the clock inside one 60-second window so a test never straddles two."""
    monkeypatch.setattr("chalicelib.core.clock.time", lambda: 1_900_000_030.0)


def test_auth_endpoints_limit(api, owner, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_AUTH", "5")
    # A window the owner's registration did not use.
    monkeypatch.setattr("chalicelib.core.clock.time", lambda: 1_900_000_090.0)
    replies = [
        api.post(
            "/auth/login",
            {"username": "x", "password": "yyyyyyyyyy"},
            headers={"X-Tenant-Id": owner.tenant_id},
        )
        for _ in range(6)
    ]
    assert [r.status for r in replies[:5]] == [401] * 5
    assert replies[5].status == 429
    assert replies[5].error["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(replies[5].headers["retry-after"]) <= 60
    # Non-auth routes are not counted against the auth limit.
    assert api.get("/auth/me", as_=owner).status == 200


def test_per_ip_limit_is_shared_by_every_instance(api, aws, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_IP", "4")
    with Client(app_module.app, stage_name="test", project_dir=str(ROOT)) as second:
        other_instance = Api(install_on_test_client(second))
        statuses = [api.get("/health").status for _ in range(2)]
        statuses += [other_instance.get("/health").status for _ in range(2)]
        assert statuses == [200] * 4
        assert other_instance.get("/health").status == 429
        assert api.get("/health").status == 429


def test_per_tenant_limit(api, owner, other, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_TENANT", "3")
    assert [api.get("/auth/me", as_=owner).status for _ in range(3)] == [200] * 3
    blocked = api.get("/auth/me", as_=owner)
    assert blocked.status == 429 and "tenant" in blocked.error["message"]
    assert api.get("/auth/me", as_=other).status == 200  # other tenants unaffected


def test_zero_disables_a_limit(api, aws, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_IP", "0")
    assert all(api.get("/health").status == 200 for _ in range(5))
