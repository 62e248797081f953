"""SSO through the API (moto, the test providers' JWKS over local HTTP): register, sign
in and link with Google, Apple and Microsoft, every refusal, MFA, the key cache."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid

import pytest

from chalicelib.sso import jwks
from tests.support import sso_keys
from tests.support.sso_keys import id_token

LOGIN_KEYS = {"access_token", "refresh_token", "user"}
REGISTER_KEYS = LOGIN_KEYS | {"business_code", "business_name", "tenant_id"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sso_login(api, provider: str, token: str, **extra):
    return api.post(f"/auth/sso/{provider}", {"id_token": token, **extra})


def sso_register(api, provider: str, token: str, **fields):
    body = {
        "id_token": token,
        "username": f"sso{uuid.uuid4().hex[:8]}",
        "first_name": "Jane",
        "last_name": "Smith",
        "company_name": "Sign-On Heating",
        **fields,
    }
    return api.post(f"/auth/sso/{provider}/register", body)


def me(api, data):
    return api.get(
        "/auth/me",
        headers={
            "Authorization": f"Bearer {data['access_token']}",
            "X-Tenant-Id": data.get("tenant_id") or data["tenant"],
        },
    )


def unauthorized(reply, message: str) -> None:
    assert reply.status == 401, reply.raw
    assert reply.error["code"] == "UNAUTHORIZED"
    assert message in reply.error["message"], reply.error


# --- register, then sign in ------------------------------------------------------------------
@pytest.mark.parametrize("provider", sso_keys.PROVIDERS)
def test_register_then_sign_in_with_the_reference_body(api, providers, provider):
    sub = sso_keys.new_subject(provider)
    created = sso_register(api, provider, id_token(provider, sub))
    assert created.status == 201, created.raw
    data = created.data
    assert set(data) == REGISTER_KEYS and data["business_name"] == "Sign-On Heating"
    assert data["user"]["roles"] == ["admin"] and data["user"]["name"] == "Jane Smith"

    # exactly the reference's body, no X-Tenant-Id: the identity names the account
    reply = api.post(f"/auth/sso/{provider}", {"id_token": id_token(provider, sub)})
    assert reply.status == 200, reply.raw
    assert set(reply.data) == LOGIN_KEYS and reply.data["user"]["id"] == data["user"]["id"]
    mine = me(api, {**reply.data, "tenant_id": data["tenant_id"]})
    assert mine.status == 200 and mine.data["email"] == f"{sub}@example.com"
    assert mine.data["tenant_id"] == data["tenant_id"]
    # the token's refresh works like a password login's
    refreshed = api.post(
        "/auth/refresh",
        {"refresh_token": reply.data["refresh_token"]},
        headers={"X-Tenant-Id": data["tenant_id"]},
    )
    assert refreshed.status == 200, refreshed.raw


def test_register_names_default_to_the_tokens_and_an_unverified_email_is_not_kept(api, providers):
    token = id_token("microsoft", email_verified=None, given_name="Ada", family_name="Lovelace")
    created = sso_register(api, "microsoft", token, first_name=None, last_name=None)
    assert created.status == 201, created.raw
    assert created.data["user"]["name"] == "Ada Lovelace"
    assert me(api, created.data).data["email"] is None


def test_an_sso_registered_admin_has_no_password(api, providers):
    created = sso_register(api, "google", id_token("google")).data
    reply = api.post(
        "/auth/login",
        {"username": created["user"]["username"], "password": "securePassword123!"},
        headers={"X-Tenant-Id": created["tenant_id"]},
    )
    assert reply.status == 401


def test_register_refuses_a_linked_identity_a_taken_email_and_bad_fields(api, providers, owner):
    sub = sso_keys.new_subject()
    assert sso_register(api, "google", id_token("google", sub)).status == 201
    again = sso_register(api, "google", id_token("google", sub, email="new@example.com"))
    assert again.status == 409 and "already linked" in again.error["message"]

    owner_email = me(api, {"access_token": owner.access_token, "tenant_id": owner.tenant_id})
    taken = sso_register(api, "apple", id_token("apple", email=owner_email.data["email"]))
    assert taken.status == 409 and "email" in taken.error["message"]

    for fields, field in [
        ({"company_name": ""}, "company_name"),
        ({"username": "x"}, "username"),
        ({"id_token": ""}, "id_token"),
        ({"nonce": ""}, "nonce"),
    ]:
        reply = sso_register(api, "google", id_token("google"), **fields)
        if field == "id_token":
            reply = api.post(
                "/auth/sso/google/register",
                {"id_token": "", "username": "abc", "company_name": "X"},
            )
        assert reply.status == 422, (fields, reply.raw)
        assert reply.error["code"] == "VALIDATION_ERROR"
        assert field in {d["field"] for d in reply.error["details"]}, reply.error


# --- sign-in refusals ------------------------------------------------------------------------
@pytest.mark.parametrize("provider", sso_keys.PROVIDERS)
def test_an_unknown_identity_is_404(api, providers, provider):
    reply = sso_login(api, provider, id_token(provider))
    assert reply.status == 404, reply.raw
    assert reply.error["code"] == "NOT_FOUND"
    assert f"/auth/sso/{provider}/register" in reply.error["message"]


def _hs256_with_public_pem() -> str:
    from cryptography.hazmat.primitives import serialization

    pem = (
        sso_keys.private_key("google")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": sso_keys.kid("google")}).encode())
    body = _b64(json.dumps(sso_keys.claims("google")).encode())
    sig = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def _alg_none() -> str:
    head = _b64(json.dumps({"alg": "none", "kid": sso_keys.kid("google")}).encode())
    return f"{head}.{_b64(json.dumps(sso_keys.claims('google')).encode())}."


def _tampered() -> str:
    head, _, sig = id_token("google", "victim").split(".")
    body = _b64(json.dumps(sso_keys.claims("google", "attacker")).encode())
    return f"{head}.{body}.{sig}"


BAD_TOKENS = {
    "wrong audience": (lambda: id_token("google", aud="another-app"), "another application"),
    "expired": (lambda: id_token("google", exp=1_600_000_000, iat=1_599_999_000), "expired"),
    "alg none": (_alg_none, "'none' is not accepted"),
    "HS256 with the public key": (_hs256_with_public_pem, "'HS256' is not accepted"),
    "unknown kid": (lambda: id_token("google", key_id="rotated-away"), "unknown key"),
    "a stranger's key": (lambda: id_token("google", key="stranger"), "signature is invalid"),
    "wrong issuer": (lambda: id_token("google", iss="https://evil.example"), "not issued by"),
    "tampered payload": (_tampered, "signature is invalid"),
    "not a JWT": (lambda: "eyJ...", "malformed"),
    "another provider's token": (lambda: id_token("apple"), "unknown key"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_a_token_that_does_not_verify_is_401_saying_why(api, providers, case):
    make, message = BAD_TOKENS[case]
    token = make()
    unauthorized(sso_login(api, "google", token), message)
    unauthorized(sso_register(api, "google", token), message)


def test_a_wrong_nonce_is_401_and_the_right_one_signs_in(api, providers):
    sub = sso_keys.new_subject()
    assert (
        sso_register(api, "google", id_token("google", sub, nonce="n-1"), nonce="n-1").status == 201
    )
    unauthorized(
        sso_login(api, "google", id_token("google", sub, nonce="n-1"), nonce="n-2"), "nonce"
    )
    unauthorized(sso_login(api, "google", id_token("google", sub), nonce="n-2"), "nonce")
    assert sso_login(api, "google", id_token("google", sub, nonce="n-1"), nonce="n-1").status == 200


def test_a_deactivated_user_is_refused(api, providers):
    from chalicelib.accounts import store

    sub = sso_keys.new_subject()
    data = sso_register(api, "google", id_token("google", sub)).data
    user = store.get_user(data["tenant_id"], data["user"]["id"])
    user.update(actions=[store.UserItem.active.set(False)])
    unauthorized(sso_login(api, "google", id_token("google", sub)), "deactivated")


def test_a_provider_without_client_ids_is_not_configured(api, providers, monkeypatch):
    monkeypatch.delenv("SSO_APPLE_CLIENT_IDS")
    reply = sso_login(api, "apple", id_token("apple"))
    assert reply.status == 400 and "Apple sign-in is not configured" in reply.error["message"]
    assert sso_login(api, "google", id_token("google")).status == 404  # the others work


def test_a_body_without_id_token_is_422(api, providers):
    for body in [{}, {"id_token": ""}, {"id_token": "x" * 9000}, {"id_token": 5}]:
        reply = api.post("/auth/sso/google", body)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == "id_token"


def test_unreachable_keys_are_401_not_500(api, providers, monkeypatch):
    monkeypatch.setenv("SSO_GOOGLE_JWKS_URL", "http://127.0.0.1:9/nothing")
    unauthorized(sso_login(api, "google", id_token("google")), "signing keys are unavailable")


def test_an_unknown_provider_path_is_404(api, providers):
    assert api.post("/auth/sso/facebook", {"id_token": id_token()}).status == 404


# --- MFA ----------------------------------------------------------------------------------
def test_an_enrolled_user_gets_the_mfa_challenge(api, providers, owner):
    from tests.mfa.test_api import enrol, verify

    sub = sso_keys.new_subject()
    assert (
        api.post("/auth/sso/google/link", {"id_token": id_token("google", sub)}, as_=owner).status
        == 201
    )
    _totp, codes = enrol(api, owner)
    reply = sso_login(api, "google", id_token("google", sub))
    assert reply.status == 200, reply.raw
    assert set(reply.data) == {"mfa_required", "mfa_challenge_token"}
    assert reply.data["mfa_required"] is True
    done = verify(api, owner, reply.data["mfa_challenge_token"], codes[0])
    assert done.status == 200 and set(done.data) == LOGIN_KEYS


# --- link, list, unlink ------------------------------------------------------------------
def test_link_then_sign_in_then_unlink(api, providers, owner):
    sub = sso_keys.new_subject("microsoft")
    linked = api.post(
        "/auth/sso/microsoft/link", {"id_token": id_token("microsoft", sub)}, as_=owner
    )
    assert linked.status == 201, linked.raw
    assert linked.data["provider"] == "microsoft" and linked.data["subject"] == sub
    assert linked.data["email"] == f"{sub}@example.com" and linked.data["linked_at"]

    reply = sso_login(api, "microsoft", id_token("microsoft", sub))
    assert reply.status == 200 and reply.data["user"]["id"] == owner.user["id"]

    listed = api.get("/auth/sso", as_=owner)
    assert [link["subject"] for link in listed.data["links"]] == [sub]

    gone = api.delete("/auth/sso/microsoft/link", as_=owner)
    assert gone.status == 200 and gone.data == {"provider": "microsoft", "unlinked": True}
    assert sso_login(api, "microsoft", id_token("microsoft", sub)).status == 404
    again = api.delete("/auth/sso/microsoft/link", as_=owner)
    assert again.data == {"provider": "microsoft", "unlinked": False}
    assert api.get("/auth/sso", as_=owner).data == {"links": []}
    # unlinked, the identity may sign up again
    assert sso_register(api, "microsoft", id_token("microsoft", sub)).status == 201


def test_an_identity_links_to_one_user_and_a_user_to_one_per_provider(api, providers, owner, other):
    sub = sso_keys.new_subject()
    assert (
        api.post("/auth/sso/google/link", {"id_token": id_token("google", sub)}, as_=owner).status
        == 201
    )
    elsewhere = api.post("/auth/sso/google/link", {"id_token": id_token("google", sub)}, as_=other)
    assert elsewhere.status == 409 and "already linked" in elsewhere.error["message"]
    same = api.post("/auth/sso/google/link", {"id_token": id_token("google", sub)}, as_=owner)
    assert same.status == 409
    second = api.post("/auth/sso/google/link", {"id_token": id_token("google")}, as_=owner)
    assert second.status == 409 and "unlink it first" in second.error["message"]
    # another provider is fine, and the other tenant's list shows nothing of the owner's
    assert (
        api.post("/auth/sso/apple/link", {"id_token": id_token("apple")}, as_=owner).status == 201
    )
    assert [x["provider"] for x in api.get("/auth/sso", as_=owner).data["links"]] == [
        "google",
        "apple",
    ]
    assert api.get("/auth/sso", as_=other).data == {"links": []}
    # the other tenant's unlink removes nothing of the owner's
    assert api.delete("/auth/sso/google/link", as_=other).data["unlinked"] is False
    assert sso_login(api, "google", id_token("google", sub)).data["user"]["id"] == owner.user["id"]


def test_link_refuses_bad_tokens_and_needs_a_session(api, providers, owner):
    for case in ("expired", "wrong audience", "alg none"):
        make, message = BAD_TOKENS[case]
        unauthorized(api.post("/auth/sso/google/link", {"id_token": make()}, as_=owner), message)
    assert api.post("/auth/sso/google/link", {"id_token": id_token()}).status == 401
    reply = api.post("/auth/sso/google/link", {}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "id_token"


def test_a_passwordless_account_keeps_its_last_identity(api, providers):
    data = sso_register(api, "google", id_token("google")).data
    headers = {"Authorization": f"Bearer {data['access_token']}", "X-Tenant-Id": data["tenant_id"]}
    refused = api.delete("/auth/sso/google/link", headers=headers)
    assert refused.status == 409 and "no password" in refused.error["message"]
    assert (
        api.post("/auth/sso/apple/link", {"id_token": id_token("apple")}, headers=headers).status
        == 201
    )
    assert api.delete("/auth/sso/google/link", headers=headers).data["unlinked"] is True
    assert api.delete("/auth/sso/apple/link", headers=headers).status == 409


# --- the key cache ---------------------------------------------------------------------------
def test_keys_are_fetched_once_and_again_for_an_unknown_kid_after_a_while(
    api, providers, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(jwks, "_now", lambda: clock[0])
    hits = providers.hits
    before = hits.get("google", 0)
    sub = sso_keys.new_subject()
    assert sso_register(api, "google", id_token("google", sub)).status == 201
    assert sso_login(api, "google", id_token("google", sub)).status == 200
    assert hits["google"] == before + 1  # cached
    # a kid the document lacks: no new fetch within 30 s of the last one, then one
    unauthorized(sso_login(api, "google", id_token("google", key_id="new-kid")), "unknown key")
    assert hits["google"] == before + 1
    clock[0] += 31
    unauthorized(sso_login(api, "google", id_token("google", key_id="new-kid")), "unknown key")
    assert hits["google"] == before + 2
    # past the TTL the document is fetched again
    clock[0] += 3600
    assert sso_login(api, "google", id_token("google", sub)).status == 200
    assert hits["google"] == before + 3


def test_rotated_keys_are_picked_up_and_an_outage_keeps_the_old_ones(api, providers, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(jwks, "_now", lambda: clock[0])
    sub = sso_keys.new_subject()
    assert sso_register(api, "google", id_token("google", sub)).status == 201
    rotated = {"keys": [sso_keys.jwk("google"), sso_keys.jwk("stranger", "next-key")]}
    monkeypatch.setattr(jwks, "fetch", lambda url: rotated)
    clock[0] += 31
    token = id_token("google", sub, key="stranger", key_id="next-key")
    assert sso_login(api, "google", token).status == 200

    def down(url):
        raise jwks.Unavailable("down")

    monkeypatch.setattr(jwks, "fetch", down)
    clock[0] += 7200  # stale, and the provider is unreachable: the keys in hand still work
    assert sso_login(api, "google", token).status == 200


def test_an_unlink_that_loses_a_race_says_what_is_left(api, providers, owner, monkeypatch):
    from chalicelib.platform.tx import ConditionFailed
    from chalicelib.sso import store

    assert (
        api.post("/auth/sso/apple/link", {"id_token": id_token("apple")}, as_=owner).status == 201
    )
    real = store.unlink

    def raced(item):
        real(item)  # another request unlinked it first
        raise ConditionFailed([store.LINK])

    monkeypatch.setattr(store, "unlink", raced)
    reply = api.delete("/auth/sso/apple/link", as_=owner)
    assert reply.status == 200 and reply.data == {"provider": "apple", "unlinked": True}


def test_an_x_tenant_id_is_not_needed_but_must_match_when_sent(api, providers, owner):
    sub = sso_keys.new_subject()
    data = sso_register(api, "google", id_token("google", sub)).data
    mine = api.post(
        "/auth/sso/google",
        {"id_token": id_token("google", sub)},
        headers={"X-Tenant-Id": data["tenant_id"]},
    )
    assert mine.status == 200, mine.raw
    elsewhere = api.post(
        "/auth/sso/google",
        {"id_token": id_token("google", sub)},
        headers={"X-Tenant-Id": owner.tenant_id},
    )
    unauthorized(elsewhere, "another business")
