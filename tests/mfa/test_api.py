"""MFA through the API (moto): enrolment, the login's second step with a TOTP code, a
backup code and an e-mail code read from moto's SES, and every refusal."""

from __future__ import annotations

import re
from datetime import timedelta

import jwt
import pyotp
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.core import clock

LOGIN_KEYS = {"access_token", "refresh_token", "user"}


def sent_mail() -> list:
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def login(api, owner, password: str | None = None):
    return api.post(
        "/auth/login",
        {"username": owner.user["username"], "password": password or owner.extra["password"]},
        headers={"X-Tenant-Id": owner.tenant_id},
    )


def verify(api, owner, token: str, code: str):
    return api.post(
        "/auth/mfa-verify",
        {"challenge_token": token, "code": code},
        headers={"X-Tenant-Id": owner.tenant_id},
    )


def enrol(api, owner) -> tuple[pyotp.TOTP, list[str]]:
    setup = api.post("/auth/mfa/totp/setup", as_=owner)
    assert setup.status == 200, setup.raw
    totp = pyotp.TOTP(setup.data["secret"])
    confirm = api.post("/auth/mfa/totp/confirm", {"code": totp.at(clock.now())}, as_=owner)
    assert confirm.status == 200, confirm.raw
    return totp, confirm.data["backup_codes"]


@pytest.fixture
def at(monkeypatch):
    """Set the server's clock ``seconds`` from now, never ahead (tokens issued in the
    future would not verify yet): a test starts in the past and moves on by TOTP steps."""
    real = clock.now

    def move(seconds: float) -> None:
        assert seconds <= 0
        monkeypatch.setattr(clock, "now", lambda: real() + timedelta(seconds=seconds))

    return move


def challenge(api, owner) -> str:
    reply = login(api, owner)
    assert reply.status == 200, reply.raw
    assert reply.data == {
        "mfa_required": True,
        "mfa_challenge_token": reply.data["mfa_challenge_token"],
    }
    return reply.data["mfa_challenge_token"]


# --- enrolment -----------------------------------------------------------------------------
def test_setup_answers_secret_uri_and_qr_code_and_changes_nothing_yet(api, owner):
    reply = api.post("/auth/mfa/totp/setup", as_=owner)
    assert reply.status == 200
    data = reply.data
    assert re.fullmatch(r"[A-Z2-7]{32}", data["secret"])
    parsed = pyotp.parse_uri(data["otpauth_uri"])
    assert parsed.secret == data["secret"] and parsed.issuer == "TradeKitt"
    assert data["qr_code"].startswith("data:image/svg+xml;base64,")
    status = api.get("/auth/mfa", as_=owner).data
    assert status["enabled"] is False and status["totp"]["pending"] is True
    assert login(api, owner).data.keys() == LOGIN_KEYS  # not on until confirmed


def test_confirm_turns_mfa_on_with_ten_backup_codes(api, owner):
    totp, codes = enrol(api, owner)
    assert len(codes) == 10 == len(set(codes))
    status = api.get("/auth/mfa", as_=owner).data
    assert status["enabled"] is True and status["backup_codes_remaining"] == 10
    assert status["methods"] == ["totp", "backup_codes", "email"]
    assert status["totp"]["enabled_at"] and status["totp"]["pending"] is False
    assert api.post("/auth/mfa/totp/setup", as_=owner).status == 409
    assert api.post("/auth/mfa/totp/confirm", {"code": totp.now()}, as_=owner).status == 409


def test_secret_is_not_stored_in_plain_text(api, owner):
    import boto3

    setup = api.post("/auth/mfa/totp/setup", as_=owner).data
    api.post("/auth/mfa/totp/confirm", {"code": pyotp.TOTP(setup["secret"]).now()}, as_=owner)
    items = boto3.client("dynamodb").scan(TableName="tradekitt-test")["Items"]  # test only
    dump = repr(items)
    assert setup["secret"] not in dump
    assert "MFA" in dump


def test_confirm_refuses_a_wrong_code_and_no_setup(api, owner):
    assert api.post("/auth/mfa/totp/confirm", {"code": "123456"}, as_=owner).status == 409
    api.post("/auth/mfa/totp/setup", as_=owner)
    wrong = api.post("/auth/mfa/totp/confirm", {"code": "000000"}, as_=owner)
    assert wrong.status == 422 and wrong.error["details"][0]["field"] == "code"
    bad = api.post("/auth/mfa/totp/confirm", {"code": "abc"}, as_=owner)
    assert bad.status == 422
    assert api.post("/auth/mfa/totp/confirm", {}, as_=owner).status == 422


def test_a_new_setup_replaces_an_unconfirmed_secret(api, owner):
    first = api.post("/auth/mfa/totp/setup", as_=owner).data["secret"]
    second = api.post("/auth/mfa/totp/setup", as_=owner).data["secret"]
    assert first != second
    stale = api.post("/auth/mfa/totp/confirm", {"code": pyotp.TOTP(first).now()}, as_=owner)
    assert stale.status == 422
    ok = api.post("/auth/mfa/totp/confirm", {"code": pyotp.TOTP(second).now()}, as_=owner)
    assert ok.status == 200


def test_disable_with_a_totp_code_or_a_backup_code(api, owner, at):
    at(-60)
    totp, codes = enrol(api, owner)
    at(-30)  # the confirming step is spent
    assert api.post("/auth/mfa/disable", {"code": "000000"}, as_=owner).status == 422
    reply = api.post("/auth/mfa/disable", {"code": totp.at(clock.now())}, as_=owner)
    assert reply.status == 200 and reply.data == {"enabled": False}
    assert api.get("/auth/mfa", as_=owner).data["enabled"] is False
    assert login(api, owner).data.keys() == LOGIN_KEYS
    assert api.post("/auth/mfa/disable", {"code": codes[0]}, as_=owner).status == 409
    _totp, codes = enrol(api, owner)
    assert api.post("/auth/mfa/disable", {"code": codes[3]}, as_=owner).status == 200


def test_new_backup_codes_replace_the_old_ones(api, owner, at):
    at(-60)
    totp, old = enrol(api, owner)
    reply = api.post("/auth/mfa/backup-codes", {"code": old[0]}, as_=owner)
    assert reply.status == 200 and len(reply.data["backup_codes"]) == 10
    new = reply.data["backup_codes"]
    assert not set(new) & set(old)
    assert api.post("/auth/mfa/backup-codes", {"code": old[1]}, as_=owner).status == 422
    token = challenge(api, owner)
    assert verify(api, owner, token, old[2]).status == 401
    assert verify(api, owner, token, new[0]).status == 200
    at(-30)
    again = api.post("/auth/mfa/backup-codes", {"code": totp.at(clock.now())}, as_=owner)
    assert again.status == 200
    assert api.get("/auth/mfa", as_=owner).data["backup_codes_remaining"] == 10


def test_enrolment_routes_need_a_signed_in_user(api, owner):
    for path in ("/auth/mfa/totp/setup", "/auth/mfa/totp/confirm", "/auth/mfa/disable"):
        assert api.post(path, {"code": "123456"}).status == 401
    assert api.get("/auth/mfa").status == 401


# --- the login's second step -----------------------------------------------------------------
def test_login_with_totp_returns_the_plain_login_body(api, owner, at):
    at(-60)
    totp, _ = enrol(api, owner)
    token = challenge(api, owner)
    assert jwt.decode(token, options={"verify_signature": False})["typ"] == "mfa_challenge"
    at(-30)
    reply = verify(api, owner, token, totp.at(clock.now()))
    assert reply.status == 200, reply.raw
    assert reply.data.keys() == LOGIN_KEYS
    assert reply.data["user"]["username"] == owner.user["username"]
    me = api.get(
        "/auth/me",
        headers={
            "Authorization": f"Bearer {reply.data['access_token']}",
            "X-Tenant-Id": owner.tenant_id,
        },
    )
    assert me.status == 200
    refreshed = api.post("/auth/refresh", {"refresh_token": reply.data["refresh_token"]})
    assert refreshed.status == 200


def test_a_totp_code_is_accepted_once(api, owner, at):
    at(-120)
    totp, _ = enrol(api, owner)
    at(-90)
    code = totp.at(clock.now())
    assert verify(api, owner, challenge(api, owner), code).status == 200
    token = challenge(api, owner)
    replay = verify(api, owner, token, code)
    assert replay.status == 401 and "already used" in replay.error["message"]
    at(-30)
    assert verify(api, owner, token, totp.at(clock.now())).status == 200


def test_the_confirming_code_cannot_log_in(api, owner):
    totp, _ = enrol(api, owner)
    reply = verify(api, owner, challenge(api, owner), totp.now())
    assert reply.status == 401


def test_a_challenge_answers_once(api, owner):
    totp, codes = enrol(api, owner)
    token = challenge(api, owner)
    assert verify(api, owner, token, codes[0]).status == 200
    assert verify(api, owner, token, codes[1]).status == 401


def test_login_with_a_backup_code_spends_it(api, owner):
    _totp, codes = enrol(api, owner)
    reply = verify(api, owner, challenge(api, owner), codes[0].upper().replace("-", " "))
    assert reply.status == 200 and reply.data.keys() == LOGIN_KEYS
    used = verify(api, owner, challenge(api, owner), codes[0])
    assert used.status == 401
    assert api.get("/auth/mfa", as_=owner).data["backup_codes_remaining"] == 9


def test_login_with_an_email_code_from_ses(api, owner):
    enrol(api, owner)
    token = challenge(api, owner)
    sent = api.post(
        "/auth/mfa/email-code", {"challenge_token": token}, headers={"X-Tenant-Id": owner.tenant_id}
    )
    assert sent.status == 200, sent.raw
    assert sent.data["sent"] is True and sent.data["expires_in"] == 600
    assert sent.data["email"].startswith("o***@")
    message = sent_mail()[-1]
    assert message.destinations["ToAddresses"] == [
        f"{owner.user['username'].replace('owner', 'owner-')}@example.com"
    ]
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    reply = verify(api, owner, token, code)
    assert reply.status == 200 and reply.data.keys() == LOGIN_KEYS
    assert verify(api, owner, challenge(api, owner), code).status == 401  # once


def test_an_email_code_expires(api, owner, at, monkeypatch):
    """10 minutes in production (``expires_in`` above); here 60 s, so that the challenge
    token (checked against the real time) is still valid."""
    from chalicelib.mfa import rules

    monkeypatch.setattr(rules, "EMAIL_CODE_TTL_S", 60)
    at(-120)
    enrol(api, owner)
    token = challenge(api, owner)
    api.post("/auth/mfa/email-code", {"challenge_token": token})
    code = re.search(r"\b(\d{6})\b", sent_mail()[-1].body).group(1)
    at(-59)  # 61 s on
    assert verify(api, owner, token, code).status == 401
    at(-70)  # 50 s on
    assert verify(api, owner, token, code).status == 200


def test_email_codes_per_challenge_are_bounded(api, owner):
    enrol(api, owner)
    token = challenge(api, owner)
    for _ in range(3):
        assert api.post("/auth/mfa/email-code", {"challenge_token": token}).status == 200
    assert api.post("/auth/mfa/email-code", {"challenge_token": token}).status == 409
    codes = [re.search(r"\b(\d{6})\b", m.body).group(1) for m in sent_mail()]
    assert verify(api, owner, token, codes[-1]).status == 200  # the last one counts


def test_five_wrong_codes_void_the_challenge(api, owner, at):
    at(-60)
    totp, codes = enrol(api, owner)
    token = challenge(api, owner)
    for left in (4, 3, 2, 1):
        reply = verify(api, owner, token, "000000")
        assert reply.status == 401 and f"{left} attempt" in reply.error["message"]
    last = verify(api, owner, token, "000000")
    assert last.status == 401 and "void" in last.error["message"]
    assert verify(api, owner, token, codes[0]).status == 401
    at(-30)
    assert verify(api, owner, token, totp.at(clock.now())).status == 401
    assert api.post("/auth/mfa/email-code", {"challenge_token": token}).status == 401
    assert verify(api, owner, challenge(api, owner), codes[0]).status == 200  # a new login


def test_an_expired_challenge_is_refused(api, owner, monkeypatch):
    _totp, codes = enrol(api, owner)
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() - timedelta(seconds=301))
    token = challenge(api, owner)
    monkeypatch.setattr(clock, "now", real)
    reply = verify(api, owner, token, codes[0])
    assert reply.status == 401 and "expired" in reply.error["message"]


def test_tampered_or_misused_tokens_are_refused(api, owner):
    _totp, codes = enrol(api, owner)
    token = challenge(api, owner)
    head, body, sig = token.split(".")
    assert verify(api, owner, f"{head}.{body}.{sig[:-2]}xx", codes[0]).status == 401
    # an access token is no challenge, and a challenge token is no access token
    assert verify(api, owner, owner.access_token, codes[0]).status == 401
    as_access = api.get(
        "/auth/me", headers={"Authorization": f"Bearer {token}", "X-Tenant-Id": owner.tenant_id}
    )
    assert as_access.status == 401
    other_tenant = api.post(
        "/auth/mfa-verify",
        {"challenge_token": token, "code": codes[0]},
        headers={"X-Tenant-Id": "3f1c2a9e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"},
    )
    assert other_tenant.status == 401
    assert verify(api, owner, token, codes[0]).status == 200  # none of those counted


def test_bad_input(api, owner):
    _totp, _codes = enrol(api, owner)
    token = challenge(api, owner)
    for body in (
        {},
        {"challenge_token": token},
        {"code": "123456"},
        {"challenge_token": token, "code": 123456},
    ):
        assert api.post("/auth/mfa-verify", body).status in (400, 422)
    shape = verify(api, owner, token, "12345")
    assert shape.status == 422 and shape.error["details"][0]["field"] == "code"
    assert api.post("/auth/mfa-verify", raw=b"{not json").status == 400
    assert api.post("/auth/mfa/email-code", {}).status == 422
    assert api.post("/auth/mfa/email-code", {"challenge_token": "nope"}).status == 401


def test_a_deactivated_user_cannot_finish(api, owner):
    _totp, codes = enrol(api, owner)
    token = challenge(api, owner)
    from chalicelib.accounts import service as accounts
    from chalicelib.platform.tx import labelled_transaction

    with labelled_transaction() as tx:
        accounts.set_active_in(tx, "user", owner.tenant_id, owner.user["id"], False)
    assert verify(api, owner, token, codes[0]).status == 401


# --- the tenant's policy -------------------------------------------------------------------
def test_tenant_can_require_mfa_for_roles(api, owner):
    reply = api.patch("/admin/settings", {"mfa_required_roles": ["admin", "manager"]}, as_=owner)
    assert reply.status == 200 and reply.data["mfa_required_roles"] == ["admin", "manager"]
    assert api.patch("/admin/settings", {"mfa_required_roles": ["root"]}, as_=owner).status == 422
    first = login(api, owner)
    assert first.status == 200
    assert first.data["mfa_required"] is True and first.data["mfa_enrolment_required"] is True
    assert first.data["methods"] == ["email"]
    token = first.data["mfa_challenge_token"]
    assert api.post("/auth/mfa/email-code", {"challenge_token": token}).status == 200
    code = re.search(r"\b(\d{6})\b", sent_mail()[-1].body).group(1)
    reply = verify(api, owner, token, code)
    assert reply.status == 200 and reply.data.keys() == LOGIN_KEYS
    assert api.get("/auth/mfa", as_=owner).data["required"] is True
    enrol(api, owner)  # once enrolled, the plain challenge
    assert challenge(api, owner)


def test_wrong_password_never_reaches_mfa(api, owner):
    enrol(api, owner)
    assert login(api, owner, password="wrong-password!").status == 401


def test_wrong_codes_on_signed_in_routes_lock_them(api, owner, monkeypatch):
    totp, codes = enrol(api, owner)
    for _ in range(4):
        assert api.post("/auth/mfa/disable", {"code": "000000"}, as_=owner).status == 422
    locked = api.post("/auth/mfa/backup-codes", {"code": "000000"}, as_=owner)
    assert locked.status == 429 and int(locked.headers["retry-after"]) == 900
    assert api.post("/auth/mfa/disable", {"code": codes[0]}, as_=owner).status == 429
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(seconds=901))
    reply = api.post("/auth/mfa/disable", {"code": codes[0]}, as_=owner)
    assert reply.status == 200, reply.raw


def test_a_right_code_resets_the_count(api, owner):
    _totp, codes = enrol(api, owner)
    for _ in range(4):
        assert api.post("/auth/mfa/disable", {"code": "000000"}, as_=owner).status == 422
    assert api.post("/auth/mfa/backup-codes", {"code": codes[0]}, as_=owner).status == 200
    assert api.post("/auth/mfa/disable", {"code": "000000"}, as_=owner).status == 422
