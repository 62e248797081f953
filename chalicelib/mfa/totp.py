"""TOTP codes with pyotp (RFC 6238: SHA-1, 6 digits, 30 s steps): a new secret, the
codes of the accepted window (``rules.window``), the ``otpauth://`` URI authenticator
apps scan. Which matching step counts, and that each is accepted once, is
``rules.totp_outcome``. pyotp is imported by the first call (DESIGN.md: cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.mfa import rules

if TYPE_CHECKING:
    import pyotp


def _totp(secret: str) -> pyotp.TOTP:
    import pyotp

    return pyotp.TOTP(secret, digits=rules.DIGITS, interval=rules.STEP_S)


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, no padding), as authenticator apps take it."""
    import pyotp

    return pyotp.random_base32(rules.SECRET_CHARS)


def check(secret: str, code: str, epoch_s: float, last_step: int | None) -> rules.TotpCheck:
    """Does ``code`` match a step within +-``WINDOW`` of now that is later than
    ``last_step``? Every step of the window is compared (in constant time)."""
    from pyotp.utils import strings_equal

    totp = _totp(secret)
    matched = [s for s in rules.window(epoch_s) if strings_equal(code, totp.generate_otp(s))]
    return rules.totp_outcome(matched, last_step)


def otpauth_uri(secret: str, account: str, issuer: str = rules.ISSUER) -> str:
    """The ``otpauth://totp/<issuer>:<account>?secret=...&issuer=...`` URI of Google's Key
    Uri Format (what the QR code holds; SHA-1, 6 digits and 30 s are its defaults)."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)
