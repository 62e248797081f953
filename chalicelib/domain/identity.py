"""Pure rules about tenants and staff accounts: business codes, password policy,
username rules and the login lockout policy."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
BUSINESS_CODE_MAX = 20
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{1,63}$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def business_code_base(company_name: str) -> str:
    """Upper-case ASCII letters and digits of the company name: ``Smith HVAC`` -> ``SMITHHVAC``.

    Accents are folded (``Café`` -> ``CAFE``). A name with no usable character gets
    ``BUSINESS``. The base is cut to leave room for a collision suffix.
    """
    folded = unicodedata.normalize("NFKD", company_name).encode("ascii", "ignore").decode()
    code = re.sub(r"[^A-Za-z0-9]", "", folded).upper()
    return (code or "BUSINESS")[:BUSINESS_CODE_MAX - 4]


def business_code_candidate(base: str, attempt: int) -> str:
    """The code to try on attempt 0, 1, 2...: ``SMITHHVAC``, ``SMITHHVAC2``, ``SMITHHVAC3``..."""
    return base if attempt == 0 else f"{base}{attempt + 1}"


def normalize_business_code(code: str) -> str:
    """Codes are case-insensitive: stored and looked up upper-case."""
    return code.strip().upper()


def password_problem(password: str) -> str | None:
    """Why a password is refused, or None. At least 10 characters (SPEC.md)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"password must be at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"password must be at most {PASSWORD_MAX_LENGTH} characters"
    if password.strip() == "":
        return "password must not be blank"
    return None


def username_problem(username: str) -> str | None:
    """Why a username is refused, or None: 2-64 characters of letters, digits and ._@+-."""
    if not _USERNAME.match(username):
        return "username must be 2-64 characters: letters, digits and . _ @ + -"
    return None


def normalize_username(username: str) -> str:
    """Usernames are case-insensitive."""
    return username.strip().lower()


def email_problem(email: str) -> str | None:
    """Why an e-mail address is refused, or None (syntax only; no DNS look-up)."""
    if len(email) > 254 or not _EMAIL.match(email):
        return "value is not a valid email address"
    local = email.split("@", 1)[0]
    if len(local) > 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        return "value is not a valid email address"
    return None


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class LoginState:
    """What the lockout policy needs to know about an account."""

    failed_logins: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime) -> "LoginState":
        """Five failures in a row lock the account for 15 minutes."""
        failed = self.failed_logins + 1
        if failed >= MAX_FAILED_LOGINS:
            return LoginState(failed_logins=0, locked_until=now + LOCKOUT)
        return LoginState(failed_logins=failed, locked_until=None)
