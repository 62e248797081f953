"""The providers' signing keys: each JWKS document fetched over HTTPS and kept in the
process (a Lambda container) for ``SSO_JWKS_TTL_S`` (default an hour).

A token naming a key the cached document lacks (the provider rotated its keys) makes
one new fetch, at most once every ``REFETCH_AFTER_S`` per document, so tokens with
made-up ``kid`` values cannot turn every request into a fetch.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import jwt

from chalicelib.core.settings import sso_jwks_ttl_s
from chalicelib.sso import verify

TIMEOUT_S = 5
MAX_BYTES = 1 << 20
REFETCH_AFTER_S = 30


class Unavailable(Exception):
    """The provider's keys could not be fetched (the message says why)."""


@dataclass(frozen=True)
class _Document:
    keys: dict[str, jwt.PyJWK]
    fetched_at: float


_CACHE: dict[str, _Document] = {}
_LOCK = threading.Lock()


def _now() -> float:
    return time.monotonic()


def fetch(url: str) -> object:
    """The JSON document at ``url`` (the configured JWKS address)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as resp:  # noqa: S310 - config
            body = resp.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Unavailable(f"cannot fetch the signing keys: {exc}") from None
    if len(body) > MAX_BYTES:
        raise Unavailable("the signing keys document is too large")
    try:
        return json.loads(body)
    except ValueError:
        raise Unavailable("the signing keys document is not JSON") from None


def _load(url: str) -> _Document:
    document = _Document(verify.signing_keys(fetch(url)), _now())
    with _LOCK:
        _CACHE[url] = document
    return document


def signing_key(url: str, kid: str) -> jwt.PyJWK | None:
    """The key ``kid`` of the JWKS at ``url``; None when the provider has no such key."""
    cached = _CACHE.get(url)
    now = _now()
    stale = cached is None or now - cached.fetched_at >= sso_jwks_ttl_s()
    # a key the document lacks: the provider may have rotated its keys since
    rotated = cached is not None and kid not in cached.keys
    if stale or (rotated and now - cached.fetched_at >= REFETCH_AFTER_S):  # type: ignore[union-attr]
        try:
            cached = _load(url)
        except Unavailable:
            if cached is None:
                raise
            # the provider is unreachable: the keys fetched before still sign its tokens
    assert cached is not None
    return cached.keys.get(kid)


def forget() -> None:
    """Drop every cached document (tests)."""
    with _LOCK:
        _CACHE.clear()
