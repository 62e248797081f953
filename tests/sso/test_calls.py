"""DynamoDB calls of the SSO routes, measured (rate-limit windows left out): what the
README and ``sso.service`` state."""

from __future__ import annotations

from tests.mfa.test_calls import dynamodb_calls
from tests.sso.test_api import sso_login, sso_register
from tests.support import sso_keys
from tests.support.sso_keys import id_token


def test_calls_per_register_login_link_and_unlink(api, providers, owner):
    sub = sso_keys.new_subject()
    with dynamodb_calls() as registered:
        assert sso_register(api, "google", id_token("google", sub)).status == 201
    assert registered == ["TransactWriteItems"]

    with dynamodb_calls() as login:
        assert sso_login(api, "google", id_token("google", sub)).status == 200
    # the identity pointer, the user, the MFA check (enrolment + tenant), the session
    assert login == ["GetItem", "GetItem", "BatchGetItem", "PutItem"]

    with dynamodb_calls() as unknown:
        assert sso_login(api, "google", id_token("google")).status == 404
    assert unknown == ["GetItem"]

    with dynamodb_calls() as refused:
        assert sso_login(api, "google", id_token("google", sub, aud="x")).status == 401
    assert refused == []  # nothing is read for a token that does not verify

    body = {"id_token": id_token("apple")}
    with dynamodb_calls() as linked:
        assert api.post("/auth/sso/apple/link", body, as_=owner).status == 201
    # the caller's account (every authenticated route), the link's transaction
    assert linked == ["GetItem", "TransactWriteItems"]

    with dynamodb_calls() as unlinked:
        assert api.delete("/auth/sso/apple/link", as_=owner).status == 200
    assert unlinked == ["GetItem", "GetItem", "TransactWriteItems"]
