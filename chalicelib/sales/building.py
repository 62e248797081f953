"""Building the sale a request records: the checks of the technicians, line item and
customer it names, its commission snapshot (today's configuration) and the unsaved item.
Shared by ``POST /sales`` (``sales.service.record``) and the bulk import (``sales.bulk``),
so both check, price and store a sale the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.catalog.rules import category_key
from chalicelib.commission import rules as commission_rules
from chalicelib.core.auth import Principal
from chalicelib.core.errors import invalid
from chalicelib.sales import rules, store
from chalicelib.sales.models import SaleIn
from chalicelib.sales.store import SaleItem
from chalicelib.technicians import service as technicians


def opt_int(value: Any) -> int | None:
    return int(value) if value is not None else None


def check_parties(data: SaleIn, inputs: dict[str, Any]) -> None:
    """Each technician, item and customer the sale names exists (and is active)."""
    for field, label, wanted, found in (
        ("technician_id", "technician", data.technician_id, inputs["technician"]),
        ("item_id", "line item", data.item_id, inputs["item"]),
        ("installer_id", "technician", data.installer_id, inputs.get("installer")),
    ):
        if wanted is None:
            continue
        if found is None:
            raise invalid(field, f"{label} {wanted} does not exist")
        if not found.active:
            raise invalid(field, f"{label} {wanted} is inactive")
    if data.customer_id is not None and inputs.get("customer") is None:
        raise invalid("customer_id", f"customer {data.customer_id} does not exist")


def new_sale_item(
    principal: Principal,
    data: SaleIn,
    sale_id: int,
    priced: tuple[Any, Any, dict[str, Any], dict[str, Any] | None],
    customer: tuple[int | None, str | None, str | None],
    sale_date: date,
    now: datetime,
) -> SaleItem:
    """The (unsaved) sale a request records: ``priced`` is (technician, line item, the
    commission snapshot, the installer's), ``customer`` (id, name, e-mail) as linked.
    Shared by ``record`` and the bulk import (``sales.bulk``), so both store the same."""
    tech, item, snapshot, installer_snapshot = priced
    customer_id, customer_name, email = customer
    return store.new_sale(
        principal.tenant_id,
        sale_id,
        **data.model_dump(exclude={"customer_id", "customer_name", "customer_email", "sale_date"}),
        technician_name=tech.name,
        item_name=item.name,
        item_category=item.category,
        list_price_cents=opt_int(item.price_cents),
        commission_cents=snapshot["commission_cents"],
        installer_commission_cents=(installer_snapshot or {}).get("commission_cents", 0),
        commission_snapshot=snapshot,
        installer_commission_snapshot=installer_snapshot,
        customer_id=customer_id,
        customer_name=customer_name,
        customer_email=email,
        sale_date=sale_date.isoformat(),
        approval_status=rules.PENDING,
        payment_status=rules.UNPAID,
        voided=False,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )


def commissions(
    data: SaleIn, tenant_settings: dict[str, Any], inputs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    tech, item, o = inputs["technician"], inputs["item"], inputs["override"]
    tenant = commission_rules.TenantCommission.from_settings(tenant_settings)
    override = None
    if o is not None:
        override = {
            "commission_rate_bps": opt_int(o.commission_rate_bps),
            "flat_cents": opt_int(o.flat_cents),
            "ov_rate_bps": int(o.ov_rate_bps or 0),
            "discount_scale_enabled": bool(o.discount_scale_enabled),
        }
    category = technicians.rules_of(tech, technicians.CATEGORY_RATES).get(
        category_key(item.category)
    )
    try:
        seller = commission_rules.seller_config(
            tenant,
            override=override,
            category_rate_bps=category["rate_bps"] if category else None,
            plan=technicians.rules_of(tech, technicians.PLANS).get(rules.TECHNICIAN),
            item_default_bps=opt_int(item.default_commission_bps),
        )
        installer = None
        if inputs.get("installer") is not None:
            installer = commission_rules.installer_config(
                tenant,
                technicians.rules_of(inputs["installer"], technicians.PLANS).get(rules.INSTALLER),
            )
        line = commission_rules.SaleLine(
            sale_price_cents=data.sale_price_cents,
            list_price_cents=opt_int(item.price_cents),
            quantity=data.quantity,
        )
        snapshot, installer_snapshot = commission_rules.commissions(line, seller, installer)
    except commission_rules.CommissionRuleError as exc:
        raise exc.at("commission") from exc
    return snapshot.to_dict(), installer_snapshot.to_dict() if installer_snapshot else None
