"""Tenants, their business codes, staff users and login sessions.

Keys (``platform.keys``): tenant ``T#<tid>#TENANT`` / ``META``; business code
``BCODE#<code>``; user ``T#<tid>#USER`` / ``<id>``; per-tenant username pointer
``T#<tid>#USERNAME`` / ``<username>``; global e-mail and owner-username pointers
(``EMAIL#``, ``OWNERNAME#``). Sessions (refresh-token families) are in ``sessions_store``;
registration creates the owner's first one here, in its transaction.

Staff users (not technicians' logins) are also in ``gsi1`` (``T#<tid>#STAFFUSER`` / id),
the list ``GET /admin/users`` reads, counted by ``STAFF_ROLLUP`` in the same transactions;
the tenant's active admins are counted in ``counter_key(tid, "admins")`` so the last one
cannot be removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.accounts.sessions_store import SessionItem
from chalicelib.core import roles
from chalicelib.platform import keys, rollups
from chalicelib.platform.counters import CounterItem
from chalicelib.platform.rollups import Rollup
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import labelled, labelled_transaction

ADMINS_COUNTER = "admins"
STAFF_ROLLUP = Rollup(keys.STAFF_USERS_ROLLUP_SCOPE, fine=8, coarse=6)  # 100 / 10,000 ids


@register
class TenantItem(BaseItem):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    business_code = UnicodeAttribute()
    settings = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class BusinessCodeItem(BaseItem):
    tenant_id = UnicodeAttribute()


@register
class UserItem(BaseItem):
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    roles = ListAttribute(of=UnicodeAttribute, default=list)
    technician_id = NumberAttribute(null=True)
    active = BooleanAttribute(default=True)
    failed_logins = NumberAttribute(default=0)
    locked_until = UTCDateTimeAttribute(null=True)
    mfa = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_login_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=1)
    # invited, not yet accepted: no password and a placeholder username
    invitation_pending = BooleanAttribute(null=True)
    # sessions started before this instant (epoch ms) are revoked, but ``kept_session``
    sessions_valid_from = NumberAttribute(null=True)
    kept_session = UnicodeAttribute(null=True)
    # sessions ended one by one: "<sid>@<epoch s>" while their access tokens may live
    revoked_sids = ListAttribute(of=UnicodeAttribute, null=True)

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.username

    @property
    def is_admin(self) -> bool:
        return roles.is_admin(self.roles)


@register
class PointerItem(BaseItem):
    """A uniqueness/lookup item: username, e-mail or owner username -> user."""

    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()


# --- tenants ---------------------------------------------------------------------------
def get_tenant(tenant_id: str) -> TenantItem | None:
    return TenantItem.find(keys.tenant_key(tenant_id))


def tenant_ref(tenant_id: str) -> tuple[type[TenantItem], tuple[str, str]]:
    """The tenant item, to read with other items in one batch."""
    return TenantItem, keys.tenant_key(tenant_id)


def tenant_id_for_code(code: str) -> str | None:
    item = BusinessCodeItem.find(keys.business_code_key(code))
    return item.tenant_id if item is not None else None


@dataclass
class NewAccount:
    """Everything registration writes in one transaction."""

    tenant_id: str
    company_name: str
    business_code: str
    tenant_settings: dict[str, Any]
    user_id: int
    username: str
    email: str | None  # None: no e-mail (an SSO registration whose provider verified none)
    first_name: str | None
    last_name: str | None
    password_hash: str | None  # None: no password (an SSO registration)
    roles: list[str]
    session_id: str
    refresh_jti: str
    session_expires_at: int
    now: datetime
    # more parts of the same transaction (``also(tx)``: the SSO identity the owner signs in with)
    also: Callable[[Any], None] | None = None


def create_tenant_with_owner(acct: NewAccount) -> tuple[TenantItem, UserItem]:
    """Create tenant, business code, first admin, uniqueness pointers and the login session
    atomically. Raises ``ConditionFailed`` with labels ``business_code``, ``email`` or
    ``username`` when one is taken."""
    tid = acct.tenant_id
    tenant = TenantItem(
        *keys.tenant_key(tid),
        tenant_id=tid,
        name=acct.company_name,
        business_code=acct.business_code,
        settings=acct.tenant_settings,
        created_at=acct.now,
    )
    code = BusinessCodeItem(*keys.business_code_key(acct.business_code), tenant_id=tid)
    email = (
        PointerItem(*keys.email_key(acct.email), tenant_id=tid, user_id=acct.user_id)
        if acct.email
        else None
    )
    owner = PointerItem(
        *keys.owner_username_key(acct.username), tenant_id=tid, user_id=acct.user_id
    )
    uname = PointerItem(*keys.username_key(tid, acct.username), tenant_id=tid, user_id=acct.user_id)
    user = UserItem(
        *keys.user_key(tid, acct.user_id),
        gsi1pk=keys.staff_users_pk(tid),
        gsi1sk=keys.id_sk(acct.user_id),
        tenant_id=tid,
        user_id=acct.user_id,
        username=acct.username,
        email=acct.email,
        first_name=acct.first_name,
        last_name=acct.last_name,
        password_hash=acct.password_hash,
        roles=acct.roles,
        active=True,
        created_at=acct.now,
        last_login_at=acct.now,
    )
    counter = CounterItem(*keys.counter_key(tid, "user"), value=acct.user_id)
    admins = CounterItem(*keys.counter_key(tid, ADMINS_COUNTER), value=1)
    session = SessionItem(
        *keys.session_key(tid, acct.session_id),
        gsi1pk=keys.user_sessions_pk(tid, acct.user_id),
        gsi1sk=acct.session_id,
        session_id=acct.session_id,
        user_id=acct.user_id,
        current_jti=acct.refresh_jti,
        created_at=acct.now,
        expires_at=acct.session_expires_at,
    )
    with labelled_transaction() as tx:
        for label, item in [
            ("tenant", tenant),
            ("business_code", code),
            ("email", email),
            ("username", owner),
            ("username_local", uname),
            ("user", user),
            ("counter", counter),
            ("admins", admins),
            ("session", session),
        ]:
            if item is not None:
                tx.create(label, item)
        rollups.move(tx, tid, STAFF_ROLLUP, None, staff_entry(acct.user_id, True, acct.roles))
        if acct.also is not None:
            acct.also(tx)
    return tenant, user


def save_settings(
    tenant: TenantItem, name: str, settings: dict[str, Any], now: datetime
) -> TenantItem:
    """Write the business name and settings if nobody changed them since ``tenant`` was
    read (optimistic: ``updated_at`` unchanged); else ``ConditionFailed(["tenant"])``."""
    unchanged = (
        TenantItem.updated_at == tenant.updated_at
        if tenant.updated_at
        else TenantItem.updated_at.does_not_exist()
    )
    with labelled("tenant"):
        tenant.update(
            actions=[
                TenantItem.name.set(name),
                TenantItem.settings.set(settings),
                TenantItem.updated_at.set(now),
            ],
            condition=TenantItem.pk.exists() & unchanged,
        )
    return tenant


# --- users -----------------------------------------------------------------------------
def get_user(tenant_id: str, user_id: int, consistent: bool = False) -> UserItem | None:
    return UserItem.find(
        keys.user_key(tenant_id, user_id), tenant_id=tenant_id, consistent=consistent
    )


def user_ref(tenant_id: str, user_id: int) -> tuple[type[UserItem], tuple[str, str]]:
    """A user item, to read with other items in one batch."""
    return UserItem, keys.user_key(tenant_id, user_id)


def user_id_for_username(tenant_id: str, username: str) -> int | None:
    pointer = PointerItem.find(keys.username_key(tenant_id, username))
    return int(pointer.user_id) if pointer is not None else None


def get_user_by_username(tenant_id: str, username: str) -> UserItem | None:
    user_id = user_id_for_username(tenant_id, username)
    return None if user_id is None else get_user(tenant_id, user_id)


@dataclass
class NewLogin:
    """A staff login of a tenant: the user and its username (and e-mail) pointers."""

    tenant_id: str
    user_id: int
    username: str
    email: str | None
    password_hash: str
    first_name: str | None
    last_name: str | None
    roles: list[str]
    technician_id: int | None
    now: datetime

    def items(self) -> list[tuple[str, Any]]:
        """``(label, item)`` to create in one transaction: ``user``, ``username`` and
        (with an e-mail) ``email``; a taken username or e-mail fails its label."""
        tid = self.tenant_id
        found: list[tuple[str, Any]] = [
            (
                "user",
                UserItem(
                    *keys.user_key(tid, self.user_id),
                    tenant_id=tid,
                    user_id=self.user_id,
                    username=self.username,
                    email=self.email,
                    first_name=self.first_name,
                    last_name=self.last_name,
                    password_hash=self.password_hash,
                    roles=self.roles,
                    technician_id=self.technician_id,
                    active=True,
                    created_at=self.now,
                ),
            )
        ]
        found.append(
            (
                "username",
                PointerItem(
                    *keys.username_key(tid, self.username), tenant_id=tid, user_id=self.user_id
                ),
            )
        )
        if self.email:
            found.append(
                (
                    "email",
                    PointerItem(*keys.email_key(self.email), tenant_id=tid, user_id=self.user_id),
                )
            )
        return found


def set_active_in(tx: Any, label: str, tenant_id: str, user_id: int, active: bool) -> None:
    """(De)activate a user inside the caller's transaction."""
    tx.update(
        label,
        UserItem(*keys.user_key(tenant_id, user_id)),
        [UserItem.active.set(active)],
        condition=UserItem.pk.exists(),
    )


def record_failed_login(user: UserItem, failed_logins: int, locked_until: datetime | None) -> None:
    actions = [UserItem.failed_logins.set(failed_logins)]
    actions.append(
        UserItem.locked_until.set(locked_until) if locked_until else UserItem.locked_until.remove()
    )
    user.update(actions=actions)


def record_successful_login(user: UserItem, now: datetime) -> None:
    """Only called when the failure counter needs a reset (saves a write otherwise)."""
    user.update(
        actions=[
            UserItem.failed_logins.set(0),
            UserItem.locked_until.remove(),
            UserItem.last_login_at.set(now),
        ]
    )


# --- staff users (invited and managed under /admin/users) ---------------------------------
def staff_facet(active: bool, user_roles: list[str]) -> str:
    return f"{'1' if active else '0'}|{','.join(sorted(user_roles))}"


def staff_entry(user_id: int, active: bool, user_roles: list[str]) -> rollups.Entry:
    return keys.id_sk(user_id), staff_facet(active, user_roles)
