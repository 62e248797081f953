"""Builders for the sales area's tests: technicians, line items, staff of other roles,
technician logins, closed pay periods and the seed's exact request bodies."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from chalicelib.core import tokens
from tests.support.api import Account, Api

# The seed's bodies, verbatim.
SEED_TECHNICIAN = {"name": "Mike Johnson", "pay_type": "hourly", "base_pay_cents": 2500}
SEED_TECHNICIAN_PATCH = {"base_pay_cents": 2800}
SEED_COMMISSION_CONFIG = {
    "commission_rate_bps": 750,
    "ov_rate_bps": 0,
    "discount_scale_enabled": False,
}
SEED_SALE = {
    "technician_id": 1,
    "item_id": 5,
    "sale_price_cents": 150000,
    "customer_name": "John Doe",
    "notes": "Annual maintenance package",
    "payment_type": "credit_card",
}
SEED_PAYMENT_STATUS = {"status": "paid", "payment_date": "2026-03-15"}
SEED_VOID = {"voided": True}
PASSWORD = "techPassword123!"


def technician(api: Api, account: Account, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Tech " + uuid.uuid4().hex[:6],
        "pay_type": "hourly",
        "base_pay_cents": 2500,
        **fields,
    }
    reply = api.post("/admin/technicians", body, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def line_item(api: Api, account: Account, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Item " + uuid.uuid4().hex[:6],
        "category": "Maintenance",
        "price_cents": 150000,
        **fields,
    }
    reply = api.post("/admin/line-items", body, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def seed_catalog(api: Api, account: Account) -> dict[str, Any]:
    """Technician 1 (the seed's) and line items 1-5, item 5 listed at $1,500.00, so that
    the seed's sale body works unchanged. Written through the services (set-up only: the
    routes themselves are tested in test_technicians / test_line_items)."""
    from chalicelib.catalog import service as line_items
    from chalicelib.catalog.api import LineItemOut
    from chalicelib.technicians import service as technicians
    from chalicelib.technicians.api import TechnicianOut

    def view(out: Any, item: Any) -> dict[str, Any]:
        return out.model_validate(item).model_dump(mode="json")

    tid = account.tenant_id
    tech = view(TechnicianOut, technicians.create(tid, dict(SEED_TECHNICIAN)))
    items = [
        view(
            LineItemOut,
            line_items.create(
                tid, {"name": f"Filter {n}", "category": "Parts", "price_cents": 2500}
            ),
        )
        for n in range(1, 5)
    ]
    items.append(
        view(
            LineItemOut,
            line_items.create(
                tid,
                {
                    "name": "Annual maintenance package",
                    "category": "Maintenance",
                    "price_cents": 150000,
                },
            ),
        )
    )
    assert tech["id"] == 1 and items[-1]["id"] == 5
    return {"technician": tech, "items": items}


def staff(account: Account, role: str, user_id: int | None = None) -> Account:
    """A signed-in user of ``role`` in the same tenant (an active account, written
    directly: every authenticated route checks the caller's account is active and still
    has the token's roles). Each role gets its own user (900 + its place in the role
    table) unless ``user_id`` is given, so a test's dispatcher and manager are two users."""
    from chalicelib.accounts.store import UserItem
    from chalicelib.core import clock, roles
    from chalicelib.platform import keys

    if user_id is None:
        user_id = 900 + roles.ROLES.index(role)

    UserItem(
        *keys.user_key(account.tenant_id, user_id),
        tenant_id=account.tenant_id,
        user_id=user_id,
        username=f"staff{user_id}",
        roles=[role],
        active=True,
        created_at=clock.now(),
    ).save()
    access = tokens.issue_access(account.tenant_id, user_id, [role], "test-session")
    return Account(
        tenant_id=account.tenant_id,
        business_code=account.business_code,
        access_token=access.token,
        refresh_token="",
        user={"roles": [role]},
    )


def technician_login(
    api: Api, account: Account, name: str = "Tina Tech", **fields: Any
) -> tuple[dict[str, Any], Account]:
    """A technician with a login, signed in through ``/auth/login``."""
    username = "tech" + uuid.uuid4().hex[:8]
    tech = technician(api, account, name=name, username=username, password=PASSWORD, **fields)
    reply = api.post(
        "/auth/login",
        {"username": username, "password": PASSWORD},
        headers={"X-Tenant-Id": account.tenant_id},
    )
    assert reply.status == 200, reply.raw
    data = reply.data
    return tech, Account(
        tenant_id=account.tenant_id,
        business_code=account.business_code,
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        user=data["user"],
    )


def close_period(tenant_id: str, day: date, frequency: str = "biweekly") -> None:
    """Mark the pay period containing ``day`` closed, as the pay-period feature will."""
    from chalicelib.payperiods.rules import period_for
    from chalicelib.payperiods.store import PayPeriodItem
    from chalicelib.platform import keys

    window = period_for(day, frequency)
    PayPeriodItem(
        *keys.pay_period_key(tenant_id, window.key),
        tenant_id=tenant_id,
        status="closed",
        frequency=frequency,
        start_date=window.start.isoformat(),
        end_date=window.end.isoformat(),
    ).save()


def set_sale_counter(tenant_id: str, value: int) -> None:
    """Make the next sale id ``value + 1`` (the seed's curls name sale 42)."""
    from chalicelib.platform import keys
    from chalicelib.platform.counters import CounterItem

    CounterItem(*keys.counter_key(tenant_id, "sale"), value=value).save()


def record(
    api: Api, account: Account, body: dict[str, Any], key: str | None = None
) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key else {}
    reply = api.post("/sales", body, as_=account, headers=headers)
    assert reply.status == 201, reply.raw
    return reply.data


def event_types(tenant_id: str) -> list[str]:
    from chalicelib.platform import outbox as event_store

    return [e.event_type for e in event_store.since(tenant_id, "")]


def events_of(tenant_id: str, event_type: str) -> list[dict[str, Any]]:
    from chalicelib.platform import outbox as event_store

    return [e.data for e in event_store.since(tenant_id, "") if e.event_type == event_type]
