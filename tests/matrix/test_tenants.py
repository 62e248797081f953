"""Tenant isolation, generated from the route table: every authenticated route called
with another tenant's valid token (as every role of that tenant the route serves).

- A route with path ids, on the owner's ids: a read is 404 ``NOT_FOUND``, a write 403/404;
  the answer holds none of the owner's data; the same call as the owner (same role) is
  served, so the ids name something that exists.
- A route without ids: a list shows none of what the owner's list shows; a write acts in
  the caller's own tenant.
- Every route: the owner's tenant is unchanged (every table item, every export file), and
  the other tenant's token with the owner's ``X-Tenant-Id`` is 403 ``FORBIDDEN`` (once per
  route and batch: the tenant check does not depend on the role).
"""

from __future__ import annotations

import pytest

from tests.matrix.fixtures import (
    allowed_roles,
    fixture_of,
    is_read,
    matrix_routes,
    placeholders,
    route_id,
    specs,
    url,
)
from tests.matrix.world import state_changes, tenant_state

ROUTE_PARAMS = [pytest.param(route, id=route_id(route)) for route in matrix_routes()]


def _leaks(raw: bytes, secrets: list[str]) -> list[str]:
    text = raw.decode("utf-8", errors="replace").lower()
    return [s for s in secrets if s.lower() in text]


@pytest.mark.parametrize("route", ROUTE_PARAMS)
def test_another_tenant_reaches_nothing(world, route):
    spec = specs().get(route)
    assert spec is not None, f"{route_id(route)} is not registered: run `make routes`"
    fixture = fixture_of(route)
    method = route[0]
    owner = world.owner
    secrets = world.marks + (fixture.shows(world) if fixture.shows else [])
    served = allowed_roles(spec)
    # a call that consumes its resource gets one of its own, role by role
    for batch in [[r] for r in served] if fixture.fresh else [served]:
        calls = []
        for role in batch:
            path = url(route, fixture.params_for(world, role))
            foreign = url(route, fixture.intruder(world, role)) if fixture.intruder else path
            calls.append((role, path, foreign, fixture.body(world) if fixture.body else None))

        before = tenant_state(owner.tenant_id)
        replies = [world.call(method, f, b, world.other.accounts[r]) for r, _, f, b in calls]
        role, path, _, body = calls[0]
        # the tenant comes from the token alone, whatever the role: one spoofed call a route
        spoofed = world.call(
            method, path, body, world.other.accounts[role], {"X-Tenant-Id": owner.tenant_id}
        )
        changed = state_changes(before, tenant_state(owner.tenant_id))
        assert not changed, f"{route_id(route)} by the other tenant changed the owner's: {changed}"

        where = f"{method} {path} as the other tenant's {role} with the owner's X-Tenant-Id"
        assert spoofed.status == 403, (where, spoofed.raw)
        assert spoofed.error["code"] == "FORBIDDEN"
        assert not _leaks(spoofed.raw, secrets), (where, _leaks(spoofed.raw, secrets))
        for (role, path, foreign, body), reply in zip(calls, replies, strict=True):
            where = f"{method} {foreign} as the other tenant's {role}"
            assert not _leaks(reply.raw, secrets), (where, _leaks(reply.raw, secrets))
            assert reply.status < 500, (where, reply.status, reply.raw)
            _check(world, route, spec, fixture, role, path, body, reply, where)


def _check(world, route, spec, fixture, role, path, body, reply, where) -> None:
    method = route[0]
    mine = world.call(method, path, body, world.owner.accounts[role])
    assert mine.status == spec.status, (f"{method} {path} as the owner's {role}", mine.raw)
    if placeholders(route[1]):
        if is_read(route):
            assert reply.status == 404, (where, reply.status, reply.raw)
            assert reply.error["code"] == "NOT_FOUND", (where, reply.raw)
        else:
            assert reply.status in (403, 404), (where, reply.status, reply.raw)
            assert reply.json["ok"] is False
    elif is_read(route):
        assert reply.status == spec.status, (where, reply.status, reply.raw)
        shown = fixture.shows(world)
        assert _leaks(mine.raw, shown), (
            f"the owner's {method} {path} shows none of {shown}: the check of the other "
            "tenant's answer would prove nothing; fix `shows` in tests/matrix/fixtures.py"
        )
