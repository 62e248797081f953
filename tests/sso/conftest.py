"""SSO tests trust the test providers of tests/support/sso_keys.py: their JWKS served by
a local HTTP server, their client ids configured; the key cache starts empty."""

from __future__ import annotations

import pytest

from tests.support import sso_keys


@pytest.fixture
def providers(monkeypatch):
    from chalicelib.sso import jwks

    for name, value in sso_keys.environment().items():
        monkeypatch.setenv(name, value)
    jwks.forget()
    yield sso_keys.server()
    jwks.forget()
