"""Second factors, pure (SPEC.md "Auth"): TOTP's rules (RFC 6238: SHA-1, 6 digits, 30 s
steps, +-1 step, each step accepted once; the codes themselves are pyotp's, ``totp.py``),
backup codes (ten, single use, kept as keyed hashes),
e-mail one-time codes (6 digits, 10 minutes) and the challenge's limits. No AWS, no HTTP;
the standard library only. The TOTP secret's sealing at rest and the key derivation are
``sealing.py``'s (``cryptography``: AES-256-GCM, HKDF).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
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
