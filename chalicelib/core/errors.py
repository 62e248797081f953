"""Domain and HTTP errors, and the one place that maps them to the response envelope.

Every error response is ``{"ok": false, "error": {"code": ..., "message": ...}}`` with the
seed's code table. Handlers and services raise these; ``core.routing`` turns them into
responses, so no handler builds an error body by hand.
"""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base class: an error with an HTTP status and a public code and message."""

    status = 500
    code = "INTERNAL_ERROR"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None,
                 details: Any = None) -> None:
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


class ValidationFailed(AppError):
    status, code = 422, "VALIDATION_ERROR"


class TooManyRequests(AppError):
    status, code = 429, "TOO_MANY_REQUESTS"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error envelope."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"ok": False, "error": error}


def ok_body(data: Any) -> dict[str, Any]:
    """The success envelope."""
    return {"ok": True, "data": data}
