"""The id_token check (``sso.verify``: pyjwt, then the package's rules) on tokens signed
by the test providers' keys: a good token, every way the signature or the header is
wrong, and every claim rule, each with the message the API answers 401 with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from chalicelib.sso import rules, verify
from tests.support import sso_keys


class At(int):
    """A claim time relative to the moment the token is made (seconds from now)."""


def _now() -> int:
    return int(time.time())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key(provider: str = "google") -> jwt.PyJWK:
    return verify.signing_keys(sso_keys.jwks(provider))[sso_keys.kid(provider)]


def _token(provider: str = "google", **changes) -> str:
    now = _now()
    changes = {k: now + v if isinstance(v, At) else v for k, v in changes.items()}
    return sso_keys.id_token(provider, **{"iat": now, "exp": now + 600, **changes})


def _verify(provider: str = "google", token: str | None = None, **kw) -> rules.Identity:
    kw.setdefault("client_ids", ("other-client", sso_keys.CLIENT_IDS[provider]))
    token = token or _token(provider)
    verify.key_id(token)
    return verify.identity(provider, token, kw.pop("key", None) or _key(provider), **kw)


# --- the token and its signature --------------------------------------------------------------
def test_a_real_rs256_token_verifies_and_gives_the_identity():
    token = _token(sub="s-1", email="Sam@Example.com")
    assert verify.key_id(token) == sso_keys.kid("google")
    assert _verify(token=token) == rules.Identity(
        "google", "s-1", "sam@example.com", "Sam", "Sign-On"
    )
    # Apple says "true" as a string; Microsoft's issuer carries the token's own tid
    assert _verify("apple").email is not None
    assert _verify("microsoft").subject


def test_another_key_or_a_tampered_payload_fails_the_signature():
    with pytest.raises(rules.Rejected, match="signature is invalid"):
        _verify(key=_key("apple"))
    head, _, sig = _token(sub="alice").split(".")
    forged = _b64(json.dumps(sso_keys.claims("google", "mallory")).encode())
    with pytest.raises(rules.Rejected, match="signature is invalid"):
        _verify(token=f"{head}.{forged}.{sig}")
    for signature in (sig[:-4], "", _b64(b"\xff" * 256)):
        with pytest.raises(rules.Rejected, match="signature is invalid|malformed"):
            _verify(token=f"{head}.{_token().split('.')[1]}.{signature}")


RS256 = _b64(b'{"alg":"RS256","kid":"k"}')


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("abc", "malformed identity token"),
        ("a.b.c.d", "malformed identity token"),
        ("!!.e30.c2ln", "malformed identity token"),
        (_b64(b"[1]") + ".e30.c2ln", "malformed identity token"),
        (_b64(b'{"alg":"none","kid":"k"}') + ".e30.", "'none' is not accepted"),
        (_b64(b'{"alg":"HS256","kid":"k"}') + ".e30.c2ln", "'HS256' is not accepted"),
        (_b64(b'{"alg":"RS256"}') + ".e30.c2ln", "names no signing key"),
        (
            _b64(b'{"alg":"RS256","kid":"k","crit":["b64"],"b64":false}') + ".e30.c2ln",
            "malformed|critical",
        ),
        (_b64(b'{"alg":"RS256","kid":"k","crit":["x"]}') + ".e30.c2ln", "malformed"),
        (RS256 + ".e30.a+b", "malformed identity token"),
        ("x" * 9000, "too long"),
    ],
)
def test_malformed_tokens_and_other_algorithms_are_rejected(token, message):
    with pytest.raises(rules.Rejected, match=message):
        verify.key_id(token)


def test_an_unsigned_or_unreadable_payload_is_rejected():
    with pytest.raises(rules.Rejected, match="malformed identity token"):
        _verify(token=RS256 + "." + _b64(b"[1]") + ".c2ln")
    with pytest.raises(rules.Rejected, match="signature is invalid"):
        _verify(token=RS256 + ".e30.c2ln")


def test_hs256_signed_with_the_public_key_is_rejected_before_any_key_is_used():
    from cryptography.hazmat.primitives import serialization

    pem = (
        sso_keys.private_key("google")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    head = _b64(json.dumps({"alg": "HS256", "kid": sso_keys.kid("google")}).encode())
    body = _b64(json.dumps(sso_keys.claims("google")).encode())
    sig = _b64(hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    token = f"{head}.{body}.{sig}"
    with pytest.raises(rules.Rejected, match="RS256 only"):
        verify.key_id(token)
    # and were the header check skipped, pyjwt would not take it with the RS256 key either
    with pytest.raises(rules.Rejected):
        verify.identity("google", token, _key(), client_ids=(sso_keys.CLIENT_IDS["google"],))


def test_jwks_entries_keep_only_usable_rsa_signing_keys():
    good = sso_keys.jwk("google", "good")
    n = int.from_bytes(base64.urlsafe_b64decode(good["n"] + "=="), "big")
    document = {
        "keys": [
            good,
            {**good, "kid": "enc", "use": "enc"},
            {**good, "kid": "ps", "alg": "PS256"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {**good, "kid": "even-e", "e": _b64(b"\x02")},
            {**good, "kid": "e-1", "e": _b64(b"\x01")},
            {**good, "kid": "small", "n": _b64((2**1023 + 1).to_bytes(128, "big"))},
            {**good, "kid": "even-n", "n": _b64((n + 1).to_bytes(256, "big"))},
            {**good, "kid": "bad-n", "n": "!!"},
            {**good, "kid": "private", "d": good["n"]},
            {**good, "kid": None},
            "junk",
        ]
    }
    assert set(verify.signing_keys(document)) == {"good"}
    assert verify.signing_keys({"keys": "nope"}) == {} and verify.signing_keys([]) == {}


# --- claims ----------------------------------------------------------------------------------
@pytest.mark.parametrize("verified", [False, "false", None, 1])
def test_an_unverified_email_is_not_taken(verified):
    assert _verify(token=_token(email_verified=verified)).email is None


def test_both_google_issuer_spellings_are_accepted():
    for iss in rules.GOOGLE_ISSUERS:
        assert _verify(token=_token(iss=iss))


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
        ("google", {"aud": [5]}, "no audience"),
        ("google", {"aud": [sso_keys.CLIENT_IDS["google"], "x"]}, "azp"),
        ("google", {"exp": None}, "no expiry"),
        ("google", {"exp": "tomorrow"}, "exp is not a number"),
        ("google", {"exp": True}, "exp is not a number"),
        ("google", {"exp": str(_now() + 6000)}, "exp is not a number"),
        ("google", {"exp": At(-61)}, "expired"),
        ("google", {"nbf": At(120)}, "not valid yet"),
        ("google", {"iat": At(120)}, "in the future"),
        ("google", {"iat": None}, "no issue time"),
        ("google", {"iat": "now"}, "iat is not a number"),
        ("google", {"sub": 5}, "no subject"),
        ("google", {"sub": "  "}, "no subject"),
        ("google", {"sub": "x" * 256}, "no subject"),
    ],
)
def test_each_claim_rule_refuses(provider, changes, message):
    with pytest.raises(rules.Rejected, match=message):
        _verify(provider, _token(provider, **changes))


def test_a_token_without_a_subject_is_refused():
    claims = {k: v for k, v in sso_keys.claims("google").items() if k != "sub"}
    token = jwt.encode(claims, sso_keys.private_key("google"), "RS256", {"kid": "k"})
    with pytest.raises(rules.Rejected, match="no subject"):
        _verify(token=token)


def test_a_forged_token_is_refused_for_its_signature_before_its_claims():
    head, _, sig = _token("microsoft").split(".")
    body = _b64(json.dumps(sso_keys.claims("microsoft", tid=None, exp=1)).encode())
    with pytest.raises(rules.Rejected, match="signature is invalid"):
        _verify("microsoft", f"{head}.{body}.{sig}")


def test_small_clock_skew_is_accepted():
    assert _verify(token=_token(exp=At(-30), iat=At(30), nbf=At(30)))


def test_several_audiences_need_this_app_as_authorized_party():
    aud = [sso_keys.CLIENT_IDS["google"], "x"]
    assert _verify(token=_token(aud=aud, azp=sso_keys.CLIENT_IDS["google"]))


def test_the_nonce_must_match_when_the_request_sends_one():
    assert _verify(token=_token(nonce="n-1"), nonce="n-1")
    assert _verify(token=_token(nonce="n-1"))  # none sent: nothing to compare
    with pytest.raises(rules.Rejected, match="nonce does not match"):
        _verify(token=_token(nonce="n-1"), nonce="n-2")
    with pytest.raises(rules.Rejected, match="nonce does not match"):
        _verify(token=_token(), nonce="n-1")


def test_an_issuer_override_replaces_the_providers_own():
    assert _verify(
        token=_token(iss="http://localhost/issuer"), issuer_override="http://localhost/issuer"
    )
    with pytest.raises(rules.Rejected, match="not issued by"):
        _verify(token=_token(), issuer_override="http://localhost/issuer")
    ms = _token("microsoft", iss=f"http://idp/{sso_keys.MICROSOFT_TID}")
    assert _verify("microsoft", ms, issuer_override="http://idp/{tid}")
