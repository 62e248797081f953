"""PynamoDB models of the single table. Key values are built only by ``store.keys``."""
from __future__ import annotations

from pynamodb.attributes import (BooleanAttribute, JSONAttribute, ListAttribute,
                                 MapAttribute,
                                 NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute)

from chalicelib.store.table import BaseItem, Gsi2, register


@register
class TenantItem(BaseItem):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    business_code = UnicodeAttribute()
    settings = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class BusinessCodeItem(BaseItem):
    tenant_id = UnicodeAttribute()


@register
class UserItem(BaseItem):
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    roles = ListAttribute(of=UnicodeAttribute, default=list)
    technician_id = NumberAttribute(null=True)
    active = BooleanAttribute(default=True)
    failed_logins = NumberAttribute(default=0)
    locked_until = UTCDateTimeAttribute(null=True)
    mfa = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_login_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=1)

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.username


@register
class PointerItem(BaseItem):
    """A uniqueness/lookup item: username, e-mail or owner username -> user."""

    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()


@register
class SessionItem(BaseItem):
    """A refresh-token family. ``current_jti`` is the only refresh token that may be used."""

    session_id = UnicodeAttribute()
    user_id = NumberAttribute()
    current_jti = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    rotated_at = UTCDateTimeAttribute(null=True)


@register
class CounterItem(BaseItem):
    value = NumberAttribute(default=0)


@register
class RateWindowItem(BaseItem):
    hits = NumberAttribute(default=0)


@register
class EventItem(BaseItem):
    tenant_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    data = JSONAttribute()
    created_at = UnicodeAttribute()


# --- technicians, line items, customers, commission config, sales (issue 3) ------------
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
    user_id = NumberAttribute(null=True)
    username = UnicodeAttribute(null=True)
    category_rates = MapAttribute(default=dict)
    plans = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class LineItemItem(BaseItem):
    tenant_id = UnicodeAttribute()
    item_id = NumberAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute()
    price_cents = NumberAttribute()
    description = UnicodeAttribute(null=True)
    sku = UnicodeAttribute(null=True)
    default_commission_bps = NumberAttribute(null=True)
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class CustomerItem(BaseItem):
    tenant_id = UnicodeAttribute()
    customer_id = NumberAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    city = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    zip = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class CustomerPointerItem(BaseItem):
    """Per-tenant lookup/uniqueness item: customer e-mail -> customer id."""

    tenant_id = UnicodeAttribute()
    customer_id = NumberAttribute()


@register
class CommissionOverrideItem(BaseItem):
    """Technician x line item override (rule level 1)."""

    tenant_id = UnicodeAttribute()
    technician_id = NumberAttribute()
    item_id = NumberAttribute()
    commission_rate_bps = NumberAttribute(null=True)
    flat_cents = NumberAttribute(null=True)
    ov_rate_bps = NumberAttribute(default=0)
    discount_scale_enabled = BooleanAttribute(default=False)
    updated_at = UTCDateTimeAttribute()
    updated_by = NumberAttribute(null=True)


@register
class SaleItem(BaseItem):
    """A sale with its frozen commission snapshots. gsi1: tenant by date; gsi2: technician
    by date (both sort keys ``<sale_date>#<id>``)."""

    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    tenant_id = UnicodeAttribute()
    sale_id = NumberAttribute()
    technician_id = NumberAttribute()
    technician_name = UnicodeAttribute(null=True)
    item_id = NumberAttribute()
    item_name = UnicodeAttribute(null=True)
    item_category = UnicodeAttribute(null=True)
    installer_id = NumberAttribute(null=True)
    quantity = NumberAttribute(default=1)
    sale_price_cents = NumberAttribute()
    list_price_cents = NumberAttribute(null=True)
    commission_cents = NumberAttribute()
    installer_commission_cents = NumberAttribute(default=0)
    commission_snapshot = JSONAttribute()
    installer_commission_snapshot = JSONAttribute(null=True)
    customer_id = NumberAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)
    customer_email = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    payment_type = UnicodeAttribute(null=True)
    sale_date = UnicodeAttribute()
    approval_status = UnicodeAttribute(default="pending")
    approval_reason = UnicodeAttribute(null=True)
    approved_by = NumberAttribute(null=True)
    approved_at = UTCDateTimeAttribute(null=True)
    payment_status = UnicodeAttribute(default="unpaid")
    payment_date = UnicodeAttribute(null=True)
    voided = BooleanAttribute(default=False)
    voided_at = UTCDateTimeAttribute(null=True)
    voided_by = NumberAttribute(null=True)
    void_reason = UnicodeAttribute(null=True)
    clawback_cents = NumberAttribute(null=True)
    created_by = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    # +1 on every change that its pay period counts (see PayPeriodItem.revision)
    revision = NumberAttribute(null=True)


@register
class SaleGuardItem(BaseItem):
    """Written with a sale recorded under an Idempotency-Key: even if the Powertools record
    is lost (timeout between commit and completion), a retry finds this and never creates
    a second sale."""

    sale_id = NumberAttribute()
    payload_hash = UnicodeAttribute()


@register
class AdjustmentItem(BaseItem):
    """A signed commission adjustment (negative: clawback of a sale voided after its pay
    period closed), dated in the open period it counts in."""

    tenant_id = UnicodeAttribute()
    technician_id = NumberAttribute()
    sale_id = NumberAttribute()
    role = UnicodeAttribute()
    amount_cents = NumberAttribute()
    reason = UnicodeAttribute()
    effective_date = UnicodeAttribute()
    period_start = UnicodeAttribute()
    created_by = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()


@register
class PayPeriodItem(BaseItem):
    """A pay period (``keys.pay_period_key``, keyed by its first day). ``status`` "open" |
    "closing" | "closed": anything but "open" locks the sales dated in it.

    Created (or checked) by the transaction that records a sale dated in it, which also
    counts ``sales_count`` and ``revision`` (the sum of the revisions of its sales: +1 per
    sale recorded, approved, rejected or voided), so closing can tell when the date index
    holds every sale at its latest version. ``period_id`` is the integer id (assigned on
    first listing, with a ``PayPeriodPointerItem``). Closing sets ``close_token`` and
    ``lease_until`` (the closer's lease), then ``summary`` (period totals) with
    ``frozen_at`` once the totals and statement data are frozen, ``exports`` (S3 keys,
    sizes, SHA-256) as files are written, and ``closed_at``/``closed_by``."""

    tenant_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")
    frequency = UnicodeAttribute(null=True)
    start_date = UnicodeAttribute(null=True)
    end_date = UnicodeAttribute(null=True)
    period_id = NumberAttribute(null=True)
    sales_count = NumberAttribute(null=True)
    revision = NumberAttribute(null=True)
    adjustments_count = NumberAttribute(null=True)
    close_token = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)
    closing_started_at = UnicodeAttribute(null=True)
    frozen_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closed_by = NumberAttribute(null=True)
    summary = JSONAttribute(null=True)
    exports = JSONAttribute(null=True)


@register
class PayPeriodPointerItem(BaseItem):
    """``keys.pay_period_id_key``: integer id -> the period's first day."""

    tenant_id = UnicodeAttribute()
    start_date = UnicodeAttribute()


@register
class PayTotalItem(BaseItem):
    """One technician's frozen totals of a closed period (``keys.pay_total_key``):
    ``totals`` is ``domain.pay_periods.TechnicianTotals.to_dict()``."""

    tenant_id = UnicodeAttribute()
    period_start = UnicodeAttribute()
    technician_id = NumberAttribute()
    totals = JSONAttribute()
    lines_count = NumberAttribute(default=0)
    adjustments_count = NumberAttribute(default=0)


# --- webhooks --------------------------------------------------------------------------
@register
class WebhookEndpointItem(BaseItem):
    """A subscriber endpoint (``keys.webhook_key``). ``secret`` signs deliveries and is
    returned only when created or rotated; ``previous_secret`` keeps signing (as a second
    signature) until ``previous_secret_expires_at`` so receivers can roll over."""

    tenant_id = UnicodeAttribute()
    endpoint_id = NumberAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute, default=list)
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_secret_expires_at = NumberAttribute(null=True)
    description = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    disabled_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class WebhookAttemptMap(MapAttribute):
    """One logged delivery attempt (appended to its delivery with ``list_append``)."""

    attempt = NumberAttribute()
    attempted_at = UnicodeAttribute()
    trigger = UnicodeAttribute()
    status_code = NumberAttribute(null=True)
    duration_ms = NumberAttribute()
    error = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute()  # success | retry | failed | disable


@register
class WebhookDeliveryItem(BaseItem):
    """One event for one endpoint (``keys.webhook_delivery_key``), with every attempt.

    ``attempt_count`` counts claimed attempts, ``recorded_count`` those whose outcome is
    written; ``lease_until`` bounds an in-flight attempt (see domain.webhook_deliveries)."""

    tenant_id = UnicodeAttribute()
    endpoint_id = NumberAttribute()
    delivery_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    event_created_at = UnicodeAttribute()
    data = JSONAttribute()
    trigger = UnicodeAttribute(default="automatic")
    status = UnicodeAttribute(default="pending")
    attempt_count = NumberAttribute(default=0)
    recorded_count = NumberAttribute(default=0)
    final_attempt = NumberAttribute()
    lease_until = NumberAttribute(default=0)
    next_attempt_at = UnicodeAttribute(null=True)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    attempts = ListAttribute(of=WebhookAttemptMap, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
