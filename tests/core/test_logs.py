"""Structured logs (issue 15): JSON lines with the request and tenant ids, secrets masked."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chalicelib.core import logs

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


@pytest.fixture
def lines():
    stream = io.StringIO()
    logs.configure(stream=stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logs.configure()


def test_secrets_are_masked():
    text = f"token {JWT} secret whsec_c2VjcmV0IQ== header Bearer abc.def"
    masked = logs.redact(text)
    assert JWT not in masked and "whsec_" not in masked and "abc.def" not in masked
    assert masked.count(logs.MASK) == 3


def test_every_line_of_a_request_carries_its_request_and_tenant_ids(api, owner, lines, monkeypatch):
    from chalicelib.accounts import service as accounts

    real = accounts.current_user

    def logging_current_user(principal):
        logging.getLogger("tradekitt.accounts").warning("looked up with %s", JWT)
        return real(principal)

    monkeypatch.setattr(accounts, "current_user", logging_current_user)
    assert api.get("/auth/me", as_=owner).status == 200
    logging.getLogger("tradekitt.api").info("after the request")
    during, after = lines()
    assert during["message"] == f"looked up with {logs.MASK}"
    assert during["tenant_id"] == owner.tenant_id and during["request_id"]
    assert during["route"] == "GET /auth/me" and during["level"] == "WARNING"
    assert during["service"] == "tradekitt"
    assert "tenant_id" not in after and "request_id" not in after  # reset with the request


def test_a_traceback_is_masked_too(lines):
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        logging.getLogger("tradekitt.api").exception("failed")
    (line,) = lines()
    assert JWT not in json.dumps(line) and "ValueError" in json.dumps(line)
