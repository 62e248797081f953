"""``/admin/users`` (admins invite, list, change roles, deactivate and reactivate staff
users), ``/auth/invitations/accept``, ``/auth/password/...`` and ``/auth/sessions``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import page_of
from chalicelib.users import service as users
from chalicelib.users.models import (
    AcceptedOut,
    AcceptIn,
    DoneOut,
    ForgotIn,
    ForgotOut,
    InvitationOut,
    InviteIn,
    PasswordChangeIn,
    ResetIn,
    RevokedOut,
    RolesIn,
    SessionsOut,
    StaffUserOut,
    UsersQuery,
)

bp = Blueprint(__name__)
TAG = "users"
AUTH_TAG = "auth"
PATH = "/admin/users"
ONE = f"{PATH}/{{user_id}}"


@endpoint(
    bp,
    PATH,
    "POST",
    summary="Invite a staff user by e-mail",
    tag=TAG,
    permission=roles.USERS_WRITE,
    body=InviteIn,
    response=InvitationOut,
    status=201,
)
def invite_user(req: ApiRequest) -> Any:
    """Creates a pending user and e-mails a one-time link (7 days). 409 when the e-mail is
    a staff login already. The link and token are in the answer on local stages only."""
    body: InviteIn = req.body
    result = users.invite(
        req.tenant_id, str(body.email), list(body.roles), body.first_name, body.last_name
    )
    return {**result, "user": users.view(result["user"])}


@endpoint(
    bp,
    PATH,
    "GET",
    summary="List staff users",
    tag=TAG,
    permission=roles.USERS_WRITE,
    query=UsersQuery,
    response=page_of(StaffUserOut),
    paginated=True,
)
def list_users(req: ApiRequest) -> Any:
    """By id; ``role`` and ``active`` filter. Technicians' logins are on the roster."""
    query: UsersQuery = req.query
    body = users.page(req.tenant_id, req.page, role=query.role, active=query.active)  # type: ignore[arg-type]
    return {**body, "items": [users.view(u) for u in body["items"]]}


@endpoint(
    bp,
    ONE,
    "GET",
    summary="Get a staff user",
    tag=TAG,
    permission=roles.USERS_WRITE,
    response=StaffUserOut,
)
def get_user(req: ApiRequest) -> Any:
    return users.view(users.get(req.tenant_id, req.int_param("user_id")))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Change a staff user's roles",
    tag=TAG,
    permission=roles.USERS_WRITE,
    body=RolesIn,
    response=StaffUserOut,
)
def change_roles(req: ApiRequest) -> Any:
    """409 when it would leave the tenant without an active admin."""
    body: RolesIn = req.body
    return users.view(users.set_roles(req.tenant_id, req.int_param("user_id"), list(body.roles)))


@endpoint(
    bp,
    f"{ONE}/deactivate",
    "POST",
    summary="Deactivate a staff user",
    tag=TAG,
    permission=roles.USERS_WRITE,
    response=StaffUserOut,
)
def deactivate_user(req: ApiRequest) -> Any:
    """Their tokens stop working at once and their sessions are revoked. 409 for yourself
    and for the last active admin."""
    return users.view(users.deactivate(req.user, req.int_param("user_id")))


@endpoint(
    bp,
    f"{ONE}/reactivate",
    "POST",
    summary="Reactivate a staff user",
    tag=TAG,
    permission=roles.USERS_WRITE,
    response=StaffUserOut,
)
def reactivate_user(req: ApiRequest) -> Any:
    """They sign in again (earlier sessions stay revoked)."""
    return users.view(users.reactivate(req.tenant_id, req.int_param("user_id")))


@endpoint(
    bp,
    f"{ONE}/invitation/resend",
    "POST",
    summary="Re-send a staff user's invitation",
    tag=TAG,
    permission=roles.USERS_WRITE,
    response=InvitationOut,
)
def resend_invitation(req: ApiRequest) -> Any:
    """A new one-time link (7 days from now) is e-mailed and the earlier link stops
    working. 409 when the user has accepted already or is deactivated. The link and token
    are in the answer on local stages only."""
    result = users.resend_invitation(req.tenant_id, req.int_param("user_id"))
    return {**result, "user": users.view(result["user"])}


@endpoint(
    bp,
    "/auth/invitations/accept",
    "POST",
    summary="Accept an invitation: choose a username and password",
    tag=AUTH_TAG,
    public=True,
    rate="auth",
    body=AcceptIn,
    response=AcceptedOut,
)
def accept_invitation(req: ApiRequest) -> Any:
    """Single use, within 7 days; signs the user in. 404 for an unknown token, 409 for a
    used or expired one or a taken username."""
    body: AcceptIn = req.body
    session = users.accept(
        body.token, body.username, body.password, req.headers.get("user-agent"), req.source_ip
    )
    return {
        "access_token": session.access_token,
        "refresh_token": session.refresh_token,
        "user": {
            "id": int(session.user.user_id),
            "username": session.user.username,
            "name": session.user.display_name,
            "is_admin": session.user.is_admin,
            "roles": list(session.user.roles),
        },
    }


@endpoint(
    bp,
    "/auth/password/change",
    "POST",
    summary="Change your password",
    tag=AUTH_TAG,
    permission=roles.SELF,
    rate="auth",
    body=PasswordChangeIn,
    response=DoneOut,
)
def change_password(req: ApiRequest) -> Any:
    """422 naming ``current_password`` when it is wrong. Every other session is revoked;
    this one goes on."""
    body: PasswordChangeIn = req.body
    users.change_password(req.user, body.current_password, body.new_password)
    return {"changed": True}


@endpoint(
    bp,
    "/auth/password/forgot",
    "POST",
    summary="E-mail a password reset code",
    tag=AUTH_TAG,
    public=True,
    rate="auth",
    body=ForgotIn,
    response=ForgotOut,
    status=202,
    tenant_header="required",
)
def forgot_password(req: ApiRequest) -> Any:
    """Needs ``X-Tenant-Id``. The same answer whether or not the e-mail has an account; the
    6-digit code works once, for 15 minutes."""
    body: ForgotIn = req.body
    return users.forgot(req.required_tenant(), str(body.email))


@endpoint(
    bp,
    "/auth/password/reset",
    "POST",
    summary="Set a new password with the e-mailed code",
    tag=AUTH_TAG,
    public=True,
    rate="auth",
    body=ResetIn,
    response=DoneOut,
    tenant_header="required",
)
def reset_password(req: ApiRequest) -> Any:
    """Needs ``X-Tenant-Id``. 422 naming ``code`` for a wrong, expired or used code (five
    wrong codes void it). Revokes every session."""
    body: ResetIn = req.body
    users.reset(req.required_tenant(), str(body.email), body.code, body.new_password)
    return {"changed": True}


@endpoint(
    bp,
    "/auth/sessions",
    "GET",
    summary="Your sessions",
    tag=AUTH_TAG,
    permission=roles.SELF,
    response=SessionsOut,
)
def list_sessions(req: ApiRequest) -> Any:
    """Your live sessions, newest first (at most 100): when each began, when its tokens
    were last refreshed, the user agent and IP of its login; ``current`` is this one."""
    return {"items": users.sessions(req.user)}


@endpoint(
    bp,
    "/auth/sessions/{session_id}",
    "DELETE",
    summary="Revoke one of your sessions",
    tag=AUTH_TAG,
    permission=roles.SELF,
    response=RevokedOut,
)
def revoke_session(req: ApiRequest) -> Any:
    """Its refresh token stops working (its access token expires within 15 minutes).
    Another user's session is 404."""
    users.revoke(req.user, req.params["session_id"])
    return {"revoked": True}
