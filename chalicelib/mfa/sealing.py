"""The TOTP secret at rest: sealed with AES-256-GCM (``cryptography``'s ``AESGCM``) and
the MFA keys derived with ``cryptography``'s HKDF-SHA256.

Stored format ``v2.<nonce>.<ciphertext and tag>`` (url-safe base64, no padding): a random
12-byte nonce per seal, the 16-byte GCM tag at the end of the ciphertext, and the user's
identity (``<tenant id>|<user id>``) as associated data, so a sealed secret copied onto
another user's enrolment does not open. The AES key is HKDF-SHA256 (empty salt) of the
MFA key (itself HKDF-SHA256 of the JWT signing key, ``service._key``) with the info
``SEAL_INFO``, a label no other key uses.

``v1.`` values (HMAC-SHA256 counter mode plus an HMAC-SHA256 tag, written before
``cryptography`` shipped in the Lambda package) are still read by ``_unseal_v1``, a
read-only migration path: nothing writes v1 any more, and ``service`` re-seals a v1
secret as v2 on the user's next successful TOTP code (``needs_reseal``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v2"
SEAL_INFO = "tradekitt mfa totp-secret seal v2 aes-256-gcm"
NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed value that is not ours or was altered (or the server key changed)."""


def derive_key(master: bytes, info: str, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) of ``master`` with an empty salt and ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode()).derive(
        master
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error) as exc:
        raise SealError("not a sealed value") from exc


def seal(master: bytes, plaintext: str, context: str) -> str:
    """``v2.<nonce>.<ciphertext+tag>``, bound to ``context`` (the tenant and user)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(derive_key(master, SEAL_INFO)).encrypt(
        nonce, plaintext.encode(), context.encode()
    )
    return f"{VERSION}.{_b64(nonce)}.{_b64(sealed)}"


def unseal(master: bytes, sealed: str, context: str) -> str:
    """The plaintext of a v2 (or legacy v1) value sealed for ``context``; ``SealError``
    when it is malformed, altered, another user's or sealed under another key."""
    version, _, rest = sealed.partition(".")
    pieces = rest.split(".")
    if version == "v1" and len(pieces) == 3:
        return _unseal_v1(master, pieces, context)
    if version != VERSION or len(pieces) != 2:
        raise SealError("not a sealed value")
    nonce, data = (_unb64(p) for p in pieces)
    if len(nonce) != NONCE_BYTES:
        raise SealError("not a sealed value")
    try:
        plain = AESGCM(derive_key(master, SEAL_INFO)).decrypt(nonce, data, context.encode())
    except InvalidTag as exc:
        raise SealError("sealed value does not verify") from exc
    return plain.decode()


def needs_reseal(sealed: str) -> bool:
    """Is ``sealed`` in an older format than the one ``seal`` writes?"""
    return not sealed.startswith(VERSION + ".")


# --- legacy v1: READ-ONLY migration path (never used to write) -----------------------------
def _unseal_v1(master: bytes, pieces: list[str], context: str) -> str:
    """The v1 format: HMAC-SHA256 tag (key HKDF ``mfa-mac``) over ``context|nonce|ct``,
    checked first; then the ciphertext XORed with an HMAC-SHA256 counter-mode keystream
    (key HKDF ``mfa-enc``) under the 16-byte nonce."""
    nonce, ct, tag = (_unb64(p) for p in pieces)
    enc, mac = derive_key(master, "mfa-enc"), derive_key(master, "mfa-mac")
    expected = hmac.new(mac, context.encode() + b"|" + nonce + ct, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, tag):
        raise SealError("sealed value does not verify")
    stream = b"".join(
        hmac.new(enc, nonce + struct.pack(">I", i), hashlib.sha256).digest()
        for i in range((len(ct) + 31) // 32)
    )
    return bytes(a ^ b for a, b in zip(ct, stream, strict=False)).decode()
