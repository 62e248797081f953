"""Technicians: create (optionally with a ``technician`` login), read, update, deactivate,
and the commission rules kept on the technician record.

DynamoDB calls: create 2 (id counter, one write) or 3 with a login (+ user id counter,
and the writes in one transaction); get 1; list 1 Query; update 2 (read, conditional
update; a transaction when (de)activating a technician with a login).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, found
from chalicelib.platform import counters
from chalicelib.platform.tx import ConditionFailed
from chalicelib.technicians import store
from chalicelib.technicians.store import TechnicianItem

ENTITY = "technician"
CATEGORY_RATES, PLANS = "category_rates", "plans"
ref = store.ref  # a technician for another feature's batch read


def get(tenant_id: str, technician_id: int) -> TechnicianItem:
    return found(store.get(tenant_id, technician_id), f"technician {technician_id} not found")


def list_all(tenant_id: str, active: bool | None = None) -> list[TechnicianItem]:
    techs = store.list_all(tenant_id)
    if active is not None:
        techs = [t for t in techs if bool(t.active) == active]
    return techs


def create(
    tenant_id: str,
    fields: dict[str, Any],
    username: str | None = None,
    password: str | None = None,
    login_email: str | None = None,
) -> TechnicianItem:
    """``fields``: name, email, phone, pay_type, base_pay_cents, skills, service_zones,
    active. With ``username`` and ``password`` a ``technician`` user is created and linked
    (409 when the username, or the e-mail as a staff login, is taken)."""
    now = clock.now()
    new_login = None
    if username is not None:
        assert password is not None
        new_login = accounts.technician_login(
            tenant_id, fields["name"], username, password, login_email, now
        )
    technician_id = counters.next_id(tenant_id, ENTITY)
    login = None
    if new_login is not None:
        new_login = replace(new_login, technician_id=technician_id)
        login = (new_login.user_id, new_login.username, new_login.items())
    try:
        return store.create(tenant_id, technician_id, fields, now, login)
    except ConditionFailed as exc:
        if "username" in exc.failed:
            raise Conflict("this username is already taken") from exc
        if "email" in exc.failed:
            raise Conflict("a staff account with this email already exists") from exc
        raise


def update(tenant_id: str, technician_id: int, changes: dict[str, Any]) -> TechnicianItem:
    """When ``active`` changes and the technician has a login, the user is (de)activated in
    the same transaction."""
    tech = get(tenant_id, technician_id)
    if not changes:
        return tech
    also = None
    if "active" in changes and tech.user_id is not None:
        user_id, active = int(tech.user_id), bool(changes["active"])

        def also(tx: Any) -> None:
            accounts.set_active_in(tx, "user", tenant_id, user_id, active)

    return store.update(tech, changes, clock.now(), also)


# --- commission rules kept on the technician (managed by the commission feature) ----------
def rules_of(tech: TechnicianItem, kind: str) -> dict[str, Any]:
    """``CATEGORY_RATES`` (normalised category -> {"category", "rate_bps"}) or ``PLANS``
    (role -> {"kind", "rate_bps", "tiers"}) as plain data."""
    return store.rules_of(tech, kind)


def set_rule(tech: TechnicianItem, kind: str, key: str, value: dict[str, Any]) -> None:
    store.set_rule(tech, kind, key, value, clock.now())


def remove_rule(tech: TechnicianItem, kind: str, key: str) -> bool:
    """False when no such rule was configured."""
    return store.remove_rule(tech, kind, key, clock.now())
