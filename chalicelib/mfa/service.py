"""MFA (SPEC.md "Auth"): TOTP enrolment, backup codes, e-mail codes and the login's
second step.

The login of a user with TOTP on, or whose role the tenant's ``mfa_required_roles``
names, answers a challenge token (5 minutes) instead of tokens; ``verify`` accepts one
code for it (a TOTP code, the current e-mail code or a backup code), each spent by a
conditional write in the same transaction that consumes the challenge, and opens the
session. Five wrong codes void the challenge.

DynamoDB calls (besides rate limiting): the login adds 1 BatchGetItem (the enrolment and
the tenant) and puts the challenge instead of the session (so 4 in all for an enrolled
user, 4 plus the session for one without MFA); verify 1 BatchGetItem (challenge,
enrolment, user), 1 TransactWriteItems, 1 PutItem (the session), or 2 for a wrong code
(the BatchGetItem and the counter's UpdateItem); e-mail code 1 BatchGetItem and 2
UpdateItem, plus the SES send.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock, tokens
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, Forbidden, TooManyRequests, Unauthorized, invalid
from chalicelib.core.settings import get_settings
from chalicelib.mfa import rules, sealing, store, totp
from chalicelib.mfa.models import ChallengeOut, EnrolmentChallengeOut
from chalicelib.platform import batch, email
from chalicelib.platform.tx import ConditionFailed, Contention, labelled_transaction
from chalicelib.settings import rules as settings_rules

VOID = "this MFA challenge is no longer valid (used, expired or too many wrong codes): log in again"


def _key() -> bytes:
    """The MFA key: derived from the JWT signing key (so nothing else to keep secret); the
    codes' hashes are keyed by it, and the sealing key is derived from it."""
    return sealing.derive_key(get_settings().signing_key().encode(), "tradekitt mfa v1")


def _scope(tenant_id: str, user_id: int) -> str:
    return f"{tenant_id}|{user_id}"


def _hash(tenant_id: str, user_id: int, code: str) -> str:
    return rules.code_hash(_key(), _scope(tenant_id, user_id), code)


def _secret(mfa: store.MfaItem, sealed: str) -> str:
    return sealing.unseal(_key(), sealed, _scope(str(mfa.tenant_id), int(mfa.user_id)))


def _resealed(mfa: store.MfaItem, sealed: str) -> str | None:
    """``sealed`` (a secret just used successfully) sealed again in the current format
    when it is in an older one (v1), else None: the migration, with no extra call."""
    if not sealing.needs_reseal(sealed):
        return None
    scope = _scope(str(mfa.tenant_id), int(mfa.user_id))
    return sealing.seal(_key(), _secret(mfa, sealed), scope)


def _enrolled(mfa: store.MfaItem | None) -> bool:
    return mfa is not None and bool(mfa.totp_enabled) and bool(mfa.totp_secret)


def required_roles(tenant: Any) -> list[str]:
    if tenant is None:
        return []
    return list(settings_rules.effective(tenant.settings or {}, tenant.name)["mfa_required_roles"])


# --- the login's second step ---------------------------------------------------------------
def login_challenge(user: Any, now: datetime) -> ChallengeOut | None:
    """Called by the login once the password is right: the challenge to answer, or None
    (no MFA: the login opens the session)."""
    tid, uid = str(user.tenant_id), int(user.user_id)
    mfa, tenant = batch.get_many([store.mfa_ref(tid, uid), accounts.tenant_ref(tid)])
    if _enrolled(mfa):  # type: ignore[arg-type]
        kind = "verify"
    elif set(user.roles) & set(required_roles(tenant)):
        if not user.email:
            raise Forbidden(
                "your business requires MFA for your role and your account has no e-mail "
                "address to send a code to: ask an admin to add one"
            )
        kind = "enrol"
    else:
        return None
    issued = tokens.issue_mfa_challenge(tid, uid, rules.CHALLENGE_TTL_S, now)
    store.create_challenge(tid, issued.jti, uid, kind, now, issued.expires_at)
    if kind == "enrol":
        return EnrolmentChallengeOut(mfa_challenge_token=issued.token)
    return ChallengeOut(mfa_challenge_token=issued.token)


@dataclass(frozen=True)
class _Challenge:
    tenant_id: str
    user_id: int
    jti: str


def _challenge_of(token: str, tenant_header: str | None) -> _Challenge:
    claims = tokens.decode(token, tokens.MFA_CHALLENGE)
    if tenant_header is not None and tenant_header.strip() != claims["tid"]:
        raise Unauthorized("challenge token does not belong to this tenant")
    return _Challenge(claims["tid"], int(claims["sub"]), str(claims["jti"]))


def _read(ch: _Challenge) -> tuple[Any, store.MfaItem | None, Any]:
    """The challenge (open, or 401), the enrolment and the user (active, or 401)."""
    challenge, mfa, user = batch.get_many(
        [
            store.challenge_ref(ch.tenant_id, ch.jti),
            store.mfa_ref(ch.tenant_id, ch.user_id),
            accounts.user_ref(ch.tenant_id, ch.user_id),
        ],
        consistent=True,
    )
    now = int(clock.now().timestamp())
    if (
        challenge is None
        or int(challenge.user_id) != ch.user_id
        or not rules.challenge_open(
            int(challenge.attempts or 0), bool(challenge.used), challenge.expires_at, now
        )
    ):
        raise Unauthorized(VOID)
    if user is None or not user.active:
        raise Unauthorized("user no longer exists or is inactive")
    return challenge, mfa, user  # type: ignore[return-value]


@dataclass(frozen=True)
class _Proof:
    step: int | None = None
    backup_hash: str | None = None
    email_hash: str | None = None

    def spend(self) -> dict[str, Any]:
        return {"step": self.step, "backup_hash": self.backup_hash, "email_hash": self.email_hash}


def _match(
    tid: str, uid: int, mfa: store.MfaItem | None, code: str, allow_totp: bool, now_s: int
) -> tuple[_Proof | None, bool]:
    """The proof ``code`` gives (or None) and whether it was a replayed TOTP code."""
    kind = rules.kind_of(code)
    if mfa is None:
        return None, False
    value = rules.normalize(code)
    replay = False
    if kind == "digits":
        if allow_totp and _enrolled(mfa):
            check = totp.check(
                _secret(mfa, str(mfa.totp_secret)),
                value,
                now_s,
                None if mfa.last_step is None else int(mfa.last_step),
            )
            if check.ok:
                return _Proof(step=check.step), False
            replay = check.replay
        hashed = _hash(tid, uid, value)
        expires = None if mfa.email_code_expires is None else int(mfa.email_code_expires)
        if rules.email_code_valid(mfa.email_code, expires, hashed, now_s):
            return _Proof(email_hash=hashed), False
        return None, replay
    if allow_totp and _enrolled(mfa):
        hashed = _hash(tid, uid, value)
        if hashed in (mfa.backup_codes or set()):
            return _Proof(backup_hash=hashed), False
    return None, False


def _wrong(ch: _Challenge, replay: bool) -> Unauthorized:
    attempts = store.count_failure(ch.tenant_id, ch.jti, rules.MAX_ATTEMPTS)
    left = 0 if attempts is None else rules.MAX_ATTEMPTS - attempts
    if left <= 0:
        return Unauthorized("too many wrong codes: this MFA challenge is void; log in again")
    why = "this code was already used" if replay else "invalid code"
    return Unauthorized(f"{why}; {left} attempt{'s' if left != 1 else ''} left")


def verify(
    tenant_header: str | None,
    challenge_token: str,
    code: str,
    user_agent: str | None = None,
    ip_address: str | None = None,
) -> Any:
    """The login's second step: the same session as a plain login."""
    ch = _challenge_of(challenge_token, tenant_header)
    rules.kind_of(code)  # 422 for what can never be a code, before anything is read
    challenge, mfa, user = _read(ch)
    now = clock.now()
    proof, replay = _match(
        ch.tenant_id, ch.user_id, mfa, code, challenge.kind == "verify", int(now.timestamp())
    )
    if proof is None:
        raise _wrong(ch, replay)
    reseal = None
    if proof.step is not None and mfa is not None:  # a TOTP code: the secret was opened
        old = str(mfa.totp_secret)
        new = _resealed(mfa, old)
        reseal = None if new is None else (old, new)
    try:
        with labelled_transaction() as tx:
            store.consume_in(tx, ch.tenant_id, ch.jti, rules.MAX_ATTEMPTS)
            store.spend_in(tx, ch.tenant_id, ch.user_id, now=now, reseal=reseal, **proof.spend())
    except ConditionFailed as exc:
        if "challenge" in exc.failed:
            raise Unauthorized(VOID) from exc
        raise _wrong(ch, replay=True) from exc  # the code was spent meanwhile
    except Contention as exc:
        raise Conflict("another verification of this login is in progress") from exc
    return accounts.open_session(user, now, user_agent, ip_address)


def send_email_code(tenant_header: str | None, challenge_token: str) -> dict[str, Any]:
    """E-mail a 6-digit code (10 minutes; a new one replaces the last) for this login; at
    most ``MAX_EMAILS`` per challenge."""
    ch = _challenge_of(challenge_token, tenant_header)
    _challenge, _mfa, user = _read(ch)
    if not user.email:
        raise Conflict("this account has no e-mail address: use your authenticator app")
    if not store.count_email(ch.tenant_id, ch.jti, rules.MAX_ATTEMPTS, rules.MAX_EMAILS):
        raise Conflict(f"at most {rules.MAX_EMAILS} e-mail codes per login: log in again")
    now = clock.now()
    code = rules.new_email_code()
    expires = int(now.timestamp()) + rules.EMAIL_CODE_TTL_S
    store.set_email_code(
        ch.tenant_id, ch.user_id, _hash(ch.tenant_id, ch.user_id, code), expires, now
    )
    minutes = rules.EMAIL_CODE_TTL_S // 60
    email.send(
        str(user.email),
        f"Your TradeKitt sign-in code: {code}",
        f"Your sign-in code is {code}. It works once, for {minutes} minutes.\n\n"
        "If you did not try to sign in, change your password.",
    )
    return {
        "sent": True,
        "email": rules.mask_email(str(user.email)),
        "expires_in": rules.EMAIL_CODE_TTL_S,
    }


# --- enrolment (the signed-in user) ---------------------------------------------------------
def _qr_data_uri(uri: str) -> str:
    import segno  # only setup draws a QR code

    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def status(principal: Principal) -> dict[str, Any]:
    user = accounts.current_user(principal)
    tid, uid = principal.tenant_id, principal.user_id
    mfa, tenant = batch.get_many(
        [store.mfa_ref(tid, uid), accounts.tenant_ref(tid)], consistent=True
    )
    enrolled = _enrolled(mfa)  # type: ignore[arg-type]
    return {
        "tenant_id": tid,
        "user_id": uid,
        "enabled": enrolled,
        "methods": (
            ["totp", "backup_codes", "email"]
            if enrolled and user.email
            else ["totp", "backup_codes"]
            if enrolled
            else []
        ),
        "totp": {
            "enabled": enrolled,
            "enabled_at": mfa.enabled_at.isoformat() if enrolled and mfa.enabled_at else None,  # type: ignore[union-attr]
            "pending": bool(mfa is not None and mfa.totp_pending),  # type: ignore[union-attr]
        },
        "backup_codes_remaining": len(mfa.backup_codes or ()) if enrolled else 0,  # type: ignore[union-attr]
        "required": bool(set(user.roles) & set(required_roles(tenant))),
    }


def setup(principal: Principal) -> dict[str, Any]:
    """A new TOTP secret, pending until ``confirm``; 409 while TOTP is on."""
    user = accounts.current_user(principal)
    tid, uid = principal.tenant_id, principal.user_id
    secret = totp.new_secret()
    sealed = sealing.seal(_key(), secret, _scope(tid, uid))
    if not store.set_pending(tid, uid, sealed, clock.now()):
        raise Conflict("MFA is already on: disable it first to set up a new authenticator")
    uri = totp.otpauth_uri(secret, str(user.email or user.username))
    return {"secret": secret, "otpauth_uri": uri, "qr_code": _qr_data_uri(uri)}


def _locked(mfa: store.MfaItem | None, now_s: int) -> None:
    until = None if mfa is None or mfa.locked_until is None else int(mfa.locked_until)
    if until is not None and until > now_s:
        raise TooManyRequests(
            "too many wrong codes: try again later", headers={"Retry-After": str(until - now_s)}
        )


def _wrong_code(tid: str, uid: int, why: str) -> Exception:
    """A wrong code on a signed-in route (422), counted: the fifth locks these routes for
    15 minutes (429), so a stolen access token cannot guess its way to turning MFA off."""
    now_s = int(clock.now().timestamp())
    until = store.record_wrong_code(tid, uid, now_s, rules.MAX_WRONG_SIGNED_IN, rules.LOCK_S)
    if until is not None:
        return TooManyRequests(
            "too many wrong codes: try again later", headers={"Retry-After": str(until - now_s)}
        )
    return invalid("code", why)


def _backup_set(tid: str, uid: int) -> tuple[list[str], list[str]]:
    codes = rules.new_backup_codes()
    return codes, [_hash(tid, uid, c) for c in codes]


def confirm(principal: Principal, code: str) -> dict[str, Any]:
    """Turn TOTP on with a current code of the pending secret; the ten backup codes are
    answered this once."""
    tid, uid = principal.tenant_id, principal.user_id
    value = rules.six_digits(code)
    mfa = store.get_mfa(tid, uid)
    if _enrolled(mfa):
        raise Conflict("MFA is already on")
    if mfa is None or not mfa.totp_pending:
        raise Conflict("no authenticator setup in progress: call POST /auth/mfa/totp/setup first")
    now = clock.now()
    _locked(mfa, int(now.timestamp()))
    check = totp.check(_secret(mfa, str(mfa.totp_pending)), value, now.timestamp(), None)
    if not check.ok or check.step is None:
        raise _wrong_code(tid, uid, "is not the current code of the authenticator you set up")
    codes, hashes = _backup_set(tid, uid)
    try:
        with labelled_transaction() as tx:
            store.enable_in(
                tx, mfa, check.step, hashes, now, secret=_resealed(mfa, str(mfa.totp_pending))
            )
    except ConditionFailed as exc:
        raise Conflict("the setup changed meanwhile: start again") from exc
    return {"enabled": True, "backup_codes": codes}


def _enrolled_proof(principal: Principal, code: str) -> tuple[store.MfaItem, _Proof]:
    tid, uid = principal.tenant_id, principal.user_id
    mfa = store.get_mfa(tid, uid)
    if not _enrolled(mfa):
        raise Conflict("MFA is not on")
    assert mfa is not None
    now_s = int(clock.now().timestamp())
    _locked(mfa, now_s)
    proof, replay = _match(tid, uid, mfa, code, True, now_s)
    if proof is None or proof.email_hash is not None:
        why = "was already used" if replay else "is not a current code or an unused backup code"
        raise _wrong_code(tid, uid, why)
    return mfa, proof


def disable(principal: Principal, code: str) -> dict[str, Any]:
    """Turn MFA off (the secret and backup codes are deleted) with a current TOTP code or
    a backup code."""
    _mfa, proof = _enrolled_proof(principal, code)
    try:
        with labelled_transaction() as tx:
            store.disable_in(
                tx,
                principal.tenant_id,
                principal.user_id,
                step=proof.step,
                backup_hash=proof.backup_hash,
            )
    except ConditionFailed as exc:
        raise invalid("code", "was already used") from exc
    return {"enabled": False}


def new_backup_codes(principal: Principal, code: str) -> dict[str, Any]:
    """Ten new backup codes (the old ones stop working), with a current TOTP code or a
    backup code."""
    tid, uid = principal.tenant_id, principal.user_id
    _mfa, proof = _enrolled_proof(principal, code)
    codes, hashes = _backup_set(tid, uid)
    if not store.spend(
        tid,
        uid,
        step=proof.step,
        backup_hash=proof.backup_hash,
        new_backup_hashes=hashes,
        now=clock.now(),
    ):
        raise invalid("code", "was already used")
    return {"backup_codes": codes}
