"""The one route decorator every blueprint uses.

``endpoint()`` registers a Chalice route and wraps its handler so that, in order:

1. the per-IP rate limit is counted (and the auth-endpoint limit for ``rate="auth"``);
2. the bearer token is verified and ``X-Tenant-Id`` checked (unless ``public=True``),
   then the permission named by the route is checked against the caller's roles and the
   per-tenant rate limit is counted (a route of ``audience="customer"``, the customer
   portal's, takes no staff token: it verifies a customer token instead, after step 3);
3. the query string (400 on bad parameters, or NUL in one) and JSON body (413 past 1 MiB,
   400 on invalid UTF-8 or malformed or unbounded JSON, 422 ``VALIDATION_ERROR`` naming
   each bad field, NUL and numbers past 2**53 - 1 included; ``core.wire``) are parsed into
   the route's pydantic models (``core.request``), accepting camelCase keys as well as
   snake_case;
4. the handler runs with an ``ApiRequest``; its return value is validated by the response
   model and wrapped in ``{"ok": true, "data": ...}``;
5. any ``AppError`` becomes its envelope, and any other exception a 500 envelope that
   reveals nothing internal.

Each registration is recorded in ``ENDPOINTS`` so the OpenAPI document is generated from
the same models that validate requests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel

from chalicelib.core import logs
from chalicelib.core.auth import (
    CustomerPrincipal,
    Principal,
    authenticate,
    authenticate_customer,
    require,
)
from chalicelib.core.errors import AppError, DomainError, error_body, http_error, ok_body
from chalicelib.core.pagination import parse_page
from chalicelib.core.request import (
    ApiRequest,
    check_query,
    media_type,
    parse_json_body,
    parse_query,
    with_query_token,
)
from chalicelib.core.request import validation_details as validation_details  # re-exported
from chalicelib.core.wire import to_snake

log = logging.getLogger("tradekitt.api")
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class EndpointSpec:
    """What the OpenAPI generator needs to know about one route."""

    method: str
    path: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    permission: str | None
    public: bool
    status: int
    paginated: bool
    content_type: str
    description: str = ""
    module: str = ""
    rate: str | None = None
    # statuses the handler answers beyond what ``openapi.statuses`` derives from the rest
    errors: tuple[int, ...] = ()
    # a public route that reads X-Tenant-Id: "required" or "optional" ("" when it does not)
    tenant_header: str = ""
    # the bearer token may also come as the ``access_token`` query parameter (EventSource)
    query_token: bool = False
    # media types besides JSON the body may come in (``text/csv``): such a body is not
    # parsed; the handler reads ``ApiRequest.raw_body`` (a JSON body is parsed as usual)
    raw_types: tuple[str, ...] = ()
    # success statuses besides ``status``, with the same response model (an import of a
    # file imported before answers 200 where a new one is 201)
    also_ok: tuple[int, ...] = ()
    # whose tokens the route takes: "staff" (the default) or "customer" (portal accounts;
    # such a route is ``public`` as far as staff credentials go)
    audience: str = "staff"


# Rate-limit scopes the decorator counts.
IP, TENANT, AUTH = "ip", "tenant", "auth"
# Audiences: whose access tokens a route accepts.
STAFF, CUSTOMER = "staff", "customer"
RateLimiter = Callable[[str, str], None]
CallerLoader = Callable[[Principal], Any]
CustomerLoader = Callable[[CustomerPrincipal], Any]


@dataclass(frozen=True)
class EdgeHooks:
    """What the app plugs into the decorator (the HTTP edge knows no table):

    - ``rate_limiter(scope, subject)`` counts one request and raises ``TooManyRequests``
      when the scope's window is full;
    - ``load_caller(principal)`` returns the caller's stored account, or raises
      ``Unauthorized`` when it no longer exists or is inactive: one rule for every
      authenticated route, so a deactivated user's tokens stop working at once;
    - ``load_customer(customer)`` the same for a customer-portal caller (its portal
      account, and a session not ended).
    """

    rate_limiter: RateLimiter
    load_caller: CallerLoader
    load_customer: CustomerLoader | None = None


def configure(
    app: Any,
    *,
    rate_limiter: RateLimiter,
    load_caller: CallerLoader,
    load_customer: CustomerLoader | None = None,
) -> None:
    """Plug the platform's rate limiter and the accounts' (and the portal's) caller checks
    into ``app``."""
    app.tradekitt_edge = EdgeHooks(
        rate_limiter=rate_limiter, load_caller=load_caller, load_customer=load_customer
    )


def _edge(app: Any) -> EdgeHooks | None:
    return getattr(app, "tradekitt_edge", None)


ENDPOINTS: list[EndpointSpec] = []
# (METHOD, path) -> the wrapped view, for lazily registered routes (see api/registry.py).
VIEWS: dict[tuple[str, str], Callable[..., Any]] = {}
_bound_app: Any = None


def bind_app(app: Any) -> None:
    """The Chalice app whose ``current_request`` lazily loaded views read."""
    global _bound_app
    _bound_app = app


def _app_of(bp: Blueprint) -> Any:
    """The app serving ``bp``: its own when registered, else the bound one (lazy stubs)."""
    try:
        return bp.current_app
    except RuntimeError:
        return _bound_app


# ``ApiRequest`` (re-exported here) and the parsing of the query and body: core/request.py.
@dataclass
class Raw:
    """A non-JSON response (CSV, PDF, server-sent events) that bypasses the envelope."""

    body: bytes | str
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def _render(result: Any, response_model: type[BaseModel] | None, status: int) -> Response:
    if isinstance(result, Raw):
        return Response(
            body=result.body,
            status_code=result.status,
            headers={"Content-Type": result.content_type, **result.headers},
        )
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        data = result.model_dump(mode="json")
    elif response_model is not None and result is not None:
        data = response_model.model_validate(result).model_dump(mode="json")
    else:
        data = result
    return Response(body=ok_body(data), status_code=status, headers=dict(JSON_HEADERS))


def error_response(exc: AppError) -> Response:
    return Response(
        body=error_body(exc.code, exc.message, exc.details),
        status_code=exc.status,
        headers={**JSON_HEADERS, **exc.headers},
    )


def internal_error_response() -> Response:
    return Response(
        body=error_body("INTERNAL_ERROR", "an unexpected error occurred"),
        status_code=500,
        headers=dict(JSON_HEADERS),
    )


def endpoint(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    permission: str | None = None,
    public: bool = False,
    rate: str | None = None,
    status: int = 200,
    paginated: bool = False,
    content_type: str = "application/json",
    description: str = "",
    errors: tuple[int, ...] = (),
    tenant_header: str = "",
    query_token: bool = False,
    raw_types: tuple[str, ...] = (),
    also_ok: tuple[int, ...] = (),
    audience: str = STAFF,
) -> Callable[[Callable[[ApiRequest], Any]], Callable]:
    """Register ``handler(req: ApiRequest)`` on ``bp`` at ``path`` for ``method``.

    ``errors``: error statuses the handler itself answers that the OpenAPI document would
    not otherwise list for this route (``openapi.statuses``); ``tenant_header``: for a
    public route that reads ``X-Tenant-Id``, "required" or "optional"; ``query_token``:
    without an ``Authorization`` header the ``access_token`` query parameter is the bearer
    token (browsers' EventSource cannot set headers); ``audience="customer"``: the route
    takes a customer-portal access token (``ApiRequest.customer``) and refuses staff
    tokens (401), as staff routes refuse customer tokens; it names no permission, and its
    query and body are checked before the token."""
    if audience not in (STAFF, CUSTOMER):
        raise ValueError(f"{method} {path}: audience is 'staff' or 'customer'")
    if audience == CUSTOMER:
        if permission is not None or public:
            raise ValueError(f"{method} {path}: a customer route names no permission")
        public = True  # no staff credentials: the customer token is checked instead
    if not public and permission is None:
        raise ValueError(f"{method} {path}: a non-public route must name a permission")
    if tenant_header not in ("", "required", "optional"):
        raise ValueError(f"{method} {path}: tenant_header is 'required', 'optional' or ''")

    def decorator(handler: Callable[[ApiRequest], Any]) -> Callable:
        ENDPOINTS.append(
            EndpointSpec(
                method=method,
                path=path,
                summary=summary,
                tag=tag,
                body=body,
                query=query,
                response=response,
                permission=permission,
                public=public,
                status=status,
                paginated=paginated,
                content_type=content_type,
                description=description or (handler.__doc__ or ""),
                module=handler.__module__,
                rate=rate,
                errors=tuple(errors),
                tenant_header=tenant_header,
                query_token=query_token,
                raw_types=tuple(raw_types),
                also_ok=tuple(also_ok),
                audience=audience,
            )
        )

        def view(**params: str) -> Response:
            app = _app_of(bp)
            request = app.current_request
            context = getattr(request, "context", None) or {}
            lambda_context = getattr(app, "lambda_context", None)
            bound = logs.bind(
                request_id=context.get("requestId")
                or getattr(lambda_context, "aws_request_id", None),
                route=f"{method} {path}",
            )
            try:
                return _render(
                    _handle(
                        app.current_request,
                        getattr(app, "lambda_context", None),
                        params,
                        _edge(app),
                    ),
                    response,
                    status,
                )
            except AppError as exc:
                return error_response(exc)
            except DomainError as exc:
                return error_response(http_error(exc))
            except Exception:  # noqa: BLE001 - the envelope must hide internals
                log.exception("unhandled error in %s %s", method, path)
                return internal_error_response()
            finally:
                logs.reset(bound)

        def _handle(
            request: Any, lambda_context: Any, params: dict[str, str], edge: EdgeHooks | None
        ) -> Any:
            headers = request.headers
            source_ip = ((request.context or {}).get("identity") or {}).get("sourceIp", "")
            if edge is not None:
                edge.rate_limiter(IP, source_ip)
                if rate == AUTH:
                    edge.rate_limiter(AUTH, source_ip)
            principal = None
            if not public:
                principal = authenticate(with_query_token(request) if query_token else headers)
                logs.bind(tenant_id=principal.tenant_id)  # reset with the request's fields
                require(principal, permission)  # type: ignore[arg-type]
                if edge is not None:
                    principal = replace(principal, account=edge.load_caller(principal))
                    edge.rate_limiter(TENANT, principal.tenant_id)
            raw_query = {to_snake(k): v for k, v in (request.query_params or {}).items()}
            raw = bool(raw_types) and media_type(headers) in raw_types
            check_query(raw_query)
            req = ApiRequest(
                principal=principal,
                body=parse_json_body(request.raw_body, body) if body and not raw else None,
                raw_body=(request.raw_body or b"") if raw else None,
                query=parse_query(raw_query, query) if query else None,
                params=params,
                headers=headers,
                source_ip=source_ip,
                raw_query=raw_query,
                page=parse_page(raw_query) if paginated else None,
                lambda_context=lambda_context,
            )
            if audience == CUSTOMER:
                customer = authenticate_customer(headers)
                if edge is not None and edge.load_customer is not None:
                    customer = replace(customer, account=edge.load_customer(customer))
                req.customer = customer
            return handler(req)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        VIEWS[(method, path)] = view
        bp.route(path, methods=[method], content_types=["application/json", *raw_types])(view)
        return handler

    return decorator
