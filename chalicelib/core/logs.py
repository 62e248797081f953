"""Structured logs (issue 15): one JSON object per line, through Powertools' formatter,
with the request id and the tenant id on every line logged while a request runs, and no
secrets (bearer tokens, JWTs, webhook secrets are masked).

``configure()`` (app.py, at import) puts one handler on the ``tradekitt`` logger, which
every module's logger (``tradekitt.sales``...) sends to. Powertools' formatter costs about
0.1 s to import, so it is imported by the first line actually logged, not at cold start
(most requests log nothing). ``bind(...)`` sets the fields of the current request
(``routing`` binds ``request_id`` and, once the caller is known, ``tenant_id``).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from contextvars import ContextVar, Token
from typing import Any

SERVICE = "tradekitt"
_fields: ContextVar[dict[str, str]] = ContextVar("tradekitt_log_fields", default={})  # noqa: B039
_SECRETS = re.compile(
    r"eyJ[\w-]+\.[\w-]+\.[\w-]+"  # a JWT (access, refresh, challenge tokens)
    r"|whsec_[A-Za-z0-9+/=]+"  # a webhook signing secret
    r"|(?i:bearer)\s+\S+"  # an Authorization header's value
)
MASK = "[redacted]"


def redact(text: str) -> str:
    return _SECRETS.sub(MASK, text)


def bind(**fields: str | None) -> Token[dict[str, str]]:
    """Add ``fields`` to every line logged from now on in this request (``reset`` ends)."""
    current = dict(_fields.get())
    current.update({k: v for k, v in fields.items() if v})
    return _fields.set(current)


def reset(token: Token[dict[str, str]]) -> None:
    _fields.reset(token)


def current() -> dict[str, str]:
    return dict(_fields.get())


class _RequestFields(logging.Filter):
    """Put the request's fields on the record and mask secrets in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _fields.get().items():
            setattr(record, key, value)
        message = record.getMessage()
        masked = redact(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        return True


class _JsonHandler(logging.StreamHandler):
    """A stream handler whose Powertools formatter is made on the first line."""

    def emit(self, record: logging.LogRecord) -> None:
        if self.formatter is None:
            from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

            self.setFormatter(LambdaPowertoolsFormatter(service=SERVICE))
        super().emit(record)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))  # a traceback may quote a secret too


def configure(level: str | None = None, stream: Any = None) -> logging.Logger:
    """The ``tradekitt`` logger writing JSON lines to ``stream`` (stdout), at ``level``
    (``LOG_LEVEL``, default INFO); idempotent."""
    logger = logging.getLogger(SERVICE)
    for handler in [h for h in logger.handlers if isinstance(h, _JsonHandler)]:
        logger.removeHandler(handler)
    handler = _JsonHandler(stream or sys.stdout)
    handler.addFilter(_RequestFields())
    logger.addHandler(handler)
    logger.setLevel((level or os.environ.get("LOG_LEVEL") or "INFO").upper())
    logger.propagate = False  # Lambda's root handler would print each line again
    return logger
