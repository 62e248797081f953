"""Tenant settings (``/admin/settings``) and the tenant-wide commission settings
(``/admin/commission-config/tenant``), both stored on the tenant item (owned by accounts),
which is also what ``GET /tenants/resolve/{code}`` reads (business name and
``settings.branding``).

DynamoDB calls: read 1; update 2 (read, conditional update; retried on a concurrent
change).
"""

from __future__ import annotations

from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.accounts.service import TenantItem
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, found
from chalicelib.payperiods.rules import settings_after_change
from chalicelib.platform.tx import ConditionFailed
from chalicelib.settings import rules

MAX_ATTEMPTS = 3


def get(tenant_id: str) -> TenantItem:
    return found(accounts.get_tenant(tenant_id), "tenant not found")


def effective(tenant: TenantItem | None) -> dict[str, Any]:
    """The tenant's settings completed with the defaults (404 when there is no tenant)."""
    tenant = found(tenant, "tenant not found")
    return rules.effective(tenant.settings or {}, tenant.name)


def view(tenant: TenantItem) -> dict[str, Any]:
    return {
        "tenant_id": tenant.tenant_id,
        "business_code": tenant.business_code,
        "name": tenant.name,
        **effective(tenant),
    }


def commission_view(tenant: TenantItem) -> dict[str, Any]:
    settings = effective(tenant)
    return {key: settings[key] for key in rules.COMMISSION_KEYS}


def _with_pay_schedule(stored: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A new ``pay_period_frequency`` takes effect the day after the current pay period
    ends (``payperiods.schedule``); the schedule is kept in ``pay_period_schedule``."""
    zone = rules.effective(stored, "").get("timezone")
    return settings_after_change(stored, settings, clock.today_in(zone))


def update(tenant_id: str, changes: dict[str, Any]) -> TenantItem:
    """Merge ``changes`` (only the fields sent) into the stored settings."""
    for _ in range(MAX_ATTEMPTS):
        tenant = get(tenant_id)
        name, settings = rules.merge(tenant.settings or {}, tenant.name, changes)
        settings = _with_pay_schedule(tenant.settings or {}, settings)
        try:
            return accounts.save_tenant_settings(tenant, name, settings, clock.now())
        except ConditionFailed:
            continue
    raise Conflict("the settings were changed concurrently; retry")
