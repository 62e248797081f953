"""The OpenAPI 3.1 document, generated from the route registry's pydantic models."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from chalicelib.core.pagination import MAX_CURSOR, MAX_LIMIT, MAX_PAGE
from chalicelib.core.routing import ENDPOINTS, EndpointSpec

API_PREFIX = "/api/v1"
_REF = "#/components/schemas/{model}"
# Every error status the API answers, with the envelope's code (``core.errors``).
ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["ok", "error"],
    "properties": {
        "ok": {"const": False},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": sorted(set(ERROR_CODES.values()))},
                "message": {"type": "string"},
                "details": {},
            },
        },
    },
    "example": {"ok": False, "error": {"code": "NOT_FOUND", "message": "sale 42 not found"}},
}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "the access_token of /auth/login or /auth/refresh (15 minutes)",
    },
    "tenant": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Tenant-Id",
        "description": "the tenant UUID (/tenants/resolve/{code}); must be the token's tenant",
    },
}


SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "event": {"type": "string"},
        "data": {"type": "string", "description": "JSON"},
        "retry": {"type": "integer"},
    },
}


def statuses(spec: EndpointSpec) -> list[int]:
    """The error statuses a route can answer: every route 400 (bad query, bounds), 404, 413
    (a body past 1 MiB, whatever the method), 429 (rate limits) and 500; an authenticated
    one 401 and 403; one with a body, a query model, a text path parameter, or a write
    422; a write 409; plus the route's own ``errors``."""
    found = {400, 404, 413, 429, 500, *spec.errors}
    if not spec.public or spec.rate == "auth" or spec.audience == "customer":
        found.add(401)
    if not spec.public:
        found.add(403)
    if spec.body is not None:
        found.add(422)
    if spec.query is not None or any(f"{{{name}}}" in spec.path for name in TEXT_PATH_PARAMS):
        found.add(422)  # a query model, or a text path parameter (a category name)
    if spec.method != "GET":
        found |= {409, 422}
    return sorted(found)


_PAGE_PARAMS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50},
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "a previous page's next_cursor (wins over page)",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR},
    },
]
# Path ids are integers (``ApiRequest.int_param``) but for these, which are text.
TEXT_PATH_PARAMS: dict[str, dict[str, Any]] = {
    "code": {"type": "string"},
    "category": {"type": "string", "minLength": 1, "maxLength": 100},
    "role": {"type": "string"},
    "delivery_id": {"type": "string"},
}


def _schema(
    model: type[BaseModel], components: dict[str, Any], mode: str = "serialization"
) -> dict[str, Any]:
    """Put the model's JSON schema (``validation`` for inputs) in ``components``; a $ref."""
    schema = model.model_json_schema(ref_template=_REF, mode=mode)
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _id_schema() -> dict[str, Any]:
    from chalicelib.core.schemas import MAX_ID  # pydantic models: not at import time

    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _query_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's own type (integer, boolean, date, enum...): an optional field's
    ``null`` branch means "absent", which a query string says by leaving it out."""
    branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    schema = dict(branches[0]) if len(branches) == 1 else {"anyOf": branches}
    for key in ("title", "description", "default"):
        schema.pop(key, None)
    return schema or {"type": "string"}


def _operation_id_of(method: str, path: str) -> str:
    return method.lower() + "_" + re.sub(r"\W+", "_", path).strip("_")


def _operation_id(spec: EndpointSpec) -> str:
    return _operation_id_of(spec.method, spec.path)


def _operation(spec: EndpointSpec, components: dict[str, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": dict(TEXT_PATH_PARAMS.get(name) or _id_schema()),
        }
        for name in re.findall(r"{(\w+)}", spec.path)
    ]
    if spec.query is not None:
        properties = spec.query.model_json_schema(mode="validation").get("properties", {})
        for name, info in spec.query.model_fields.items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": info.is_required(),
                    "description": info.description or "",
                    "schema": _query_schema(properties.get(name, {})),
                }
            )
    if spec.paginated:
        params.extend(_PAGE_PARAMS)
    op: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "description": (spec.description or "").strip(),
        "operationId": _operation_id(spec),
        "parameters": params,
    }
    if spec.public:
        op["security"] = []  # no staff token (a customer route takes a customer one)
        if spec.audience == "customer":
            op["x-audience"] = "customer"
            op["description"] = (
                "Needs `Authorization: Bearer <customer access_token>` (POST "
                "/customer/login); staff tokens are 401. " + op["description"]
            ).strip()
        if spec.tenant_header:
            op["parameters"].append(
                {
                    "name": "X-Tenant-Id",
                    "in": "header",
                    "required": spec.tenant_header == "required",
                    "description": "the tenant UUID (/tenants/resolve/{code})",
                    "schema": {"type": "string", "format": "uuid"},
                }
            )
    else:
        op["security"] = [{"bearer": [], "tenant": []}]
        op["x-permission"] = spec.permission
    if spec.body is not None:
        media: dict[str, Any] = {"schema": _schema(spec.body, components, "validation")}
        media.update(_example_of(spec.body))
        op["requestBody"] = {"required": True, "content": {"application/json": media}}
        for raw_type in spec.raw_types:  # a body the handler reads itself (a CSV file)
            op["requestBody"]["content"][raw_type] = {"schema": {"type": "string"}}
    if spec.content_type == "text/event-stream":  # the schema of each event (OpenAPI 3.2)
        ok = {
            "description": "OK: server-sent events, then the response ends",
            "content": {spec.content_type: {"itemSchema": SSE_EVENT, "schema": SSE_EVENT}},
        }
    elif spec.content_type != "application/json":
        ok = {
            "description": "OK",
            "content": {spec.content_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    else:
        data = _schema(spec.response, components) if spec.response else {}
        media = {
            "schema": {
                "type": "object",
                "required": ["ok", "data"],
                "properties": {"ok": {"const": True}, "data": data},
            }
        }
        if spec.response is not None:
            example = _example_of(spec.response)
            if example:
                media["example"] = {"ok": True, "data": example["example"]}
        ok = {"description": "OK", "content": {"application/json": media}}
    op["responses"] = {str(spec.status): ok, **_error_responses(statuses(spec))}
    for code in spec.also_ok:
        op["responses"][str(code)] = ok
    return op


def _example_of(model: type[BaseModel]) -> dict[str, Any]:
    """``{"example": ...}`` from the model's first ``examples`` (the API reference's)."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return {"example": examples[0]} if examples else {}


def _error_responses(codes: list[int]) -> dict[str, Any]:
    return {
        str(status): {
            "description": ERROR_CODES[status],
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model="ErrorEnvelope")}}
            },
        }
        for status in codes
    }


@dataclass(frozen=True)
class PlainRoute:
    """A route of the app's own (not a feature's ``endpoint``): the document itself, the
    docs page and its assets."""

    method: str
    path: str  # full path, e.g. /api/openapi.json
    summary: str
    content_types: tuple[str, ...]
    statuses: tuple[int, ...] = ()
    text_params: tuple[str, ...] = ()


PLAIN_ROUTES: list[PlainRoute] = []


def plain_route(
    method: str,
    path: str,
    summary: str,
    content_types: tuple[str, ...],
    statuses: tuple[int, ...] = (),
) -> None:
    """Document a route that ``app.py`` registers directly (every registered route is in
    the document: ``tests/core/test_openapi_and_infra.py``). ``statuses``: what it may
    answer besides 200 (304, 404...)."""
    route = PlainRoute(
        method,
        path,
        summary,
        content_types,
        tuple(statuses),
        tuple(re.findall(r"{(\w+)}", path)),
    )
    if route not in PLAIN_ROUTES:
        PLAIN_ROUTES.append(route)


def _plain_operation(route: PlainRoute) -> dict[str, Any]:
    content = {
        media: {"schema": {"type": "object"} if "json" in media else {"type": "string"}}
        for media in route.content_types
    }
    responses: dict[str, Any] = {"200": {"description": "OK", "content": content}}
    if 304 in route.statuses:
        responses["304"] = {"description": "Not Modified (If-None-Match matched the ETag)"}
    errors = sorted({413, 429, 500, *(s for s in route.statuses if s >= 400)})
    return {
        "summary": route.summary,
        "tags": ["docs"],
        "operationId": _operation_id_of(route.method, route.path),
        "security": [],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in route.text_params
        ],
        "responses": {**responses, **_error_responses(errors)},
    }


def server_url(request_context: dict[str, Any] | None, route_path: str) -> str:
    """The URL prefix the document's paths are served under, for ``servers``.

    Behind API Gateway the caller's path (``requestContext.path``) carries what comes
    before the route: the stage (``/api`` on the execute-api host) or a custom domain's
    base path, so the prefix is that path less ``route_path``; failing that, the stage
    (``requestContext.stage``). Locally (``chalice local``, the test client) both are
    absent and the prefix is ``/``."""
    context = request_context or {}
    path, stage = context.get("path"), context.get("stage")
    if isinstance(path, str) and path.endswith(route_path):
        prefix = path[: len(path) - len(route_path)].rstrip("/")
        if not prefix or re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", prefix):
            return prefix or "/"
    if isinstance(stage, str) and re.fullmatch(r"[A-Za-z0-9_-]+", stage):
        return f"/{stage}"
    return "/"


def build_document(server: str = "/") -> dict[str, Any]:
    """The document; ``server`` is the URL prefix its paths are served under
    (``server_url``: ``/`` locally, the API Gateway stage on AWS)."""
    components: dict[str, Any] = {"ErrorEnvelope": _ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for spec in sorted(ENDPOINTS, key=lambda s: (s.path, s.method)):
        paths.setdefault(API_PREFIX + spec.path, {})[spec.method.lower()] = _operation(
            spec, components
        )
    for route in PLAIN_ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _plain_operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TradeKitt API",
            "version": "1.0.0",
            "description": (
                "Field-service back office: sales and commissions to the cent, dispatch, "
                "invoicing, inventory, time and analytics. Envelope: {ok, data} / "
                "{ok: false, error: {code, message}}. Money in integer cents, rates in basis "
                "points. Lists take page (>=1) and limit (1-200), or cursor (a page's "
                "next_cursor)."
            ),
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
