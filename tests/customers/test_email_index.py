"""``customers.service.tenants_with_email``: the global e-mail index (gsi1 on the tenants'
e-mail pointers), kept in step on create, e-mail change and clearing; two tenants."""

from __future__ import annotations

from chalicelib.customers import service as customers


def _tenants(email: str, limit: int = 50) -> set[tuple[str, int]]:
    return set(customers.tenants_with_email(email, limit))


def test_two_tenants_with_one_email(api, owner, other):
    mine = api.post("/admin/customers", {"name": "Ann", "email": "Ann@Example.com"}, as_=owner)
    theirs = api.post("/admin/customers", {"name": "Ann B", "email": "ann@example.com"}, as_=other)
    assert mine.status == theirs.status == 201
    both = {(owner.tenant_id, mine.data["id"]), (other.tenant_id, theirs.data["id"])}
    assert _tenants("  ANN@example.COM ") == both  # normalised like the records
    assert len(customers.tenants_with_email("ann@example.com", limit=1)) == 1  # bounded
    assert customers.tenants_with_email("nobody@example.com") == []
    assert customers.tenants_with_email("") == []


def test_the_index_follows_email_changes(api, owner, other):
    bob = api.post("/admin/customers", {"name": "Bob", "email": "bob@example.com"}, as_=owner).data
    api.post("/admin/customers", {"name": "Bob", "email": "bob@example.com"}, as_=other)
    reply = api.patch(f"/admin/customers/{bob['id']}", {"email": "rob@example.com"}, as_=owner)
    assert reply.status == 200
    assert {t for t, _ in _tenants("bob@example.com")} == {other.tenant_id}
    assert _tenants("rob@example.com") == {(owner.tenant_id, bob["id"])}
    assert api.patch(f"/admin/customers/{bob['id']}", {"email": None}, as_=owner).status == 200
    assert _tenants("rob@example.com") == set()


def test_customers_made_by_a_sale_are_indexed(api, owner):
    from tests.support.sales_helpers import line_item, technician

    body = {
        "technician_id": technician(api, owner)["id"],
        "item_id": line_item(api, owner)["id"],
        "sale_price_cents": 1000,
        "customer_name": "Cy",
        "customer_email": "cy@example.com",
    }
    sale = api.post("/sales", body, as_=owner)
    assert sale.status == 201, sale.raw
    assert _tenants("cy@example.com") == {(owner.tenant_id, sale.data["customer_id"])}


def test_the_backfill_indexes_pointers_written_before_the_index(api, owner, other):
    from chalicelib.customers import backfill
    from chalicelib.customers.store import CustomerPointerItem
    from chalicelib.platform import keys

    for account, name in ((owner, "Old"), (other, "Old too")):
        made = api.post("/admin/customers", {"name": name, "email": "old@example.com"}, as_=account)
        assert made.status == 201
    api.post("/admin/customers", {"name": "New", "email": "new@example.com"}, as_=owner)
    # as written before the index: no gsi1 keys
    for account in (owner, other):
        pointer = CustomerPointerItem.get(
            *keys.customer_email_key(account.tenant_id, "old@example.com")
        )
        pointer.update(
            actions=[CustomerPointerItem.gsi1pk.remove(), CustomerPointerItem.gsi1sk.remove()]
        )
    assert customers.tenants_with_email("old@example.com") == []
    assert backfill.main([owner.tenant_id]) == 0
    assert _tenants("old@example.com") == {(owner.tenant_id, 1)}
    assert customers.backfill_email_index(owner.tenant_id) == 0  # again: nothing to do
    assert customers.backfill_email_index(other.tenant_id) == 1
    assert {t for t, _ in _tenants("old@example.com")} == {owner.tenant_id, other.tenant_id}
    assert _tenants("new@example.com") == {(owner.tenant_id, 2)}
