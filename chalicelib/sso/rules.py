"""Pure rules of SSO sign-in (SPEC.md "Auth"): what this API asks of a provider's
``id_token`` beyond what pyjwt checks (``verify.py`` does the signature and the registered
claims with pyjwt): the header (RS256 exactly, a ``kid``, no critical extensions), which
JWKS entries may sign, the issuers of each provider (Microsoft's per directory), the
authorized party of a token with several audiences, the nonce, the subject, and the e-mail
only when the provider says it is verified.

Every refusal is a ``Rejected`` with a message that says what was wrong; the service
answers it 401.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any

PROVIDERS = ("google", "apple", "microsoft")
TITLES = {"google": "Google", "apple": "Apple", "microsoft": "Microsoft"}
ALGORITHM = "RS256"
LEEWAY_S = 60  # clock skew accepted on exp, nbf and iat
REQUIRED_CLAIMS = ("exp", "iat", "sub", "aud", "iss")
MIN_KEY_BITS = 2048
MAX_KEY_BITS = 8192
MAX_TOKEN_CHARS = 8192
MAX_SUBJECT_CHARS = 255
GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
APPLE_ISSUER = "https://appleid.apple.com"
MICROSOFT_ISSUER = "https://login.microsoftonline.com/{tid}/v2.0"
_TENANT_ID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


class Rejected(Exception):
    """The token is not a valid sign-in for this API (the message says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Identity:
    """A verified provider identity."""

    provider: str
    subject: str
    email: str | None  # only when the provider says it is verified
    given_name: str | None = None
    family_name: str | None = None


# --- the header and the keys -----------------------------------------------------------------
def check_header(header: dict[str, Any]) -> str:
    """The ``kid`` of a token header that is exactly RS256, names its key and asks for no
    critical extension (checked before any key is looked up)."""
    alg = header.get("alg")
    if alg != ALGORITHM:
        raise Rejected(f"identity token algorithm {alg!r} is not accepted: RS256 only")
    if "crit" in header or "b64" in header:
        raise Rejected("identity token has critical header parameters this API does not know")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 256:
        raise Rejected("identity token names no signing key (kid)")
    return kid


def usable_jwk(entry: Any) -> bool:
    """May this JWKS entry sign id_tokens? An RSA public key (no private part) for
    signatures, for RS256 when it names an algorithm, with a ``kid``. (Its size and
    numbers are checked when pyjwt builds the key.)"""
    if not isinstance(entry, dict) or entry.get("kty") != "RSA" or "d" in entry:
        return False
    if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
        return False
    kid = entry.get("kid")
    return isinstance(kid, str) and bool(kid)


def usable_modulus(n: int) -> bool:
    """An RSA modulus of 2048 to 8192 bits, odd (the exponent's checks are cryptography's)."""
    return MIN_KEY_BITS <= n.bit_length() <= MAX_KEY_BITS and n % 2 == 1


# --- claims ----------------------------------------------------------------------------------
def issuers(provider: str, claims: dict[str, Any], override: str | None = None) -> tuple[str, ...]:
    """The issuers a token of ``provider`` may name. Microsoft's is per directory: the
    token's own ``tid`` (a GUID) in ``https://login.microsoftonline.com/{tid}/v2.0``; an
    override (``SSO_<PROVIDER>_ISSUER``) may use ``{tid}`` the same way."""
    if provider == "microsoft" or (override and "{tid}" in override):
        tid = claims.get("tid")
        if not isinstance(tid, str) or not _TENANT_ID.match(tid):
            raise Rejected("Microsoft identity token has no directory (tid) claim")
        return ((override or MICROSOFT_ISSUER).replace("{tid}", tid),)
    if override:
        return (override,)
    if provider == "google":
        return GOOGLE_ISSUERS
    if provider == "apple":
        return (APPLE_ISSUER,)
    raise Rejected(f"unknown SSO provider {provider!r}")


def not_issued_by(provider: str, claims: dict[str, Any]) -> Rejected:
    title = TITLES.get(provider, provider)
    return Rejected(f"identity token was not issued by {title} (iss {claims.get('iss')!r})")


def missing_claim(claim: str) -> Rejected:
    return Rejected(
        {
            "exp": "identity token has no expiry (exp)",
            "iat": "identity token has no issue time (iat)",
            "sub": "identity token has no subject (sub)",
            "aud": "identity token has no audience (aud)",
        }.get(claim, f"identity token has no {claim} claim")
    )


def check_dates(claims: dict[str, Any]) -> None:
    """``exp``, ``nbf`` and ``iat`` are JSON numbers when present (pyjwt would take
    ``true`` or ``"1700000000"`` for one)."""
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise Rejected(f"identity token claim {name} is not a number")


def audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        return aud
    raise Rejected("identity token has no audience (aud)")


def another_application(claims: dict[str, Any]) -> Rejected:
    aud = claims.get("aud")
    first = aud[0] if isinstance(aud, list) and aud else aud
    return Rejected(f"identity token was issued for another application (aud {first!r})")


def _verified(value: Any) -> bool:
    """``email_verified``: a boolean (Google, Microsoft) or the string "true" (Apple)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _name(value: Any) -> str | None:
    return value.strip()[:100] or None if isinstance(value, str) else None


def identity(
    provider: str,
    claims: dict[str, Any],
    *,
    client_ids: tuple[str, ...],
    nonce: str | None = None,
) -> Identity:
    """The identity of claims whose signature, issuer, audience and times were verified
    (``verify.py``): this API's own rules on them, or ``Rejected``."""
    check_dates(claims)
    if len(audiences(claims)) > 1 and claims.get("azp") not in client_ids:
        # OpenID Connect: with several audiences, the authorized party must be this app
        raise Rejected("identity token was issued to another application (azp)")
    if nonce is not None:
        sent = claims.get("nonce")
        if not isinstance(sent, str) or not hmac.compare_digest(
            sent.encode("utf-8"), nonce.encode("utf-8")
        ):
            raise Rejected("identity token nonce does not match the request's nonce")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUBJECT_CHARS:
        raise Rejected("identity token has no subject (sub)")
    email = claims.get("email")
    verified = isinstance(email, str) and "@" in email and _verified(claims.get("email_verified"))
    return Identity(
        provider=provider,
        subject=sub,
        email=email.strip().lower() if verified else None,  # type: ignore[union-attr]
        given_name=_name(claims.get("given_name")),
        family_name=_name(claims.get("family_name")),
    )
