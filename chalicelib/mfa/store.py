"""A user's second factors and the login challenges.

Keys (``platform.keys``): enrolment ``T#<tid>#MFA`` / ``<user id>`` (the sealed TOTP
secret, a pending one during setup, the last accepted time step, the backup codes'
hashes, the current e-mail code's hash and expiry); challenge ``T#<tid>#MFACHAL`` /
``<jti>`` (TTL ``expires_at``: wrong attempts, e-mails sent, used).

Every single-use rule is a conditional write: a TOTP step is accepted only above the last
one (``last_step``), a backup code is removed only while it is in the set, the e-mail
code only while it is the current one, and a challenge is consumed only while it is
unused with fewer than five wrong attempts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import Labelled, applied


@register
class MfaItem(BaseItem):
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    totp_enabled = BooleanAttribute(default=False)
    totp_secret = UnicodeAttribute(null=True)  # sealed (sealing.seal)
    totp_pending = UnicodeAttribute(null=True)  # sealed, between setup and confirm
    last_step = NumberAttribute(null=True)
    backup_codes = UnicodeSetAttribute(null=True)  # hashes (rules.code_hash)
    email_code = UnicodeAttribute(null=True)  # hash of the current e-mail code
    email_code_expires = NumberAttribute(null=True)
    enabled_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    # wrong codes on the signed-in routes (confirm, disable, backup codes) and their lock
    wrong_codes = NumberAttribute(null=True)
    locked_until = NumberAttribute(null=True)


@register
class ChallengeItem(BaseItem):
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    kind = UnicodeAttribute()  # "verify" (enrolled) | "enrol" (required, not enrolled)
    attempts = NumberAttribute(default=0)
    emails = NumberAttribute(default=0)
    used = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()


def mfa_ref(tenant_id: str, user_id: int) -> tuple[type[MfaItem], tuple[str, str]]:
    return MfaItem, keys.mfa_key(tenant_id, user_id)


def challenge_ref(tenant_id: str, jti: str) -> tuple[type[ChallengeItem], tuple[str, str]]:
    return ChallengeItem, keys.mfa_challenge_key(tenant_id, jti)


def get_mfa(tenant_id: str, user_id: int, consistent: bool = True) -> MfaItem | None:
    return MfaItem.find(
        keys.mfa_key(tenant_id, user_id), tenant_id=tenant_id, consistent=consistent
    )


def _item(tenant_id: str, user_id: int) -> MfaItem:
    return MfaItem(*keys.mfa_key(tenant_id, user_id))


def _unchanged(mfa: MfaItem | None) -> Any:
    """The item is as read (``updated_at``), or absent when it was."""
    if mfa is None:
        return MfaItem.pk.does_not_exist()
    if mfa.updated_at is None:
        return MfaItem.pk.exists() & MfaItem.updated_at.does_not_exist()
    return MfaItem.updated_at == mfa.updated_at


# --- enrolment ------------------------------------------------------------------------
def set_pending(tenant_id: str, user_id: int, sealed: str, now: datetime) -> bool:
    """Keep a new secret until it is confirmed; False when TOTP is already on."""
    return applied(
        lambda: _item(tenant_id, user_id).update(
            actions=[
                MfaItem.tenant_id.set(tenant_id),
                MfaItem.user_id.set(user_id),
                MfaItem.totp_pending.set(sealed),
                MfaItem.updated_at.set(now),
            ],
            condition=MfaItem.totp_enabled.does_not_exist() | (MfaItem.totp_enabled == False),  # noqa: E712
        )
    )


def enable_in(
    tx: Labelled,
    mfa: MfaItem,
    step: int,
    backup_hashes: list[str],
    now: datetime,
    secret: str | None = None,
) -> None:
    """Turn TOTP on with the pending secret (unchanged since read; stored as ``secret``,
    the same secret sealed again, when given), the confirming step used and fresh backup
    codes."""
    tx.update(
        "mfa",
        _item(mfa.tenant_id, int(mfa.user_id)),
        [
            MfaItem.totp_secret.set(secret or mfa.totp_pending),
            MfaItem.totp_pending.remove(),
            MfaItem.totp_enabled.set(True),
            MfaItem.last_step.set(step),
            MfaItem.backup_codes.set(set(backup_hashes)),
            MfaItem.enabled_at.set(now),
            MfaItem.updated_at.set(now),
            MfaItem.wrong_codes.remove(),
        ],
        condition=_unchanged(mfa) & (MfaItem.totp_pending == mfa.totp_pending),
    )


def _proof(step: int | None, backup_hash: str | None, email_hash: str | None) -> tuple[list, Any]:
    """The actions and condition that spend one code: a TOTP step above the last one, a
    backup code still in the set, or the current e-mail code."""
    if step is not None:
        return [MfaItem.last_step.set(step)], (
            MfaItem.last_step.does_not_exist() | (MfaItem.last_step < step)
        )
    if backup_hash is not None:
        return [MfaItem.backup_codes.delete({backup_hash})], MfaItem.backup_codes.contains(
            backup_hash
        )
    if email_hash is not None:
        return [MfaItem.email_code.remove(), MfaItem.email_code_expires.remove()], (
            MfaItem.email_code == email_hash
        )
    raise ValueError("no proof")


def spend_in(
    tx: Labelled,
    tenant_id: str,
    user_id: int,
    *,
    step: int | None = None,
    backup_hash: str | None = None,
    email_hash: str | None = None,
    reseal: tuple[str, str] | None = None,
    now: datetime,
) -> None:
    """Spend one code; ``reseal`` ``(old, new)`` also replaces the sealed TOTP secret
    ``old`` (the one the code matched, so the condition holds unless it changed
    meanwhile) by ``new``, the same secret in the current format."""
    actions, condition = _proof(step, backup_hash, email_hash)
    if reseal is not None:
        actions.append(MfaItem.totp_secret.set(reseal[1]))
        condition = condition & (MfaItem.totp_secret == reseal[0])
    tx.update(
        "code",
        _item(tenant_id, user_id),
        [*actions, MfaItem.updated_at.set(now)],
        condition=MfaItem.pk.exists() & condition,
    )


def spend(
    tenant_id: str,
    user_id: int,
    *,
    step: int | None = None,
    backup_hash: str | None = None,
    new_backup_hashes: list[str] | None = None,
    now: datetime,
) -> bool:
    """Spend one code (one conditional UpdateItem), replacing the backup codes when
    ``new_backup_hashes`` is given; False when the code was spent meanwhile."""
    actions, condition = _proof(step, backup_hash, None)
    if new_backup_hashes is not None:
        actions = [a for a in actions if step is not None]  # the new set replaces the old
        actions.append(MfaItem.backup_codes.set(set(new_backup_hashes)))
    return applied(
        lambda: _item(tenant_id, user_id).update(
            actions=[*actions, MfaItem.updated_at.set(now), MfaItem.wrong_codes.remove()],
            condition=MfaItem.pk.exists() & (MfaItem.totp_enabled == True) & condition,  # noqa: E712
        )
    )


def disable_in(
    tx: Labelled, tenant_id: str, user_id: int, *, step: int | None, backup_hash: str | None
) -> None:
    """Delete the enrolment, on the condition that the code proving it is unspent."""
    _, condition = _proof(step, backup_hash, None)
    tx.delete("code", _item(tenant_id, user_id), condition=MfaItem.pk.exists() & condition)


def record_wrong_code(
    tenant_id: str, user_id: int, now_s: int, limit: int, lock_s: int
) -> int | None:
    """One more wrong code on a signed-in route (ADD); at ``limit`` the enrolment is locked
    for ``lock_s`` and the count starts again: the lock's end, else None."""
    item = _item(tenant_id, user_id)
    if not applied(
        lambda: item.update(actions=[MfaItem.wrong_codes.add(1)], condition=MfaItem.pk.exists())
    ):
        return None
    if int(item.wrong_codes or 0) < limit:
        return None
    until = now_s + lock_s
    item.update(actions=[MfaItem.wrong_codes.set(0), MfaItem.locked_until.set(until)])
    return until


def set_email_code(
    tenant_id: str, user_id: int, code_hash: str, expires: int, now: datetime
) -> None:
    """The user's current e-mail code (a new one replaces the last)."""
    _item(tenant_id, user_id).update(
        actions=[
            MfaItem.tenant_id.set(tenant_id),
            MfaItem.user_id.set(user_id),
            MfaItem.email_code.set(code_hash),
            MfaItem.email_code_expires.set(expires),
            MfaItem.updated_at.set(now),
        ]
    )


# --- challenges ---------------------------------------------------------------------------
def create_challenge(
    tenant_id: str, jti: str, user_id: int, kind: str, now: datetime, expires_at: int
) -> None:
    ChallengeItem(
        *keys.mfa_challenge_key(tenant_id, jti),
        tenant_id=tenant_id,
        user_id=user_id,
        kind=kind,
        attempts=0,
        emails=0,
        used=False,
        created_at=now,
        expires_at=expires_at,
    ).save(condition=ChallengeItem.pk.does_not_exist())


def get_challenge(tenant_id: str, jti: str) -> ChallengeItem | None:
    return ChallengeItem.find(
        keys.mfa_challenge_key(tenant_id, jti), tenant_id=tenant_id, consistent=True
    )


def _open(max_attempts: int) -> Any:
    return (
        ChallengeItem.pk.exists()
        & (ChallengeItem.used == False)  # noqa: E712
        & (ChallengeItem.attempts < max_attempts)
    )


def consume_in(tx: Labelled, tenant_id: str, jti: str, max_attempts: int) -> None:
    """Mark the challenge used (it answers once), if it is still open."""
    tx.update(
        "challenge",
        ChallengeItem(*keys.mfa_challenge_key(tenant_id, jti)),
        [ChallengeItem.used.set(True)],
        condition=_open(max_attempts),
    )


def count_failure(tenant_id: str, jti: str, max_attempts: int) -> int | None:
    """One more wrong code; the attempts now, or None when the challenge was already
    closed (used or out of attempts)."""
    item = ChallengeItem(*keys.mfa_challenge_key(tenant_id, jti))
    if not applied(
        lambda: item.update(actions=[ChallengeItem.attempts.add(1)], condition=_open(max_attempts))
    ):
        return None
    return int(item.attempts)


def count_email(tenant_id: str, jti: str, max_attempts: int, max_emails: int) -> bool:
    """One more e-mail code for this challenge; False past ``max_emails`` or when closed."""
    item = ChallengeItem(*keys.mfa_challenge_key(tenant_id, jti))
    return applied(
        lambda: item.update(
            actions=[ChallengeItem.emails.add(1)],
            condition=_open(max_attempts) & (ChallengeItem.emails < max_emails),
        )
    )
