"""Invitation resend (``POST /admin/users/{id}/invitation/resend``: a new link, the old
one stops working, 409 once accepted) and the admin counter of tenants registered before
it existed (computed lazily: roles change and the last-admin rule still holds)."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from chalicelib.core import clock
from chalicelib.platform import keys
from chalicelib.platform.counters import CounterItem
from chalicelib.users import service as users_service
from chalicelib.users.store import InvitationItem, InvitationPointerItem
from tests.support.sales_helpers import staff
from tests.users.test_api import PASSWORD, invite, join

ACCEPT = "/auth/invitations/accept"


@pytest.fixture
def outbox(monkeypatch):
    """The e-mails the users feature sends: (to, subject, text)."""
    sent: list[tuple[str, str, str]] = []
    monkeypatch.setattr(users_service, "send_email", lambda *mail: sent.append(mail) or True)
    return sent


def _resend(api, admin, user_id):
    return api.post(f"/admin/users/{user_id}/invitation/resend", as_=admin)


def _accept(api, token, username):
    return api.post(ACCEPT, {"token": token, "username": username, "password": PASSWORD})


# --- resend ---------------------------------------------------------------------------------
def test_resend_mails_a_new_link_and_the_old_one_stops_working(api, owner, outbox, monkeypatch):
    first = invite(api, owner, "ria@example.com", ["dispatcher"])
    user_id = first["user"]["id"]
    later = clock.now() + timedelta(days=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    reply = _resend(api, owner, user_id)
    assert reply.status == 200, reply.raw
    again = reply.data
    assert again["user"]["status"] == "pending" and again["user"]["roles"] == ["dispatcher"]
    assert again["invitation_token"] != first["invitation_token"]
    assert (
        again["invitation_sent"] is True
        and again["invitation_expires_at"] > (first["invitation_expires_at"])
    )
    assert outbox[-1][0] == "ria@example.com" and again["invitation_url"] in outbox[-1][2]
    # the old link is gone; a second resend replaces the second link too
    assert _accept(api, first["invitation_token"], "ria").status == 404
    third = _resend(api, owner, user_id).data
    assert _accept(api, again["invitation_token"], "ria").status == 404
    # valid 7 days from the resend (the first link would have expired by now)
    monkeypatch.setattr(clock, "now", lambda: later + timedelta(days=2))
    accepted = _accept(api, third["invitation_token"], "ria")
    assert accepted.status == 200, accepted.raw
    # accepted: resend is 409, and the link stays used
    reply = _resend(api, owner, user_id)
    assert reply.status == 409 and "accepted" in reply.error["message"]
    assert _accept(api, third["invitation_token"], "ria2").status == 409


def test_resend_of_an_invitation_from_before_pointers(api, owner, outbox):
    """An invitation made before the user's pointer existed: resend still voids it."""
    first = invite(api, owner, "old@example.com")
    user_id = first["user"]["id"]
    InvitationPointerItem(*keys.user_invitation_key(owner.tenant_id, user_id)).delete()
    again = _resend(api, owner, user_id).data
    assert _accept(api, first["invitation_token"], "oldie").status == 404
    assert _accept(api, again["invitation_token"], "oldie").status == 200


def test_resend_refusals(api, owner, other, outbox):
    pending = invite(api, owner, "dee@example.com")["user"]["id"]
    assert api.post(f"/admin/users/{pending}/deactivate", as_=owner).status == 200
    reply = _resend(api, owner, pending)
    assert reply.status == 409 and "deactivated" in reply.error["message"]
    # the owner (accepted at registration), an unknown id, another tenant's user: 409/404
    assert _resend(api, owner, owner.user["id"]).status == 409
    assert _resend(api, owner, 999).status == 404
    mine = invite(api, owner, "eve@example.com")["user"]["id"]
    assert _resend(api, other, mine).status == 404
    assert _resend(api, owner, "abc").status == 404
    manager = staff(owner, "manager")
    assert _resend(api, manager, mine).status == 403
    # the refused calls left the invitation as it was
    pointer = InvitationPointerItem.find(keys.user_invitation_key(owner.tenant_id, mine))
    assert InvitationItem.find(keys.invitation_key(pointer.token_hash)) is not None


# --- the admin counter of older tenants -----------------------------------------------------
def _forget_admin_count(tenant_id: str) -> None:
    CounterItem(*keys.counter_key(tenant_id, "admins")).delete()


def _admin_count(tenant_id: str) -> int | None:
    item = CounterItem.find(keys.counter_key(tenant_id, "admins"), consistent=True)
    return None if item is None else int(item.value)


def test_a_tenant_without_the_admin_counter_changes_roles(api, owner, outbox):
    me = owner.user["id"]
    second = join(api, owner, "second@example.com", "second", ["admin"])
    _forget_admin_count(owner.tenant_id)
    ok = api.patch(f"/admin/users/{me}", {"roles": ["manager"]}, as_=second)
    assert ok.status == 200, ok.raw
    assert _admin_count(owner.tenant_id) == 1  # counted (2), then the change (-1)
    # the last-admin rule still holds
    last = api.patch(f"/admin/users/{second.user['id']}", {"roles": ["manager"]}, as_=second)
    assert last.status == 409 and "admin" in last.error["message"]
    deactivate = api.post(f"/admin/users/{second.user['id']}/deactivate", as_=second)
    assert deactivate.status == 409


def test_a_lone_admin_without_the_counter_is_still_the_last(api, owner, outbox):
    _forget_admin_count(owner.tenant_id)
    reply = api.patch(f"/admin/users/{owner.user['id']}", {"roles": ["manager"]}, as_=owner)
    assert reply.status == 409 and "admin" in reply.error["message"]
    assert _admin_count(owner.tenant_id) == 1


def test_invites_and_reactivations_of_admins_count_from_the_real_number(api, owner, outbox):
    """Adding an admin to a tenant without the counter counts the existing ones first
    (an ADD on a missing counter would have made it 1 with two admins)."""
    manager = staff(owner, "manager")  # a technician login and staff of other roles: not counted
    assert manager is not None
    _forget_admin_count(owner.tenant_id)
    new = invite(api, owner, "newadmin@example.com", ["admin"])["user"]["id"]
    assert _admin_count(owner.tenant_id) == 2
    assert api.post(f"/admin/users/{new}/deactivate", as_=owner).status == 200
    _forget_admin_count(owner.tenant_id)
    assert api.post(f"/admin/users/{new}/reactivate", as_=owner).status == 200
    assert _admin_count(owner.tenant_id) == 2
    # the pending admin counts as an active admin: the owner may step down
    reply = api.patch(f"/admin/users/{owner.user['id']}", {"roles": ["manager"]}, as_=owner)
    assert reply.status == 200, reply.raw
    assert _admin_count(owner.tenant_id) == 1


def _as_before_the_staff_list(tenant_id: str, user_id: int) -> None:
    """The tenant as registered before the staff list and the admin count: its owner is
    in no ``gsi1``, counted nowhere, and there is no admin counter."""
    from chalicelib.accounts.store import STAFF_ROLLUP, UserItem, staff_entry
    from chalicelib.platform import rollups
    from chalicelib.platform.tx import labelled_transaction

    UserItem(*keys.user_key(tenant_id, user_id)).update(
        actions=[UserItem.gsi1pk.remove(), UserItem.gsi1sk.remove()]
    )
    with labelled_transaction() as tx:
        rollups.move(tx, tenant_id, STAFF_ROLLUP, staff_entry(user_id, True, ["admin"]), None)
    _forget_admin_count(tenant_id)


def test_a_tenant_from_before_the_staff_list(api, owner, outbox):
    me = owner.user["id"]
    _as_before_the_staff_list(owner.tenant_id, me)
    listed = api.get("/admin/users", as_=owner).data
    assert listed["total"] == 0 and listed["items"] == []
    # an admin invited now: the count includes the unlisted owner, who joins the list
    second = join(api, owner, "second@example.com", "second", ["admin"])
    assert _admin_count(owner.tenant_id) == 2
    listed = api.get("/admin/users", as_=owner).data
    assert [u["id"] for u in listed["items"]] == [me, second.user["id"]]
    assert listed["total"] == 2
    reply = api.patch(f"/admin/users/{me}", {"roles": ["manager"]}, as_=second)
    assert reply.status == 200, reply.raw
    last = api.patch(f"/admin/users/{second.user['id']}", {"roles": ["manager"]}, as_=second)
    assert last.status == 409
    admins = api.get("/admin/users?role=admin", as_=second).data
    assert admins["total"] == 1 and admins["items"][0]["id"] == second.user["id"]


def test_an_unlisted_owner_read_by_id_joins_the_list(api, owner, outbox):
    me = owner.user["id"]
    _as_before_the_staff_list(owner.tenant_id, me)
    reply = api.get(f"/admin/users/{me}", as_=owner)
    assert reply.status == 200 and reply.data["roles"] == ["admin"]
    assert api.get("/admin/users", as_=owner).data["total"] == 1
    # and a technician's login is never adopted as staff
    tech = staff(owner, "technician")
    tech_id = int(jwt.decode(tech.access_token, options={"verify_signature": False})["sub"])
    assert api.get(f"/admin/users/{tech_id}", as_=owner).status == 404
    assert api.get("/admin/users", as_=owner).data["total"] == 1
    # the lone admin is still the last one
    reply = api.patch(f"/admin/users/{me}", {"roles": ["manager"]}, as_=owner)
    assert reply.status == 409 and _admin_count(owner.tenant_id) == 1


def test_racing_demotions_without_the_counter_count_once(api, owner, outbox):
    """Four admins (three invited), no counter: three are demoted at once. The counter is made once (from
    4; the other requests find it made and retry), the three moves all pass, and the owner
    is then the last admin."""
    from tests.support.aws_calls import one_at_a_time
    from tests.support.racing import at_once

    others = [invite(api, owner, f"a{n}@example.com", ["admin"])["user"] for n in range(3)]
    _forget_admin_count(owner.tenant_id)
    with one_at_a_time():
        replies = at_once(
            [
                lambda a=a: api.patch(f"/admin/users/{a['id']}", {"roles": ["manager"]}, as_=owner)
                for a in others
            ]
        )
    assert [r.status for r in replies] == [200] * 3, [r.raw for r in replies]
    assert _admin_count(owner.tenant_id) == 1
    reply = api.patch(f"/admin/users/{owner.user['id']}", {"roles": ["manager"]}, as_=owner)
    assert reply.status == 409
