"""Domain and HTTP errors, and the one place that maps them to the response envelope.

Every error response is ``{"ok": false, "error": {"code": ..., "message": ...}}`` with the
seed's code table. Two families:

* ``DomainError``: raised by pure rules (and services) with no notion of HTTP:
  ``InvalidInput`` (input that can never be valid; carries the ``field``) and
  ``RuleViolation`` (a move the current state does not allow). ``http_error`` maps them:
  422 ``VALIDATION_ERROR`` naming the field, 409 ``CONFLICT``.
* ``AppError``: HTTP-level outcomes raised by the edge and services (``NotFound``,
  ``Forbidden``, ``TooManyRequests`` with ``Retry-After``, ...).

``core.routing`` turns both into responses, so no handler builds an error body by hand
and no service re-reads an exception's message.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class AppError(Exception):
    """Base class: an error with an HTTP status and a public code and message."""

    status = 500
    code = "INTERNAL_ERROR"

    def __init__(
        self, message: str, *, headers: dict[str, str] | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.details = details


class BadRequest(AppError):
    status, code = 400, "BAD_REQUEST"


class Unauthorized(AppError):
    status, code = 401, "UNAUTHORIZED"


class Forbidden(AppError):
    status, code = 403, "FORBIDDEN"


class NotFound(AppError):
    status, code = 404, "NOT_FOUND"


class MethodNotAllowed(AppError):
    status, code = 405, "METHOD_NOT_ALLOWED"


class Conflict(AppError):
    status, code = 409, "CONFLICT"


class PayloadTooLarge(AppError):
    status, code = 413, "PAYLOAD_TOO_LARGE"


class ValidationFailed(AppError):
    status, code = 422, "VALIDATION_ERROR"


class TooManyRequests(AppError):
    status, code = 429, "TOO_MANY_REQUESTS"


class DomainError(Exception):
    """A business rule said no. Rules raise these; ``http_error`` maps them."""


class InvalidInput(DomainError, ValueError):
    """Input that can never be valid (HTTP 422); ``field`` names it (dotted for nested
    fields, ``body`` when it is the request as a whole)."""

    default_field = "body"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field or self.default_field

    def at(self, field: str) -> InvalidInput:
        """The same error, naming ``field`` (a service knows which input it checked)."""
        copy = type(self).__new__(type(self))
        InvalidInput.__init__(copy, self.message, field=field)
        return copy


class RuleViolation(DomainError):
    """A move the current state does not allow (HTTP 409)."""


def http_error(exc: DomainError) -> AppError:
    """The HTTP answer of a domain error: the one mapping."""
    if isinstance(exc, InvalidInput):
        return ValidationFailed(
            f"{exc.field}: {exc.message}", details=[{"field": exc.field, "message": exc.message}]
        )
    return Conflict(str(exc))


def invalid(field: str, message: str) -> InvalidInput:
    """``InvalidInput`` naming ``field`` (for services that check input against stored
    data: an unknown technician id, an inactive item)."""
    return InvalidInput(message, field=field)


def found(value: T | None, message: str) -> T:
    """``value``, or 404 ``NOT_FOUND`` with ``message`` when there is none."""
    if value is None:
        raise NotFound(message)
    return value


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error envelope."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"ok": False, "error": error}


def ok_body(data: Any) -> dict[str, Any]:
    """The success envelope."""
    return {"ok": True, "data": data}
