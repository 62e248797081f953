"""DynamoDB calls per request of the users routes (besides rate limiting), and the list's
page 1 reading ``limit`` items whatever the tenant's size: the figures in the README."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.users import service as users_service
from tests.support.aws_calls import Call, wrapped
from tests.support.reads import counting_reads
from tests.users.test_api import PASSWORD, invite, join, login


@contextlib.contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """DynamoDB operations made while the block runs, rate-limit windows (``RL#``) left
    out."""
    calls: Counter[str] = Counter()

    def counting(call: Call, client: Any, operation: str, params: dict[str, Any]) -> Any:
        key = params.get("Key", {}).get("pk", {}).get("S", "")
        if client.meta.service_model.service_name == "dynamodb" and not key.startswith("RL#"):
            calls[operation] += 1
        return call(client, operation, params)

    with wrapped(counting):
        yield calls


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    sent: list[tuple[str, str, str]] = []
    monkeypatch.setattr(users_service, "send_email", lambda *a: sent.append(a) or True)
    return sent


def test_calls_per_request(api, owner, _no_mail):
    measured: dict[str, dict[str, int]] = {}

    def measure(name: str, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        with dynamodb_calls() as calls:
            reply = api.call(method, path, body, **kw)
        assert reply.status < 300, reply.raw
        measured[name] = dict(calls)
        return reply

    reply = measure(
        "invite",
        "POST",
        "/admin/users",
        {"email": "c@example.com", "roles": ["manager"]},
        as_=owner,
    )
    uid = reply.data["user"]["id"]
    reply = measure("resend", "POST", f"/admin/users/{uid}/invitation/resend", as_=owner)
    token = reply.data["invitation_token"]
    measure(
        "accept",
        "POST",
        "/auth/invitations/accept",
        {"token": token, "username": "cee", "password": PASSWORD},
    )
    measure("list", "GET", "/admin/users?limit=50", as_=owner)
    measure("get", "GET", f"/admin/users/{uid}", as_=owner)
    measure("roles", "PATCH", f"/admin/users/{uid}", {"roles": ["dispatcher"]}, as_=owner)
    measure("deactivate", "POST", f"/admin/users/{uid}/deactivate", as_=owner)
    measure("reactivate", "POST", f"/admin/users/{uid}/reactivate", as_=owner)
    measure("sessions", "GET", "/auth/sessions", as_=owner)
    email = api.get("/auth/me", as_=owner).data["email"]
    t = {"X-Tenant-Id": owner.tenant_id}
    measure("forgot", "POST", "/auth/password/forgot", {"email": email}, headers=t)
    measure(
        "forgot (unknown e-mail)",
        "POST",
        "/auth/password/forgot",
        {"email": "no@example.com"},
        headers=t,
    )
    import re

    code = re.search(r"\b(\d{6})\b", _no_mail[-1][2]).group(1)
    measure(
        "reset",
        "POST",
        "/auth/password/reset",
        {"email": email, "code": code, "new_password": PASSWORD},
        headers=t,
    )
    fresh = login(api, owner.tenant_id, owner.user["username"], PASSWORD)
    login(api, owner.tenant_id, owner.user["username"], PASSWORD)  # the session revoked
    sid = api.get("/auth/sessions", as_=fresh).data["items"][0]["id"]
    measure("revoke one", "DELETE", f"/auth/sessions/{sid}", as_=fresh)
    measure(
        "password change",
        "POST",
        "/auth/password/change",
        {"current_password": PASSWORD, "new_password": "changedPassword99"},
        as_=fresh,  # (the other session has just been revoked)
    )
    totals = {name: sum(calls.values()) for name, calls in measured.items()}
    print("\nDynamoDB calls per request:", measured)
    assert totals == {
        "invite": 5,  # caller, e-mail pointer, id counter, transaction, tenant name
        "resend": 5,  # caller, user, invitation pointer, transaction, tenant name
        "accept": 4,  # invitation, user, transaction (with the pointer's check), session put
        "list": 3,  # caller, counts, one Query
        "get": 2,  # caller, user
        "roles": 3,  # caller, consistent read, transaction
        "deactivate": 3,
        "reactivate": 3,
        "sessions": 2,  # caller, one Query
        "forgot": 3,  # e-mail pointer, user, code put
        "forgot (unknown e-mail)": 1,
        "reset": 4,  # pointer, user, code, transaction
        "revoke one": 3,  # caller, session, one transaction (session, user)
        "password change": 2,  # caller, transaction
    }, measured


def test_list_page_one_reads_limit_items(api, owner, _no_mail):
    """Page 1 reads ``limit`` items, page N the located bucket's earlier entries plus
    ``limit``; a filtered page reads the fine buckets (100 ids) holding its matches."""
    for i in range(30):
        invite(api, owner, f"bulk{i}@example.com", ["dispatcher" if i % 3 else "manager"])
    for query, most in (
        ("limit=5", 5),
        ("limit=5&role=manager", 100),
        ("limit=5&page=4", 5 + 15),
    ):
        with counting_reads() as reads:
            reply = api.get(f"/admin/users?{query}", as_=owner)
        assert reply.status == 200 and len(reply.data["items"]) == 5
        assert reads.calls.get("Scan", 0) == 0
        assert reads.queried <= most, (query, reads.queried)
    assert join(api, owner, "joined@example.com", "joined")
