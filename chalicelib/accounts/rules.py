"""Pure rules about tenants and staff accounts: business codes and the login lockout
policy. The rules every staff login shares (e-mail, username, password) live in
``core.text`` and are re-exported here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.core.text import PASSWORD_MAX_LENGTH as PASSWORD_MAX_LENGTH
from chalicelib.core.text import PASSWORD_MIN_LENGTH as PASSWORD_MIN_LENGTH
from chalicelib.core.text import email_problem as email_problem
from chalicelib.core.text import normalize_email as normalize_email
from chalicelib.core.text import normalize_username as normalize_username
from chalicelib.core.text import password_problem as password_problem
from chalicelib.core.text import username_problem as username_problem

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
BUSINESS_CODE_MAX = 20


def business_code_base(company_name: str) -> str:
    """Upper-case ASCII letters and digits of the company name: ``Smith HVAC`` -> ``SMITHHVAC``.

    Accents are folded (``Café`` -> ``CAFE``). A name with no usable character gets
    ``BUSINESS``. The base is cut to leave room for a collision suffix.
    """
    folded = unicodedata.normalize("NFKD", company_name).encode("ascii", "ignore").decode()
    code = re.sub(r"[^A-Za-z0-9]", "", folded).upper()
    return (code or "BUSINESS")[: BUSINESS_CODE_MAX - 4]


def business_code_candidate(base: str, attempt: int) -> str:
    """The code to try on attempt 0, 1, 2...: ``SMITHHVAC``, ``SMITHHVAC2``, ``SMITHHVAC3``..."""
    return base if attempt == 0 else f"{base}{attempt + 1}"


def normalize_business_code(code: str) -> str:
    """Codes are case-insensitive: stored and looked up upper-case."""
    return code.strip().upper()


@dataclass(frozen=True)
class LoginState:
    """What the lockout policy needs to know about an account."""

    failed_logins: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime) -> LoginState:
        """Five failures in a row lock the account for 15 minutes."""
        failed = self.failed_logins + 1
        if failed >= MAX_FAILED_LOGINS:
            return LoginState(failed_logins=0, locked_until=now + LOCKOUT)
        return LoginState(failed_logins=failed, locked_until=None)
