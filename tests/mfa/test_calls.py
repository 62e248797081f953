"""DynamoDB calls of the MFA login, measured (rate-limit windows left out): what the
README and ``mfa.service`` state."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tests.mfa.test_api import challenge, enrol, login, verify
from tests.support.aws_calls import wrapped


@contextlib.contextmanager
def dynamodb_calls() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(call, client, operation, params):  # type: ignore[no-untyped-def]
        if client.meta.service_model.service_name == "dynamodb":
            pk = str((params.get("Key") or {}).get("pk", {}).get("S", ""))
            if not pk.startswith("RL#"):
                seen.append(operation)
        return call(client, operation, params)

    with wrapped(record):
        yield seen


def test_calls_per_login_and_verify(api, owner):
    with dynamodb_calls() as plain:
        assert login(api, owner).status == 200
    # pointer, user, the MFA check (enrolment + tenant in one batch), the session
    assert plain == ["GetItem", "GetItem", "BatchGetItem", "PutItem"]

    _totp, codes = enrol(api, owner)
    with dynamodb_calls() as challenged:
        token = challenge(api, owner)
    assert challenged == ["GetItem", "GetItem", "BatchGetItem", "PutItem"]  # the challenge

    with dynamodb_calls() as wrong:
        assert verify(api, owner, token, "000000").status == 401
    assert wrong == ["BatchGetItem", "UpdateItem"]  # read, count the failure

    with dynamodb_calls() as verified:
        assert verify(api, owner, token, codes[0]).status == 200
    # challenge + enrolment + user, consume + spend, the session
    assert verified == ["BatchGetItem", "TransactWriteItems", "PutItem"]


def test_calls_per_email_code(api, owner):
    enrol(api, owner)
    token = challenge(api, owner)
    with dynamodb_calls() as sent:
        reply = api.post("/auth/mfa/email-code", {"challenge_token": token})
        assert reply.status == 200
    # challenge + enrolment + user, the per-challenge count, the code (then SES)
    assert sent == ["BatchGetItem", "UpdateItem", "UpdateItem"]
