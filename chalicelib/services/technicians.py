"""Technicians: create (optionally with a ``technician`` login), read, update, deactivate.

DynamoDB calls: create 2 (id counter, one write) or 3 with a login (+ user id counter,
and the writes in one transaction); get 1; list 1 Query; update 2 (read, conditional
update; a transaction when (de)activating a technician with a login).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.domain import identity
from chalicelib.services.passwords import hash_password
from chalicelib.store import counters
from chalicelib.store import technicians as store
from chalicelib.store.errors import ConditionFailed
from chalicelib.store.models import TechnicianItem

ENTITY = "technician"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def view(tech: TechnicianItem) -> dict[str, Any]:
    return {
        "id": int(tech.technician_id), "name": tech.name, "email": tech.email,
        "phone": tech.phone, "pay_type": tech.pay_type,
        "base_pay_cents": int(tech.base_pay_cents or 0), "skills": list(tech.skills or []),
        "service_zones": list(tech.service_zones or []), "active": bool(tech.active),
        "user_id": int(tech.user_id) if tech.user_id is not None else None,
        "username": tech.username, "has_login": tech.user_id is not None,
        "created_at": tech.created_at.isoformat() if tech.created_at else None,
        "updated_at": tech.updated_at.isoformat() if tech.updated_at else None,
    }


def get(tenant_id: str, technician_id: int) -> TechnicianItem:
    tech = store.get(tenant_id, technician_id)
    if tech is None:
        raise NotFound(f"technician {technician_id} not found")
    return tech


def list_all(tenant_id: str, active: bool | None = None) -> list[TechnicianItem]:
    techs = store.list_all(tenant_id)
    if active is not None:
        techs = [t for t in techs if bool(t.active) == active]
    return techs


def _split_name(name: str) -> tuple[str | None, str | None]:
    first, _, last = name.strip().partition(" ")
    return (first or None), (last.strip() or None)


def create(tenant_id: str, fields: dict[str, Any], username: str | None = None,
           password: str | None = None, login_email: str | None = None) -> TechnicianItem:
    """``fields``: name, email, phone, pay_type, base_pay_cents, skills, service_zones,
    active. With ``username`` and ``password`` a ``technician`` user is created and linked
    (409 when the username, or the e-mail as a staff login, is taken)."""
    now = _now()
    login = None
    if username is not None:
        assert password is not None
        first, last = _split_name(fields["name"])
        login = store.NewLogin(user_id=counters.next_id(tenant_id, "user"),
                               username=identity.normalize_username(username),
                               email=identity.normalize_email(login_email)
                               if login_email else None,
                               password_hash=hash_password(password), first_name=first,
                               last_name=last)
    technician_id = counters.next_id(tenant_id, ENTITY)
    try:
        return store.create(tenant_id, technician_id, fields, now, login)
    except ConditionFailed as exc:
        if "username" in exc.failed:
            raise Conflict("this username is already taken") from exc
        if "email" in exc.failed:
            raise Conflict("a staff account with this email already exists") from exc
        raise


def update(tenant_id: str, technician_id: int, changes: dict[str, Any]) -> TechnicianItem:
    tech = get(tenant_id, technician_id)
    if not changes:
        return tech
    return store.update(tech, changes, _now())
