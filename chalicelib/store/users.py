"""Staff users: lookups by id and username, login bookkeeping."""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.store import keys
from chalicelib.store.models import PointerItem, UserItem


def get_user(tenant_id: str, user_id: int) -> UserItem | None:
    try:
        item = UserItem.get(*keys.user_key(tenant_id, user_id))
    except DoesNotExist:
        return None
    return item if item.tenant_id == tenant_id else None


def user_id_for_username(tenant_id: str, username: str) -> int | None:
    try:
        return int(PointerItem.get(*keys.username_key(tenant_id, username)).user_id)
    except DoesNotExist:
        return None


def get_user_by_username(tenant_id: str, username: str) -> UserItem | None:
    user_id = user_id_for_username(tenant_id, username)
    return None if user_id is None else get_user(tenant_id, user_id)


def record_failed_login(user: UserItem, failed_logins: int,
                        locked_until: datetime | None) -> None:
    actions = [UserItem.failed_logins.set(failed_logins)]
    actions.append(UserItem.locked_until.set(locked_until) if locked_until
                   else UserItem.locked_until.remove())
    user.update(actions=actions)


def record_successful_login(user: UserItem, now: datetime) -> None:
    """Only called when the failure counter needs a reset (saves a write otherwise)."""
    user.update(actions=[UserItem.failed_logins.set(0), UserItem.locked_until.remove(),
                         UserItem.last_login_at.set(now)])
