"""Technicians and the commission rules stored on them (per-category rates and per-role
default plans), so recording a sale reads them with the technician in one batch.

Keys (``platform.keys``): ``T#<tid>#TECH`` / ``<id>``. The list's counts are
``technicians.listing``: creating a technician and changing ``active`` are transactions
that carry the service's ``parts`` (the count moves), and a change of ``active`` requires
``active`` to be as read, so the counts it moves are exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, change_actions, register, take
from chalicelib.platform.tx import Labelled, applied, labelled_transaction

Part = Callable[[Labelled], None]  # another write of the technician's transaction

UPDATABLE = (
    "name",
    "email",
    "phone",
    "pay_type",
    "base_pay_cents",
    "skills",
    "service_zones",
    "active",
    "home_zip",
    "home_latitude",
    "home_longitude",
)


@register
class TechnicianItem(BaseItem):
    """A technician. ``category_rates`` (normalised category -> {"category", "rate_bps"})
    and ``plans`` (role -> {"kind", "rate_bps", "tiers"}) are the technician's commission
    rules, kept here so that recording a sale reads them with the technician."""

    tenant_id = UnicodeAttribute()
    technician_id = NumberAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    pay_type = UnicodeAttribute()
    base_pay_cents = NumberAttribute(default=0)
    skills = ListAttribute(of=UnicodeAttribute, default=list)
    service_zones = ListAttribute(of=UnicodeAttribute, default=list)
    active = BooleanAttribute(default=True)
    home_zip = UnicodeAttribute(null=True)  # the home base (technicians.rules.home_base)
    home_latitude = NumberAttribute(null=True)
    home_longitude = NumberAttribute(null=True)
    user_id = NumberAttribute(null=True)
    username = UnicodeAttribute(null=True)
    category_rates = MapAttribute(default=dict)
    plans = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)

    @property
    def has_login(self) -> bool:
        return self.user_id is not None


def get(tenant_id: str, technician_id: int, consistent: bool = False) -> TechnicianItem | None:
    return TechnicianItem.find(
        keys.technician_key(tenant_id, technician_id), tenant_id=tenant_id, consistent=consistent
    )


def ref(tenant_id: str, technician_id: int) -> tuple[type[TechnicianItem], tuple[str, str]]:
    return TechnicianItem, keys.technician_key(tenant_id, technician_id)


def active(tenant_id: str, limit: int) -> list[TechnicianItem]:
    """The first ``limit`` active technicians, by id (one Query, continued per MB)."""
    found = TechnicianItem.query(
        keys.technicians_pk(tenant_id),
        filter_condition=TechnicianItem.active == True,  # noqa: E712
        limit=limit,
    )
    return take(found, limit)


def list_all(tenant_id: str) -> Iterator[TechnicianItem]:
    """Every technician of the tenant, by id, streamed page by page (payroll's roster,
    which a close and its exports must cover whole: one Query per 1 MB; request paths use
    ``active`` (bounded) or page with ``technicians.listing``)."""
    return iter(TechnicianItem.query(keys.technicians_pk(tenant_id)))


def new_item(
    tenant_id: str, technician_id: int, fields: dict[str, Any], now: datetime
) -> TechnicianItem:
    """The (unsaved) technician, without a login."""
    return TechnicianItem(
        *keys.technician_key(tenant_id, technician_id),
        tenant_id=tenant_id,
        technician_id=technician_id,
        created_at=now,
        updated_at=now,
        category_rates={},
        plans={},
        **fields,
    )


def create(
    tenant_id: str,
    technician_id: int,
    fields: dict[str, Any],
    now: datetime,
    login: tuple[int, str, list[tuple[str, Any]]] | None = None,
    parts: Sequence[Part] = (),
) -> TechnicianItem:
    """Write the technician, and with ``login`` (user id, username, the login's labelled
    items) its login, and the ``parts`` (its count), atomically. A taken username or
    e-mail fails its label."""
    tech = new_item(tenant_id, technician_id, fields, now)
    items: list[tuple[str, Any]] = [("technician", tech)]
    if login is not None:
        tech.user_id, tech.username, login_items = login
        items.extend(login_items)
    with labelled_transaction() as tx:
        for label, item in items:
            tx.create(label, item)
        for part in parts:
            part(tx)
    return tech


def update(
    tech: TechnicianItem, changes: dict[str, Any], now: datetime, parts: Sequence[Part] = ()
) -> TechnicianItem:
    """Apply ``changes`` (attribute -> value; None removes an optional attribute). A
    change of ``active`` is one transaction with the ``parts`` (its count, the login's
    (de)activation) and requires ``active`` to be as read (``ConditionFailed`` labelled
    ``technician`` otherwise, or when the technician is gone). Returns the updated item."""
    actions = change_actions(TechnicianItem, changes, UPDATABLE)
    actions.append(TechnicianItem.updated_at.set(now))
    condition = TechnicianItem.pk.exists()
    if "active" not in changes and not parts:
        tech.update(actions=actions, condition=condition)
        return tech
    if "active" in changes:
        condition &= TechnicianItem.active == bool(tech.active)
    with labelled_transaction() as tx:
        tx.update("technician", tech, actions, condition=condition)
        for part in parts:
            part(tx)
    refreshed = TechnicianItem.find(
        keys.technician_key(tech.tenant_id, int(tech.technician_id)), consistent=True
    )
    assert refreshed is not None
    return refreshed


# --- commission rules kept on the technician ------------------------------------------
_RULES = {"category_rates": TechnicianItem.category_rates, "plans": TechnicianItem.plans}
# PynamoDB reads "[" and "]" in a map key as list indexes (and refuses a lone one), so they
# and the escape itself are kept percent-encoded; callers see keys exactly as they gave them.
_KEY_ESCAPES = str.maketrans({"%": "%25", "[": "%5B", "]": "%5D"})


def _stored_key(key: str) -> str:
    return key.translate(_KEY_ESCAPES)


def _given_key(stored: str) -> str:
    return unquote(stored)


def set_rule(
    tech: TechnicianItem, kind: str, key: str, value: dict[str, Any], now: datetime
) -> TechnicianItem:
    """Set ``category_rates[key]`` or ``plans[key]``."""
    tech.update(
        actions=[_RULES[kind][_stored_key(key)].set(value), TechnicianItem.updated_at.set(now)],
        condition=TechnicianItem.pk.exists(),
    )
    return tech


def remove_rule(tech: TechnicianItem, kind: str, key: str, now: datetime) -> bool:
    """Remove ``category_rates[key]`` or ``plans[key]``; False when it was not set."""
    attr = _RULES[kind][_stored_key(key)]
    return applied(
        lambda: tech.update(
            actions=[attr.remove(), TechnicianItem.updated_at.set(now)], condition=attr.exists()
        )
    )


def rules_of(tech: TechnicianItem, kind: str) -> dict[str, Any]:
    """``category_rates`` or ``plans`` as plain data (ints, not Decimals or floats)."""
    raw = getattr(tech, kind)
    data = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw or {})
    return {_given_key(key): _plain(value) for key, value in data.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
