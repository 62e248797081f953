"""Tenants and their business codes; the registration transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.store import keys
from chalicelib.store.errors import ConditionFailed
from chalicelib.store.models import (BusinessCodeItem, CounterItem, PointerItem, SessionItem,
                                     TenantItem, UserItem)
from chalicelib.store.tx import create_all


def get_tenant(tenant_id: str) -> TenantItem | None:
    pk, sk = keys.tenant_key(tenant_id)
    try:
        return TenantItem.get(pk, sk)
    except DoesNotExist:
        return None


def tenant_id_for_code(code: str) -> str | None:
    pk, sk = keys.business_code_key(code)
    try:
        return BusinessCodeItem.get(pk, sk).tenant_id
    except DoesNotExist:
        return None


@dataclass
class NewAccount:
    """Everything registration writes in one transaction."""

    tenant_id: str
    company_name: str
    business_code: str
    tenant_settings: dict[str, Any]
    user_id: int
    username: str
    email: str
    first_name: str | None
    last_name: str | None
    password_hash: str
    roles: list[str]
    session_id: str
    refresh_jti: str
    session_expires_at: int
    now: datetime


def create_tenant_with_owner(acct: NewAccount) -> tuple[TenantItem, UserItem]:
    """Create tenant, business code, first admin, uniqueness pointers and the login session
    atomically. Raises ``ConditionFailed`` with labels ``business_code``, ``email`` or
    ``username`` when one is taken."""
    tid = acct.tenant_id
    tenant = TenantItem(*keys.tenant_key(tid), tenant_id=tid, name=acct.company_name,
                        business_code=acct.business_code, settings=acct.tenant_settings,
                        created_at=acct.now)
    code = BusinessCodeItem(*keys.business_code_key(acct.business_code), tenant_id=tid)
    email = PointerItem(*keys.email_key(acct.email), tenant_id=tid, user_id=acct.user_id)
    owner = PointerItem(*keys.owner_username_key(acct.username), tenant_id=tid,
                        user_id=acct.user_id)
    uname = PointerItem(*keys.username_key(tid, acct.username), tenant_id=tid,
                        user_id=acct.user_id)
    user = UserItem(*keys.user_key(tid, acct.user_id), tenant_id=tid, user_id=acct.user_id,
                    username=acct.username, email=acct.email, first_name=acct.first_name,
                    last_name=acct.last_name, password_hash=acct.password_hash,
                    roles=acct.roles, active=True, created_at=acct.now,
                    last_login_at=acct.now)
    counter = CounterItem(*keys.counter_key(tid, "user"), value=acct.user_id)
    session = SessionItem(*keys.session_key(tid, acct.session_id), session_id=acct.session_id,
                          user_id=acct.user_id, current_jti=acct.refresh_jti,
                          created_at=acct.now, expires_at=acct.session_expires_at)
    create_all([("tenant", tenant), ("business_code", code), ("email", email),
                ("username", owner), ("username_local", uname), ("user", user),
                ("counter", counter), ("session", session)])
    return tenant, user


def save_settings(tenant: TenantItem, name: str, settings: dict[str, Any],
                  now: datetime) -> TenantItem:
    """Write the business name and settings if nobody changed them since ``tenant`` was
    read (optimistic: ``updated_at`` unchanged); else ``ConditionFailed(["tenant"])``."""
    unchanged = (TenantItem.updated_at == tenant.updated_at if tenant.updated_at
                 else TenantItem.updated_at.does_not_exist())
    try:
        tenant.update(actions=[TenantItem.name.set(name), TenantItem.settings.set(settings),
                               TenantItem.updated_at.set(now)],
                      condition=TenantItem.pk.exists() & unchanged)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise ConditionFailed(["tenant"]) from exc
        raise
    return tenant
