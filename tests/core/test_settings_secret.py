"""The JWT signing key from SSM Parameter Store (issue 15): on AWS the function gets the
parameter's name (``JWT_SECRET_PARAM``), reads the SecureString once per container at the
first token operation, and fails clearly when it is missing; ``JWT_SECRET`` keeps working
locally and in tests."""

from __future__ import annotations

import secrets
import subprocess
import sys

import boto3
import jwt
import pytest
from moto import mock_aws

from chalicelib.core import settings, tokens
from chalicelib.core.errors import Unauthorized
from tests.conftest import ROOT

PARAM = "/tradekitt/test/jwt-secret"


@pytest.fixture
def ssm(monkeypatch):
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.setenv("JWT_SECRET_PARAM", PARAM)
    settings.forget_secrets()
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")
    settings.forget_secrets()


def _calls(monkeypatch) -> list[str]:
    """Names fetched from SSM from now on."""
    fetched: list[str] = []
    real = settings._fetch_parameter

    def counting(name: str, region: str) -> str:
        fetched.append(name)
        return real(name, region)

    monkeypatch.setattr(settings, "_fetch_parameter", counting)
    return fetched


def test_a_token_signs_and_verifies_with_the_secure_string(ssm, monkeypatch):
    secret = secrets.token_urlsafe(48)
    ssm.put_parameter(Name=PARAM, Value=secret, Type="SecureString")
    fetched = _calls(monkeypatch)
    issued = tokens.issue_access("t-1", 7, ["admin"], "s-1")
    claims = tokens.decode(issued.token, tokens.ACCESS)
    assert claims["sub"] == "7" and claims["tid"] == "t-1"
    # signed with the parameter's value, not with anything else
    assert (
        jwt.decode(
            issued.token, secret, algorithms=["HS256"], audience="tradekitt-api", issuer="tradekitt"
        )["jti"]
        == issued.jti
    )
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(issued.token, "x" * 48, algorithms=["HS256"], audience="tradekitt-api")
    # read once per container: the next operations use the cached value
    tokens.issue_refresh("t-1", 7, "s-1")
    tokens.decode(issued.token, tokens.ACCESS)
    assert fetched == [PARAM]


def test_the_parameter_wins_over_a_plain_environment_value(ssm, monkeypatch):
    secret = secrets.token_urlsafe(48)
    ssm.put_parameter(Name=PARAM, Value=secret, Type="SecureString")
    monkeypatch.setenv("JWT_SECRET", secrets.token_urlsafe(48))
    assert settings.get_settings().signing_key() == secret


def test_a_missing_parameter_fails_clearly_and_is_not_cached(ssm, monkeypatch):
    with pytest.raises(settings.SettingsError, match=f"{PARAM} does not exist in SSM"):
        settings.get_settings().signing_key()
    secret = secrets.token_urlsafe(48)
    ssm.put_parameter(Name=PARAM, Value=secret, Type="SecureString")
    assert settings.get_settings().signing_key() == secret


def test_a_short_parameter_is_refused(ssm):
    ssm.put_parameter(Name=PARAM, Value="too-short", Type="SecureString")
    with pytest.raises(settings.SettingsError, match="at least 32 characters"):
        settings.get_settings().signing_key()


def test_a_token_signed_with_another_secret_is_refused(ssm):
    ssm.put_parameter(Name=PARAM, Value=secrets.token_urlsafe(48), Type="SecureString")
    forged = jwt.encode(
        {"sub": "1", "tid": "t", "typ": "access", "iss": "tradekitt", "aud": "tradekitt-api"},
        secrets.token_urlsafe(48),
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized):
        tokens.decode(forged, tokens.ACCESS)


def test_the_plain_environment_value_still_works_without_a_parameter(monkeypatch):
    monkeypatch.delenv("JWT_SECRET_PARAM", raising=False)
    monkeypatch.setenv("JWT_SECRET", "k" * 40)
    assert settings.get_settings().signing_key() == "k" * 40


def test_importing_the_app_reads_no_parameter():
    """Cold start stays cheap: importing app.py (with a parameter named, and no AWS to
    answer) neither fetches the secret nor builds an SSM client."""
    probe = (
        "import os; os.environ['JWT_SECRET_PARAM'] = '/nowhere'; "
        "os.environ.pop('JWT_SECRET', None); "
        "from chalicelib.core import settings; "
        "settings._fetch_parameter = lambda *a: (_ for _ in ()).throw(SystemExit('fetched')); "
        "import app; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
