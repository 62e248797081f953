"""The world the matrices run in: two tenants in one (module-scoped) moto backend.

The owner's tenant holds one of everything a route's path can name (technicians with a
login, a line item, a customer, sales in a past and in the current pay period, commission
rules at every level, a webhook endpoint with a delivery), every name carrying ``MARK`` so
a leak shows in any response body. Its id counters start at 1,000, so no id of the owner's
can also exist in the other tenant (whose ids start at 1): another tenant's call on an
owner's id must find nothing, not something of its own. Both tenants have a signed-in
account of every role; the other tenant's technician login has no data of the owner's.

Builders that create a resource for one call (a technician to deactivate, a pending sale to
approve) are here too; ``tenant_state`` reads everything a tenant has (table items and
export files) so a test can prove that a call changed nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import boto3

from chalicelib.core import roles
from chalicelib.core.settings import resource_names
from tests.support.api import Account, Api, Reply
from tests.support.sales_helpers import line_item, staff, technician, technician_login

MARK = "Zq" + uuid.uuid4().hex[:10]  # in every name of the owner's; letters and digits
FIRST_ID = 1000  # the owner's counters start here: the other tenant's ids stay below
COUNTERS = (
    "technician",
    "line_item",
    "customer",
    "sale",
    "payperiod",
    "webhook",
    "job",
    "form",
    "zone",
    "skill",
    "invoice",
    "estimate",
    "communication",
    "lead",
)
PAST_DAY = date(2021, 3, 3)  # the past pay period's sale (long before either tenant)
DISCOUNT_RATE_BPS = 8191  # the owner's discount scale: a number only the owner's shows
HEADERS = {"Accept": "*/*"}  # as curl: PDFs need an Accept that allows them


@dataclass
class Tenant:
    """One tenant and a signed-in account per role (``accounts[role]``)."""

    admin: Account
    accounts: dict[str, Account]
    technician_id: int  # the technician the ``technician`` login is linked to

    @property
    def tenant_id(self) -> str:
        return self.admin.tenant_id


@dataclass
class World:
    api: Api
    owner: Tenant
    other: Tenant
    ids: dict[str, Any]  # the owner's shared resources: name -> id
    marks: list[str] = field(default_factory=list)  # strings only the owner's data holds
    cache: dict[Any, Any] = field(default_factory=dict)  # for tests: built once per world

    def call(
        self,
        method: str,
        path: str,
        body: Any,
        account: Account,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return self.api.call(
            method, path, body, as_=account, headers={**HEADERS, **(headers or {})}
        )

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        """A set-up call as the owner's admin, which must succeed."""
        reply = self.call(method, path, body, self.owner.admin)
        assert reply.status < 300, (method, path, reply.status, reply.raw)
        return reply.data

    # --- resources made for one call -------------------------------------------------
    def fresh_technician(self) -> int:
        return technician(self.api, self.owner.admin, name=f"{MARK} Temp")["id"]

    def fresh_sale(self) -> int:
        body = {
            "technician_id": self.owner.technician_id,
            "item_id": self.ids["item"],
            "sale_price_cents": 150000,
            "customer_id": self.ids["customer"],
            "notes": f"{MARK} fresh",
        }
        return self.ok("POST", "/sales", body)["id"]

    def fresh_zone(self) -> int:
        body = {"name": f"{MARK} Temp zone", "polygon": [[40, -75], [40.1, -75], [40, -75.1]]}
        return self.ok("POST", "/admin/service-zones", body)["id"]

    def fresh_skill(self) -> int:
        return self.ok("POST", "/admin/technician-skills", {"name": f"{MARK} {uuid.uuid4()}"})["id"]

    def fresh_webhook(self) -> int:
        body = {"url": f"http://127.0.0.1:9/{MARK}/temp", "events": ["sale.created"]}
        return self.ok("POST", "/admin/webhooks", body)["id"]

    def finished_delivery(self) -> str:
        """A delivery of the shared endpoint that has finished (failed): redeliverable."""
        from chalicelib.webhooks import store as webhook_store

        hook = self.ids["webhook"]
        delivery_id = self.ok("POST", f"/admin/webhooks/{hook}/test", {})["id"]
        item = webhook_store.get_delivery(self.owner.tenant_id, hook, delivery_id)
        assert item is not None
        webhook_store.finish_without_attempt(item, "matrix: finished", datetime.now(UTC))
        return delivery_id

    def fresh_job(self, stage: str = "pending") -> int:
        """A dispatch job of the owner's, pending, or ``dispatched`` to (or
        ``acknowledged`` by) the owner's technician login."""
        job = self.ok("POST", "/admin/dispatch", {"title": f"{MARK} job", "priority": "high"})
        if stage in ("dispatched", "acknowledged"):
            body = {"technician_id": self.owner.technician_id}
            self.ok("PATCH", f"/admin/dispatch/{job['id']}/assign", body)
        if stage == "acknowledged":
            tech = self.owner.accounts[roles.TECHNICIAN]
            reply = self.call(
                "PATCH", f"/tech/dispatch/my-jobs/{job['id']}/acknowledge", None, tech
            )
            assert reply.status == 200, reply.raw
        return job["id"]

    def recent_dispatch_event(self) -> list[str]:
        """A board event of the owner's from two seconds ago (the stream holds back the
        last second's), written directly; the strings it shows."""
        from datetime import timedelta

        from chalicelib.dispatch import service as dispatch
        from chalicelib.dispatch import store as dispatch_store

        at = datetime.now(UTC) - timedelta(seconds=2)
        part = dispatch.stream_event(self.owner.tenant_id, "job.updated", {"mark": MARK}, at)
        dispatch_store.write([part])
        return [MARK]

    def commission_rule(self, path: str, body: dict[str, Any]) -> None:
        """(Re)create a commission rule, so a route that reads or deletes it finds it."""
        self.ok("PUT", path, body)


def _tenant(api: Api, admin: Account, tech_name: str) -> Tenant:
    tech, login = technician_login(api, admin, name=tech_name)
    accounts = {
        roles.ADMIN: admin,
        roles.MANAGER: staff(admin, roles.MANAGER, 901),
        roles.DISPATCHER: staff(admin, roles.DISPATCHER, 902),
        roles.TECHNICIAN: login,
    }
    assert set(accounts) == set(roles.ROLES)
    return Tenant(admin=admin, accounts=accounts, technician_id=tech["id"])


def _start_counters(tenant_id: str, value: int) -> None:
    from chalicelib.platform import keys
    from chalicelib.platform.counters import CounterItem

    for entity in COUNTERS:
        CounterItem(*keys.counter_key(tenant_id, entity), value=value).save()


def build(api: Api) -> World:
    owner_admin = api.register(f"{MARK} HVAC", username=f"owner{MARK}".lower())
    _start_counters(owner_admin.tenant_id, FIRST_ID)
    owner = _tenant(api, owner_admin, f"{MARK} Tina")
    other = _tenant(api, api.register("Other Plumbing"), "Olga Other")
    assert owner.technician_id > FIRST_ID and other.technician_id < FIRST_ID
    world = World(api=api, owner=owner, other=other, ids={})
    ids = world.ids
    ids["technician"] = owner.technician_id  # linked to the owner's technician login
    ids["other_technician"] = technician(api, owner_admin, name=f"{MARK} Mike")["id"]
    item = line_item(api, owner_admin, name=f"{MARK} Tune-up", category=f"{MARK} Service")
    ids["item"], ids["category"] = item["id"], item["category"]
    customer = {"name": f"{MARK} Customer", "email": f"{MARK.lower()}@example.com"}
    ids["customer"] = world.ok("POST", "/admin/customers", customer)["id"]

    tech = owner.technician_id
    past = world.ok(
        "POST",
        "/sales",
        {
            "technician_id": tech,
            "item_id": ids["item"],
            "sale_price_cents": 120000,
            "customer_id": ids["customer"],
            "notes": f"{MARK} past",
            "sale_date": PAST_DAY.isoformat(),
        },
    )
    world.ok("PATCH", f"/sales/{past['id']}/approve", {})
    ids["sale"] = world.fresh_sale()  # the current period's, pending

    periods = world.ok("GET", "/admin/pay-periods")["items"]
    [past_period] = [p for p in periods if p["start_date"] <= PAST_DAY.isoformat()]
    ids["period"] = past_period["id"]
    assert ids["period"] > FIRST_ID

    cfg = "/admin/commission-config"
    world.commission_rule(f"{cfg}/tech/{tech}/item/{ids['item']}", {"commission_rate_bps": 750})
    world.commission_rule(f"{cfg}/tech/{tech}/category/Maintenance", {"commission_rate_bps": 600})
    world.commission_rule(
        f"{cfg}/tech/{tech}/plan/technician", {"kind": "percentage", "rate_bps": 500}
    )
    world.commission_rule(f"{cfg}/item/{ids['item']}", {"commission_rate_bps": 400})
    tiers = [{"max_discount_bps": 1000, "rate_bps": DISCOUNT_RATE_BPS}]
    world.ok("PATCH", f"{cfg}/tenant", {"discount_tiers": tiers})

    hook = world.ok(
        "POST",
        "/admin/webhooks",
        {
            "url": f"http://127.0.0.1:9/{MARK}/hook",
            "events": ["sale.created", "sale.approved"],
            "description": f"{MARK} hook",
        },
    )
    ids["webhook"] = hook["id"]
    zone = {"name": f"{MARK} Zone", "zip_codes": ["33601"], "technician_ids": [tech]}
    ids["zone"] = world.ok("POST", "/admin/service-zones", zone)["id"]
    ids["skill"] = world.ok("POST", "/admin/technician-skills", {"name": f"{MARK} Skill"})["id"]
    levels = {"skills": [{"skill_id": ids["skill"], "level": 4}]}
    world.ok("PUT", f"/admin/technician-skills/technicians/{tech}", levels)
    ids["job"] = world.fresh_job()
    world.fresh_job("dispatched")  # so the technician's my-jobs list shows one
    ids["delivery"] = world.ok("POST", f"/admin/webhooks/{hook['id']}/test", {})["id"]

    world.marks = [MARK.lower(), owner.tenant_id, hook["secret"].lower(), past_period["start_date"]]
    return world


# --- what a tenant has --------------------------------------------------------------------
def _table_items(prefix: str) -> dict[tuple[str, str], Any]:
    """The items whose partition key starts with ``prefix``, read from moto's in-memory
    table (a Scan serialises every item of the table: about 1 ms each, per snapshot)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    names = resource_names("test")
    region = boto3.session.Session().region_name
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(names.table)
    found = {}
    for hash_key, by_range in table.items.items():
        if str(hash_key.value).startswith(prefix):
            for range_key, item in by_range.items():
                found[(hash_key.value, range_key.value)] = item.to_json()
    return found


def tenant_state(tenant_id: str) -> dict[str, Any]:
    """Every table item of the tenant's partitions and every export file it has."""
    listed = boto3.client("s3").list_objects_v2(
        Bucket=resource_names("test").exports_bucket, Prefix=f"tenants/{tenant_id}/"
    )
    files = {o["Key"]: o["ETag"] for o in listed.get("Contents", [])}
    return {"items": _table_items(f"T#{tenant_id}#"), "files": files}


def state_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs, named (for the assertion message)."""
    changed = []
    for kind in ("items", "files"):
        old, new = before[kind], after[kind]
        changed += [f"{kind} added: {k}" for k in new.keys() - old.keys()]
        changed += [f"{kind} removed: {k}" for k in old.keys() - new.keys()]
        changed += [f"{kind} changed: {k}" for k in old.keys() & new.keys() if old[k] != new[k]]
    return sorted(changed)
