"""Tenants and staff auth: the seed's calls and SPEC.md's rules."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from chalicelib.core import tokens


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


# --- resolve ---------------------------------------------------------------------------
def test_resolve_returns_documented_keys_case_insensitively(api, owner):
    for code in (owner.business_code, owner.business_code.lower()):
        reply = api.get(f"/tenants/resolve/{code}")
        assert reply.status == 200
        assert reply.data == {
            "businessCode": owner.business_code,
            "businessName": "Smith HVAC",
            "apiUrl": "http://testserver",
            "tenantId": owner.tenant_id,
            "branding": {
                "display_name": "Smith HVAC",
                "primary_color": "#2563eb",
                "secondary_color": None,
                "accent_color": None,
                "logo_url": None,
                "favicon_url": None,
            },
        }


def test_resolve_unknown_code_is_404(api, aws):
    reply = api.get("/tenants/resolve/NOSUCHCO")
    assert reply.status == 404 and reply.error["code"] == "NOT_FOUND"


# --- register --------------------------------------------------------------------------
def test_register_creates_tenant_admin_and_tokens(api, aws):
    reply = api.post(
        "/auth/register",
        {
            "email": "jane@mycompany.com",
            "username": "mycompany",
            "password": "securePassword123!",
            "first_name": "Jane",
            "last_name": "Smith",
            "company_name": "Smith HVAC",
        },
    )
    assert reply.status == 201
    data = reply.data
    assert data["business_code"] == "SMITHHVAC" and data["business_name"] == "Smith HVAC"
    assert data["user"] == {
        "id": 1,
        "username": "mycompany",
        "name": "Jane Smith",
        "is_admin": True,
        "roles": ["admin"],
    }
    me = api.get(
        "/auth/me",
        headers={
            "Authorization": f"Bearer {data['access_token']}",
            "X-Tenant-Id": data["tenant_id"],
        },
    )
    assert me.status == 200 and me.data["email"] == "jane@mycompany.com"


def test_register_suffixes_a_taken_business_code(api, aws):
    first = api.register("Smith HVAC")
    second = api.register("Smith  HVAC!")
    third = api.register("smith hvac")
    assert [first.business_code, second.business_code, third.business_code] == [
        "SMITHHVAC",
        "SMITHHVAC2",
        "SMITHHVAC3",
    ]
    assert len({first.tenant_id, second.tenant_id, third.tenant_id}) == 3


def test_register_conflicts_on_taken_email_or_username(api, aws):
    api.register("A Co", username="taken", email="taken@example.com")
    reply = api.post(
        "/auth/register",
        {
            "email": "TAKEN@example.com",
            "username": "other1",
            "password": "securePassword123!",
            "company_name": "B",
        },
    )
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    reply = api.post(
        "/auth/register",
        {
            "email": "new@example.com",
            "username": "Taken",
            "password": "securePassword123!",
            "company_name": "C",
        },
    )
    assert reply.status == 409 and "username" in reply.error["message"]
    # Nothing half-written: the losing registrations left no tenant behind.
    assert api.get("/tenants/resolve/B").status == 404
    assert api.get("/tenants/resolve/C").status == 404


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "email"),
        (
            {
                "email": "not-an-email",
                "username": "u1",
                "password": "securePassword123!",
                "company_name": "X",
            },
            "email",
        ),
        (
            {"email": "a@example.com", "username": "u1", "password": "short", "company_name": "X"},
            "password",
        ),
        (
            {"email": "a@example.com", "username": "u1", "password": "securePassword123!"},
            "company_name",
        ),
        (
            {
                "email": "a@example.com",
                "username": 12345,
                "password": "securePassword123!",
                "company_name": "X",
            },
            "username",
        ),
    ],
)
def test_register_validation_names_the_field(api, aws, body, field):
    reply = api.post("/auth/register", body)
    assert reply.status == 422
    assert reply.error["code"] == "VALIDATION_ERROR"
    assert field in reply.error["message"]
    assert any(d["field"] == field for d in reply.error["details"])


# --- login -----------------------------------------------------------------------------
def login(api, account, username=None, password="securePassword123!", tenant=None):
    return api.post(
        "/auth/login",
        {"username": username or account.user["username"], "password": password},
        headers={"X-Tenant-Id": tenant or account.tenant_id},
    )


def test_login_returns_seed_shape_and_spec_claims(api, owner):
    reply = login(api, owner)
    assert reply.status == 200
    data = reply.data
    assert set(data) == {"access_token", "refresh_token", "user"}
    assert data["user"]["is_admin"] is True and data["user"]["roles"] == ["admin"]
    access, refresh = claims_of(data["access_token"]), claims_of(data["refresh_token"])
    assert {"sub", "tid", "roles", "typ", "iss", "aud", "exp", "iat", "jti"} <= set(access)
    assert access["typ"] == "access" and access["tid"] == owner.tenant_id
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["typ"] == "refresh" and refresh["exp"] - refresh["iat"] == 30 * 24 * 3600
    assert jwt.get_unverified_header(data["access_token"])["alg"] == "HS256"


def test_login_is_case_insensitive_on_username(api, owner):
    assert login(api, owner, username=owner.user["username"].upper()).status == 200


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user", "other_tenant"])
def test_login_failures_are_401(api, owner, other, case):
    kwargs = {
        "wrong_password": {"password": "wrongPassword99"},
        "unknown_user": {"username": "nobody"},
        "other_tenant": {"tenant": other.tenant_id},
    }[case]
    reply = login(api, owner, **kwargs)
    assert reply.status == 401 and reply.error["code"] == "UNAUTHORIZED"
    assert reply.error["message"] == "invalid username or password"


@pytest.mark.parametrize("header,status", [(None, 400), ("not-a-uuid", 400)])
def test_login_needs_a_tenant_header(api, owner, header, status):
    headers = {} if header is None else {"X-Tenant-Id": header}
    reply = api.post("/auth/login", {"username": "x", "password": "y"}, headers=headers)
    assert reply.status == status and reply.error["code"] == "BAD_REQUEST"


def test_login_missing_fields_is_422(api, owner):
    reply = api.post("/auth/login", {"username": "admin"}, headers={"X-Tenant-Id": owner.tenant_id})
    assert reply.status == 422 and "password" in reply.error["message"]


def test_five_failures_lock_the_account_for_fifteen_minutes(api, owner):
    for _ in range(5):
        assert login(api, owner, password="wrongPassword99").status == 401
    locked = login(api, owner)  # even the right password
    assert locked.status == 429 and locked.error["code"] == "TOO_MANY_REQUESTS"
    assert 14 * 60 <= int(locked.headers["retry-after"]) <= 15 * 60 + 1


def test_success_resets_the_failure_count(api, owner):
    for _ in range(4):
        login(api, owner, password="wrongPassword99")
    assert login(api, owner).status == 200
    for _ in range(4):
        login(api, owner, password="wrongPassword99")
    assert login(api, owner).status == 200


# --- refresh, logout -------------------------------------------------------------------
def refresh(api, token, tenant):
    return api.post("/auth/refresh", {"refresh_token": token}, headers={"X-Tenant-Id": tenant})


def test_refresh_rotates_and_reuse_revokes_the_family(api, owner):
    first = refresh(api, owner.refresh_token, owner.tenant_id)
    assert first.status == 200
    assert set(first.data) == {"access_token", "refresh_token"}
    second = refresh(api, first.data["refresh_token"], owner.tenant_id)
    assert second.status == 200
    reused = refresh(api, owner.refresh_token, owner.tenant_id)
    assert reused.status == 401 and "already used" in reused.error["message"]
    # The whole family is gone, including the newest token.
    after = refresh(api, second.data["refresh_token"], owner.tenant_id)
    assert after.status == 401 and "revoked" in after.error["message"]
    # Another session of the same user is unaffected.
    assert refresh(api, login(api, owner).data["refresh_token"], owner.tenant_id).status == 200


def test_refresh_rejects_access_tokens_and_wrong_tenant(api, owner, other):
    reply = refresh(api, owner.access_token, owner.tenant_id)
    assert reply.status == 401 and "wrong token type" in reply.error["message"]
    reply = refresh(api, owner.refresh_token, other.tenant_id)
    assert reply.status == 401
    reply = refresh(api, "garbage", owner.tenant_id)
    assert reply.status == 401


def test_logout_ends_the_session(api, owner):
    reply = api.post("/auth/logout", as_=owner)
    assert reply.status == 200 and reply.data == {"logged_out": True}
    assert refresh(api, owner.refresh_token, owner.tenant_id).status == 401


# --- access tokens on protected routes ---------------------------------------------------
def _forge(payload: dict, header: dict, signature: bytes = b"") -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), b64(signature)]
    )


def test_bad_tokens_are_401(api, owner):
    good = claims_of(owner.access_token)
    expired = jwt.encode(
        {**good, "iat": int(time.time()) - 3600, "exp": int(time.time()) - 60},
        tokens.get_settings().signing_key(),
        algorithm="HS256",
    )
    tampered_payload = _forge(
        {**good, "roles": ["admin"], "sub": "2"}, {"alg": "HS256", "typ": "JWT"}, b"x" * 32
    )
    alg_none = _forge(good, {"alg": "none", "typ": "JWT"})
    other_key = jwt.encode(
        good, "another-secret-that-is-long-enough-for-hs256!!", algorithm="HS256"
    )
    cases = {
        "missing": {},
        "not bearer": {"Authorization": f"Token {owner.access_token}"},
        "empty bearer": {"Authorization": "Bearer "},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "expired": {"Authorization": f"Bearer {expired}"},
        "tampered": {"Authorization": f"Bearer {tampered_payload}"},
        "alg none": {"Authorization": f"Bearer {alg_none}"},
        "other key": {"Authorization": f"Bearer {other_key}"},
        "refresh as access": {"Authorization": f"Bearer {owner.refresh_token}"},
    }
    for name, headers in cases.items():
        reply = api.get("/auth/me", headers={**headers, "X-Tenant-Id": owner.tenant_id})
        assert reply.status == 401, name
        assert reply.error["code"] == "UNAUTHORIZED", name
    assert "expired" in api.get("/auth/me", headers=cases["expired"]).error["message"]


def test_tenant_header_must_match_the_token(api, owner, other):
    reply = api.get("/auth/me", as_=owner, headers={"X-Tenant-Id": other.tenant_id})
    assert reply.status == 403 and reply.error["code"] == "FORBIDDEN"
    assert api.get("/auth/me", as_=owner).data["tenant_id"] == owner.tenant_id
