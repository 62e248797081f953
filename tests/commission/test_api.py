"""``/admin/commission-config``: every rule level, and how a sale resolves them (most
specific first), with worked examples in integer cents."""

from __future__ import annotations

from urllib.parse import quote

from tests.support.isolation import assert_isolated
from tests.support.sales_helpers import (
    SEED_COMMISSION_CONFIG,
    line_item,
    record,
    seed_catalog,
    staff,
    technician,
)

CFG = "/admin/commission-config"


def _sale(api, owner, **body):
    return record(
        api, owner, {"technician_id": 1, "item_id": 5, "sale_price_cents": 150000, **body}
    )


def test_seed_put_then_get_and_delete(api, owner):
    seed_catalog(api, owner)
    reply = api.put(f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner)
    assert reply.status == 200, reply.raw
    expected = {
        "technician_id": 1,
        "item_id": 5,
        "commission_rate_bps": 750,
        "flat_cents": None,
        "ov_rate_bps": 0,
        "discount_scale_enabled": False,
    }
    assert {k: reply.data[k] for k in expected} == expected
    assert api.get(f"{CFG}/tech/1/item/5", as_=owner).data == reply.data
    # PUT replaces
    reply = api.put(f"{CFG}/tech/1/item/5", {"flat_cents": 2500}, as_=owner)
    assert reply.data["flat_cents"] == 2500 and reply.data["commission_rate_bps"] is None
    listing = api.get(f"{CFG}/tech/1", as_=owner).data
    assert [o["item_id"] for o in listing["items"]] == [5]
    assert api.delete(f"{CFG}/tech/1/item/5", as_=owner).data == {"deleted": True}
    assert api.get(f"{CFG}/tech/1/item/5", as_=owner).status == 404
    assert api.delete(f"{CFG}/tech/1/item/5", as_=owner).status == 404
    # unknown technician or item: 404
    assert api.put(f"{CFG}/tech/9/item/5", SEED_COMMISSION_CONFIG, as_=owner).status == 404
    assert api.put(f"{CFG}/tech/1/item/9", SEED_COMMISSION_CONFIG, as_=owner).status == 404


def test_bad_config_is_422(api, owner):
    seed_catalog(api, owner)
    cases = [
        (f"{CFG}/tech/1/item/5", {"ov_rate_bps": 0}, "body"),  # neither rate nor flat
        (f"{CFG}/tech/1/item/5", {"commission_rate_bps": 750, "flat_cents": 100}, "body"),
        (f"{CFG}/tech/1/item/5", {"commission_rate_bps": 7.5}, "commission_rate_bps"),
        (f"{CFG}/tech/1/item/5", {"commission_rate_bps": 10001}, "commission_rate_bps"),
        (f"{CFG}/tech/1/item/5", {"flat_cents": -100}, "flat_cents"),
        (
            f"{CFG}/tech/1/item/5",
            {"commission_rate_bps": 750, "discount_scale_enabled": "no"},
            "discount_scale_enabled",
        ),
        (
            f"{CFG}/tech/1/plan/technician",
            {
                "kind": "tiered",
                "tiers": [
                    {"up_to_cents": 100000, "rate_bps": 500},
                    {"up_to_cents": 50000, "rate_bps": 800},
                    {"up_to_cents": None, "rate_bps": 900},
                ],
            },
            "body",
        ),
        (
            f"{CFG}/tech/1/plan/technician",
            {"kind": "tiered", "tiers": [{"up_to_cents": 100000, "rate_bps": 500}]},
            "body",
        ),
        (f"{CFG}/tech/1/plan/technician", {"kind": "percentage"}, "body"),
        (f"{CFG}/tech/1/plan/technician", {"kind": "bonus", "rate_bps": 1}, "kind"),
        (f"{CFG}/tech/1/category/Parts", {"commission_rate_bps": "5%"}, "commission_rate_bps"),
    ]
    for path, body, field in cases:
        reply = api.put(path, body, as_=owner)
        assert reply.status == 422, (path, body, reply.raw)
        assert reply.error["code"] == "VALIDATION_ERROR"
        assert reply.error["details"][0]["field"] == field, (body, reply.error)
    assert api.get(f"{CFG}/tech/1/item/5", as_=owner).status == 404
    assert (
        api.put(f"{CFG}/tech/1/plan/boss", {"kind": "percentage", "rate_bps": 1}, as_=owner).status
        == 404
    )
    technician_user = staff(owner, "technician")
    dispatcher = staff(owner, "dispatcher")
    for user in (technician_user, dispatcher):
        assert api.put(f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=user).status == 403
        assert api.get(f"{CFG}/tenant", as_=user).status == 403


def test_each_level_wins_in_order(api, owner):
    """Override > category rate > technician plan > item default > tenant default."""
    seed_catalog(api, owner)  # item 5 is "Maintenance", list $1,500.00
    manager = staff(owner, "manager")
    reply = api.patch(f"{CFG}/tenant", {"default_commission_bps": 200}, as_=manager)
    assert reply.status == 200 and reply.data["default_commission_bps"] == 200
    assert api.put(f"{CFG}/item/5", {"commission_rate_bps": 300}, as_=owner).status == 200
    assert (
        api.put(
            f"{CFG}/tech/1/plan/technician", {"kind": "percentage", "rate_bps": 400}, as_=owner
        ).status
        == 200
    )
    reply = api.put(f"{CFG}/tech/1/category/maintenance", {"commission_rate_bps": 500}, as_=owner)
    assert reply.status == 200 and reply.data["category"] == "maintenance"
    assert api.put(f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner).status == 200

    expected = [
        ("tech_item", 11250),
        ("tech_category", 7500),
        ("tech_plan", 6000),
        ("item_default", 4500),
        ("tenant_default", 3000),
    ]
    removals = [
        f"{CFG}/tech/1/item/5",
        f"{CFG}/tech/1/category/MAINTENANCE",
        f"{CFG}/tech/1/plan/technician",
        f"{CFG}/item/5",
    ]
    for n, (rule, cents) in enumerate(expected):
        sale = _sale(api, owner)
        assert sale["commission_snapshot"]["rule"] == rule, sale["commission_snapshot"]
        assert sale["commission_cents"] == cents
        if n < len(removals):
            assert api.delete(removals[n], as_=owner).status == 200
    # the first sale still carries its own snapshot
    first = api.get("/sales/1", as_=owner).data
    assert first["commission_cents"] == 11250
    assert first["commission_snapshot"]["rule"] == "tech_item"
    assert first["commission_snapshot"]["rate_bps"] == 750


def test_worked_examples(api, owner):
    seed_catalog(api, owner)
    # 5% on the first $1,000 and 8% above: $1,500 pays $50.00 + $40.00 = $90.00
    plan = {
        "kind": "tiered",
        "tiers": [{"up_to_cents": 100000, "rate_bps": 500}, {"up_to_cents": None, "rate_bps": 800}],
    }
    reply = api.put(f"{CFG}/tech/1/plan/technician", plan, as_=owner)
    assert reply.status == 200 and reply.data["tiers"] == plan["tiers"]
    sale = _sale(api, owner)
    assert sale["commission_cents"] == 9000
    assert [(c["label"], c["amount_cents"]) for c in sale["commission_snapshot"]["components"]] == [
        ("tier_1", 5000),
        ("tier_2", 4000),
    ]

    # discount scale: sold 10% under list -> the 10-20% tier's 3% replaces the 10% rate
    api.patch(
        f"{CFG}/tenant",
        {
            "discount_tiers": [
                {"max_discount_bps": 500, "rate_bps": 700},
                {"max_discount_bps": 2000, "rate_bps": 300},
            ]
        },
        as_=owner,
    )
    api.put(
        f"{CFG}/tech/1/item/5",
        {"commission_rate_bps": 1000, "discount_scale_enabled": True},
        as_=owner,
    )
    sale = _sale(api, owner, sale_price_cents=135000)
    snap = sale["commission_snapshot"]
    assert snap["discount_bps"] == 1000 and snap["discount_scale_applied"] is True
    assert snap["effective_rate_bps"] == 300 and sale["commission_cents"] == 4050

    # overage: 5% base plus 20% of the $100 above list
    api.put(f"{CFG}/tech/1/item/5", {"commission_rate_bps": 500, "ov_rate_bps": 2000}, as_=owner)
    sale = _sale(api, owner, sale_price_cents=160000)
    assert sale["commission_cents"] == 8000 + 2000

    # flat per unit, quantity 2
    api.put(f"{CFG}/tech/1/item/5", {"flat_cents": 2500}, as_=owner)
    sale = _sale(api, owner, sale_price_cents=300000, quantity=2)
    assert sale["commission_cents"] == 5000 and sale["quantity"] == 2

    # round half to even, once: 1% of $2.50 is 2.5 cents -> 2; of $1.50 is 1.5 -> 2
    assert api.delete(f"{CFG}/tech/1/plan/technician", as_=owner).status == 200
    cheap = line_item(
        api, owner, name="Washer", category="Parts", price_cents=250, default_commission_bps=100
    )
    sale = record(api, owner, {"technician_id": 1, "item_id": cheap["id"], "sale_price_cents": 250})
    assert sale["commission_cents"] == 2
    sale = record(api, owner, {"technician_id": 1, "item_id": cheap["id"], "sale_price_cents": 150})
    assert sale["commission_cents"] == 2


def test_installer_commission(api, owner):
    seed_catalog(api, owner)
    installer = technician(api, owner, name="Ian Installer")
    api.put(f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner)
    sale = _sale(api, owner, installer_id=installer["id"])
    assert sale["installer_id"] == installer["id"]
    assert sale["installer_commission_cents"] == 0  # no installer plan, tenant default 0
    api.patch(f"{CFG}/tenant", {"installer_default_commission_bps": 100}, as_=owner)
    sale = _sale(api, owner, installer_id=installer["id"])
    assert sale["installer_commission_cents"] == 1500
    assert sale["installer_commission_snapshot"]["rule"] == "tenant_default"
    assert sale["installer_commission_snapshot"]["role"] == "installer"
    reply = api.put(
        f"{CFG}/tech/{installer['id']}/plan/installer",
        {"kind": "percentage", "rate_bps": 250},
        as_=owner,
    )
    assert reply.status == 200 and reply.data["role"] == "installer"
    sale = _sale(api, owner, installer_id=installer["id"])
    assert sale["installer_commission_cents"] == 3750
    assert sale["commission_cents"] == 11250  # the seller's rule is unaffected
    config = api.get(f"{CFG}/tech/{installer['id']}", as_=owner).data
    assert config["plans"]["installer"]["rate_bps"] == 250
    assert api.get(f"{CFG}/tech/{installer['id']}/plan/technician", as_=owner).status == 404


def test_tenant_isolation(api, owner, other):
    seed_catalog(api, owner)
    api.put(f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner)
    api.put(f"{CFG}/tech/1/category/Parts", {"commission_rate_bps": 333}, as_=owner)
    api.put(f"{CFG}/tech/1/plan/technician", {"kind": "percentage", "rate_bps": 444}, as_=owner)
    api.put(f"{CFG}/item/5", {"commission_rate_bps": 555}, as_=owner)
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"{CFG}/tech/1/item/5", None),
            ("PUT", f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG),
            ("DELETE", f"{CFG}/tech/1/item/5", None),
            ("GET", f"{CFG}/tech/1", None),
            ("GET", f"{CFG}/tech/1/category/Parts", None),
            ("PUT", f"{CFG}/tech/1/category/Parts", {"commission_rate_bps": 1}),
            ("DELETE", f"{CFG}/tech/1/category/Parts", None),
            ("GET", f"{CFG}/tech/1/plan/technician", None),
            ("PUT", f"{CFG}/tech/1/plan/technician", {"kind": "percentage", "rate_bps": 1}),
            ("DELETE", f"{CFG}/tech/1/plan/technician", None),
            ("GET", f"{CFG}/item/5", None),
            ("PUT", f"{CFG}/item/5", {"commission_rate_bps": 1}),
            ("DELETE", f"{CFG}/item/5", None),
        ],
    )
    config = api.get(f"{CFG}/tech/1", as_=owner).data
    assert config["items"][0]["commission_rate_bps"] == 750
    assert config["category_rates"] == [{"category": "Parts", "commission_rate_bps": 333}]
    assert config["plans"]["technician"]["rate_bps"] == 444
    assert api.get(f"{CFG}/item/5", as_=owner).data["commission_rate_bps"] == 555
    assert api.get(f"{CFG}/tenant", as_=other).data["default_commission_bps"] == 0


def test_any_category_spelling_round_trips_and_never_breaks_the_store(api, owner):
    """Brackets and dots are DynamoDB document-path syntax; a category is just text to a
    business ("Parts [misc]"), so it is set, read and removed like any other (a fuzzer found
    a 500 on DELETE with a ``]`` in the path)."""
    technician(api, owner)
    spellings = ["Parts [misc]", "a[0]", "]", "Ducts.Vents", "Wärme\u00adpumpe", "x\x14y"]
    for category in spellings:
        path = f"{CFG}/tech/1/category/{quote(category, safe='')}"
        assert api.delete(path, as_=owner).status == 404, category
        reply = api.put(path, {"commission_rate_bps": 125}, as_=owner)
        assert reply.status == 200, (category, reply.raw)
        assert api.get(path, as_=owner).data["commission_rate_bps"] == 125
    listed = api.get(f"{CFG}/tech/1", as_=owner).data["category_rates"]
    assert sorted(rate["category"] for rate in listed) == sorted(spellings)
    item = line_item(api, owner, category="PARTS  [misc]")
    sale = record(
        api, owner, {"technician_id": 1, "item_id": item["id"], "sale_price_cents": 10000}
    )
    assert sale["commission_snapshot"]["rule"] == "tech_category"
    assert sale["commission_cents"] == 125
    for category in spellings:
        path = f"{CFG}/tech/1/category/{quote(category, safe='')}"
        assert api.delete(path, as_=owner).status == 200, category
        assert api.get(path, as_=owner).status == 404
    too_long = quote("c" * 101, safe="")
    reply = api.put(f"{CFG}/tech/1/category/{too_long}", {"commission_rate_bps": 1}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "category"
