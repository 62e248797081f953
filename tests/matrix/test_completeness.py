"""Every route the app serves is in both matrices: a route with no entry in
tests/matrix/fixtures.py, or an entry for a route that no longer exists, fails here and says
what to do. (The matrices are parametrized over the same routes, so a new route's matrix
tests fail too until its entry is written.)"""

from __future__ import annotations

from chalicelib.core import roles
from tests.matrix.fixtures import (
    FIXTURES,
    PUBLIC,
    REFUSED,
    all_routes,
    placeholders,
    route_id,
    specs,
    table_routes,
)

HOW = (
    "add it to FIXTURES in tests/matrix/fixtures.py: params (the owner's resources its path "
    "ids name) and, for a route that takes one, a valid body; a public route goes into PUBLIC"
)


def test_every_route_has_an_entry():
    served = set(all_routes())
    missing = sorted(route_id(r) for r in served - FIXTURES.keys() - PUBLIC)
    assert not missing, f"routes in no matrix: {missing}; {HOW}"


def test_every_entry_names_a_route_that_exists():
    known = set(specs())
    gone = sorted(route_id(r) for r in (FIXTURES.keys() | PUBLIC | REFUSED.keys()) - known)
    assert not gone, (
        f"tests/matrix/fixtures.py names routes the app no longer has: {gone}; remove them "
        "(or run `make routes` if the route table is stale)"
    )
    in_table = table_routes()
    stale = sorted(route_id(r) for r in known - in_table)
    assert not stale, (
        f"routes missing from chalicelib/core/route_table.py: {stale}; run `make routes`"
    )


def test_public_routes_are_the_public_endpoints():
    public = {route for route, spec in specs().items() if spec.public}
    assert PUBLIC == public, (
        "PUBLIC in tests/matrix/fixtures.py must list exactly the routes registered with "
        f"public=True: add {sorted(public - PUBLIC)}, remove {sorted(PUBLIC - public)}"
    )
    assert not PUBLIC & FIXTURES.keys(), "a public route needs no FIXTURES entry"


def test_every_entry_gives_a_body_exactly_where_the_route_takes_one():
    wrong = []
    for route, spec in specs().items():
        fixture = FIXTURES.get(route)
        if fixture is not None and (fixture.body is None) != (spec.body is None):
            wrong.append(f"{route_id(route)} (takes a body: {spec.body is not None})")
    assert not wrong, f"FIXTURES bodies do not match the routes: {wrong}"


def test_routes_without_path_ids_say_what_the_owner_shows():
    """A list (a read without ids) must name what only the owner's answer holds, so the
    other tenant's answer is checked for it; routes with ids are checked by status."""
    wrong = []
    for route, fixture in FIXTURES.items():
        is_list = route[0] == "GET" and not placeholders(route[1])
        if is_list != (fixture.shows is not None):
            wrong.append(route_id(route))
    assert not wrong, f"`shows` must be given for exactly the reads without path ids: {wrong}"


def test_refusals_are_of_roles_the_role_table_allows():
    """REFUSED lists only what the role table alone would let through (else the entry says
    nothing the table does not), and leaves each route at least one role that is served."""
    every = specs()
    for route, refused in REFUSED.items():
        spec = every[route]
        assert spec.permission is not None
        for role in refused:
            assert role in roles.ROLES and roles.can([role], spec.permission), (route, role)
        served = [r for r in roles.ROLES if roles.can([r], spec.permission) and r not in refused]
        assert served, f"{route_id(route)}: no role is served"


def test_the_matrices_cover_every_route_and_role():
    from tests.matrix import test_roles, test_tenants

    routes = set(all_routes())
    assert {tuple(p.values[0]) for p in test_tenants.ROUTE_PARAMS} == routes - PUBLIC
    assert {(tuple(p.values[0]), p.values[1]) for p in test_roles.PARAMS} == {
        (r, role) for r in routes - PUBLIC for role in roles.ROLES
    }
