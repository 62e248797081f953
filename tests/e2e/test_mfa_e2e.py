"""MFA over real HTTP against the `make run` stack (issue 14 item 1): enrolment with real
TOTP codes (pyotp), then the reference's login and ``/auth/mfa-verify`` curls unchanged but
for the host and placeholders; backup and e-mail codes (read from the emulator's SES) and
the refusals."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
import time
import urllib.request

import pyotp
import pytest

from tests.e2e.conftest import ok

API = "/api/v1"
SEED_HOST = "https://api.tradekitt.com"
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")


def curl(stack, command: str) -> dict:
    command = command.replace(SEED_HOST, stack.base_url)
    out = subprocess.run(
        ["bash", "-c", command + " -s"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    return json.loads(out)


def seed_login(stack, tenant_id: str, username: str, password: str) -> dict:
    return curl(
        stack,
        textwrap.dedent(f"""\
        curl -X POST https://api.tradekitt.com/api/v1/auth/login \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: {tenant_id}" \\
          -d '{{"username": "{username}", "password": "{password}"}}'"""),
    )


def seed_verify(stack, tenant_id: str, token: str, code: str) -> dict:
    return curl(
        stack,
        textwrap.dedent(f"""\
        curl -X POST https://api.tradekitt.com/api/v1/auth/mfa-verify \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: {tenant_id}" \\
          -d '{{"challenge_token": "{token}", "code": "{code}"}}'"""),
    )


def call(stack, method, path, headers=None, body=None, status=200):
    return ok(stack.request(method, API + path, body, headers), status)


def mailed_codes(stack, to: str) -> list[str]:
    url = stack.env["AWS_ENDPOINT_URL"] + "/moto-api/data.json"
    with urllib.request.urlopen(url) as resp:  # noqa: S310 - the local emulator
        messages = json.loads(resp.read()).get("ses", {}).get("Message", [])
    return [
        found.group(1)
        for message in messages
        if to in message.get("destinations", {}).get("ToAddresses", [])
        and (found := re.search(r"sign-in code is (\d{6})", str(message.get("body", ""))))
    ]


def enrolled(stack) -> tuple[dict, pyotp.TOTP, list[str]]:
    owner = stack.register("MFA Heating")
    setup = call(stack, "POST", "/auth/mfa/totp/setup", owner["headers"])
    assert setup["qr_code"].startswith("data:image/svg+xml;base64,")
    totp = pyotp.TOTP(setup["secret"])
    confirmed = call(
        stack, "POST", "/auth/mfa/totp/confirm", owner["headers"], {"code": totp.now()}
    )
    assert confirmed["enabled"] is True and len(confirmed["backup_codes"]) == 10
    return owner, totp, confirmed["backup_codes"]


@needs_curl
def test_reference_login_with_mfa_and_verify(stack):
    owner, totp, codes = enrolled(stack)
    tid, username = owner["tenant_id"], owner["user"]["username"]
    login = seed_login(stack, tid, username, "securePassword123!")
    assert login["ok"] is True
    assert set(login["data"]) == {"mfa_required", "mfa_challenge_token"}
    assert login["data"]["mfa_required"] is True
    token = login["data"]["mfa_challenge_token"]
    assert token.startswith("eyJ")

    # the confirming code's step is spent: the next step's code (inside the +-1 window)
    code = totp.at(time.time() + 30)
    verified = seed_verify(stack, tid, token, code)
    assert verified["ok"] is True, verified
    assert set(verified["data"]) == {"access_token", "refresh_token", "user"}
    assert verified["data"]["user"]["username"] == username
    me = call(
        stack,
        "GET",
        "/auth/me",
        {"Authorization": f"Bearer {verified['data']['access_token']}", "X-Tenant-Id": tid},
    )
    assert me["username"] == username

    # the same code again, in a new login: refused
    again = seed_login(stack, tid, username, "securePassword123!")["data"]["mfa_challenge_token"]
    replay = seed_verify(stack, tid, again, code)
    assert replay["ok"] is False and replay["error"]["code"] == "UNAUTHORIZED"
    assert "already used" in replay["error"]["message"]

    # a backup code, once
    assert seed_verify(stack, tid, again, codes[0])["ok"] is True
    third = seed_login(stack, tid, username, "securePassword123!")["data"]["mfa_challenge_token"]
    assert seed_verify(stack, tid, third, codes[0])["ok"] is False

    # an e-mail code from the emulator's SES
    email = me["email"]
    sent = call(
        stack, "POST", "/auth/mfa/email-code", {"X-Tenant-Id": tid}, {"challenge_token": third}
    )
    assert sent["sent"] is True
    [mailed] = mailed_codes(stack, email)
    assert seed_verify(stack, tid, third, mailed)["ok"] is True


@needs_curl
def test_five_wrong_codes_void_the_challenge_and_mfa_can_be_turned_off(stack):
    owner, totp, codes = enrolled(stack)
    tid, username = owner["tenant_id"], owner["user"]["username"]
    token = seed_login(stack, tid, username, "securePassword123!")["data"]["mfa_challenge_token"]
    for _ in range(5):
        wrong = seed_verify(stack, tid, token, "000000")
        assert wrong["ok"] is False and wrong["error"]["code"] == "UNAUTHORIZED"
    assert "void" in wrong["error"]["message"]
    assert seed_verify(stack, tid, token, codes[1])["ok"] is False
    # a challenge token is no access token
    status, _, _ = stack.request(
        "GET", API + "/auth/me", None, {"Authorization": f"Bearer {token}", "X-Tenant-Id": tid}
    )
    assert status == 401

    assert call(stack, "GET", "/auth/mfa", owner["headers"])["backup_codes_remaining"] == 10
    assert call(stack, "POST", "/auth/mfa/disable", owner["headers"], {"code": codes[2]}) == {
        "enabled": False
    }
    plain = seed_login(stack, tid, username, "securePassword123!")
    assert set(plain["data"]) == {"access_token", "refresh_token", "user"}
