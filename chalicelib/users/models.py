"""The wire format of staff users, passwords and sessions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.core.schemas import Body, Email, Out, Password, Query, Timestamp, Username

StaffRole = Literal["admin", "manager", "dispatcher"]


class InviteIn(Body):
    email: Email
    roles: list[StaffRole] = Field(min_length=1, max_length=3)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)


class RolesIn(Body):
    roles: list[StaffRole] = Field(min_length=1, max_length=3)


class UsersQuery(Query):
    role: StaffRole | None = Field(default=None, description="only users holding this role")
    active: bool | None = Field(default=None, description="only active (true) or inactive")


class StaffUserOut(Out):
    id: int
    username: str | None
    email: str | None
    first_name: str | None
    last_name: str | None
    name: str
    roles: list[str]
    is_admin: bool
    active: bool
    status: Literal["pending", "active", "inactive"]
    created_at: Timestamp
    last_login_at: Timestamp


class InvitationOut(Out):
    user: StaffUserOut
    invitation_sent: bool
    invitation_expires_at: Timestamp
    invitation_url: str | None = Field(description="local and test stages only")
    invitation_token: str | None = Field(description="local and test stages only")


class AcceptIn(Body):
    token: str = Field(min_length=1, max_length=200)
    username: Username
    password: Password


class PasswordChangeIn(Body):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: Password


class ForgotIn(Body):
    email: Email


class ForgotOut(Out):
    requested: bool
    message: str


class ResetIn(Body):
    email: Email
    code: str = Field(pattern=r"^[0-9]{6}$", description="the 6-digit code e-mailed")
    new_password: Password


class DoneOut(Out):
    changed: bool


class SessionOut(Out):
    id: str
    created_at: Timestamp
    last_used_at: Timestamp
    expires_at: Timestamp
    user_agent: str | None
    ip_address: str | None
    current: bool


class SessionsOut(Out):
    items: list[SessionOut]


class RevokedOut(Out):
    revoked: bool


class SignedInUserOut(Out):
    id: int
    username: str
    name: str
    is_admin: bool
    roles: list[str]


class AcceptedOut(Out):
    access_token: str
    refresh_token: str
    user: SignedInUserOut
