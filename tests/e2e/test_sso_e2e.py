"""SSO over real HTTP against the `make run` stack: the stack trusts the test providers
(tests/support/sso_keys.py; their JWKS served from this process, ``sso_jwks`` in
conftest.py), so its dev server fetches real JWKS documents and checks real RS256 tokens.
The reference's curl runs unchanged but for the host and the token."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
import uuid

import pytest

from tests.e2e.conftest import ok
from tests.support import sso_keys
from tests.support.sso_keys import id_token

API = "/api/v1"
SEED_HOST = "https://api.tradekitt.com"
LOGIN_KEYS = {"access_token", "refresh_token", "user"}
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")


def seed_sso_login(stack, token: str) -> dict:
    """The API reference's "Google SSO login" curl, with a real token for ``eyJ...``."""
    command = textwrap.dedent("""\
        curl -X POST https://api.tradekitt.com/api/v1/auth/sso/google \\
          -H "Content-Type: application/json" \\
          -d '{"id_token": "eyJ..."}'""")
    command = command.replace(SEED_HOST, stack.base_url).replace("eyJ...", token)
    out = subprocess.run(
        ["bash", "-c", command + " -s"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    return json.loads(out)


def post(stack, path: str, body, headers=None):
    return stack.request("POST", API + path, body, headers)


def register(stack, provider: str, token: str) -> dict:
    body = {
        "id_token": token,
        "username": f"sso{uuid.uuid4().hex[:8]}",
        "first_name": "Sam",
        "last_name": "Owner",
        "company_name": f"SSO {provider.title()} Heating",
    }
    return ok(post(stack, f"/auth/sso/{provider}/register", body), 201)


def auth(data: dict, tenant_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {data['access_token']}", "X-Tenant-Id": tenant_id}


@needs_curl
def test_google_register_then_the_reference_curl_signs_in(stack):
    sub = sso_keys.new_subject("google")
    created = register(stack, "google", id_token("google", sub))
    assert created["user"]["roles"] == ["admin"] and created["business_code"]
    answer = seed_sso_login(stack, id_token("google", sub))
    assert answer["ok"] is True and set(answer["data"]) == LOGIN_KEYS, answer
    assert answer["data"]["user"]["id"] == created["user"]["id"]
    me = ok(
        stack.request("GET", API + "/auth/me", None, auth(answer["data"], created["tenant_id"]))
    )
    assert me["email"] == f"{sub}@example.com" and me["tenant_id"] == created["tenant_id"]


@pytest.mark.parametrize("provider", ["apple", "microsoft"])
def test_apple_and_microsoft_register_and_sign_in(stack, provider):
    sub = sso_keys.new_subject(provider)
    created = register(stack, provider, id_token(provider, sub))
    data = ok(post(stack, f"/auth/sso/{provider}", {"id_token": id_token(provider, sub)}))
    assert set(data) == LOGIN_KEYS and data["user"]["id"] == created["user"]["id"]
    # the identity is linked already: a second registration is 409
    status, _, body = post(
        stack,
        f"/auth/sso/{provider}/register",
        {"id_token": id_token(provider, sub), "username": "dupe" + sub[-6:], "company_name": "X"},
    )
    assert status == 409 and body["error"]["code"] == "CONFLICT", body


def test_link_sign_in_list_and_unlink(stack):
    owner = stack.register("SSO Link Plumbing")
    headers = owner["headers"]
    google, apple = sso_keys.new_subject("google"), sso_keys.new_subject("apple")
    linked = ok(
        post(stack, "/auth/sso/google/link", {"id_token": id_token("google", google)}, headers), 201
    )
    assert linked["provider"] == "google" and linked["subject"] == google
    ok(post(stack, "/auth/sso/apple/link", {"id_token": id_token("apple", apple)}, headers), 201)
    listed = ok(stack.request("GET", API + "/auth/sso", None, headers))
    assert [(x["provider"], x["subject"]) for x in listed["links"]] == [
        ("google", google),
        ("apple", apple),
    ]
    for provider, sub in (("google", google), ("apple", apple)):
        data = ok(post(stack, f"/auth/sso/{provider}", {"id_token": id_token(provider, sub)}))
        assert data["user"]["id"] == owner["user"]["id"]

    # linked to this user: another tenant cannot link it, nor can a second Google identity
    other = stack.register("SSO Other Electric")
    status, _, body = post(
        stack, "/auth/sso/google/link", {"id_token": id_token("google", google)}, other["headers"]
    )
    assert status == 409 and "already linked" in body["error"]["message"]
    status, _, body = post(
        stack, "/auth/sso/google/link", {"id_token": id_token("google")}, headers
    )
    assert status == 409 and "unlink it first" in body["error"]["message"]

    gone = ok(stack.request("DELETE", API + "/auth/sso/google/link", None, headers))
    assert gone == {"provider": "google", "unlinked": True}
    status, _, body = post(stack, "/auth/sso/google", {"id_token": id_token("google", google)})
    assert status == 404 and body["error"]["code"] == "NOT_FOUND"
    again = ok(stack.request("DELETE", API + "/auth/sso/google/link", None, headers))
    assert again["unlinked"] is False


@pytest.mark.parametrize(
    ("case", "make", "message"),
    [
        ("wrong audience", lambda: id_token("google", aud="someone-else"), "another application"),
        ("expired", lambda: id_token("google", exp=1_600_000_000, iat=1_599_999_000), "expired"),
        ("unknown kid", lambda: id_token("google", key_id="nope"), "unknown key"),
        ("a stranger's key", lambda: id_token("google", key="stranger"), "signature is invalid"),
        ("wrong issuer", lambda: id_token("google", iss="https://evil.example"), "not issued"),
        ("wrong nonce", lambda: id_token("google", nonce="a"), "nonce"),
    ],
)
def test_tokens_that_do_not_verify_are_401(stack, case, make, message):
    status, _, body = post(stack, "/auth/sso/google", {"id_token": make(), "nonce": "b"})
    assert status == 401, (case, body)
    assert body["error"]["code"] == "UNAUTHORIZED" and message in body["error"]["message"], body


def test_unknown_identity_and_bad_body(stack):
    status, _, body = post(stack, "/auth/sso/microsoft", {"id_token": id_token("microsoft")})
    assert status == 404 and "/auth/sso/microsoft/register" in body["error"]["message"]
    status, _, body = post(stack, "/auth/sso/google", {"token": "x"})
    assert status == 422 and body["error"]["details"][0]["field"] == "id_token"
