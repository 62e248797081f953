"""Technicians, their optional login, and the commission rules stored on them
(per-category rates and per-role default plans)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.store import keys
from chalicelib.store.models import PointerItem, TechnicianItem, UserItem
from chalicelib.store.table import transaction
from chalicelib.store.tx import create_all


@dataclass
class NewLogin:
    """A ``technician`` user linked to the new technician record."""

    user_id: int
    username: str
    email: str | None
    password_hash: str
    first_name: str | None
    last_name: str | None


def get(tenant_id: str, technician_id: int) -> TechnicianItem | None:
    try:
        item = TechnicianItem.get(*keys.technician_key(tenant_id, technician_id))
    except DoesNotExist:
        return None
    return item if item.tenant_id == tenant_id else None


def list_all(tenant_id: str) -> list[TechnicianItem]:
    """Every technician of the tenant, by id (one Query; technicians are few)."""
    return list(TechnicianItem.query(keys.technicians_pk(tenant_id)))


def create(tenant_id: str, technician_id: int, fields: dict[str, Any], now: datetime,
           login: NewLogin | None = None) -> TechnicianItem:
    """Write the technician (and its login, username/e-mail pointers) atomically. Raises
    ``ConditionFailed`` labelled ``username`` or ``email`` when one is taken."""
    tech = TechnicianItem(*keys.technician_key(tenant_id, technician_id), tenant_id=tenant_id,
                          technician_id=technician_id, created_at=now, updated_at=now,
                          category_rates={}, plans={}, **fields)
    items: list[tuple[str, Any]] = [("technician", tech)]
    if login is not None:
        tech.user_id = login.user_id
        tech.username = login.username
        items.append(("user", UserItem(
            *keys.user_key(tenant_id, login.user_id), tenant_id=tenant_id,
            user_id=login.user_id, username=login.username, email=login.email,
            first_name=login.first_name, last_name=login.last_name,
            password_hash=login.password_hash, roles=["technician"],
            technician_id=technician_id, active=True, created_at=now)))
        items.append(("username", PointerItem(*keys.username_key(tenant_id, login.username),
                                              tenant_id=tenant_id, user_id=login.user_id)))
        if login.email:
            items.append(("email", PointerItem(*keys.email_key(login.email),
                                               tenant_id=tenant_id, user_id=login.user_id)))
    create_all(items)
    return tech


_UPDATABLE = ("name", "email", "phone", "pay_type", "base_pay_cents", "skills",
              "service_zones", "active")


def update(tech: TechnicianItem, changes: dict[str, Any], now: datetime) -> TechnicianItem:
    """Apply ``changes`` (attribute -> value; None removes an optional attribute). When
    ``active`` changes and the technician has a login, the user is (de)activated in the
    same transaction. Returns the updated item."""
    attrs = {name: getattr(TechnicianItem, name) for name in _UPDATABLE}
    actions = []
    for name, value in changes.items():
        if name not in attrs:
            raise ValueError(f"technician attribute {name!r} cannot be changed")
        actions.append(attrs[name].remove() if value is None else attrs[name].set(value))
    actions.append(TechnicianItem.updated_at.set(now))
    condition = TechnicianItem.pk.exists()
    if "active" in changes and tech.user_id is not None:
        user = UserItem(*keys.user_key(tech.tenant_id, int(tech.user_id)))
        with transaction() as tx:
            tx.update(tech, actions=actions, condition=condition)
            tx.update(user, actions=[UserItem.active.set(bool(changes["active"]))],
                      condition=UserItem.pk.exists())
        refreshed = get(tech.tenant_id, int(tech.technician_id))
        assert refreshed is not None
        return refreshed
    tech.update(actions=actions, condition=condition)
    return tech


def set_category_rate(tech: TechnicianItem, key: str, category: str, rate_bps: int,
                      now: datetime) -> TechnicianItem:
    tech.update(actions=[TechnicianItem.category_rates[key].set(
                             {"category": category, "rate_bps": rate_bps}),
                         TechnicianItem.updated_at.set(now)],
                condition=TechnicianItem.pk.exists())
    return tech


def remove_category_rate(tech: TechnicianItem, key: str, now: datetime) -> bool:
    """False when no rate was configured for the category."""
    try:
        tech.update(actions=[TechnicianItem.category_rates[key].remove(),
                             TechnicianItem.updated_at.set(now)],
                    condition=TechnicianItem.category_rates[key].exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def set_plan(tech: TechnicianItem, role: str, plan: dict[str, Any],
             now: datetime) -> TechnicianItem:
    tech.update(actions=[TechnicianItem.plans[role].set(plan),
                         TechnicianItem.updated_at.set(now)],
                condition=TechnicianItem.pk.exists())
    return tech


def remove_plan(tech: TechnicianItem, role: str, now: datetime) -> bool:
    """False when the technician had no plan for the role."""
    try:
        tech.update(actions=[TechnicianItem.plans[role].remove(),
                             TechnicianItem.updated_at.set(now)],
                    condition=TechnicianItem.plans[role].exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def category_rates(tech: TechnicianItem) -> dict[str, dict[str, Any]]:
    """``{normalised category: {"category", "rate_bps"}}`` as plain data."""
    raw = tech.category_rates
    data = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw or {})
    return {k: {"category": v["category"], "rate_bps": int(v["rate_bps"])}
            for k, v in data.items()}


def plans(tech: TechnicianItem) -> dict[str, dict[str, Any]]:
    """``{role: {"kind", "rate_bps", "tiers"}}`` as plain data (ints, not Decimals)."""
    raw = tech.plans
    data = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw or {})
    return {role: _plain(plan) for role, plan in data.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
