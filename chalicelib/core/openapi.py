"""The OpenAPI 3.1 document, generated from the route registry's pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from chalicelib.core.pagination import MAX_CURSOR, MAX_LIMIT, MAX_PAGE
from chalicelib.core.routing import ENDPOINTS, EndpointSpec

API_PREFIX = "/api/v1"
_REF = "#/components/schemas/{model}"
_ERRORS = {
    "400": "BAD_REQUEST",
    "401": "UNAUTHORIZED",
    "403": "FORBIDDEN",
    "404": "NOT_FOUND",
    "409": "CONFLICT",
    "422": "VALIDATION_ERROR",
    "429": "TOO_MANY_REQUESTS",
    "500": "INTERNAL_ERROR",
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
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
        },
    },
}
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


def _operation_id(spec: EndpointSpec) -> str:
    return spec.method.lower() + "_" + re.sub(r"\W+", "_", spec.path).strip("_")


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
    if not spec.public:
        op["security"] = [{"bearer": []}]
        op["parameters"].append(
            {
                "name": "X-Tenant-Id",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "format": "uuid"},
            }
        )
        op["x-permission"] = spec.permission
    if spec.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": _schema(spec.body, components, "validation")}
            },
        }
    if spec.content_type != "application/json":
        ok = {
            "description": "OK",
            "content": {spec.content_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    else:
        data = _schema(spec.response, components) if spec.response else {}
        ok = {
            "description": "OK",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["ok", "data"],
                        "properties": {"ok": {"const": True}, "data": data},
                    }
                }
            },
        }
    responses = {str(spec.status): ok}
    for status, code in _ERRORS.items():
        responses[status] = {
            "description": code,
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model="ErrorEnvelope")}}
            },
        }
    op["responses"] = responses
    return op


def build_document() -> dict[str, Any]:
    components: dict[str, Any] = {"ErrorEnvelope": _ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for spec in sorted(ENDPOINTS, key=lambda s: (s.path, s.method)):
        paths.setdefault(API_PREFIX + spec.path, {})[spec.method.lower()] = _operation(
            spec, components
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TradeKitt API",
            "version": "1.0.0",
            "description": (
                "Field-service back office: sales and commissions to the cent, dispatch, "
                "invoicing, inventory, time and analytics. Envelope: {ok, data} / "
                "{ok: false, error: {code, message}}. Money in integer cents, rates in basis "
                "points. Lists take page (>=1) and limit (1-200)."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
