"""The role matrix, generated from the route table and chalicelib/core/roles.py: every
authenticated route called as each role (on the owner's own resources, those of the
technician login for the technician role) is 403 ``FORBIDDEN`` exactly where
``roles.can([role], permission)`` is False, and answers the route's success status
everywhere else, except for the (route, role) pairs in ``REFUSED``, which a handler refuses
by design and which must answer 403."""

from __future__ import annotations

import pytest

from chalicelib.core import roles
from tests.matrix.fixtures import REFUSED, fixture_of, matrix_routes, route_id, specs, url

PARAMS = [
    pytest.param(route, role, id=f"{route_id(route)} as {role}")
    for route in matrix_routes()
    for role in roles.ROLES
]


@pytest.mark.parametrize(("route", "role"), PARAMS)
def test_role_is_refused_exactly_where_the_role_table_says(world, route, role):
    spec = specs().get(route)
    assert spec is not None, f"{route_id(route)} is not registered: run `make routes`"
    assert spec.permission is not None
    fixture = fixture_of(route)
    method = route[0]
    denied = not roles.can([role], spec.permission)
    if denied and fixture.fresh:
        # a refused call consumes nothing: the refused roles share one resource per route
        if route not in world.cache:
            world.cache[route] = fixture.params(world)
        params = world.cache[route]
    else:
        params = fixture.params_for(world, role)
    path = url(route, params)
    body = fixture.body(world) if fixture.body else None
    reply = world.call(method, path, body, world.owner.accounts[role])
    where = f"{method} {path} as {role} (permission {spec.permission})"

    refused = REFUSED.get(route, {})
    if denied:
        assert reply.status == 403, (where, "the role table refuses it", reply.status, reply.raw)
        assert reply.error["code"] == "FORBIDDEN"
    elif role in refused:
        assert reply.status == 403, (
            f"{where}: listed in REFUSED ({refused[role]}) but answered {reply.status}; "
            "remove the entry from tests/matrix/fixtures.py if the role is now served",
            reply.raw,
        )
        assert reply.error["code"] == "FORBIDDEN"
    else:
        assert reply.status == spec.status, (where, "the role table allows it", reply.raw)
