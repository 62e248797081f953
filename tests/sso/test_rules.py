"""Pure SSO rules: the JWS parts, the RS256 check (against signatures made by
``cryptography`` through pyjwt) and every claim rule."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from chalicelib.sso import rules
from tests.support import sso_keys

NOW = time.time()
GOOGLE = (sso_keys.CLIENT_IDS["google"],)


def _key(provider: str = "google") -> rules.RsaKey:
    key = rules.rsa_key(sso_keys.jwk(provider))
    assert key is not None
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(provider: str = "google", **extra):
    return sso_keys.claims(provider, **{"iat": int(NOW), "exp": int(NOW) + 600, **extra})


def _check(provider: str = "google", claims=None, **kw):
    kw.setdefault("client_ids", (sso_keys.CLIENT_IDS[provider],))
    kw.setdefault("now_s", NOW)
    return rules.check_claims(provider, claims or _claims(provider), **kw)


# --- the token and its signature --------------------------------------------------------------
def test_a_real_rs256_token_parses_and_verifies():
    token = rules.parse(sso_keys.id_token("google", "alice"))
    assert token.kid == sso_keys.kid("google") and token.claims["sub"] == "alice"
    assert rules.rs256_valid(_key(), token.signing_input, token.signature)


def test_another_key_or_a_tampered_payload_fails_the_signature():
    token = rules.parse(sso_keys.id_token("google", "alice"))
    assert not rules.rs256_valid(_key("apple"), token.signing_input, token.signature)
    head, _, sig = sso_keys.id_token("google", "alice").split(".")
    forged = _b64(json.dumps(_claims(sub="mallory")).encode())
    tampered = rules.parse(f"{head}.{forged}.{sig}")
    assert not rules.rs256_valid(_key(), tampered.signing_input, tampered.signature)
    # a signature of the wrong length, or not below the modulus
    assert not rules.rs256_valid(_key(), token.signing_input, token.signature[:-1])
    too_big = (_key().n + 1).to_bytes(_key().size, "big")
    assert not rules.rs256_valid(_key(), token.signing_input, too_big)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("abc", "three dot-separated parts"),
        ("a.b.c.d", "three dot-separated parts"),
        ("!!.e30.c2ln", "header is not base64url JSON"),
        (_b64(b"[1]") + ".e30.c2ln", "header is not a JSON object"),
        (_b64(b'{"alg":"none","kid":"k"}') + ".e30.", "'none' is not accepted"),
        (_b64(b'{"alg":"HS256","kid":"k"}') + ".e30.c2ln", "'HS256' is not accepted"),
        (_b64(b'{"alg":"RS256"}') + ".e30.c2ln", "names no signing key"),
        (_b64(b'{"alg":"RS256","kid":"k","crit":["x"]}') + ".e30.c2ln", "critical"),
        (_b64(b'{"alg":"RS256","kid":"k"}') + ".e30.", "not signed"),
        (_b64(b'{"alg":"RS256","kid":"k"}') + ".e30.a+b", "signature is not base64url"),
        ("x" * 9000, "too long"),
    ],
)
def test_malformed_tokens_and_other_algorithms_are_rejected(token, message):
    with pytest.raises(rules.Rejected, match=message):
        rules.parse(token)


def test_hs256_signed_with_the_public_key_is_rejected_before_any_key_is_used():
    from cryptography.hazmat.primitives import serialization

    pem = (
        sso_keys.private_key("google")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    head = _b64(json.dumps({"alg": "HS256", "kid": sso_keys.kid("google")}).encode())
    body = _b64(json.dumps(_claims()).encode())
    import hashlib
    import hmac

    sig = _b64(hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    with pytest.raises(rules.Rejected, match="RS256 only"):
        rules.parse(f"{head}.{body}.{sig}")
    assert jwt.get_unverified_header(f"{head}.{body}.{sig}")["alg"] == "HS256"


def test_jwks_entries_keep_only_usable_rsa_signing_keys():
    good = sso_keys.jwk("google", "good")
    small = {**good, "kid": "small", "n": _b64((2**1023 + 1).to_bytes(128, "big"))}
    document = {
        "keys": [
            good,
            {**good, "kid": "enc", "use": "enc"},
            {**good, "kid": "ps", "alg": "PS256"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {**good, "kid": "even-e", "e": _b64(b"\x02")},
            small,
            {**good, "kid": None},
            "junk",
        ]
    }
    assert set(rules.signing_keys(document)) == {"good"}
    assert rules.signing_keys({"keys": "nope"}) == {} and rules.signing_keys([]) == {}


def test_emsa_encoding_is_the_rfc_8017_layout():
    encoded = rules.emsa_pkcs1_v1_5(b"x", 256)
    assert len(encoded) == 256 and encoded[:2] == b"\x00\x01"
    assert encoded.index(b"\x00", 2) == 256 - 51 - 1
    assert encoded[-51:-32] == rules.SHA256_DIGEST_INFO
    with pytest.raises(ValueError):
        rules.emsa_pkcs1_v1_5(b"x", 60)


# --- claims ----------------------------------------------------------------------------------
def test_valid_claims_give_the_identity_and_the_verified_email():
    identity = _check(claims=_claims(sub="s-1", email="Sam@Example.com"))
    assert identity == rules.Identity("google", "s-1", "sam@example.com", "Sam", "Sign-On")
    # Apple says "true" as a string; Microsoft's issuer carries the token's own tid
    assert _check("apple").email is not None
    assert _check("microsoft").subject


@pytest.mark.parametrize("verified", [False, "false", None, 1])
def test_an_unverified_email_is_not_taken(verified):
    assert _check(claims=_claims(email_verified=verified)).email is None


def test_both_google_issuer_spellings_are_accepted():
    for iss in rules.GOOGLE_ISSUERS:
        assert _check(claims=_claims(iss=iss))


@pytest.mark.parametrize(
    ("provider", "changes", "message"),
    [
        ("google", {"iss": "https://evil.example.com"}, "not issued by Google"),
        ("google", {"iss": None}, "not issued by Google"),
        ("apple", {"iss": "https://accounts.google.com"}, "not issued by Apple"),
        (
            "microsoft",
            {"iss": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"},
            "not issued by Microsoft",
        ),
        ("microsoft", {"tid": None}, "no directory"),
        ("microsoft", {"tid": "common"}, "no directory"),
        ("google", {"aud": "someone-else"}, "another application"),
        ("google", {"aud": None}, "no audience"),
        ("google", {"aud": []}, "no audience"),
        ("google", {"aud": [sso_keys.CLIENT_IDS["google"], "x"]}, "azp"),
        ("google", {"exp": None}, "no expiry"),
        ("google", {"exp": "tomorrow"}, "exp is not a number"),
        ("google", {"exp": True}, "exp is not a number"),
        ("google", {"exp": int(NOW) - 61}, "expired"),
        ("google", {"nbf": int(NOW) + 120}, "not valid yet"),
        ("google", {"iat": int(NOW) + 120}, "in the future"),
        ("google", {"sub": 5}, "no subject"),
        ("google", {"sub": "  "}, "no subject"),
        ("google", {"sub": "x" * 256}, "no subject"),
    ],
)
def test_each_claim_rule_refuses(provider, changes, message):
    with pytest.raises(rules.Rejected, match=message):
        _check(provider, _claims(provider, **changes))


def test_small_clock_skew_is_accepted():
    assert _check(claims=_claims(exp=int(NOW) - 30, iat=int(NOW) + 30, nbf=int(NOW) + 30))


def test_several_audiences_need_this_app_as_authorized_party():
    aud = [sso_keys.CLIENT_IDS["google"], "x"]
    assert _check(claims=_claims(aud=aud, azp=sso_keys.CLIENT_IDS["google"]))


def test_the_nonce_must_match_when_the_request_sends_one():
    assert _check(claims=_claims(nonce="n-1"), nonce="n-1")
    assert _check(claims=_claims(nonce="n-1"))  # none sent: nothing to compare
    with pytest.raises(rules.Rejected, match="nonce does not match"):
        _check(claims=_claims(nonce="n-1"), nonce="n-2")
    with pytest.raises(rules.Rejected, match="nonce does not match"):
        _check(claims=_claims(), nonce="n-1")


def test_an_issuer_override_replaces_the_providers_own():
    claims = _claims(iss="http://localhost/issuer")
    assert _check(claims=claims, issuer_override="http://localhost/issuer")
    with pytest.raises(rules.Rejected):
        _check(claims=_claims(), issuer_override="http://localhost/issuer")
    ms = _claims("microsoft", iss=f"http://idp/{sso_keys.MICROSOFT_TID}")
    assert _check("microsoft", ms, issuer_override="http://idp/{tid}")
