"""Verifying a provider's ``id_token`` with pyjwt: the signature (RS256, with the key of
the provider's JWKS the token's ``kid`` names), ``exp``/``nbf``/``iat`` (60 s leeway),
``iss``, ``aud`` and the required claims; then this API's own rules (``rules.py``: the
header, Microsoft's per-directory issuer, ``azp``, the nonce, the subject, the verified
e-mail). Each pyjwt refusal becomes a ``rules.Rejected`` saying what was wrong.
"""

from __future__ import annotations

from typing import Any, NoReturn

import jwt
from jwt import exceptions as errors

from chalicelib.sso import rules
from chalicelib.sso.rules import Rejected


def signing_keys(document: Any) -> dict[str, jwt.PyJWK]:
    """``kid`` -> RS256 key of every usable entry of a JWKS document (``{"keys": [...]}``);
    another key type, use or algorithm, or a malformed or weak key is skipped."""
    found: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not rules.usable_jwk(entry):
            continue
        try:
            key = jwt.PyJWK(entry, algorithm=rules.ALGORITHM)
        except (errors.PyJWTError, ValueError, TypeError, KeyError):
            continue
        if rules.usable_modulus(key.key.public_numbers().n):
            found[entry["kid"]] = key
    return found


def key_id(token: str) -> str:
    """The ``kid`` of a token whose header is exactly what this API accepts."""
    if len(token) > rules.MAX_TOKEN_CHARS:
        raise Rejected("identity token too long")
    try:
        header = jwt.get_unverified_header(token)
    except errors.PyJWTError as exc:
        raise Rejected(f"malformed identity token: {exc}") from None
    return rules.check_header(header)


def identity(
    provider: str,
    token: str,
    key: jwt.PyJWK,
    *,
    client_ids: tuple[str, ...],
    nonce: str | None = None,
    issuer_override: str | None = None,
) -> rules.Identity:
    """The identity ``token`` proves when signed by ``key``, or ``Rejected``."""
    try:
        # read unsigned only to pick the issuer to expect (Microsoft's names the token's
        # directory); the decode below checks the signature over the very same claims
        unverified = jwt.decode(token, options={"verify_signature": False})
    except errors.PyJWTError as exc:
        raise Rejected(f"malformed identity token: {exc}") from None
    try:
        expected: tuple[str, ...] | None = rules.issuers(provider, unverified, issuer_override)
        no_directory = None
    except Rejected as exc:
        expected, no_directory = None, exc  # refused once the signature is known good
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[rules.ALGORITHM],
            audience=list(client_ids),
            issuer=expected,
            leeway=rules.LEEWAY_S,
            options={
                "require": list(rules.REQUIRED_CLAIMS),
                "verify_iss": expected is not None,
                "enforce_minimum_key_length": True,
            },
        )
    except errors.PyJWTError as exc:
        _refuse(provider, exc, unverified)
    if no_directory is not None:
        raise no_directory
    return rules.identity(provider, claims, client_ids=client_ids, nonce=nonce)


def _refuse(provider: str, exc: errors.PyJWTError, claims: dict[str, Any]) -> NoReturn:
    """The ``Rejected`` of a pyjwt refusal. pyjwt checks the claims only once the signature
    verified, so for a claim's refusal ``claims`` are the signed ones."""
    if isinstance(exc, errors.InvalidSignatureError):
        raise Rejected("identity token signature is invalid") from None
    if isinstance(exc, errors.InvalidAlgorithmError):
        raise Rejected(f"identity token algorithm refused, RS256 only: {exc}") from None
    if isinstance(exc, errors.MissingRequiredClaimError):
        if exc.claim == "iss":
            raise rules.not_issued_by(provider, claims) from None
        raise rules.missing_claim(exc.claim) from None
    dates = (errors.ExpiredSignatureError, errors.ImmatureSignatureError)
    if isinstance(exc, dates + (errors.InvalidIssuedAtError,)) or (
        type(exc) is errors.DecodeError and "claim" in str(exc)
    ):
        rules.check_dates(claims)  # "not a number" before "expired" for exp: true
        if isinstance(exc, errors.ExpiredSignatureError):
            raise Rejected("identity token has expired") from None
        if isinstance(exc, errors.ImmatureSignatureError) and "(nbf)" in str(exc):
            raise Rejected("identity token is not valid yet (nbf)") from None
        if isinstance(exc, errors.ImmatureSignatureError):
            raise Rejected("identity token was issued in the future (iat)") from None
    if isinstance(exc, errors.InvalidIssuerError):
        raise rules.not_issued_by(provider, claims) from None
    if isinstance(exc, errors.InvalidAudienceError):
        rules.audiences(claims)  # "no audience" for one that is not strings
        raise rules.another_application(claims) from None
    if isinstance(exc, errors.InvalidSubjectError):
        raise Rejected("identity token has no subject (sub)") from None
    if isinstance(exc, errors.InvalidKeyError):
        raise Rejected(f"identity token signing key is not usable: {exc}") from None
    if isinstance(exc, errors.DecodeError):
        raise Rejected(f"malformed identity token: {exc}") from None
    raise Rejected(f"identity token is not valid: {exc}") from None
