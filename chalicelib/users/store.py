"""Invitations and password-reset codes (keys: ``platform.keys.users``).

An invitation is found by the SHA-256 of its token (``INVITE#<hash>``), lives 7 days (TTL
``expires_at``, also checked on use) and is used once (``used_at``, conditional). The
user's current one is named by ``T#<tid>#INVITEUSER`` / id (its hash): a re-sent
invitation deletes the old item and replaces the pointer, and accepting checks the
pointer in its transaction, so only the newest link works (also for invitations made
before the pointer existed, which have none until they are re-sent). A reset
code is one item per user (``T#<tid>#PWRESET`` / id): its HMAC, the wrong tries, 15
minutes of life; a new request replaces it, the right code deletes it.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import Labelled, applied


@register
class InvitationItem(BaseItem):
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)


@register
class InvitationPointerItem(BaseItem):
    """A pending user's current invitation: the hash of its token."""

    token_hash = UnicodeAttribute()


@register
class ResetCodeItem(BaseItem):
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    code_digest = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()


def add_invitation_in(
    tx: Labelled,
    token_hash: str,
    tenant_id: str,
    user_id: int,
    now: datetime,
    expires_at: int,
    replaces: str | None = None,
) -> None:
    """The invitation and the user's pointer to it. ``replaces``: the hash of the
    invitation it replaces (deleted; label ``pointer``: the pointer no longer names it, or
    with None, a pointer exists: re-read and retry)."""
    tx.create(
        "invitation",
        InvitationItem(
            *keys.invitation_key(token_hash),
            tenant_id=tenant_id,
            user_id=user_id,
            created_at=now,
            expires_at=expires_at,
        ),
    )
    pointer = InvitationPointerItem(
        *keys.user_invitation_key(tenant_id, user_id),
        token_hash=token_hash,
        expires_at=expires_at,
    )
    if replaces is None:
        tx.save("pointer", pointer, condition=InvitationPointerItem.pk.does_not_exist())
        return
    tx.save("pointer", pointer, condition=InvitationPointerItem.token_hash == replaces)
    tx.delete("old_invitation", InvitationItem(*keys.invitation_key(replaces)))


def current_invitation(tenant_id: str, user_id: int) -> str | None:
    """The hash of the user's current invitation (None: none, or made before pointers)."""
    item = InvitationPointerItem.find(keys.user_invitation_key(tenant_id, user_id), consistent=True)
    return str(item.token_hash) if item is not None else None


def is_current_in(tx: Labelled, token_hash: str, tenant_id: str, user_id: int) -> None:
    """Inside ``tx``: ``token_hash`` is the user's current invitation (or the user has no
    pointer: an invitation from before pointers, never re-sent). Label ``replaced``."""
    tx.check(
        "replaced",
        InvitationPointerItem,
        keys.user_invitation_key(tenant_id, user_id),
        InvitationPointerItem.pk.does_not_exist()
        | (InvitationPointerItem.token_hash == token_hash),
    )


def get_invitation(token_hash: str) -> InvitationItem | None:
    return InvitationItem.find(keys.invitation_key(token_hash), consistent=True)


def use_invitation_in(tx: Labelled, token_hash: str, now: datetime) -> None:
    """Mark the invitation used, once (label ``invitation``: already used)."""
    tx.update(
        "invitation",
        InvitationItem(*keys.invitation_key(token_hash)),
        [InvitationItem.used_at.set(now)],
        condition=InvitationItem.pk.exists() & InvitationItem.used_at.does_not_exist(),
    )


def save_reset(tenant_id: str, user_id: int, digest: str, now: datetime, expires_at: int) -> None:
    """The user's reset code (replacing an earlier one)."""
    ResetCodeItem(
        *keys.password_reset_key(tenant_id, user_id),
        tenant_id=tenant_id,
        user_id=user_id,
        code_digest=digest,
        attempts=0,
        created_at=now,
        expires_at=expires_at,
    ).save()


def get_reset(tenant_id: str, user_id: int) -> ResetCodeItem | None:
    return ResetCodeItem.find(
        keys.password_reset_key(tenant_id, user_id), tenant_id=tenant_id, consistent=True
    )


def _same(item: ResetCodeItem):  # noqa: ANN202 (a PynamoDB condition)
    return (ResetCodeItem.code_digest == item.code_digest) & (
        ResetCodeItem.attempts == int(item.attempts or 0)
    )


def count_wrong_try(item: ResetCodeItem, void: bool) -> None:
    """One more wrong code: counted, or (``void``) the code is deleted. Nothing happens
    when the item changed meanwhile (another try or a new code)."""
    if void:
        applied(lambda: item.delete(condition=_same(item)))
    else:
        applied(lambda: item.update(actions=[ResetCodeItem.attempts.add(1)], condition=_same(item)))


def consume_reset_in(tx: Labelled, item: ResetCodeItem) -> None:
    """Delete the code as read (label ``reset``: it changed or is gone)."""
    tx.delete("reset", item, condition=_same(item))
