"""The JWKS fetch: a real document over local HTTP, and every way a fetch fails
(``Unavailable``, which the service answers 401)."""

from __future__ import annotations

import io
import urllib.error

import pytest

from chalicelib.sso import jwks
from tests.support import sso_keys


def test_a_served_document_gives_its_keys():
    document = jwks.fetch(sso_keys.server().url("apple"))
    assert [k["kid"] for k in document["keys"]] == [sso_keys.kid("apple")]


class _Answer(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (urllib.error.URLError("refused"), "cannot fetch"),
        (TimeoutError("timed out"), "cannot fetch"),
        (_Answer(b"<html>"), "not JSON"),
        (_Answer(b"x" * (jwks.MAX_BYTES + 1)), "too large"),
    ],
)
def test_a_failed_fetch_is_unavailable(monkeypatch, answer, message):
    def urlopen(request, timeout):
        assert timeout == jwks.TIMEOUT_S
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(jwks.urllib.request, "urlopen", urlopen)
    with pytest.raises(jwks.Unavailable, match=message):
        jwks.fetch("https://keys.example.com/jwks")


def test_a_missing_document_is_unavailable():
    with pytest.raises(jwks.Unavailable, match="cannot fetch"):
        jwks.fetch(sso_keys.server().url("nobody"))
