"""Second factors, pure (SPEC.md "Auth"): TOTP's rules (RFC 6238: SHA-1, 6 digits, 30 s
steps, +-1 step, each step accepted once; the codes themselves are pyotp's, ``totp.py``),
backup codes (ten, single use, kept as keyed hashes),
e-mail one-time codes (6 digits, 10 minutes), the challenge's limits, and the sealing of
the TOTP secret at rest. No AWS, no HTTP; the standard library only.

Sealing: the secret is encrypted with HMAC-SHA256 in counter mode (a PRF keystream under a
random 16-byte nonce) and authenticated with HMAC-SHA256 over nonce and ciphertext
(encrypt-then-MAC), both keys derived by HKDF-SHA256 from the server key. The Lambda
package ships no AES library (``cryptography`` alone is about 4 MB zipped), and this
construction needs none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass

from chalicelib.core.errors import InvalidInput

STEP_S = 30
DIGITS = 6
WINDOW = 1  # steps either side of the current one
SECRET_CHARS = 32  # base32: 160 bits, RFC 4226's recommendation
BACKUP_CODES = 10
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
BACKUP_LENGTH = 10  # about 49 bits each
EMAIL_CODE_TTL_S = 600
CHALLENGE_TTL_S = 300
MAX_ATTEMPTS = 5  # wrong codes that void a challenge
MAX_EMAILS = 3  # e-mail codes one challenge may ask for
MAX_WRONG_SIGNED_IN = 5  # wrong codes on confirm/disable/backup-codes before a lock
LOCK_S = 900  # that lock: 15 minutes, as the login's
ISSUER = "TradeKitt"

_SIX_DIGITS = re.compile(r"^[0-9]{6}$")
_BACKUP = re.compile(f"^[{BACKUP_ALPHABET}]{{{BACKUP_LENGTH}}}$")


class CodeInputError(InvalidInput):
    """A code that can never be valid: neither 6 digits nor a backup code (HTTP 422)."""

    default_field = "code"


# --- TOTP (the codes are pyotp's: ``totp.py``) ----------------------------------------------
def step_of(epoch_s: float) -> int:
    return int(epoch_s // STEP_S)


def window(epoch_s: float) -> range:
    """The time steps whose codes are accepted at ``epoch_s``: +-``WINDOW`` of now."""
    now = step_of(epoch_s)
    return range(now - WINDOW, now + WINDOW + 1)


@dataclass(frozen=True)
class TotpCheck:
    """``step`` is the matching time step when ``ok``; ``replay`` says the code matched
    a step already used (or older than the last one used)."""

    ok: bool
    step: int | None = None
    replay: bool = False


def totp_outcome(matched: list[int], last_step: int | None) -> TotpCheck:
    """Each step is accepted once: a code matching the window's steps ``matched`` (the
    latest counts) is good only for a step later than ``last_step``, the last one used."""
    if not matched:
        return TotpCheck(ok=False)
    step = max(matched)
    if last_step is not None and step <= last_step:
        return TotpCheck(ok=False, step=step, replay=True)
    return TotpCheck(ok=True, step=step)


# --- codes as typed ---------------------------------------------------------------------
def normalize(code: str) -> str:
    """Spaces and dashes dropped, lower case (``"123 456"``, ``"ABCDE-FGHJK"``)."""
    return re.sub(r"[\s-]", "", code).lower()


def kind_of(code: str) -> str:
    """``"digits"`` (a TOTP or e-mail code) or ``"backup"``; ``CodeInputError`` otherwise."""
    value = normalize(code)
    if _SIX_DIGITS.match(value):
        return "digits"
    if _BACKUP.match(value):
        return "backup"
    raise CodeInputError("must be a 6-digit code or a backup code (xxxxx-xxxxx)")


def six_digits(code: str) -> str:
    """A 6-digit code as typed, normalized; ``CodeInputError`` for anything else."""
    value = normalize(code)
    if not _SIX_DIGITS.match(value):
        raise CodeInputError("must be the 6-digit code of your authenticator app")
    return value


# --- backup codes and e-mail codes --------------------------------------------------------
def new_backup_codes(count: int = BACKUP_CODES) -> list[str]:
    """``count`` distinct codes, shown as ``xxxxx-xxxxx``."""
    codes: set[str] = set()
    while len(codes) < count:
        raw = "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(BACKUP_LENGTH))
        codes.add(f"{raw[:5]}-{raw[5:]}")
    return sorted(codes)


def code_hash(key: bytes, scope: str, code: str) -> str:
    """The stored form of a backup or e-mail code: HMAC-SHA256 under the server's key,
    bound to ``scope`` (tenant and user), so a leaked table does not reveal the codes and
    a hash of one user's code is worth nothing for another."""
    message = f"{scope}|{normalize(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_email_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def email_code_valid(
    stored_hash: str | None, expires: int | None, given_hash: str, now: int
) -> bool:
    if not stored_hash or expires is None or now >= expires:
        return False
    return hmac.compare_digest(stored_hash, given_hash)


# --- the challenge ------------------------------------------------------------------------
def challenge_open(attempts: int, used: bool, expires_at: int | None, now: int) -> bool:
    """Can the challenge still be answered?"""
    return not used and attempts < MAX_ATTEMPTS and expires_at is not None and now < expires_at


def mask_email(address: str) -> str:
    """``j***@example.com``: enough to recognise the inbox, not to learn the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


# --- keys and sealing ---------------------------------------------------------------------
def hkdf(master: bytes, info: str, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) with an empty salt."""
    prk = hmac.new(b"\x00" * 32, master, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info.encode() + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + struct.pack(">I", counter), hashlib.sha256).digest()
        counter += 1
    return out[:length]


class SealError(ValueError):
    """A sealed value that is not ours or was altered (or the server key changed)."""


def seal(master: bytes, plaintext: str, context: str) -> str:
    """``v1.<nonce>.<ciphertext>.<tag>`` (url-safe base64), bound to ``context``."""
    enc, mac = hkdf(master, "mfa-enc"), hkdf(master, "mfa-mac")
    nonce = secrets.token_bytes(16)
    data = plaintext.encode()
    ct = bytes(a ^ b for a, b in zip(data, _keystream(enc, nonce, len(data)), strict=True))
    tag = hmac.new(mac, context.encode() + b"|" + nonce + ct, hashlib.sha256).digest()
    parts = [base64.urlsafe_b64encode(p).decode().rstrip("=") for p in (nonce, ct, tag)]
    return "v1." + ".".join(parts)


def unseal(master: bytes, sealed: str, context: str) -> str:
    version, _, rest = sealed.partition(".")
    pieces = rest.split(".")
    if version != "v1" or len(pieces) != 3:
        raise SealError("not a sealed value")
    try:
        nonce, ct, tag = (base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in pieces)
    except (ValueError, TypeError) as exc:
        raise SealError("not a sealed value") from exc
    enc, mac = hkdf(master, "mfa-enc"), hkdf(master, "mfa-mac")
    expected = hmac.new(mac, context.encode() + b"|" + nonce + ct, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, tag):
        raise SealError("sealed value does not verify")
    data = bytes(a ^ b for a, b in zip(ct, _keystream(enc, nonce, len(ct)), strict=True))
    return data.decode()
