"""What a handler reads about its request, and how ``endpoint()`` parses it.

``ApiRequest`` carries the validated request; the helpers turn the raw query string and
JSON body into the route's pydantic models (400 on bad parameters or NUL in one; the
body's 413/400/422 come from ``core.wire``, then 422 ``VALIDATION_ERROR`` names each bad
field), accepting camelCase keys as well as snake_case.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from chalicelib.core.auth import CustomerPrincipal, Principal
from chalicelib.core.errors import BadRequest, NotFound, ValidationFailed
from chalicelib.core.pagination import PageRequest
from chalicelib.core.wire import parse_body, snake_keys, unsafe_text


@dataclass
class ApiRequest:
    """Everything a handler may read about the request, already validated."""

    principal: Principal | None
    body: Any
    query: Any
    params: dict[str, str]
    headers: Mapping[str, str]
    source_ip: str
    raw_query: dict[str, str]
    page: PageRequest | None = None
    lambda_context: Any = None
    raw_body: bytes | None = None  # a body of one of the route's ``raw_types``
    customer: CustomerPrincipal | None = None

    @property
    def user(self) -> Principal:
        """The authenticated caller (routes that are not public always have one)."""
        assert self.principal is not None
        return self.principal

    @property
    def tenant_id(self) -> str:
        return self.user.tenant_id

    @property
    def portal_user(self) -> CustomerPrincipal:
        """The customer-portal caller (routes of ``audience="customer"`` always have one)."""
        assert self.customer is not None
        return self.customer

    def int_param(self, name: str) -> int:
        """A numeric path id; anything else cannot name a resource, so 404."""
        raw = self.params.get(name, "")
        if not raw.isdigit() or int(raw) < 1 or len(raw) > 12:
            raise NotFound(f"{name} {raw!r} not found")
        return int(raw)

    def required_tenant(self) -> str:
        """The ``X-Tenant-Id`` a public route needs (login, password reset): 400 without it
        or when it is not a tenant UUID."""
        value = (self.headers.get("x-tenant-id") or "").strip()
        if not value:
            raise BadRequest("X-Tenant-Id header is required")
        try:
            uuid.UUID(value)
        except ValueError as exc:
            raise BadRequest("X-Tenant-Id must be a tenant UUID") from exc
        return value


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def validation_details(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": _field_path(err["loc"]), "message": err["msg"]} for err in exc.errors()]


def _message(details: list[dict[str, str]]) -> str:
    return "; ".join(f"{d['field']}: {d['message']}" for d in details)


def parse_json_body(raw: bytes | None, model: type[BaseModel]) -> BaseModel:
    data: Any = parse_body(raw)  # 413 past 1 MiB, 400 not UTF-8 or not JSON, 422 NUL...
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    try:
        return model.model_validate(snake_keys(data))
    except ValidationError as exc:
        details = validation_details(exc)
        raise ValidationFailed(_message(details), details=details) from exc


def media_type(headers: Mapping[str, str]) -> str:
    """The request's media type, lower-cased, without parameters (JSON when absent)."""
    value = headers.get("content-type") or "application/json"
    return value.split(";", 1)[0].strip().lower()


def check_query(raw: dict[str, str]) -> None:
    """400 for a query parameter (name or value) with NUL or an unpaired surrogate."""
    for name, value in raw.items():
        reason = unsafe_text(name) or unsafe_text(value)
        if reason:
            shown = name.encode("unicode_escape", "backslashreplace").decode("ascii")
            raise BadRequest(f"invalid query parameters: {shown}: {reason}")


def parse_query(raw: dict[str, str], model: type[BaseModel]) -> BaseModel:
    data = {k: v for k, v in raw.items() if k not in ("page", "limit")}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = validation_details(exc)
        raise BadRequest("invalid query parameters: " + _message(details), details=details) from exc


def with_query_token(request: Any) -> Mapping[str, str]:
    """The request's headers, with ``access_token`` from the query as the bearer token when
    no ``Authorization`` header came."""
    headers = request.headers
    token = (request.query_params or {}).get("access_token")
    if headers.get("authorization") or not token:
        return headers
    return {**{k.lower(): v for k, v in headers.items()}, "authorization": f"Bearer {token}"}
