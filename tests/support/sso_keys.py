"""Test identity providers for SSO: an RSA key per provider (made once per process with
``cryptography``), id_tokens signed with them (``pyjwt``), and a tiny HTTP server that
serves each provider's JWKS, for the API tests (in process) and for the e2e stack (whose
dev server fetches from it: ``environment()`` is the stack's ``SSO_*`` settings)."""

from __future__ import annotations

import functools
import itertools
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PROVIDERS = ("google", "apple", "microsoft")
CLIENT_IDS = {
    "google": "tradekitt-test.apps.googleusercontent.com",
    "apple": "com.tradekitt.test",
    "microsoft": "6f1c0d3e-2a4b-4c5d-8e9f-0a1b2c3d4e5f",
}
MICROSOFT_TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
ISSUERS = {
    "google": "https://accounts.google.com",
    "apple": "https://appleid.apple.com",
    "microsoft": f"https://login.microsoftonline.com/{MICROSOFT_TID}/v2.0",
}
_subjects = itertools.count(1)


@functools.cache
def private_key(name: str) -> rsa.RSAPrivateKey:
    """The signing key ``name`` (a provider's, or "stranger": in no JWKS)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def kid(provider: str) -> str:
    return f"test-{provider}-1"


def jwk(provider: str, key_id: str | None = None) -> dict[str, Any]:
    entry = json.loads(RSAAlgorithm.to_jwk(private_key(provider).public_key()))
    return {**entry, "kid": key_id or kid(provider), "use": "sig", "alg": "RS256"}


def jwks(provider: str) -> dict[str, Any]:
    return {"keys": [jwk(provider)]}


def new_subject(provider: str = "google") -> str:
    return f"{provider}-{uuid.uuid4().hex[:12]}-{next(_subjects)}"


def claims(provider: str, sub: str | None = None, **extra: Any) -> dict[str, Any]:
    """A valid id_token payload of ``provider`` (``extra`` overrides or adds claims; a
    value of None removes the claim)."""
    now = int(time.time())
    sub = sub or new_subject(provider)
    base: dict[str, Any] = {
        "iss": ISSUERS[provider],
        "aud": CLIENT_IDS[provider],
        "sub": sub,
        "iat": now,
        "exp": now + 600,
        "email": f"{sub}@example.com",
        "email_verified": "true" if provider == "apple" else True,
        "given_name": "Sam",
        "family_name": "Sign-On",
    }
    if provider == "microsoft":
        base["tid"] = MICROSOFT_TID
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def id_token(
    provider: str = "google",
    sub: str | None = None,
    *,
    key: str | None = None,
    key_id: str | None = None,
    **extra: Any,
) -> str:
    """A signed id_token of ``provider`` (RS256 with its key, or the key ``key``)."""
    return jwt.encode(
        claims(provider, sub, **extra),
        private_key(key or provider),
        algorithm="RS256",
        headers={"kid": key_id or kid(provider)},
    )


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        provider = self.path.strip("/").split("/")[0]
        if provider not in PROVIDERS:
            self.send_error(404)
            return
        body = json.dumps(jwks(provider)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.hits[provider] = self.server.hits.get(provider, 0) + 1  # type: ignore[attr-defined]

    def log_message(self, *args: Any) -> None:
        pass


class JwksServer:
    """Serves ``/<provider>``: that provider's JWKS."""

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.hits = {}  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def hits(self) -> dict[str, int]:
        return self.httpd.hits  # type: ignore[attr-defined]

    def url(self, provider: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{provider}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@functools.cache
def server() -> JwksServer:
    """This process's JWKS server (started on first use, a daemon thread)."""
    return JwksServer()


def environment(jwks_server: JwksServer | None = None) -> dict[str, str]:
    """The ``SSO_*`` settings of an API that trusts these test providers."""
    served = jwks_server or server()
    env: dict[str, str] = {}
    for provider in PROVIDERS:
        upper = provider.upper()
        env[f"SSO_{upper}_CLIENT_IDS"] = f"other-client,{CLIENT_IDS[provider]}"
        env[f"SSO_{upper}_JWKS_URL"] = served.url(provider)
    return env
