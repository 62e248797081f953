"""MFA: the login's second step (``POST /auth/mfa-verify``, ``POST /auth/mfa/email-code``;
public, with the challenge token the login answered) and the signed-in user's enrolment
(``/auth/mfa``, ``/auth/mfa/totp/setup``, ``/auth/mfa/totp/confirm``,
``/auth/mfa/disable``, ``/auth/mfa/backup-codes``)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import Field

from chalicelib.accounts.api import TokensOut
from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Body, Out, reference_example
from chalicelib.mfa import service as mfa

bp = Blueprint(__name__)

Code = Field(min_length=1, max_length=32, description="6 digits, or a backup code xxxxx-xxxxx")


class VerifyIn(Body):
    model_config = reference_example({"challenge_token": "eyJ...", "code": "123456"})

    challenge_token: str = Field(min_length=1, max_length=2048)
    code: str = Code


class EmailCodeIn(Body):
    model_config = reference_example({"challenge_token": "eyJ..."})

    challenge_token: str = Field(min_length=1, max_length=2048)


class CodeIn(Body):
    model_config = reference_example({"code": "123456"})

    code: str = Code


class EmailCodeOut(Out):
    sent: bool
    email: str
    expires_in: int


class TotpState(Out):
    enabled: bool
    enabled_at: str | None
    pending: bool


class StatusOut(Out):
    tenant_id: str
    user_id: int
    enabled: bool
    methods: list[str]
    totp: TotpState
    backup_codes_remaining: int
    required: bool


class SetupOut(Out):
    secret: str
    otpauth_uri: str
    qr_code: str = Field(description="the otpauth URI as a QR code, an SVG data URI")


class ConfirmOut(Out):
    enabled: bool
    backup_codes: list[str]


class DisabledOut(Out):
    enabled: bool


class BackupCodesOut(Out):
    backup_codes: list[str]


@endpoint(
    bp,
    "/auth/mfa-verify",
    "POST",
    summary="Complete an MFA login",
    tag="auth",
    public=True,
    rate="auth",
    body=VerifyIn,
    response=TokensOut,
    tenant_header="optional",
    errors=(401,),
)
def verify(req: ApiRequest) -> Any:
    """Accepts a TOTP code from an authenticator app (each code once), the e-mail code
    (``POST /auth/mfa/email-code``) or a backup code (each once), and answers the same body
    as a plain login. The challenge token lives 5 minutes; five wrong codes void it (401:
    log in again)."""
    body: VerifyIn = req.body
    return mfa.verify(
        req.headers.get("x-tenant-id"),
        body.challenge_token,
        body.code,
        user_agent=req.headers.get("user-agent"),
        ip_address=req.source_ip or None,
    )


@endpoint(
    bp,
    "/auth/mfa/email-code",
    "POST",
    summary="E-mail a sign-in code for an MFA login",
    tag="auth",
    public=True,
    rate="auth",
    body=EmailCodeIn,
    response=EmailCodeOut,
    tenant_header="optional",
    errors=(401,),
)
def email_code(req: ApiRequest) -> Any:
    """Sends a 6-digit code (valid 10 minutes, once; a new one replaces the last) to the
    account's e-mail address; at most 3 per login (409)."""
    body: EmailCodeIn = req.body
    return mfa.send_email_code(req.headers.get("x-tenant-id"), body.challenge_token)


@endpoint(
    bp,
    "/auth/mfa",
    "GET",
    summary="The signed-in user's MFA",
    tag="auth",
    permission=roles.SELF,
    response=StatusOut,
)
def status(req: ApiRequest) -> Any:
    """What is enrolled, how many backup codes are left, and whether the tenant requires
    MFA for the user's role."""
    return mfa.status(req.user)


@endpoint(
    bp,
    "/auth/mfa/totp/setup",
    "POST",
    summary="Start setting up an authenticator app",
    tag="auth",
    permission=roles.SELF,
    response=SetupOut,
)
def totp_setup(req: ApiRequest) -> Any:
    """A new secret, its ``otpauth_uri`` and QR code; nothing changes until
    ``/auth/mfa/totp/confirm``. 409 while MFA is on."""
    return mfa.setup(req.user)


@endpoint(
    bp,
    "/auth/mfa/totp/confirm",
    "POST",
    summary="Turn MFA on",
    tag="auth",
    permission=roles.SELF,
    body=CodeIn,
    response=ConfirmOut,
)
def totp_confirm(req: ApiRequest) -> Any:
    """With a current code of the new authenticator: turns MFA on and answers ten backup
    codes, shown this once (keep them somewhere safe). A wrong code is 422."""
    body: CodeIn = req.body
    return mfa.confirm(req.user, body.code)


@endpoint(
    bp,
    "/auth/mfa/disable",
    "POST",
    summary="Turn MFA off",
    tag="auth",
    permission=roles.SELF,
    body=CodeIn,
    response=DisabledOut,
)
def disable(req: ApiRequest) -> Any:
    """With a current TOTP code or an unused backup code (422 otherwise)."""
    body: CodeIn = req.body
    return mfa.disable(req.user, body.code)


@endpoint(
    bp,
    "/auth/mfa/backup-codes",
    "POST",
    summary="New backup codes",
    tag="auth",
    permission=roles.SELF,
    body=CodeIn,
    response=BackupCodesOut,
)
def backup_codes(req: ApiRequest) -> Any:
    """With a current TOTP code or an unused backup code: ten new codes; the old ones stop
    working."""
    body: CodeIn = req.body
    return mfa.new_backup_codes(req.user, body.code)
