"""Demo business data for the ``DEMO`` tenant, created through the same services the API
uses: 3 technicians (Mike Johnson has a ``technician`` login), 5 line items in 3
categories, 3 customers and a few commission rules. Called once by ``infra/local/seed.py``
right after the tenant is registered.

The technician's password is random, kept in ``.local/demo-technician-login.txt``
(git-ignored) like the admin's.
"""

from __future__ import annotations

import secrets

from chalicelib.catalog import service as line_items
from chalicelib.commission import service as commission_config
from chalicelib.commission.rules import TechItemOverride
from chalicelib.customers import service as customers
from chalicelib.settings import service as tenant_settings
from chalicelib.technicians import service as technicians
from infra.local.files import read_or_create

TECH_USERNAME = "mike"
TECH_PASSWORD_FILE = "demo-technician-login.txt"

TECHNICIANS = [
    {
        "name": "Mike Johnson",
        "email": "mike@demo.tradekitt.test",
        "phone": "813-555-0101",
        "pay_type": "hourly",
        "base_pay_cents": 2500,
        "skills": ["hvac", "refrigeration"],
        "service_zones": ["33601", "33602"],
    },
    {
        "name": "Sara Lopez",
        "email": "sara@demo.tradekitt.test",
        "phone": "813-555-0102",
        "pay_type": "salary",
        "base_pay_cents": 240000,
        "skills": ["hvac", "ductwork"],
        "service_zones": ["33603", "33604"],
    },
    {
        "name": "Dan Price",
        "email": "dan@demo.tradekitt.test",
        "phone": "813-555-0103",
        "pay_type": "commission",
        "base_pay_cents": 0,
        "skills": ["installation"],
        "service_zones": ["33601", "33605"],
    },
]
LINE_ITEMS = [
    {"name": "AC Tune-Up", "category": "Maintenance", "price_cents": 12900},
    {"name": "Annual Maintenance Plan", "category": "Maintenance", "price_cents": 29900},
    {"name": "Capacitor Replacement", "category": "Repair", "price_cents": 24500},
    {
        "name": "Refrigerant Recharge",
        "category": "Repair",
        "price_cents": 35000,
        "default_commission_bps": 600,
    },
    {
        "name": "16 SEER Heat Pump System",
        "category": "Installation",
        "price_cents": 850000,
        "default_commission_bps": 300,
    },
]
CUSTOMERS = [
    {
        "name": "John Smith",
        "email": "john.smith@example.com",
        "phone": "813-555-0201",
        "address": "123 Oak St",
        "city": "Tampa",
        "state": "FL",
        "zip": "33601",
    },
    {
        "name": "Maria Garcia",
        "email": "maria.garcia@example.com",
        "phone": "813-555-0202",
        "address": "45 Bayshore Blvd",
        "city": "Tampa",
        "state": "FL",
        "zip": "33606",
    },
    {
        "name": "Oak Street Dental",
        "email": "office@oakdental.example.com",
        "phone": "813-555-0203",
        "address": "900 Oak St",
        "city": "Tampa",
        "state": "FL",
        "zip": "33602",
    },
]


def technician_password() -> str:
    return read_or_create(TECH_PASSWORD_FILE, lambda: "tech-" + secrets.token_urlsafe(12))


def seed(tenant_id: str) -> None:
    tenant_settings.update(
        tenant_id,
        {
            "default_commission_bps": 500,
            "installer_default_commission_bps": 150,
            "discount_tiers": [
                {"max_discount_bps": 500, "rate_bps": 700},
                {"max_discount_bps": 1500, "rate_bps": 400},
                {"max_discount_bps": 10000, "rate_bps": 100},
            ],
        },
    )
    techs = []
    for n, fields in enumerate(TECHNICIANS):
        login = (
            {
                "username": TECH_USERNAME,
                "password": technician_password(),
                "login_email": fields["email"],
            }
            if n == 0
            else {}
        )
        techs.append(technicians.create(tenant_id, fields, **login))
    items = [line_items.create(tenant_id, fields) for fields in LINE_ITEMS]
    for fields in CUSTOMERS:
        customers.create(tenant_id, fields)

    mike, sara, dan = (int(t.technician_id) for t in techs)
    plan_item = int(items[1].item_id)
    system = int(items[4].item_id)
    # Mike: 7.5% on maintenance plans (the seed's example), 10% on repairs.
    commission_config.put_override(
        tenant_id, mike, plan_item, TechItemOverride(commission_rate_bps=750), actor=1
    )
    commission_config.put_category_rate(tenant_id, mike, "Repair", 1000)
    # Sara: 5% on the first $1,000 and 8% above; $150 flat per system, 20% of any overage.
    commission_config.put_plan(
        tenant_id,
        sara,
        "technician",
        {
            "kind": "tiered",
            "tiers": [
                {"up_to_cents": 100000, "rate_bps": 500},
                {"up_to_cents": None, "rate_bps": 800},
            ],
        },
    )
    commission_config.put_override(
        tenant_id, sara, system, TechItemOverride(flat_cents=15000, ov_rate_bps=2000), actor=1
    )
    # Dan installs: 2% as installer.
    commission_config.put_plan(
        tenant_id, dan, "installer", {"kind": "percentage", "rate_bps": 200, "tiers": []}
    )
