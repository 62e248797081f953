"""Staff users (invited and managed under ``/admin/users``), their passwords and a user's
sessions: the writes and reads the users feature composes (through ``accounts.service``)
on the items of ``accounts.store`` and ``accounts.sessions_store``.

A staff user is in ``gsi1`` (``T#<tid>#STAFFUSER`` / id), counted by ``STAFF_ROLLUP``
(facet ``<active>|<roles>``) in the same transactions; the tenant's active admins are
counted in ``counter_key(tid, "admins")``, so the last one cannot be removed.

Tenants registered before that counter existed have none: every write that moves the
count requires the counter to exist (label ``last_admin``), and ``backfill_admins`` then
creates it from a count of the tenant's users (one consistent, paged Query of the
tenant's users partition, not a table-wide read), conditioned on it still missing. While
it is missing no write can change who is an admin, so the count cannot go stale before
it is stored; the caller retries its write once it is there.

Their staff users (the owner registered then) are not in ``gsi1`` nor counted either:
``adopt`` puts such a user there, with its list count, in one conditional transaction,
when it is read by id (``GET|PATCH /admin/users/{id}``) and for each one the backfill's
count meets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.accounts.sessions_store import SessionItem
from chalicelib.accounts.store import (
    ADMINS_COUNTER,
    STAFF_ROLLUP,
    PointerItem,
    UserItem,
    get_user,
    staff_entry,
)
from chalicelib.core import roles
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.counters import CounterItem
from chalicelib.platform.table import take
from chalicelib.platform.tx import (
    ConditionFailed,
    Contention,
    Labelled,
    applied,
    labelled_transaction,
)

# A tenant's users (staff and technicians' logins) are few; the backfill's count refuses
# to read past this many.
MAX_COUNTED_USERS = 20_000
COUNT_PAGE = 200


def is_staff(user: UserItem) -> bool:
    return user.gsi1pk == keys.staff_users_pk(str(user.tenant_id))


def staff_page(
    tenant_id: str, request: PageRequest, *, role: str | None, active: bool | None
) -> dict[str, Any]:
    """One page of the staff users by id (``role``: holding it; ``active``: only the
    active or inactive ones)."""
    source = listing.Source(
        UserItem,
        UserItem.gsi1pk,
        UserItem.gsi1sk,
        keys.staff_users_pk(tenant_id),
        index=UserItem.gsi1,
        descending=False,
    )
    wanted = None if active is None else ("1" if active else "0")

    def matches(facet: str) -> bool:
        state, _, held = facet.partition("|")
        return (wanted is None or state == wanted) and (role is None or role in held.split(","))

    condition = listing.equal_to([(UserItem.active, active)])
    if role is not None:
        has_role = UserItem.roles.contains(role)
        condition = has_role if condition is None else condition & has_role
    return listing.page(
        source,
        STAFF_ROLLUP,
        tenant_id,
        request,
        name=f"users|active={wanted}|role={role}",
        matches=None if active is None and role is None else matches,
        condition=condition,
    )


@dataclass
class NewStaff:
    """An invited staff user: no password yet, a placeholder username."""

    tenant_id: str
    user_id: int
    email: str
    first_name: str | None
    last_name: str | None
    roles: list[str]
    now: datetime


def add_staff(tx: Labelled, new: NewStaff) -> UserItem:
    """Create the pending user, the tenant's pointer of its invited e-mail (label
    ``email``: invited already), its list entry and, for an admin, the admin count, inside
    ``tx``. The global e-mail pointer is taken at acceptance (``accept_invitation_in``)."""
    tid = new.tenant_id
    user = UserItem(
        *keys.user_key(tid, new.user_id),
        gsi1pk=keys.staff_users_pk(tid),
        gsi1sk=keys.id_sk(new.user_id),
        tenant_id=tid,
        user_id=new.user_id,
        username=f"~invited-{new.user_id}",
        email=new.email,
        first_name=new.first_name,
        last_name=new.last_name,
        roles=new.roles,
        active=True,
        invitation_pending=True,
        created_at=new.now,
    )
    tx.create("user", user)
    tx.create(
        "email",
        PointerItem(*keys.invited_email_key(tid, new.email), tenant_id=tid, user_id=new.user_id),
    )
    rollups.move(tx, tid, STAFF_ROLLUP, None, staff_entry(new.user_id, True, new.roles))
    if roles.ADMIN in new.roles:
        _admins(tx, tid, +1)
    return user


def _admins(tx: Labelled, tenant_id: str, delta: int) -> None:
    """Move the active admins' count; a decrease requires another admin to remain, and
    any move the counter to exist (label ``last_admin``: ``backfill_admins``, retry)."""
    item = CounterItem(*keys.counter_key(tenant_id, ADMINS_COUNTER))
    condition = (CounterItem.value > 1) if delta < 0 else CounterItem.value.exists()
    tx.update("last_admin", item, [CounterItem.value.add(delta)], condition=condition)


STAFF_ROLES = frozenset((roles.ADMIN, roles.MANAGER, roles.DISPATCHER))


def is_unlisted_staff(user: UserItem) -> bool:
    """A staff user from before the staff list (``gsi1``): not a technician's login."""
    held = set(user.roles or [])
    return user.gsi1pk is None and user.technician_id is None and bool(held) and held <= STAFF_ROLES


def adopt(user: UserItem) -> bool:
    """Put an unlisted staff user in the staff list with its count (one transaction,
    conditioned on it still being unlisted, active and roles as read); False when it
    changed meanwhile (re-read it)."""
    tid, uid = str(user.tenant_id), int(user.user_id)
    active, held = bool(user.active), list(user.roles)
    try:
        with labelled_transaction() as tx:
            tx.update(
                "user",
                UserItem(*keys.user_key(tid, uid)),
                [
                    UserItem.gsi1pk.set(keys.staff_users_pk(tid)),
                    UserItem.gsi1sk.set(keys.id_sk(uid)),
                ],
                condition=UserItem.gsi1pk.does_not_exist() & _as_read(user),
            )
            rollups.move(tx, tid, STAFF_ROLLUP, None, staff_entry(uid, active, held))
    except (ConditionFailed, Contention):
        return False
    user.gsi1pk, user.gsi1sk = keys.staff_users_pk(tid), keys.id_sk(uid)
    return True


def count_active_admins(tenant_id: str) -> int:
    """The tenant's active users holding ``admin``, counted from the users partition
    (consistent, ``COUNT_PAGE`` users a page, at most ``MAX_COUNTED_USERS``); each
    unlisted staff user met is adopted (``adopt``)."""
    found = 0
    results = UserItem.query(keys.users_pk(tenant_id), consistent_read=True, page_size=COUNT_PAGE)
    for seen, user in enumerate(results, start=1):
        if seen > MAX_COUNTED_USERS:
            raise RuntimeError(f"tenant {tenant_id} has more than {MAX_COUNTED_USERS} users")
        if user.active and roles.ADMIN in (user.roles or []):
            found += 1
        if is_unlisted_staff(user):
            adopt(user)
    return found


def backfill_admins(tenant_id: str, removing: bool = False) -> bool:
    """After a refused ``last_admin`` condition: whether the write should be tried again.
    Creates the tenant's missing admin counter from ``count_active_admins`` (only if it is
    still missing): True. When the counter exists (a concurrent request may have created it
    after this write was refused), True unless the write takes an admin away (``removing``)
    and the count has none to spare: then it really is the last admin."""
    key = keys.counter_key(tenant_id, ADMINS_COUNTER)
    found = CounterItem.find(key, consistent=True)
    if found is not None:
        return not removing or int(found.value or 0) > 1
    item = CounterItem(*key, value=count_active_admins(tenant_id))
    applied(lambda: item.save(condition=CounterItem.pk.does_not_exist()))
    return True  # created, by this call or a concurrent one: retry the write


def _as_read(user: UserItem) -> Any:
    return (
        UserItem.pk.exists()
        & (UserItem.active == bool(user.active))
        & (UserItem.roles == list(user.roles))
    )


def change_staff(
    user: UserItem,
    *,
    new_roles: list[str] | None = None,
    active: bool | None = None,
    revoke_sessions_at_ms: int | None = None,
) -> None:
    """Change a staff user's roles and/or ``active`` in one transaction with their list
    entry and the admin count, conditioned on both as read (label ``user``: re-read and
    retry; ``last_admin``: it would leave the tenant without an active admin)."""
    tid, uid = str(user.tenant_id), int(user.user_id)
    old_roles, old_active = list(user.roles), bool(user.active)
    roles_after = old_roles if new_roles is None else new_roles
    active_after = old_active if active is None else active
    actions: list[Any] = [UserItem.roles.set(roles_after), UserItem.active.set(active_after)]
    if revoke_sessions_at_ms is not None:
        actions += [
            UserItem.sessions_valid_from.set(revoke_sessions_at_ms),
            UserItem.kept_session.remove(),
        ]
    was_admin = old_active and roles.ADMIN in old_roles
    is_admin_after = active_after and roles.ADMIN in roles_after
    with labelled_transaction() as tx:
        tx.update("user", UserItem(*keys.user_key(tid, uid)), actions, condition=_as_read(user))
        rollups.move(
            tx,
            tid,
            STAFF_ROLLUP,
            staff_entry(uid, old_active, old_roles),
            staff_entry(uid, active_after, roles_after),
        )
        if was_admin != is_admin_after:
            _admins(tx, tid, -1 if was_admin else +1)
    user.roles, user.active = roles_after, active_after


def accept_invitation_in(
    tx: Labelled, user: UserItem, username: str, password_hash: str, now: datetime
) -> None:
    """Give a pending user their username (label ``username``: taken) and password and take
    their e-mail (label ``email``: a staff login of any tenant has it now), inside ``tx``
    (label ``user``: no longer pending or deactivated)."""
    tid, uid = str(user.tenant_id), int(user.user_id)
    tx.create("email", PointerItem(*keys.email_key(str(user.email)), tenant_id=tid, user_id=uid))
    tx.create(
        "username", PointerItem(*keys.username_key(tid, username), tenant_id=tid, user_id=uid)
    )
    tx.update(
        "user",
        UserItem(*keys.user_key(tid, uid)),
        [
            UserItem.username.set(username),
            UserItem.password_hash.set(password_hash),
            UserItem.invitation_pending.remove(),
            UserItem.last_login_at.set(now),
        ],
        condition=(UserItem.invitation_pending == True) & (UserItem.active == True),  # noqa: E712
    )


def still_invited_in(tx: Labelled, user: UserItem) -> None:
    """Inside ``tx``: the user is still an active invited user, not yet accepted (label
    ``user``)."""
    tx.check(
        "user",
        UserItem,
        keys.user_key(str(user.tenant_id), int(user.user_id)),
        (UserItem.invitation_pending == True) & (UserItem.active == True),  # noqa: E712
    )


def set_password_in(
    tx: Labelled,
    user: UserItem,
    password_hash: str,
    valid_from_ms: int,
    keep_session: str | None,
) -> None:
    """Replace the password (conditioned on the one read: label ``user``) and revoke every
    session started before ``valid_from_ms`` but ``keep_session``; clears the lockout."""
    actions: list[Any] = [
        UserItem.password_hash.set(password_hash),
        UserItem.sessions_valid_from.set(valid_from_ms),
        UserItem.failed_logins.set(0),
        UserItem.locked_until.remove(),
    ]
    actions.append(
        UserItem.kept_session.set(keep_session) if keep_session else UserItem.kept_session.remove()
    )
    tx.update(
        "user",
        UserItem(*keys.user_key(str(user.tenant_id), int(user.user_id))),
        actions,
        condition=UserItem.password_hash == user.password_hash,
    )


# --- a user's sessions --------------------------------------------------------------------
MAX_LISTED_SESSIONS = 100


def sessions_of(tenant_id: str, user_id: int) -> list[SessionItem]:
    """The user's sessions still in the index (not revoked), newest first, at most
    ``MAX_LISTED_SESSIONS`` (one Query)."""
    results = SessionItem.gsi1.query(
        keys.user_sessions_pk(tenant_id, user_id),
        scan_index_forward=False,
        limit=MAX_LISTED_SESSIONS,
        page_size=MAX_LISTED_SESSIONS,
    )
    return take(results, MAX_LISTED_SESSIONS)


def end_session(user: UserItem, session_id: str, now_s: int, access_ttl_s: int) -> None:
    """Revoke one of ``user``'s sessions and list it on the user until its access tokens
    have expired (so the next request with one is refused), in one transaction: label
    ``session`` (gone or revoked already), ``user`` (changed meanwhile: re-read, retry)."""
    tid, uid = str(user.tenant_id), int(user.user_id)
    before = list(user.revoked_sids or [])
    after = [e for e in before if int(e.rpartition("@")[2] or 0) > now_s]
    after.append(f"{session_id}@{now_s + access_ttl_s}")
    as_read = (
        (UserItem.revoked_sids == before) if before else UserItem.revoked_sids.does_not_exist()
    )
    with labelled_transaction() as tx:
        tx.update(
            "session",
            SessionItem(*keys.session_key(tid, session_id)),
            [
                SessionItem.revoked.set(True),
                SessionItem.revoked_reason.set("revoked by the user"),
                SessionItem.gsi1pk.remove(),
                SessionItem.gsi1sk.remove(),
            ],
            condition=SessionItem.pk.exists() & (SessionItem.revoked == False),  # noqa: E712
        )
        tx.update(
            "user",
            UserItem(*keys.user_key(tid, uid)),
            [UserItem.revoked_sids.set(after)],
            condition=as_read,
        )
    user.revoked_sids = after


def get_session(tenant_id: str, session_id: str) -> SessionItem | None:
    return SessionItem.find(keys.session_key(tenant_id, session_id))


# --- e-mails ----------------------------------------------------------------------------
def email_taken(email: str) -> bool:
    """True when a staff login of any tenant has this e-mail."""
    return PointerItem.find(keys.email_key(email)) is not None


def get_user_by_email(tenant_id: str, email: str) -> UserItem | None:
    """The tenant's staff login with this (normalised) e-mail, or None (another tenant's
    too)."""
    pointer = PointerItem.find(keys.email_key(email))
    if pointer is None or pointer.tenant_id != tenant_id:
        return None
    return get_user(tenant_id, int(pointer.user_id))
