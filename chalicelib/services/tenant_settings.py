"""Tenant settings (``/admin/settings``) and the tenant-wide commission settings
(``/admin/commission-config/tenant``), both stored on the tenant item, which is also what
``GET /tenants/resolve/{code}`` reads (business name and ``settings.branding``).

DynamoDB calls: read 1; update 2 (read, conditional update; retried on a concurrent
change).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.domain import tenant_settings as rules
from chalicelib.store import tenants
from chalicelib.store.errors import ConditionFailed
from chalicelib.store.models import TenantItem

MAX_ATTEMPTS = 3
COMMISSION_FIELDS = ("default_commission_bps", "installer_default_commission_bps",
                     "discount_tiers", "discount_scale_all")


def _tenant(tenant_id: str) -> TenantItem:
    tenant = tenants.get_tenant(tenant_id)
    if tenant is None:
        raise NotFound("tenant not found")
    return tenant


def view(tenant: TenantItem) -> dict[str, Any]:
    settings = rules.effective(tenant.settings or {}, tenant.name)
    return {"tenant_id": tenant.tenant_id, "business_code": tenant.business_code,
            "name": tenant.name, **settings}


def commission_view(tenant: TenantItem) -> dict[str, Any]:
    settings = rules.effective(tenant.settings or {}, tenant.name)
    return {key: settings[key] for key in COMMISSION_FIELDS}


def get(tenant_id: str) -> TenantItem:
    return _tenant(tenant_id)


def _with_pay_schedule(stored: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A new ``pay_period_frequency`` takes effect the day after the current pay period
    ends (``domain.pay_schedule``); the schedule is kept in ``pay_period_schedule``."""
    from chalicelib.domain.pay_schedule import settings_after_change
    from chalicelib.domain.sales import tenant_today

    zone = rules.effective(stored, "").get("timezone")
    return settings_after_change(stored, settings, tenant_today(zone))


def update(tenant_id: str, changes: dict[str, Any]) -> TenantItem:
    """Merge ``changes`` (only the fields sent) into the stored settings."""
    for _ in range(MAX_ATTEMPTS):
        tenant = _tenant(tenant_id)
        try:
            name, settings = rules.merge(tenant.settings or {}, tenant.name, changes)
        except rules.SettingsInputError as exc:
            raise ValidationFailed(str(exc), details=[{"field": exc.field,
                                                       "message": str(exc)}]) from exc
        settings = _with_pay_schedule(tenant.settings or {}, settings)
        try:
            return tenants.save_settings(tenant, name, settings, datetime.now(timezone.utc))
        except ConditionFailed:
            continue
    raise Conflict("the settings were changed concurrently; retry")
