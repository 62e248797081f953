"""Text rules every feature shares: e-mail address syntax and normalisation (no DNS
look-up; staff, customers and technicians all use the same rule), and the username and
password rules of every staff login (admins, managers, technicians' logins)."""

from __future__ import annotations

import re

MAX_EMAIL_LENGTH = 254
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{1,63}$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def email_problem(email: str) -> str | None:
    """Why an e-mail address is refused, or None (syntax only; no DNS look-up)."""
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        return "value is not a valid email address"
    local = email.split("@", 1)[0]
    if len(local) > 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        return "value is not a valid email address"
    return None


def normalize_email(email: str) -> str:
    return email.strip().lower()


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
