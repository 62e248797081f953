"""Registration, login, token refresh and logout (SPEC.md "Auth").

DynamoDB calls (besides rate limiting): login 3 (username pointer, user, session put),
plus 1 when a failure counter must be written; refresh 2 (user, conditional session
update), plus 2 when reuse is detected; register 1 transaction (+1 per business-code
collision).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.accounts import rules as identity
from chalicelib.accounts import sessions_store, staff, store
from chalicelib.accounts.passwords import hash_password, verify_password
from chalicelib.accounts.store import NewLogin
from chalicelib.accounts.store import TenantItem as TenantItem
from chalicelib.accounts.store import UserItem as UserItem
from chalicelib.core import clock, roles, tokens
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized
from chalicelib.platform import counters
from chalicelib.platform.tx import ConditionFailed
from chalicelib.settings import rules as settings_rules

MAX_CODE_ATTEMPTS = 20
USER_COUNTER = "user"
# For other features' batch reads and transactions.
tenant_ref, user_ref, set_active_in = store.tenant_ref, store.user_ref, store.set_active_in
get_tenant, get_user = store.get_tenant, store.get_user
# For the users feature (staff users, passwords, sessions): accounts own these items.
NewStaff, SessionItem = staff.NewStaff, sessions_store.SessionItem
add_staff, change_staff, staff_page = staff.add_staff, staff.change_staff, staff.staff_page
accept_invitation_in, set_password_in = staff.accept_invitation_in, staff.set_password_in
is_staff, sessions_of, get_session = staff.is_staff, staff.sessions_of, staff.get_session
revoke_session, get_user_by_email = sessions_store.revoke, staff.get_user_by_email
end_session = staff.end_session
email_taken = staff.email_taken
backfill_admins, still_invited_in = staff.backfill_admins, staff.still_invited_in
is_unlisted_staff, adopt_staff = staff.is_unlisted_staff, staff.adopt
SESSION_ID_PREFIX = "s"


def new_session_id(now: datetime) -> str:
    """``s`` + the start (epoch ms, 12 hex digits) + 19 random hex digits: sorts by start,
    and says when the session began (``session_started_ms``)."""
    return f"{SESSION_ID_PREFIX}{int(now.timestamp() * 1000):012x}{secrets.token_hex(10)[:19]}"


def session_started_ms(session_id: str) -> int:
    """When a session began (0 for ids of the older, random format)."""
    if len(session_id) == 32 and session_id.startswith(SESSION_ID_PREFIX):
        try:
            return int(session_id[1:13], 16)
        except ValueError:
            return 0
    return 0


def session_valid(user: UserItem, session_id: str) -> bool:
    """False when ``session_id`` was ended on its own (``end_session``) or began before the
    user's sessions were revoked (a password change keeps the session that made it)."""
    valid_from = user.sessions_valid_from
    if any(e.rpartition("@")[0] == session_id for e in user.revoked_sids or []):
        return False
    if not valid_from:
        return True
    if user.kept_session and session_id == user.kept_session:
        return True
    return session_started_ms(session_id) >= int(valid_from)


def now_ms(now: datetime) -> int:
    return int(now.timestamp() * 1000)


def next_user_id(tenant_id: str) -> int:
    return counters.next_id(tenant_id, USER_COUNTER)


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    user: UserItem


def tenant_view(tenant: TenantItem, api_url: str) -> dict[str, Any]:
    """The seed's resolve response (documented camelCase keys)."""
    branding = settings_rules.effective(tenant.settings or {}, tenant.name)["branding"]
    return {
        "businessCode": tenant.business_code,
        "businessName": tenant.name,
        "apiUrl": api_url,
        "tenantId": tenant.tenant_id,
        "branding": branding,
    }


def resolve_tenant(code: str) -> TenantItem:
    normalized = identity.normalize_business_code(code)
    tenant_id = store.tenant_id_for_code(normalized) if normalized else None
    tenant = store.get_tenant(tenant_id) if tenant_id else None
    if tenant is None:
        raise NotFound(f"no business with code {code!r}")
    return tenant


def _issue_pair(
    tenant_id: str, user_id: int, user_roles: list[str], session_id: str, now: datetime
) -> tuple[tokens.IssuedToken, tokens.IssuedToken]:
    access = tokens.issue_access(tenant_id, user_id, user_roles, session_id, now)
    refresh = tokens.issue_refresh(tenant_id, user_id, session_id, now)
    return access, refresh


def register(
    *,
    email: str | None,
    username: str,
    password: str | None,
    first_name: str | None,
    last_name: str | None,
    company_name: str,
    also: Callable[[Any, str, int], None] | None = None,
) -> tuple[Session, TenantItem]:
    """Create a tenant and its first admin, and log them in. Without ``password`` (an SSO
    registration) the admin has none and signs in through the provider;
    ``also(tx, tenant_id, user_id)`` adds to the same transaction (the SSO link; a
    ``ConditionFailed`` of its own labels is raised as is)."""
    now = clock.now()
    tenant_id = str(uuid.uuid4())
    session_id = new_session_id(now)
    username = identity.normalize_username(username)
    email = identity.normalize_email(email) if email else None
    base = identity.business_code_base(company_name)
    password_hash = hash_password(password) if password is not None else None
    settings = settings_rules.initial(company_name)
    access, refresh = _issue_pair(tenant_id, 1, [roles.ADMIN], session_id, now)
    for attempt in range(MAX_CODE_ATTEMPTS):
        code = identity.business_code_candidate(base, attempt)
        account = store.NewAccount(
            tenant_id=tenant_id,
            company_name=company_name,
            business_code=code,
            tenant_settings=settings,
            user_id=1,
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password_hash=password_hash,
            roles=[roles.ADMIN],
            session_id=session_id,
            refresh_jti=refresh.jti,
            session_expires_at=refresh.expires_at,
            now=now,
            also=(lambda tx: also(tx, tenant_id, 1)) if also is not None else None,
        )
        try:
            tenant, user = store.create_tenant_with_owner(account)
        except ConditionFailed as exc:
            if "email" in exc.failed:
                raise Conflict("an account with this email already exists") from exc
            if "username" in exc.failed:
                raise Conflict("this username is already taken") from exc
            if "business_code" in exc.failed:
                continue
            raise
        return Session(access.token, refresh.token, user), tenant
    raise Conflict("could not allocate a unique business code; try another company name")


def login(
    tenant_id: str,
    username: str,
    password: str,
    user_agent: str | None = None,
    ip_address: str | None = None,
    second_factor: Callable[[UserItem, datetime], Any] | None = None,
) -> Any:
    """Check the password, apply the lockout policy, and open a session; or, when
    ``second_factor(user, now)`` answers something (the MFA challenge), answer that and
    open no session (``open_session`` does once the second factor is proven)."""
    now = clock.now()
    user = store.get_user_by_username(tenant_id, identity.normalize_username(username))
    state = (
        identity.LoginState(
            failed_logins=int(user.failed_logins or 0), locked_until=user.locked_until
        )
        if user
        else None
    )
    if user is not None and state is not None and state.is_locked(now):
        verify_password(None, password)  # same cost as a real attempt
        retry = int((state.locked_until - now).total_seconds()) + 1  # type: ignore[operator]
        raise TooManyRequests(
            "account locked after repeated failed logins; try again later",
            headers={"Retry-After": str(retry)},
        )
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or state is None or not valid or not user.active:
        if user is not None and state is not None and not valid:
            after = state.after_failure(now)
            store.record_failed_login(user, after.failed_logins, after.locked_until)
        raise Unauthorized("invalid username or password")
    if state.failed_logins or state.locked_until:
        store.record_successful_login(user, now)
    challenge = second_factor(user, now) if second_factor is not None else None
    if challenge is not None:
        return challenge
    return open_session(user, now, user_agent, ip_address)


def open_session(
    user: UserItem, now: datetime, user_agent: str | None = None, ip_address: str | None = None
) -> Session:
    """A new session of ``user`` (one PutItem) and its tokens."""
    tenant_id = str(user.tenant_id)
    session_id = new_session_id(now)
    access, refresh = _issue_pair(tenant_id, int(user.user_id), list(user.roles), session_id, now)
    sessions_store.create_session(
        tenant_id,
        session_id,
        int(user.user_id),
        refresh.jti,
        now,
        refresh.expires_at,
        (user_agent or "")[:256] or None,
        (ip_address or "")[:64] or None,
    )
    return Session(access.token, refresh.token, user)


def refresh(tenant_header: str | None, refresh_token: str) -> Session:
    """Rotate a refresh token: single use; a reused one revokes its whole family."""
    claims = tokens.decode(refresh_token, tokens.REFRESH)
    tenant_id = claims["tid"]
    if tenant_header is not None and tenant_header.strip() != tenant_id:
        raise Unauthorized("refresh token does not belong to this tenant")
    session_id = str(claims.get("sid", ""))
    user = store.get_user(tenant_id, int(claims["sub"]))
    if user is None or not user.active or not session_id:
        raise Unauthorized("invalid refresh token")
    if not session_valid(user, session_id):
        raise Unauthorized("session has been revoked")
    now = clock.now()
    access, new_refresh = _issue_pair(
        tenant_id, int(user.user_id), list(user.roles), session_id, now
    )
    try:
        sessions_store.rotate(
            tenant_id, session_id, claims["jti"], new_refresh.jti, now, new_refresh.expires_at
        )
    except sessions_store.RotationRefused as exc:
        messages = {
            "reused": "refresh token already used; the session has been revoked",
            "revoked": "session has been revoked",
            "unknown": "invalid refresh token",
        }
        raise Unauthorized(messages[exc.reason]) from exc
    return Session(access.token, new_refresh.token, user)


def logout(tenant_id: str, session_id: str) -> None:
    """End the caller's session: its refresh tokens stop working at once."""
    if session_id:
        sessions_store.revoke(tenant_id, session_id, "logout")


def active_account(principal: Principal) -> UserItem:
    """The caller's stored account (one GetItem): 401 when it no longer exists or is
    inactive. The route decorator calls this for every authenticated route, so a
    deactivated user's access tokens stop working at once, not when they expire."""
    user = store.get_user(principal.tenant_id, principal.user_id)
    if user is None or not user.active:
        raise Unauthorized("user no longer exists or is inactive")
    if not session_valid(user, principal.session_id):
        raise Unauthorized("session has been revoked")
    if not set(principal.roles) <= set(user.roles):
        # a role taken away works no longer, not for the token's last 15 minutes
        raise Unauthorized("your roles have changed; refresh your token")
    return user


def current_user(principal: Principal) -> UserItem:
    """The caller's account (already loaded by the route decorator)."""
    return principal.account if principal.account is not None else active_account(principal)


def save_tenant_settings(
    tenant: TenantItem, name: str, settings: dict[str, Any], now: datetime
) -> TenantItem:
    """Write the business name and settings unless they changed since ``tenant`` was read
    (``ConditionFailed(["tenant"])``: re-read and retry)."""
    return store.save_settings(tenant, name, settings, now)


# --- technicians' logins ----------------------------------------------------------------
def technician_login(
    tenant_id: str, name: str, username: str, password: str, email: str | None, now: datetime
) -> NewLogin:
    """A ``technician`` login (new user id; not written): the technicians feature creates it
    with the technician record in one transaction."""
    first, _, last = name.strip().partition(" ")
    return NewLogin(
        tenant_id=tenant_id,
        user_id=counters.next_id(tenant_id, USER_COUNTER),
        username=identity.normalize_username(username),
        email=identity.normalize_email(email) if email else None,
        password_hash=hash_password(password),
        first_name=first or None,
        last_name=last.strip() or None,
        roles=[roles.TECHNICIAN],
        technician_id=None,
        now=now,
    )


# --- a technician acts only on their own records ------------------------------------------
def linked_technician(user: UserItem | None, why: str = "") -> int:
    """The technician record a staff login is linked to; 403 when there is none (or the
    login is inactive). ``why`` is added to the message."""
    if user is None or not user.active or user.technician_id is None:
        raise Forbidden("your account is not linked to a technician" + why)
    return int(user.technician_id)


def own_technician(principal: Principal, why: str = "") -> int:
    """The caller's own technician id (from the account the route decorator loaded)."""
    return linked_technician(current_user(principal), why)


def require_own(principal: Principal, technician_id: int, *, unless: str, refusal: str) -> None:
    """Callers with permission ``unless`` act on any technician's records; anyone else only
    on their own: 403 ``refusal`` for another technician's."""
    if principal.can(unless):
        return
    if own_technician(principal) != technician_id:
        raise Forbidden(refusal)
