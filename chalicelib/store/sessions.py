"""Login sessions (refresh-token families) with single-use rotation."""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.store import keys
from chalicelib.store.models import SessionItem


class RotationRefused(Exception):
    """The presented refresh token is not the family's current one (or the family is gone)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "revoked" | "reused"


def create_session(tenant_id: str, session_id: str, user_id: int, jti: str,
                   now: datetime, expires_at: int) -> None:
    SessionItem(*keys.session_key(tenant_id, session_id), session_id=session_id,
                user_id=user_id, current_jti=jti, created_at=now,
                expires_at=expires_at).save(condition=SessionItem.pk.does_not_exist())


def rotate(tenant_id: str, session_id: str, presented_jti: str, new_jti: str,
           now: datetime, expires_at: int) -> None:
    """Swap the current refresh token in one conditional write.

    Succeeds only when the family exists, is not revoked and ``presented_jti`` is its
    current token. A stale token (already rotated away) is reuse: the whole family is
    revoked and ``RotationRefused("reused")`` raised.
    """
    item = SessionItem(*keys.session_key(tenant_id, session_id))
    try:
        item.update(
            actions=[SessionItem.current_jti.set(new_jti), SessionItem.rotated_at.set(now),
                     SessionItem.expires_at.set(expires_at)],
            condition=(SessionItem.pk.exists() & (SessionItem.current_jti == presented_jti)
                       & (SessionItem.revoked == False)),  # noqa: E712 (PynamoDB condition)
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        reason = _diagnose(tenant_id, session_id)
        if reason == "reused":
            revoke(tenant_id, session_id, "refresh token reuse detected")
        raise RotationRefused(reason) from exc


def _diagnose(tenant_id: str, session_id: str) -> str:
    try:
        current = SessionItem.get(*keys.session_key(tenant_id, session_id), consistent_read=True)
    except DoesNotExist:
        return "unknown"
    return "revoked" if current.revoked else "reused"


def revoke(tenant_id: str, session_id: str, reason: str) -> bool:
    """Revoke a family; False when it does not exist."""
    item = SessionItem(*keys.session_key(tenant_id, session_id))
    try:
        item.update(actions=[SessionItem.revoked.set(True),
                             SessionItem.revoked_reason.set(reason)],
                    condition=SessionItem.pk.exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
