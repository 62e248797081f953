"""Bad-input nets over every route (issue 11), generated from the route registry so that a
route added later is swept the day it is added:

- every body-taking route of ``routing.ENDPOINTS`` gets NUL (escaped and raw), unpaired
  surrogates, invalid UTF-8, numbers past 2**53 - 1 and deep nesting, in its own fields
  and elsewhere: 400 ``BAD_REQUEST`` or 422 ``VALIDATION_ERROR`` in the envelope, never a
  500 and never a success;
- every route the app registers (the docs and the OpenAPI document included) answers a
  body over 1 MiB with 413 ``PAYLOAD_TOO_LARGE`` before it checks credentials;
- a query value with NUL is 400 on every route that reads a query.

Over real HTTP: tests/e2e/test_bad_input_e2e.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib.core import registry, routing
from chalicelib.core.wire import MAX_BODY_BYTES, MAX_SAFE_INTEGER

registry.load_all()
BODY_ROUTES = sorted(
    (spec for spec in routing.ENDPOINTS if spec.body is not None), key=lambda s: (s.path, s.method)
)
QUERY_ROUTES = sorted(
    (spec for spec in routing.ENDPOINTS if spec.query is not None or spec.paginated),
    key=lambda s: (s.path, s.method),
)


def _url(path: str) -> str:
    """A concrete URL for a route path (every path parameter is ``1``)."""
    return "/api/v1" + re.sub(r"\{[^}]+\}", "1", path)


def _fields(spec: routing.EndpointSpec) -> list[str]:
    return list(spec.body.model_fields) or ["anything"]  # type: ignore[union-attr]


def _every_field(spec: routing.EndpointSpec, value: Any) -> bytes:
    """A body giving each of the route's own fields ``value`` (escaped by json.dumps)."""
    return json.dumps({name: value for name in _fields(spec)}).encode()


def _payloads(spec: routing.EndpointSpec) -> list[tuple[str, bytes, int, str]]:
    """(name, body, status, code) of each hostile body for ``spec``."""
    first = _fields(spec)[0]
    deep = "[" * 40 + "]" * 40
    return [
        ("NUL escaped in every field", _every_field(spec, "a\u0000b"), 422, "VALIDATION_ERROR"),
        (
            "NUL escaped, nested",
            _every_field(spec, {"x": ["ok", "\u0000"]}),
            422,
            "VALIDATION_ERROR",
        ),
        ("NUL escaped in a key", json.dumps({"a\u0000": 1}).encode(), 422, "VALIDATION_ERROR"),
        ("NUL raw in a string", f'{{"{first}": "a\x00b"}}'.encode(), 400, "BAD_REQUEST"),
        ("NUL raw outside strings", f'{{"{first}": 1\x00}}'.encode(), 400, "BAD_REQUEST"),
        ("unpaired surrogate", f'{{"{first}": "a\\ud800b"}}'.encode(), 422, "VALIDATION_ERROR"),
        ("unpaired low surrogate", f'{{"{first}": "\\udfff"}}'.encode(), 422, "VALIDATION_ERROR"),
        ("invalid UTF-8", f'{{"{first}": "'.encode() + b'\xff\xfe"}', 400, "BAD_REQUEST"),
        ("overlong UTF-8", f'{{"{first}": "'.encode() + b'\xc0\xaf"}', 400, "BAD_REQUEST"),
        (
            "UTF-8 surrogate bytes",
            f'{{"{first}": "'.encode() + b'\xed\xa0\x80"}',
            400,
            "BAD_REQUEST",
        ),
        ("truncated UTF-8", f'{{"{first}": "'.encode() + b'\xe2\x82"}', 400, "BAD_REQUEST"),
        ("2**53 in every field", _every_field(spec, 2**53), 422, "VALIDATION_ERROR"),
        ("-(2**53) in every field", _every_field(spec, -(2**53)), 422, "VALIDATION_ERROR"),
        ("2**63 in every field", _every_field(spec, 2**63), 422, "VALIDATION_ERROR"),
        ("2**53 nested", _every_field(spec, [{"n": 2**53}]), 422, "VALIDATION_ERROR"),
        ("1e300 in every field", _every_field(spec, 1e300), 422, "VALIDATION_ERROR"),
        ("1e400 (infinite)", f'{{"{first}": 1e400}}'.encode(), 422, "VALIDATION_ERROR"),
        ("31-digit integer", f'{{"{first}": {"9" * 31}}}'.encode(), 400, "BAD_REQUEST"),
        ("nesting 40 deep", f'{{"{first}": {deep}}}'.encode(), 400, "BAD_REQUEST"),
        ("nesting 100,000 deep", b"[" * 100_000 + b"]" * 100_000, 400, "BAD_REQUEST"),
        ("unclosed nesting", b'{"a": ' + b"{" * 50_000, 400, "BAD_REQUEST"),
        ("not an object", b'["a"]', 400, "BAD_REQUEST"),
        ("BOM", b'\xef\xbb\xbf{"a": 1}', 400, "BAD_REQUEST"),
    ]


def _problem(reply, status: int, code: str) -> str | None:
    """Why ``reply`` is not the expected error envelope (None when it is)."""
    if reply.status != status:
        return f"status {reply.status}, expected {status}: {reply.raw[:300]!r}"
    body = reply.json
    if body.get("ok") is not False or body["error"]["code"] != code:
        return f"expected {code}: {reply.raw[:300]!r}"
    if len(reply.raw) > 2000:
        return "the error echoes too much"
    return None


def _fine(spec: routing.EndpointSpec) -> list[bytes]:
    """Bodies at the limits, which the nets must let through: the largest safe integers,
    32 levels, paired surrogates (an emoji) and a body of exactly 1 MiB."""
    first = _fields(spec)[0]
    return [
        _every_field(spec, MAX_SAFE_INTEGER),
        _every_field(spec, -MAX_SAFE_INTEGER),
        _every_field(spec, "\U0001f527 caf\u00e9"),
        f'{{"{first}": {"[" * 31 + "]" * 31}}}'.encode(),
        b"{}" + b" " * (MAX_BODY_BYTES - 2),
    ]


WIRE_MESSAGES = ("NUL", "surrogate", "between -9007199254740991", "nests deeper", "UTF-8")


@pytest.mark.parametrize("spec", BODY_ROUTES, ids=lambda s: f"{s.method} {s.path}")
def test_every_body_route_refuses_hostile_bodies(api, owner, spec):
    failures = []
    for name, body, status, code in _payloads(spec):
        reply = api.call(spec.method, _url(spec.path), raw=body, as_=owner)
        problem = _problem(reply, status, code)
        if problem:
            failures.append(f"{name}: {problem}")
        elif status == 422:  # the field is named (a key escaped)
            assert "\x00" not in reply.error["details"][0]["field"]
    # What the nets must let through meets the route's own validation (or succeeds).
    for body in _fine(spec):
        reply = api.call(spec.method, _url(spec.path), raw=body, as_=owner)
        if reply.status >= 500 or reply.status == 413:
            failures.append(f"within the limits {body[:60]!r}: {reply.status} {reply.raw[:300]!r}")
        elif reply.status in (400, 422) and any(
            text in reply.error["message"] for text in WIRE_MESSAGES
        ):
            failures.append(f"within the limits {body[:60]!r}: {reply.raw[:300]!r}")
    assert not failures, f"{spec.method} {spec.path}:\n" + "\n".join(failures)


def test_every_route_refuses_bodies_over_1_mib(api, owner):
    """Every route the app registers, before credentials (none are sent) or parsing."""
    import app as app_module

    too_large = b'{"name": "' + b"a" * MAX_BODY_BYTES + b'"}'
    routes = [
        (method, path)
        for path, entries in app_module.app.routes.items()
        for method in entries
        if method != "OPTIONS"
    ]
    assert len(routes) >= len(routing.ENDPOINTS) + 3  # + openapi.json and the docs
    failures = []
    for method, path in sorted(routes):
        url = re.sub(r"\{[^}]+\}", "1", path)
        reply = api.call(method, url, raw=too_large, headers={"Content-Type": "application/json"})
        problem = _problem(reply, 413, "PAYLOAD_TOO_LARGE")
        if problem:
            failures.append(f"{method} {path}: {problem}")
    assert not failures, "\n".join(failures)
    with_token = api.post("/sales", raw=too_large, as_=owner)
    assert _problem(with_token, 413, "PAYLOAD_TOO_LARGE") is None
    assert "1048576 bytes" in with_token.error["message"]


def test_query_values_with_nul_are_400(api, owner):
    failures = []
    for spec in QUERY_ROUTES:
        names = list(spec.query.model_fields) if spec.query else []
        for name in [*names, "page", "unknown"]:
            for value in ("a%00b", "%00"):
                url = f"{_url(spec.path)}?{name}={value}"
                problem = _problem(api.call(spec.method, url, as_=owner), 400, "BAD_REQUEST")
                if problem:
                    failures.append(f"{spec.method} {url}: {problem}")
    assert len(QUERY_ROUTES) >= 10
    assert not failures, "\n".join(failures)


def test_api_gateway_answers_its_own_limit_in_the_envelope():
    """Past API Gateway's 10 MB the gateway answers before the app: the same 413."""
    import yaml

    from tests.conftest import ROOT

    doc = yaml.safe_load((ROOT / "infra" / "api-gateway.yaml").read_text())
    (response,) = [
        r["Properties"]
        for r in doc["Resources"].values()
        if r.get("Properties", {}).get("ResponseType") == "REQUEST_TOO_LARGE"
    ]
    assert response["StatusCode"] == "413"
    body = json.loads(response["ResponseTemplates"]["application/json"])
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE" and body["ok"] is False
