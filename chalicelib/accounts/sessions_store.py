"""Login sessions: refresh-token families with single-use rotation.

Key (``platform.keys``): ``T#<tid>#SESSION`` / ``<sid>``. Live sessions are in ``gsi1``
by user (``T#<tid>#USERSESSION#<uid>`` / sid, time-ordered), and leave it when revoked.
Registration creates the owner's first session in its own transaction
(``store.create_tenant_with_owner``).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import applied


@register
class SessionItem(BaseItem):
    """A refresh-token family. ``current_jti`` is the only refresh token that may be used."""

    session_id = UnicodeAttribute()
    user_id = NumberAttribute()
    current_jti = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    rotated_at = UTCDateTimeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    ip_address = UnicodeAttribute(null=True)


class RotationRefused(Exception):
    """The presented refresh token is not the family's current one (or the family is gone)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "revoked" | "reused"


def create_session(
    tenant_id: str,
    session_id: str,
    user_id: int,
    jti: str,
    now: datetime,
    expires_at: int,
    user_agent: str | None = None,
    ip_address: str | None = None,
) -> None:
    SessionItem(
        *keys.session_key(tenant_id, session_id),
        gsi1pk=keys.user_sessions_pk(tenant_id, user_id),
        gsi1sk=session_id,
        user_agent=user_agent,
        ip_address=ip_address,
        session_id=session_id,
        user_id=user_id,
        current_jti=jti,
        created_at=now,
        expires_at=expires_at,
    ).save(condition=SessionItem.pk.does_not_exist())


def rotate(
    tenant_id: str,
    session_id: str,
    presented_jti: str,
    new_jti: str,
    now: datetime,
    expires_at: int,
) -> None:
    """Swap the current refresh token in one conditional write.

    Succeeds only when the family exists, is not revoked and ``presented_jti`` is its
    current token. A stale token (already rotated away) is reuse: the whole family is
    revoked and ``RotationRefused("reused")`` raised.
    """
    item = SessionItem(*keys.session_key(tenant_id, session_id))
    rotated = applied(
        lambda: item.update(
            actions=[
                SessionItem.current_jti.set(new_jti),
                SessionItem.rotated_at.set(now),
                SessionItem.expires_at.set(expires_at),
            ],
            condition=(
                SessionItem.pk.exists()
                & (SessionItem.current_jti == presented_jti)
                & (SessionItem.revoked == False)  # noqa: E712 (a PynamoDB condition)
            ),
        )
    )
    if rotated:
        return
    reason = _diagnose(tenant_id, session_id)
    if reason == "reused":
        revoke(tenant_id, session_id, "refresh token reuse detected")
    raise RotationRefused(reason)


def _diagnose(tenant_id: str, session_id: str) -> str:
    current = SessionItem.find(keys.session_key(tenant_id, session_id), consistent=True)
    if current is None:
        return "unknown"
    return "revoked" if current.revoked else "reused"


def revoke(tenant_id: str, session_id: str, reason: str) -> bool:
    """Revoke a family; False when it does not exist."""
    item = SessionItem(*keys.session_key(tenant_id, session_id))
    return applied(
        lambda: item.update(
            actions=[
                SessionItem.revoked.set(True),
                SessionItem.revoked_reason.set(reason),
                SessionItem.gsi1pk.remove(),
                SessionItem.gsi1sk.remove(),
            ],
            condition=SessionItem.pk.exists(),
        )
    )
