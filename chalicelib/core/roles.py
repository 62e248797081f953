"""Roles and what each may do (SPEC.md "Tenants, users, roles").

- ``admin``: everything.
- ``manager``: everything but tenant settings, users and webhooks.
- ``dispatcher``: dispatch, customers, and reading technicians.
- ``technician``: own sales, own jobs, own time, own expenses, own statements
  (the ``/tech/...`` and self-service routes; ownership is checked by the route).

Routes name a permission; this table is the only place that says which role has it.
"""

from __future__ import annotations

from collections.abc import Iterable

ADMIN = "admin"
MANAGER = "manager"
DISPATCHER = "dispatcher"
TECHNICIAN = "technician"
ROLES = (ADMIN, MANAGER, DISPATCHER, TECHNICIAN)

# Permissions: "<area>:<read|write>" for back-office areas, "self:<area>" for own data.
SETTINGS_WRITE = "settings:write"
USERS_WRITE = "users:write"
WEBHOOKS_WRITE = "webhooks:write"
TECHNICIANS_READ = "technicians:read"
TECHNICIANS_WRITE = "technicians:write"
CUSTOMERS_READ = "customers:read"
CUSTOMERS_WRITE = "customers:write"
DISPATCH_READ = "dispatch:read"
DISPATCH_WRITE = "dispatch:write"
SALES_ALL = "sales:all"  # see and manage every technician's sales
SALES_APPROVE = "sales:approve"
COMMISSION_CONFIG = "commission:write"
PAYROLL = "payroll:write"  # pay periods, exports
BILLING = "billing:write"  # invoices, estimates, agreements
INVENTORY = "inventory:write"
ANALYTICS = "analytics:read"
FORMS_READ = "forms:read"  # form templates (dispatchers read what a job needs)
FORMS_WRITE = "forms:write"  # configure form templates
ZONES_READ = "zones:read"  # service zones (dispatchers read them to dispatch)
ZONES_WRITE = "zones:write"  # configure service zones
SKILLS_READ = "skills:read"  # the skills catalogue and technicians' levels
SKILLS_WRITE = "skills:write"  # configure skills and technicians' levels
SLA_READ = "sla:read"  # SLA policies and violations (dispatchers read them)
SLA_WRITE = "sla:write"  # configure SLA policies
INVOICES_READ = "invoices:read"  # invoices and their PDFs (admins, managers)
INVOICES_WRITE = "invoices:write"  # create, change, send, pay, void invoices
SELF = "self"  # any signed-in staff user acting on their own data

_BACK_OFFICE = frozenset(
    {
        TECHNICIANS_READ,
        TECHNICIANS_WRITE,
        CUSTOMERS_READ,
        CUSTOMERS_WRITE,
        DISPATCH_READ,
        DISPATCH_WRITE,
        SALES_ALL,
        SALES_APPROVE,
        COMMISSION_CONFIG,
        PAYROLL,
        BILLING,
        INVENTORY,
        ANALYTICS,
        ZONES_READ,
        ZONES_WRITE,
        SKILLS_READ,
        SKILLS_WRITE,
        FORMS_READ,
        FORMS_WRITE,
        SLA_READ,
        SLA_WRITE,
        INVOICES_READ,
        INVOICES_WRITE,
        SELF,
    }
)

PERMISSIONS: dict[str, frozenset[str]] = {
    ADMIN: _BACK_OFFICE | {SETTINGS_WRITE, USERS_WRITE, WEBHOOKS_WRITE},
    MANAGER: _BACK_OFFICE,
    DISPATCHER: frozenset(
        {
            DISPATCH_READ,
            DISPATCH_WRITE,
            CUSTOMERS_READ,
            CUSTOMERS_WRITE,
            TECHNICIANS_READ,
            ZONES_READ,
            SKILLS_READ,
            FORMS_READ,
            SLA_READ,
            SELF,
        }
    ),
    TECHNICIAN: frozenset({SELF}),
}


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    """Union of the permissions of every known role in ``roles``."""
    granted: set[str] = set()
    for role in roles:
        granted |= PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def can(roles: Iterable[str], permission: str) -> bool:
    """True when any of ``roles`` grants ``permission``."""
    return permission in permissions_of(roles)


def is_admin(roles: Iterable[str]) -> bool:
    return ADMIN in set(roles)


def validate_roles(roles: Iterable[str]) -> list[str]:
    """Known roles, deduplicated in order; raises ValueError naming an unknown one."""
    seen: list[str] = []
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        if role not in seen:
            seen.append(role)
    if not seen:
        raise ValueError("at least one role is required")
    return seen
