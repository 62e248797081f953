"""Pure rules of the customer portal: verification codes, the login lockout, ratings, and
how the lists across businesses are bounded and ordered."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5  # wrong codes that void a verification code
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# The lists across businesses read at most MAX_BUSINESSES businesses (those whose
# customer record has the portal user's e-mail) and MAX_ITEMS of each one's newest items.
MAX_BUSINESSES = 20
MAX_ITEMS = 50
MIN_RATING, MAX_RATING = 1, 5
# What a portal user sees of a business's invoices and estimates: not its drafts.
HIDDEN_STATUSES = frozenset({"draft"})


def new_code() -> str:
    """A verification code: six digits."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(key: str, account_id: str, code: str) -> str:
    """What is stored of a code: an HMAC-SHA256 under the signing key, bound to the
    account (a copy of the table does not give the six digits away by brute force)."""
    message = f"portalverify|{account_id}|{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def code_expired(expires_at: int | None, now: datetime) -> bool:
    return expires_at is None or int(now.timestamp()) >= int(expires_at)


@dataclass(frozen=True)
class LoginState:
    failed_logins: int
    locked_until: datetime | None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime) -> LoginState:
        """One more wrong password: the fifth in a row locks the account for 15 minutes
        (and starts the count again)."""
        failed = self.failed_logins + 1
        if failed >= MAX_FAILED_LOGINS:
            return LoginState(0, now + LOCKOUT)
        return LoginState(failed, None)


def rating_average(count: int, total: int) -> str | None:
    """The average of ``count`` ratings summing to ``total``, to one decimal, rounded half
    up, as text (``"4.5"``): integer arithmetic only. None without ratings."""
    if count <= 0:
        return None
    tenths = (total * 20 + count) // (2 * count)  # round(total * 10 / count), half up
    return f"{tenths // 10}.{tenths % 10}"


def visible(status: str) -> bool:
    return status not in HIDDEN_STATUSES


def newest_first(items: Iterable[dict[str, Any]], field: str = "created_at") -> list[dict]:
    """Items of several businesses in one list: newest ``field`` first, then by business
    and id so the order is stable."""
    return sorted(
        items,
        key=lambda item: (str(item.get(field) or ""), item["business_code"], item["id"]),
        reverse=True,
    )


def full_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part) or ""
