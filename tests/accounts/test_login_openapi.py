"""The login's documented answer is a union (oneOf) of the session and the MFA challenge,
and each body the login really answers is exactly one of the two."""

from __future__ import annotations

import jsonschema
import pytest


@pytest.fixture
def document(api, aws):
    reply = api.get("/api/openapi.json")
    assert reply.status == 200
    return reply.json


def _resolved(doc, schema):
    """``schema`` with every ``$ref`` into the components inlined."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            return _resolved(doc, doc["components"]["schemas"][name])
        return {k: _resolved(doc, v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolved(doc, v) for v in schema]
    return schema


def test_login_response_is_one_of_the_session_and_the_challenge(document):
    media = document["paths"]["/api/v1/auth/login"]["post"]["responses"]["200"]["content"]
    data = media["application/json"]["schema"]["properties"]["data"]
    login = document["components"]["schemas"][data["$ref"].rsplit("/", 1)[1]]
    branches = [b["$ref"].rsplit("/", 1)[1] for b in login["oneOf"]]
    assert branches == ["TokensOut", "ChallengeOut"] and "anyOf" not in login
    challenge = document["components"]["schemas"]["ChallengeOut"]
    assert set(challenge["properties"]) >= {"mfa_required", "mfa_challenge_token"}
    assert "mfa_challenge_token" in challenge["required"]
    tokens = document["components"]["schemas"]["TokensOut"]
    assert set(tokens["required"]) == {"access_token", "refresh_token", "user"}
    assert media["application/json"]["example"]["data"]["access_token"] == "eyJ..."
    assert set(login["examples"][1]) == {"mfa_required", "mfa_challenge_token"}


def test_real_answers_match_exactly_one_branch(api, owner, document):
    media = document["paths"]["/api/v1/auth/login"]["post"]["responses"]["200"]["content"]
    schema = _resolved(document, media["application/json"]["schema"])
    password = owner.extra["password"]
    username = owner.user["username"]
    headers = {"X-Tenant-Id": owner.tenant_id}
    session = api.post("/auth/login", {"username": username, "password": password}, headers=headers)
    assert session.status == 200
    jsonschema.validate(session.json, schema)
    # the tenant requires MFA of admins: the same login now answers the challenge
    reply = api.patch("/admin/settings", {"mfa_required_roles": ["admin"]}, as_=owner)
    assert reply.status == 200, reply.raw
    challenge = api.post(
        "/auth/login", {"username": username, "password": password}, headers=headers
    )
    assert challenge.status == 200 and challenge.data["mfa_required"] is True
    jsonschema.validate(challenge.json, schema)
    one_of = schema["properties"]["data"]["oneOf"]
    for body in (session.json["data"], challenge.json["data"]):
        matching = [b for b in one_of if jsonschema.Draft202012Validator(b).is_valid(body)]
        assert len(matching) == 1, body
