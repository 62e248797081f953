"""Pure SSO rules (no keys, no pyjwt): the header, which JWKS entries may sign, the
issuers of each provider, and the rules on claims pyjwt has verified (``test_verify.py``
checks them on signed tokens)."""

from __future__ import annotations

import pytest

from chalicelib.sso import rules
from tests.support import sso_keys

GOOGLE = (sso_keys.CLIENT_IDS["google"],)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"alg": "none", "kid": "k"}, "'none' is not accepted"),
        ({"alg": "rs256", "kid": "k"}, "'rs256' is not accepted"),
        ({"kid": "k"}, "None is not accepted"),
        ({"alg": "RS256"}, "names no signing key"),
        ({"alg": "RS256", "kid": ""}, "names no signing key"),
        ({"alg": "RS256", "kid": "k" * 257}, "names no signing key"),
        ({"alg": "RS256", "kid": "k", "crit": ["exp"]}, "critical"),
        ({"alg": "RS256", "kid": "k", "b64": True}, "critical"),
    ],
)
def test_a_header_must_be_rs256_with_a_kid_and_no_extensions(header, message):
    with pytest.raises(rules.Rejected, match=message):
        rules.check_header(header)


def test_a_good_header_gives_its_kid():
    assert rules.check_header({"alg": "RS256", "kid": "k-1", "typ": "JWT"}) == "k-1"


def test_usable_jwks_entries():
    good = {"kty": "RSA", "kid": "k", "n": "x", "e": "AQAB"}
    assert rules.usable_jwk(good) and rules.usable_jwk({**good, "use": "sig", "alg": "RS256"})
    for bad in (
        {**good, "use": "enc"},
        {**good, "alg": "RS512"},
        {**good, "kty": "EC"},
        {**good, "d": "x"},
        {**good, "kid": ""},
        {**good, "kid": 5},
        "junk",
    ):
        assert not rules.usable_jwk(bad)
    assert rules.usable_modulus(2**2047 + 1) and rules.usable_modulus(2**8191 + 1)
    assert not rules.usable_modulus(2**2047) and not rules.usable_modulus(2**2046 + 1)
    assert not rules.usable_modulus(2**8192 + 1)


def test_issuers_of_each_provider():
    assert rules.issuers("google", {}) == rules.GOOGLE_ISSUERS
    assert rules.issuers("apple", {}) == (rules.APPLE_ISSUER,)
    tid = sso_keys.MICROSOFT_TID
    assert rules.issuers("microsoft", {"tid": tid}) == (sso_keys.ISSUERS["microsoft"],)
    assert rules.issuers("google", {}, "http://idp") == ("http://idp",)
    assert rules.issuers("google", {"tid": tid}, "http://idp/{tid}") == (f"http://idp/{tid}",)
    with pytest.raises(rules.Rejected, match="no directory"):
        rules.issuers("microsoft", {"tid": "common"})
    with pytest.raises(rules.Rejected, match="unknown SSO provider"):
        rules.issuers("facebook", {})


def test_the_rules_on_verified_claims():
    claims = sso_keys.claims("google", "s-1", email=" Sam@Example.COM ")
    assert rules.identity("google", claims, client_ids=GOOGLE) == rules.Identity(
        "google", "s-1", "sam@example.com", "Sam", "Sign-On"
    )
    two = {**claims, "aud": [GOOGLE[0], "x"]}
    with pytest.raises(rules.Rejected, match="azp"):
        rules.identity("google", two, client_ids=GOOGLE)
    assert rules.identity("google", {**two, "azp": GOOGLE[0]}, client_ids=GOOGLE)
    with pytest.raises(rules.Rejected, match="nonce"):
        rules.identity("google", claims, client_ids=GOOGLE, nonce="n")
    with pytest.raises(rules.Rejected, match="iat is not a number"):
        rules.identity("google", {**claims, "iat": True}, client_ids=GOOGLE)
    with pytest.raises(rules.Rejected, match="no audience"):
        rules.identity("google", {**claims, "aud": [1]}, client_ids=GOOGLE)
