"""Every answer a test sees is one the OpenAPI document lists for its route (issue 11).

``tests/support/api.py`` calls ``check`` on every reply, so the whole suite, not only the
contract test, proves that no route answers a status its operation does not document
(``chalicelib.core.openapi.statuses``): a handler that starts raising a new error status
fails the first test that meets it until the route names it in ``errors=``.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from chalicelib.core.openapi import API_PREFIX, statuses
from chalicelib.core.routing import ENDPOINTS, EndpointSpec


@functools.cache
def _matchers() -> list[tuple[re.Pattern[str], str, EndpointSpec]]:
    from chalicelib.core import registry

    registry.load_all()
    found = []
    for spec in ENDPOINTS:
        pattern = re.sub(r"\\{\w+\\}", "[^/]+", re.escape(API_PREFIX + spec.path))
        found.append((re.compile(pattern + "$"), spec.method, spec))
    # a literal segment wins over a parameter (/line-items/categories over /{item_id})
    found.sort(key=lambda m: m[2].path.count("{"))
    return found


def route_of(method: str, url: str) -> EndpointSpec | None:
    path = urlsplit(url).path
    for pattern, route_method, spec in _matchers():
        if route_method == method.upper() and pattern.match(path):
            return spec
    return None


def check(method: str, url: str, status: int) -> None:
    """Fail when ``status`` is not documented for the route ``method url`` names."""
    spec = route_of(method, url)
    if spec is None or status < 400 and status in (spec.status, 200):
        return
    if status not in statuses(spec):
        raise AssertionError(
            f"{method} {spec.path} answered {status}, which its OpenAPI operation does not "
            f"list ({statuses(spec)}): name it in the route's errors=(...)"
        )
