"""Staff users (/admin/users), invitations, passwords and sessions (issue 14 item 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.core import clock
from chalicelib.users import service as users_service
from tests.support.api import Account
from tests.support.isolation import assert_isolated

PASSWORD = "anotherPassword456!"


@pytest.fixture
def outbox(monkeypatch):
    """The e-mails the users feature sends: (to, subject, text)."""
    sent: list[tuple[str, str, str]] = []

    def capture(to: str, subject: str, text: str) -> bool:
        sent.append((to, subject, text))
        return True

    monkeypatch.setattr(users_service, "send_email", capture)
    return sent


def invite(api, admin: Account, email: str, roles=("manager",), **extra):
    reply = api.post("/admin/users", {"email": email, "roles": list(roles), **extra}, as_=admin)
    assert reply.status == 201, reply.raw
    return reply.data


def login(api, tenant_id: str, username: str, password: str, agent: str = "pytest") -> Account:
    reply = api.post(
        "/auth/login",
        {"username": username, "password": password},
        headers={"X-Tenant-Id": tenant_id, "User-Agent": agent},
    )
    assert reply.status == 200, reply.raw
    data = reply.data
    return Account(tenant_id, "", data["access_token"], data["refresh_token"], data["user"])


def join(api, admin: Account, email: str, username: str, roles=("manager",)) -> Account:
    """Invite and accept: the new user's session."""
    token = invite(api, admin, email, roles)["invitation_token"]
    reply = api.post(
        "/auth/invitations/accept", {"token": token, "username": username, "password": PASSWORD}
    )
    assert reply.status == 200, reply.raw
    data = reply.data
    return Account(admin.tenant_id, "", data["access_token"], data["refresh_token"], data["user"])


# --- invitations --------------------------------------------------------------------------
def test_invite_creates_a_pending_user_and_emails_a_one_time_link(api, owner, outbox):
    data = invite(api, owner, "Sam@Example.com", ["dispatcher"], first_name="Sam")
    user = data["user"]
    assert user["status"] == "pending" and user["username"] is None
    assert user["email"] == "sam@example.com" and user["roles"] == ["dispatcher"]
    assert data["invitation_token"] and data["invitation_token"] in data["invitation_url"]
    assert data["invitation_sent"] is True
    assert outbox[0][0] == "sam@example.com" and data["invitation_url"] in outbox[0][2]
    # a pending user cannot log in
    reply = api.post(
        "/auth/login",
        {"username": f"~invited-{user['id']}", "password": "x" * 10},
        headers={"X-Tenant-Id": owner.tenant_id},
    )
    assert reply.status == 401


def test_accept_sets_username_and_password_once(api, owner, outbox):
    data = invite(api, owner, "kim@example.com", ["manager"], first_name="Kim", last_name="Lee")
    token = data["invitation_token"]
    body = {"token": token, "username": "kim", "password": PASSWORD}
    reply = api.post("/auth/invitations/accept", body)
    assert reply.status == 200, reply.raw
    assert reply.data["user"]["username"] == "kim" and reply.data["user"]["name"] == "Kim Lee"
    me = api.get("/auth/me", headers={"Authorization": f"Bearer {reply.data['access_token']}"})
    assert me.status == 200 and me.data["roles"] == ["manager"]
    login(api, owner.tenant_id, "kim", PASSWORD)
    again = api.post("/auth/invitations/accept", {**body, "username": "kim2"})
    assert again.status == 409 and "already been used" in again.error["message"]
    shown = api.get(f"/admin/users/{data['user']['id']}", as_=owner).data
    assert shown["status"] == "active" and shown["username"] == "kim"


def test_accept_refuses_unknown_expired_and_bad_input(api, owner, outbox, monkeypatch):
    token = invite(api, owner, "late@example.com")["invitation_token"]
    unknown = api.post(
        "/auth/invitations/accept", {"token": "nope", "username": "late", "password": PASSWORD}
    )
    assert unknown.status == 404
    short = api.post(
        "/auth/invitations/accept", {"token": token, "username": "late", "password": "short"}
    )
    assert short.status == 422 and short.error["details"][0]["field"] == "password"
    later = clock.now() + timedelta(days=7, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = api.post(
        "/auth/invitations/accept", {"token": token, "username": "late", "password": PASSWORD}
    )
    assert expired.status == 409 and "expired" in expired.error["message"]


def test_accept_with_a_taken_username_is_409_and_the_link_still_works(api, owner, outbox):
    token = invite(api, owner, "dup@example.com")["invitation_token"]
    taken = owner.user["username"]
    reply = api.post(
        "/auth/invitations/accept", {"token": token, "username": taken, "password": PASSWORD}
    )
    assert reply.status == 409
    ok = api.post(
        "/auth/invitations/accept", {"token": token, "username": "dupe", "password": PASSWORD}
    )
    assert ok.status == 200


def test_invite_bad_input_and_taken_email(api, owner, outbox):
    for body, field in (
        ({"email": "not-an-email", "roles": ["manager"]}, "email"),
        ({"email": "a@example.com", "roles": []}, "roles"),
        ({"email": "a@example.com", "roles": ["technician"]}, "roles"),
        ({"email": "a@example.com", "roles": ["owner"]}, "roles"),
        ({"roles": ["manager"]}, "email"),
    ):
        reply = api.post("/admin/users", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"].startswith(field), reply.error
    invite(api, owner, "taken@example.com")
    again = api.post("/admin/users", {"email": "taken@example.com", "roles": ["admin"]}, as_=owner)
    assert again.status == 409


# --- roles, last admin, list ----------------------------------------------------------------
def test_only_admins_manage_users(api, owner, outbox):
    manager = join(api, owner, "m@example.com", "mgr", ["manager"])
    dispatcher = join(api, owner, "d@example.com", "disp", ["dispatcher"])
    for who in (manager, dispatcher):
        assert api.get("/admin/users", as_=who).status == 403
        assert (
            api.post("/admin/users", {"email": "x@example.com", "roles": ["admin"]}, as_=who).status
            == 403
        )
        assert (
            api.patch(f"/admin/users/{owner.user['id']}", {"roles": ["manager"]}, as_=who).status
            == 403
        )


def test_change_roles_and_the_last_admin(api, owner, outbox):
    me = owner.user["id"]
    reply = api.patch(f"/admin/users/{me}", {"roles": ["manager"]}, as_=owner)
    assert reply.status == 409 and "admin" in reply.error["message"]
    second = join(api, owner, "second@example.com", "second", ["admin"])
    ok = api.patch(f"/admin/users/{me}", {"roles": ["manager", "dispatcher"]}, as_=second)
    assert ok.status == 200 and ok.data["roles"] == ["manager", "dispatcher"]
    assert ok.data["is_admin"] is False
    # now second is the last admin: it cannot lose the role, nor be deactivated
    last = api.patch(f"/admin/users/{second.user['id']}", {"roles": ["manager"]}, as_=second)
    assert last.status == 409
    bad = api.patch(f"/admin/users/{me}", {"roles": ["boss"]}, as_=second)
    assert bad.status == 422 and bad.error["details"][0]["field"].startswith("roles")
    assert api.patch("/admin/users/999", {"roles": ["manager"]}, as_=second).status == 404


def test_list_filters_by_role_and_active_and_pages_by_cursor(api, owner, outbox):
    ids = [
        invite(api, owner, f"u{i}@example.com", ["dispatcher" if i % 2 else "manager"])["user"][
            "id"
        ]
        for i in range(5)
    ]
    api.post(f"/admin/users/{ids[0]}/deactivate", as_=owner)
    everyone = api.get("/admin/users?limit=2", as_=owner).data
    assert everyone["total"] == 6 and len(everyone["items"]) == 2
    walked = [u["id"] for u in everyone["items"]]
    cursor = everyone["next_cursor"]
    while cursor:
        page = api.get(f"/admin/users?limit=2&cursor={cursor}", as_=owner).data
        walked += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
    assert walked == [owner.user["id"], *ids]
    managers = api.get("/admin/users?role=manager", as_=owner).data
    assert [u["id"] for u in managers["items"]] == [ids[0], ids[2], ids[4]]
    assert managers["total"] == 3
    active_managers = api.get("/admin/users?role=manager&active=true", as_=owner).data
    assert [u["id"] for u in active_managers["items"]] == [ids[2], ids[4]]
    inactive = api.get("/admin/users?active=false", as_=owner).data
    assert [u["id"] for u in inactive["items"]] == [ids[0]] and inactive["total"] == 1
    page2 = api.get("/admin/users?limit=2&page=2&role=dispatcher", as_=owner).data
    assert page2["total"] == 2 and page2["items"] == []
    admins = api.get("/admin/users?role=admin", as_=owner).data
    assert [u["id"] for u in admins["items"]] == [owner.user["id"]]
    for query, field in (("role=boss", "role"), ("active=maybe", "active")):
        reply = api.get(f"/admin/users?{query}", as_=owner)  # bad query parameters: 400
        assert reply.status == 400 and reply.error["details"][0]["field"] == field


def test_technician_logins_are_not_staff_users(api, owner, outbox):
    reply = api.post(
        "/admin/technicians",
        {"name": "Tom Tech", "username": "tomtech", "password": PASSWORD},
        as_=owner,
    )
    assert reply.status == 201, reply.raw
    listed = api.get("/admin/users", as_=owner).data
    assert listed["total"] == 1
    login_id = reply.data["user_id"]
    assert login_id is not None
    assert api.get(f"/admin/users/{login_id}", as_=owner).status == 404
    assert api.post(f"/admin/users/{login_id}/deactivate", as_=owner).status == 404


# --- deactivate / reactivate -----------------------------------------------------------------
def test_deactivate_stops_tokens_at_once_and_revokes_sessions(api, owner, outbox):
    worker = join(api, owner, "w@example.com", "worker", ["dispatcher"])
    assert api.get("/auth/me", as_=worker).status == 200
    reply = api.post(f"/admin/users/{worker.user['id']}/deactivate", as_=owner)
    assert reply.status == 200 and reply.data["status"] == "inactive"
    assert api.get("/auth/me", as_=worker).status == 401
    assert api.post("/auth/refresh", {"refresh_token": worker.refresh_token}).status == 401
    back = api.post(f"/admin/users/{worker.user['id']}/reactivate", as_=owner)
    assert back.status == 200 and back.data["status"] == "active"
    # the old sessions stay revoked; a new login works
    assert api.get("/auth/me", as_=worker).status == 401
    assert api.post("/auth/refresh", {"refresh_token": worker.refresh_token}).status == 401
    fresh = login(api, owner.tenant_id, "worker", PASSWORD)
    assert api.get("/auth/me", as_=fresh).status == 200


def test_cannot_deactivate_yourself_or_the_last_admin(api, owner, outbox):
    assert api.post(f"/admin/users/{owner.user['id']}/deactivate", as_=owner).status == 409
    second = join(api, owner, "two@example.com", "two", ["admin"])
    assert api.post(f"/admin/users/{second.user['id']}/deactivate", as_=owner).status == 200
    # owner is the last active admin now
    third = join(api, owner, "three@example.com", "three", ["manager"])
    assert (
        api.patch(f"/admin/users/{owner.user['id']}", {"roles": ["manager"]}, as_=owner).status
        == 409
    )
    assert api.post("/admin/users/999/deactivate", as_=owner).status == 404
    assert api.post("/admin/users/abc/reactivate", as_=owner).status == 404
    assert third.user["id"]


# --- passwords -------------------------------------------------------------------------------
def test_change_password_revokes_other_sessions(api, owner):
    password = owner.extra["password"]
    other = login(api, owner.tenant_id, owner.user["username"], password)
    wrong = api.post(
        "/auth/password/change",
        {"current_password": "wrong-password", "new_password": PASSWORD},
        as_=owner,
    )
    assert wrong.status == 422 and wrong.error["details"][0]["field"] == "current_password"
    short = api.post(
        "/auth/password/change", {"current_password": password, "new_password": "short"}, as_=owner
    )
    assert short.status == 422 and short.error["details"][0]["field"] == "new_password"
    ok = api.post(
        "/auth/password/change", {"current_password": password, "new_password": PASSWORD}, as_=owner
    )
    assert ok.status == 200 and ok.data == {"changed": True}
    assert api.get("/auth/me", as_=owner).status == 200  # this session goes on
    assert api.post("/auth/refresh", {"refresh_token": owner.refresh_token}).status == 200
    assert api.get("/auth/me", as_=other).status == 401
    assert api.post("/auth/refresh", {"refresh_token": other.refresh_token}).status == 401
    login(api, owner.tenant_id, owner.user["username"], PASSWORD)


def _code(outbox) -> str:
    import re

    return re.search(r"\b(\d{6})\b", outbox[-1][2]).group(1)


def forgot(api, tenant_id: str, email: str):
    return api.post("/auth/password/forgot", {"email": email}, headers={"X-Tenant-Id": tenant_id})


def reset(api, tenant_id: str, email: str, code: str, password: str = PASSWORD):
    return api.post(
        "/auth/password/reset",
        {"email": email, "code": code, "new_password": password},
        headers={"X-Tenant-Id": tenant_id},
    )


def test_forgot_answers_the_same_and_reset_works_once(api, owner, other, outbox):
    email = api.get("/auth/me", as_=owner).data["email"]
    known = forgot(api, owner.tenant_id, email)
    unknown = forgot(api, owner.tenant_id, "nobody@example.com")
    foreign = forgot(api, other.tenant_id, email)
    assert known.status == unknown.status == foreign.status == 202
    assert known.raw == unknown.raw == foreign.raw
    assert len(outbox) == 1 and outbox[0][0] == email
    code = _code(outbox)
    assert reset(api, other.tenant_id, email, code).status == 422  # not that tenant's
    ok = reset(api, owner.tenant_id, email, code)
    assert ok.status == 200, ok.raw
    assert api.get("/auth/me", as_=owner).status == 401  # every session revoked
    assert api.post("/auth/refresh", {"refresh_token": owner.refresh_token}).status == 401
    again = reset(api, owner.tenant_id, email, code, "yetAnotherPassword789")
    assert again.status == 422 and again.error["details"][0]["field"] == "code"
    login(api, owner.tenant_id, owner.user["username"], PASSWORD)


def test_reset_code_expires_and_five_wrong_tries_void_it(api, owner, outbox, monkeypatch):
    email = api.get("/auth/me", as_=owner).data["email"]
    forgot(api, owner.tenant_id, email)
    code = _code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        reply = reset(api, owner.tenant_id, email, wrong)
        assert reply.status == 422 and reply.error["details"][0]["field"] == "code"
    assert reset(api, owner.tenant_id, email, code).status == 422  # voided
    forgot(api, owner.tenant_id, email)
    code = _code(outbox)
    later = clock.now() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert reset(api, owner.tenant_id, email, code).status == 422  # expired


def test_forgot_and_reset_bad_input(api, owner, outbox):
    assert api.post("/auth/password/forgot", {"email": "a@example.com"}).status == 400
    assert forgot(api, owner.tenant_id, "not-an-email").error["details"][0]["field"] == "email"
    for code in ("12345", "abcdef", "1234567"):
        reply = reset(api, owner.tenant_id, "a@example.com", code)
        assert reply.status == 422 and reply.error["details"][0]["field"] == "code"
    short = reset(api, owner.tenant_id, "a@example.com", "123456", "short")
    assert short.status == 422 and short.error["details"][0]["field"] == "new_password"


# --- sessions ------------------------------------------------------------------------------
def test_sessions_list_and_revoke_one(api, owner):
    password = owner.extra["password"]
    phone = login(api, owner.tenant_id, owner.user["username"], password, agent="phone-app/1.0")
    listed = api.get("/auth/sessions", as_=owner).data["items"]
    assert len(listed) == 2
    newest, first = listed
    assert newest["user_agent"] == "phone-app/1.0" and newest["current"] is False
    assert first["current"] is True and first["created_at"] and first["last_used_at"]
    reply = api.delete(f"/auth/sessions/{newest['id']}", as_=owner)
    assert reply.status == 200 and reply.data == {"revoked": True}
    assert api.post("/auth/refresh", {"refresh_token": phone.refresh_token}).status == 401
    assert api.get("/auth/me", as_=phone).status == 401  # its access token too, at once
    assert api.get("/auth/me", as_=owner).status == 200
    assert [s["id"] for s in api.get("/auth/sessions", as_=owner).data["items"]] == [first["id"]]
    assert api.delete(f"/auth/sessions/{newest['id']}", as_=owner).status == 404
    assert api.delete("/auth/sessions/nope", as_=owner).status == 404


def test_another_users_session_is_404(api, owner, other, outbox):
    colleague = join(api, owner, "col@example.com", "colleague", ["manager"])
    theirs = api.get("/auth/sessions", as_=colleague).data["items"][0]["id"]
    assert api.delete(f"/auth/sessions/{theirs}", as_=owner).status == 404
    assert api.delete(f"/auth/sessions/{theirs}", as_=other).status == 404
    assert api.get("/auth/sessions", as_=colleague).data["items"][0]["id"] == theirs


# --- tenants ---------------------------------------------------------------------------------
def test_tenant_isolation(api, owner, other, outbox):
    invited = invite(api, owner, "iso@example.com")
    uid = invited["user"]["id"]
    session = api.get("/auth/sessions", as_=owner).data["items"][0]["id"]
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"/admin/users/{uid}", None),
            ("PATCH", f"/admin/users/{uid}", {"roles": ["dispatcher"]}),
            ("POST", f"/admin/users/{uid}/deactivate", None),
            ("POST", f"/admin/users/{uid}/reactivate", None),
            ("DELETE", f"/auth/sessions/{session}", None),
        ],
        secrets=["iso@example.com"],
    )
    listed = api.get("/admin/users", as_=other).data
    assert "iso@example.com" not in str(listed) and listed["total"] == 1
    assert api.get(f"/admin/users/{uid}", as_=owner).data["roles"] == ["manager"]


def test_the_same_email_invited_by_two_tenants_joins_one(api, owner, other, outbox):
    mine = invite(api, owner, "both@example.com")["invitation_token"]
    theirs = invite(api, other, "both@example.com")["invitation_token"]
    ok = api.post(
        "/auth/invitations/accept", {"token": mine, "username": "both", "password": PASSWORD}
    )
    assert ok.status == 200
    late = api.post(
        "/auth/invitations/accept", {"token": theirs, "username": "both", "password": PASSWORD}
    )
    assert late.status == 409 and "email" in late.error["message"]
    again = api.post("/admin/users", {"email": "both@example.com", "roles": ["admin"]}, as_=other)
    assert again.status == 409


def test_a_role_taken_away_stops_working_at_once(api, owner, outbox):
    second = join(api, owner, "demoted@example.com", "demoted", ["admin"])
    assert api.get("/admin/users", as_=second).status == 200
    reply = api.patch(f"/admin/users/{second.user['id']}", {"roles": ["manager"]}, as_=owner)
    assert reply.status == 200
    refused = api.get("/admin/users", as_=second)
    assert refused.status == 401 and "roles" in refused.error["message"]
    fresh = api.post("/auth/refresh", {"refresh_token": second.refresh_token}).data
    renewed = Account(owner.tenant_id, "", fresh["access_token"], "", {})
    assert api.get("/auth/me", as_=renewed).data["roles"] == ["manager"]
    assert api.get("/admin/users", as_=renewed).status == 403
