"""Staff users (invite, accept, list, roles, deactivate/reactivate), passwords (change,
forgotten and reset by an e-mailed code) and the caller's sessions.

The user items belong to accounts (``accounts.service``); this feature keeps the
invitations and reset codes (``users.store``) and composes the transactions.

DynamoDB calls (besides rate limiting and the caller's account read; measured in
tests/users/test_calls.py): invite 4 (e-mail pointer, id counter, one transaction: user,
invited e-mail, list counts, invitation and the user's pointer to it; the tenant's name
for the e-mail); resend 4 (user, pointer, one transaction: the user still invited, the
new invitation and pointer, the old invitation deleted; the tenant's name); accept 4
(invitation, user, one transaction with the pointer's check, the session put); list 2 (counts, one Query of
``limit``); get 1; roles or (de)activate 2 (consistent read, one transaction; for a tenant from before the
admin count, once, +2 and a Query page per 200 users: ``accounts.backfill_admins``); password
change 1 transaction; forgot 2 (1 for an unknown e-mail); reset 3 reads and one
transaction; sessions 1 Query; revoke one 2 (read, one transaction: session, user).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from datetime import datetime
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.accounts.passwords import hash_password, verify_password
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, NotFound, invalid
from chalicelib.core.pagination import PageRequest
from chalicelib.core.roles import ADMIN
from chalicelib.core.settings import get_settings
from chalicelib.core.text import normalize_username
from chalicelib.platform.tx import ConditionFailed, Contention, labelled_transaction, retries
from chalicelib.users import rules, store

log = logging.getLogger(__name__)
EMAIL_MODULE = "chalicelib.platform.email"


def send_email(to: str, subject: str, text: str) -> bool:
    """Send through ``platform.email`` (SES); False when it cannot (logged), so a failed
    send never undoes what was written."""
    if importlib.util.find_spec(EMAIL_MODULE) is None:
        log.warning("no e-mail sender configured; message to %s not sent", to)
        return False
    try:
        importlib.import_module(EMAIL_MODULE).send(to, subject, text)
    except Exception:  # noqa: BLE001 (reported as not sent)
        log.exception("sending an e-mail failed")
        return False
    return True


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- staff users ------------------------------------------------------------------------
def get(tenant_id: str, user_id: int, *, consistent: bool = False) -> accounts.UserItem:
    """A staff user (a technician's login, made on the roster, is not one): 404 otherwise.
    A staff user from before the staff list (a tenant's owner registered then) joins it
    here (``accounts.adopt_staff``)."""
    user = accounts.get_user(tenant_id, user_id, consistent=consistent)
    if user is not None and accounts.is_unlisted_staff(user):
        if not accounts.adopt_staff(user):  # changed meanwhile: as it is now
            user = accounts.get_user(tenant_id, user_id, consistent=True)
    if user is None or not accounts.is_staff(user):
        raise NotFound(f"user {user_id} not found")
    return user


def page(
    tenant_id: str, request: PageRequest, *, role: str | None, active: bool | None
) -> dict[str, Any]:
    return accounts.staff_page(tenant_id, request, role=role, active=active)


def invite(
    tenant_id: str,
    email: str,
    roles: list[str],
    first_name: str | None,
    last_name: str | None,
) -> dict[str, Any]:
    """A pending user and a one-time invitation link (7 days), e-mailed; the link is in the
    answer too on the local stages only. 409 when the e-mail is a staff login already."""
    roles = rules.staff_roles(roles)
    if accounts.email_taken(email):
        raise Conflict("a staff account with this email already exists")
    now = clock.now()
    user_id = accounts.next_user_id(tenant_id)
    token = rules.new_token()
    expires = now + rules.INVITATION_TTL
    new = accounts.NewStaff(tenant_id, user_id, email, first_name, last_name, roles, now)
    for _ in retries():
        try:
            with labelled_transaction() as tx:
                user = accounts.add_staff(tx, new)
                store.add_invitation_in(
                    tx, rules.token_hash(token), tenant_id, user_id, now, _epoch(expires)
                )
            break
        except ConditionFailed as exc:
            if "email" in exc.failed:
                raise Conflict("this email has been invited already") from exc
            if "last_admin" in exc.failed and accounts.backfill_admins(tenant_id):
                continue  # a tenant from before the admin count: counted now, retry
            raise
        except Contention:
            continue
    else:
        raise Conflict("users are being changed by other requests; retry")
    return _invitation(tenant_id, user, token, expires)


def _invitation(
    tenant_id: str, user: accounts.UserItem, token: str, expires: datetime
) -> dict[str, Any]:
    """E-mail the invitation link; what invite and resend answer."""
    settings = get_settings()
    link = rules.invitation_link(settings.api_url, token)
    tenant = accounts.get_tenant(tenant_id)
    business = tenant.name if tenant is not None else "TradeKitt"
    sent = send_email(
        str(user.email),
        f"You are invited to {business} on TradeKitt",
        f"You have been invited to {business} on TradeKitt.\n\nAccept the invitation (valid "
        f"for 7 days, once): {link}\n\nOr POST /api/v1/auth/invitations/accept with this "
        f"token: {token}\n",
    )
    shown = settings.local_mode
    return {
        "user": user,
        "invitation_sent": sent,
        "invitation_expires_at": expires,
        "invitation_url": link if shown else None,
        "invitation_token": token if shown else None,
    }


def resend_invitation(tenant_id: str, user_id: int) -> dict[str, Any]:
    """A new one-time link (7 days from now) for a pending user, e-mailed; the earlier
    link stops working. 409 when the invitation was accepted already or the user is
    deactivated; 404 for an unknown user."""
    for _ in retries():
        user = get(tenant_id, user_id, consistent=True)
        if not user.invitation_pending:
            raise Conflict("this user has accepted their invitation already")
        if not user.active:
            raise Conflict("this user is deactivated; reactivate them first")
        old = store.current_invitation(tenant_id, user_id)
        now = clock.now()
        token = rules.new_token()
        expires = now + rules.INVITATION_TTL
        try:
            with labelled_transaction() as tx:
                accounts.still_invited_in(tx, user)
                store.add_invitation_in(
                    tx,
                    rules.token_hash(token),
                    tenant_id,
                    user_id,
                    now,
                    _epoch(expires),
                    replaces=old,
                )
        except (ConditionFailed, Contention):
            # accepted or deactivated meanwhile (409 on the next read), or re-sent by
            # another request (read its pointer): read again
            continue
        return _invitation(tenant_id, user, token, expires)
    raise Conflict(f"user {user_id} is being changed by other requests; retry")


def accept(
    token: str, username: str, password: str, user_agent: str | None, ip: str | None
) -> accounts.Session:
    """Set the invited user's username and password, once, within 7 days; signs them in.
    404 for an unknown token, 409 for a used or expired one or a taken username."""
    digest = rules.token_hash(token)
    invitation = store.get_invitation(digest)
    if invitation is None:
        raise NotFound("no such invitation")
    now = clock.now()
    if invitation.used_at is not None:
        raise Conflict("this invitation has already been used")
    if invitation.expires_at is not None and _epoch(now) >= int(invitation.expires_at):
        raise Conflict("this invitation has expired; ask for a new one")
    tenant_id, user_id = str(invitation.tenant_id), int(invitation.user_id)
    user = accounts.get_user(tenant_id, user_id)
    if user is None or not user.active or not user.invitation_pending:
        raise Conflict("this invitation is no longer valid")
    username = normalize_username(username)
    password_hash = hash_password(password)
    try:
        with labelled_transaction() as tx:
            store.is_current_in(tx, digest, tenant_id, user_id)
            store.use_invitation_in(tx, digest, now)
            accounts.accept_invitation_in(tx, user, username, password_hash, now)
    except ConditionFailed as exc:
        if "replaced" in exc.failed:
            raise NotFound("no such invitation (a newer one was sent)") from exc
        if "invitation" in exc.failed:
            raise Conflict("this invitation has already been used") from exc
        if "username" in exc.failed:
            raise Conflict("this username is already taken") from exc
        if "email" in exc.failed:
            raise Conflict("a staff account with this email exists already") from exc
        raise Conflict("this invitation is no longer valid") from exc
    user.username, user.password_hash, user.invitation_pending = username, password_hash, None
    return accounts.open_session(user, now, user_agent, ip)


def _change(tenant_id: str, user_id: int, **change: Any) -> accounts.UserItem:
    for _ in retries():
        user = get(tenant_id, user_id, consistent=True)
        try:
            accounts.change_staff(user, **change)
            return user
        except ConditionFailed as exc:
            if "last_admin" in exc.failed:
                if accounts.backfill_admins(tenant_id, removing=_removes_admin(user, **change)):
                    continue  # the admin count was missing (counted now, or meanwhile): retry
                raise Conflict("the tenant must keep at least one active admin") from exc
            continue  # changed meanwhile: read again
        except Contention:
            continue
    raise Conflict(f"user {user_id} is being changed by other requests; retry")


def _removes_admin(
    user: accounts.UserItem,
    new_roles: list[str] | None = None,
    active: bool | None = None,
    **_: Any,
) -> bool:
    """Whether the change takes an active admin away (the admin count goes down)."""
    was_admin = bool(user.active) and ADMIN in (user.roles or [])
    roles_after = list(user.roles or []) if new_roles is None else new_roles
    active_after = bool(user.active) if active is None else active
    return was_admin and not (active_after and ADMIN in roles_after)


def set_roles(tenant_id: str, user_id: int, roles: list[str]) -> accounts.UserItem:
    """Replace the roles; 409 when that would leave no active admin."""
    return _change(tenant_id, user_id, new_roles=rules.staff_roles(roles))


def deactivate(principal: Principal, user_id: int) -> accounts.UserItem:
    """Their tokens stop working at once (the route decorator refuses an inactive account)
    and every session is revoked (a reactivation does not bring them back). 409 for
    oneself and for the last active admin."""
    if user_id == principal.user_id:
        raise Conflict("you cannot deactivate your own account")
    now_ms = accounts.now_ms(clock.now())
    return _change(principal.tenant_id, user_id, active=False, revoke_sessions_at_ms=now_ms)


def reactivate(tenant_id: str, user_id: int) -> accounts.UserItem:
    return _change(tenant_id, user_id, active=True)


# --- passwords ----------------------------------------------------------------------------
def change_password(principal: Principal, current: str, new: str) -> None:
    """Check the current password (422 naming ``current_password``), set the new one and
    revoke every other session (this one goes on)."""
    user = accounts.current_user(principal)
    if not verify_password(user.password_hash, current):
        raise invalid("current_password", "is not your current password")
    if current == new:
        raise invalid("new_password", "must differ from the current password")
    now = clock.now()
    try:
        with labelled_transaction() as tx:
            accounts.set_password_in(
                tx, user, hash_password(new), accounts.now_ms(now), principal.session_id
            )
    except ConditionFailed as exc:
        raise Conflict("your password was changed meanwhile; sign in again") from exc


FORGOT_ANSWER = {
    "requested": True,
    "message": "If an account with this email exists, a reset code has been sent to it.",
}


def forgot(tenant_id: str, email: str) -> dict[str, Any]:
    """E-mail a 6-digit code (15 minutes) to the tenant's active staff login with this
    e-mail; the same answer whether or not there is one."""
    user = accounts.get_user_by_email(tenant_id, email)
    if user is None or not user.active or user.invitation_pending or not user.password_hash:
        return dict(FORGOT_ANSWER)
    now = clock.now()
    code = rules.new_code()
    digest = rules.code_digest(_key(), tenant_id, int(user.user_id), code)
    store.save_reset(tenant_id, int(user.user_id), digest, now, _epoch(now + rules.RESET_CODE_TTL))
    send_email(
        email,
        "Your TradeKitt password reset code",
        f"Your password reset code is {code}. It works once, for 15 minutes.\n"
        "If you did not ask for it, ignore this e-mail.\n",
    )
    return dict(FORGOT_ANSWER)


def _key() -> str:
    return get_settings().signing_key()


def reset(tenant_id: str, email: str, code: str, new_password: str) -> None:
    """Set a new password with the e-mailed code (once; five wrong codes void it) and
    revoke every session. 422 naming ``code`` for a wrong, expired or used code (and for
    an unknown e-mail: the same answer)."""
    refused = invalid("code", "invalid or expired code")
    user = accounts.get_user_by_email(tenant_id, email)
    item = store.get_reset(tenant_id, int(user.user_id)) if user is not None else None
    if user is None or item is None or not user.active:
        raise refused
    now = clock.now()
    if item.expires_at is None or _epoch(now) >= int(item.expires_at):
        raise refused
    wanted = rules.code_digest(_key(), tenant_id, int(user.user_id), code)
    if not rules.same_digest(wanted, str(item.code_digest)):
        store.count_wrong_try(item, void=int(item.attempts or 0) + 1 >= rules.MAX_CODE_ATTEMPTS)
        raise refused
    try:
        with labelled_transaction() as tx:
            store.consume_reset_in(tx, item)
            accounts.set_password_in(
                tx, user, hash_password(new_password), accounts.now_ms(now), None
            )
    except ConditionFailed as exc:
        raise refused from exc


# --- sessions ---------------------------------------------------------------------------
def _live(user: accounts.UserItem, session: Any, now: datetime) -> bool:
    return (
        not session.revoked
        and (session.expires_at is None or int(session.expires_at) > _epoch(now))
        and accounts.session_valid(user, str(session.session_id))
    )


def sessions(principal: Principal) -> list[dict[str, Any]]:
    """The caller's live sessions, newest first (at most 100)."""
    user = accounts.current_user(principal)
    now = clock.now()
    found = accounts.sessions_of(principal.tenant_id, principal.user_id)
    return [
        {
            "id": s.session_id,
            "created_at": s.created_at,
            "last_used_at": s.rotated_at or s.created_at,
            "expires_at": datetime.fromtimestamp(int(s.expires_at), tz=now.tzinfo)
            if s.expires_at is not None
            else None,
            "user_agent": s.user_agent,
            "ip_address": s.ip_address,
            "current": s.session_id == principal.session_id,
        }
        for s in found
        if _live(user, s, now)
    ]


def revoke(principal: Principal, session_id: str) -> None:
    """End one of the caller's sessions at once (its refresh token and its access tokens);
    another user's or an ended one is 404."""
    user = accounts.current_user(principal)
    session = accounts.get_session(principal.tenant_id, session_id)
    now = clock.now()
    if (
        session is None
        or int(session.user_id) != principal.user_id
        or not _live(user, session, now)
    ):
        raise NotFound("no such session")
    ttl = get_settings().access_token_ttl_s
    for attempt in retries():
        if attempt:
            user = accounts.get_user(principal.tenant_id, principal.user_id, consistent=True)
            if user is None:
                raise NotFound("no such session")
        try:
            accounts.end_session(user, session_id, _epoch(now), ttl)
            return
        except ConditionFailed as exc:
            if "session" in exc.failed:
                raise NotFound("no such session") from exc
            continue  # the user changed meanwhile: read again
        except Contention:
            continue
    raise Conflict("your account is being changed by other requests; retry")


def view(user: accounts.UserItem) -> dict[str, Any]:
    """A staff user as ``/admin/users`` shows them."""
    pending = bool(user.invitation_pending)
    return {
        "id": int(user.user_id),
        "username": None if pending else user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.display_name
        if not pending
        else (" ".join(p for p in (user.first_name, user.last_name) if p) or user.email),
        "roles": list(user.roles),
        "is_admin": user.is_admin,
        "active": bool(user.active),
        "status": rules.status(bool(user.active), pending),
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }
