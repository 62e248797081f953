"""Pure rules of SSO sign-in (SPEC.md "Auth"): reading a provider's ``id_token`` (a
compact JWS), checking its RS256 signature against a key of the provider's JWKS, and
checking its claims (``iss``, ``aud``, ``exp``, ``nbf``/``iat``, ``nonce``, ``sub``,
the e-mail only when verified).

The RS256 check is RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 section 8.2.2): the
signature is raised to the key's exponent and the whole encoded message compared, in
constant time, with the one built from the signing input, so nothing of the padding is
parsed (the classic forgeries against lenient parsers have nothing to hold on to). The
Lambda package ships no ``cryptography`` (about 4 MB zipped; the MFA code made the same
choice), and this is the only public-key operation the API needs.

Every refusal is a ``Rejected`` with a message that says what was wrong; the service
answers it 401.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

PROVIDERS = ("google", "apple", "microsoft")
TITLES = {"google": "Google", "apple": "Apple", "microsoft": "Microsoft"}
ALGORITHM = "RS256"
LEEWAY_S = 60  # clock skew accepted on exp, nbf and iat
MIN_KEY_BITS = 2048
MAX_KEY_BITS = 8192
MAX_TOKEN_CHARS = 8192
MAX_SUBJECT_CHARS = 255
# DER DigestInfo prefix of SHA-256 (RFC 8017 section 9.2, note 1)
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
APPLE_ISSUER = "https://appleid.apple.com"
MICROSOFT_ISSUER = "https://login.microsoftonline.com/{tid}/v2.0"
_TENANT_ID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class Rejected(Exception):
    """The token is not a valid sign-in for this API (the message says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def kid(self) -> str:
        return str(self.header["kid"])


@dataclass(frozen=True)
class Identity:
    """A verified provider identity."""

    provider: str
    subject: str
    email: str | None  # only when the provider says it is verified
    given_name: str | None = None
    family_name: str | None = None


def b64url_decode(part: str) -> bytes:
    if not _B64URL.match(part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_object(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(part))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Rejected(f"malformed identity token: its {what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise Rejected(f"malformed identity token: its {what} is not a JSON object")
    return value


def parse(token: str) -> Jws:
    """The token's parts; refuses anything but a compact RS256 JWS naming its key."""
    if len(token) > MAX_TOKEN_CHARS:
        raise Rejected("identity token too long")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise Rejected("malformed identity token: expected three dot-separated parts")
    header = _json_object(parts[0], "header")
    alg = header.get("alg")
    if alg != ALGORITHM:
        raise Rejected(f"identity token algorithm {alg!r} is not accepted: RS256 only")
    if "crit" in header:
        raise Rejected("identity token has critical header parameters this API does not know")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 256:
        raise Rejected("identity token names no signing key (kid)")
    claims = _json_object(parts[1], "payload")
    try:
        signature = b64url_decode(parts[2])
    except (ValueError, binascii.Error) as exc:
        raise Rejected("malformed identity token: its signature is not base64url") from exc
    if not signature:
        raise Rejected("identity token is not signed")
    return Jws(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


# --- keys and the signature ------------------------------------------------------------------
@dataclass(frozen=True)
class RsaKey:
    n: int
    e: int

    @property
    def size(self) -> int:
        """Modulus length in bytes."""
        return (self.n.bit_length() + 7) // 8


def rsa_key(jwk: Any) -> RsaKey | None:
    """The RSA public key of one JWKS entry usable for RS256 signatures, or None (another
    key type, use or algorithm, or a malformed or weak key: skipped)."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        return None
    if jwk.get("use", "sig") != "sig" or jwk.get("alg", ALGORITHM) != ALGORITHM:
        return None
    try:
        n = int.from_bytes(b64url_decode(str(jwk["n"])), "big")
        e = int.from_bytes(b64url_decode(str(jwk["e"])), "big")
    except (KeyError, ValueError, binascii.Error):
        return None
    if not MIN_KEY_BITS <= n.bit_length() <= MAX_KEY_BITS or n % 2 == 0:
        return None
    if e < 3 or e % 2 == 0 or e >= n:
        return None
    return RsaKey(n, e)


def signing_keys(jwks: Any) -> dict[str, RsaKey]:
    """``kid`` -> key of every usable entry of a JWKS document (``{"keys": [...]}``)."""
    found: dict[str, RsaKey] = {}
    entries = jwks.get("keys") if isinstance(jwks, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        key = rsa_key(entry)
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if key is not None and isinstance(kid, str) and kid:
            found[kid] = key
    return found


def emsa_pkcs1_v1_5(message: bytes, size: int) -> bytes:
    """EMSA-PKCS1-v1_5 encoding of SHA-256(``message``) for a ``size``-byte modulus."""
    t = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    padding = size - len(t) - 3
    if padding < 8:
        raise ValueError("modulus too short")
    return b"\x00\x01" + b"\xff" * padding + b"\x00" + t


def rs256_valid(key: RsaKey, signing_input: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5-VERIFY with SHA-256 (RFC 8017 8.2.2)."""
    if len(signature) != key.size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    encoded = pow(s, key.e, key.n).to_bytes(key.size, "big")
    return hmac.compare_digest(encoded, emsa_pkcs1_v1_5(signing_input, key.size))


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


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected(f"identity token claim {name} is not a number")
    return float(value)


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        return aud
    raise Rejected("identity token has no audience (aud)")


def _verified(value: Any) -> bool:
    """``email_verified``: a boolean (Google, Microsoft) or the string "true" (Apple)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _name(value: Any) -> str | None:
    return value.strip()[:100] or None if isinstance(value, str) else None


def check_claims(
    provider: str,
    claims: dict[str, Any],
    *,
    client_ids: tuple[str, ...],
    now_s: float,
    nonce: str | None = None,
    issuer_override: str | None = None,
) -> Identity:
    """The identity ``claims`` prove, or ``Rejected``."""
    title = TITLES.get(provider, provider)
    iss = claims.get("iss")
    if iss not in issuers(provider, claims, issuer_override):
        raise Rejected(f"identity token was not issued by {title} (iss {iss!r})")
    audiences = _audiences(claims)
    if not any(a in client_ids for a in audiences):
        raise Rejected(f"identity token was issued for another application (aud {audiences[0]!r})")
    if len(audiences) > 1 and claims.get("azp") not in client_ids:
        # OpenID Connect: with several audiences, the authorized party must be this app
        raise Rejected("identity token was issued to another application (azp)")
    exp = _number(claims, "exp")
    if exp is None:
        raise Rejected("identity token has no expiry (exp)")
    if now_s > exp + LEEWAY_S:
        raise Rejected("identity token has expired")
    nbf = _number(claims, "nbf")
    if nbf is not None and nbf > now_s + LEEWAY_S:
        raise Rejected("identity token is not valid yet (nbf)")
    iat = _number(claims, "iat")
    if iat is not None and iat > now_s + LEEWAY_S:
        raise Rejected("identity token was issued in the future (iat)")
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
