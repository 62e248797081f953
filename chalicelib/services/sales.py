"""Recording and managing sales (SPEC.md "Commission engine", seed "Sales").

Who may do what: admins and managers (``sales:all``) record and see every sale; a
technician user records and sees only the sales of the technician record linked to their
login (403 otherwise); approving/rejecting needs ``sales:approve``; payment status and
voiding need ``sales:all``.

Recording a sale (``POST /sales``), DynamoDB calls besides rate limiting:

1. Powertools ``PutItem`` of the in-progress idempotency record (only with an
   ``Idempotency-Key``);
2. one consistent ``BatchGetItem``: tenant settings, technician (with its category rates
   and plans), line item, the technician x item override, the sale (and customer) id
   counters, and when needed the installer, the customer or its e-mail pointer, and the
   caller's user;
3. one ``TransactWriteItems``: the sale, the new customer and its e-mail pointer, the
   ``sale.created`` and ``commission.calculated`` events, the idempotency guard, the id
   counters (compare-and-set on the values read in 2: no separate counter call) and one
   Update of the sale date's pay period that creates it when absent, requires it open
   (not closed, not being closed) and counts the sale (``store.pay_periods.touch``);
4. Powertools ``UpdateItem`` completing the idempotency record.

So 4 calls with a key, 2 without; a replay is 1. When another sale took the id first, 2-3
are retried (rare: it needs two sales of one tenant in the same few milliseconds).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.domain import roles
from chalicelib.domain import sales as rules
from chalicelib.domain.commission import CommissionRuleError, SaleLine
from chalicelib.domain.pay_periods import PeriodWindow
from chalicelib.domain.pay_schedule import Schedule
from chalicelib.services import events, idempotency
from chalicelib.services.customers import normalize_email
from chalicelib.store import customers as customer_store
from chalicelib.store import pay_periods as period_store
from chalicelib.store import sales as store
from chalicelib.store import technicians as tech_store
from chalicelib.store import users
from chalicelib.store.errors import ConditionFailed
from chalicelib.store.models import SaleItem, TenantItem, UserItem
from chalicelib.store.tx import Contention

log = logging.getLogger("tradekitt.sales")
MAX_ATTEMPTS = 5
GUARD_TTL = timedelta(seconds=idempotency.EXPIRES_AFTER_S)  # as the Powertools record
MAX_PERIODS_AHEAD = 24


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", details=[{"field": field, "message": message}])


def _settings(tenant: TenantItem | None) -> dict[str, Any]:
    if tenant is None:
        raise NotFound("tenant not found")
    return dict(tenant.settings or {})


def _schedule(settings: dict[str, Any]) -> Schedule:
    """The tenant's pay-period schedule (frequency and its changes)."""
    return Schedule.from_settings(settings)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def view(sale: SaleItem) -> dict[str, Any]:
    """The sale as the API returns it (also the ``sale.created`` event payload)."""
    def opt_int(value: Any) -> int | None:
        return int(value) if value is not None else None

    return {
        "id": int(sale.sale_id), "technician_id": int(sale.technician_id),
        "technician_name": sale.technician_name, "item_id": int(sale.item_id),
        "item_name": sale.item_name, "item_category": sale.item_category,
        "installer_id": opt_int(sale.installer_id), "quantity": int(sale.quantity or 1),
        "sale_price_cents": int(sale.sale_price_cents),
        "list_price_cents": opt_int(sale.list_price_cents),
        "commission_cents": int(sale.commission_cents),
        "installer_commission_cents": int(sale.installer_commission_cents or 0),
        "commission_snapshot": _canonical(sale.commission_snapshot),
        "installer_commission_snapshot": _canonical(sale.installer_commission_snapshot),
        "customer_id": opt_int(sale.customer_id), "customer_name": sale.customer_name,
        "customer_email": sale.customer_email, "notes": sale.notes,
        "payment_type": sale.payment_type, "sale_date": sale.sale_date,
        "approval_status": sale.approval_status, "approval_reason": sale.approval_reason,
        "approved_by": opt_int(sale.approved_by), "approved_at": _iso(sale.approved_at),
        "payment_status": sale.payment_status, "payment_date": sale.payment_date,
        "voided": bool(sale.voided), "voided_at": _iso(sale.voided_at),
        "void_reason": sale.void_reason, "clawback_cents": opt_int(sale.clawback_cents),
        "created_by": opt_int(sale.created_by), "created_at": _iso(sale.created_at),
        "updated_at": _iso(sale.updated_at),
    }


def _canonical(value: Any) -> Any:
    """Keys sorted at every level: the first response and an idempotent replay (which
    Powertools stores as sorted JSON) are then byte-for-byte the same."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


# --- who is asking -------------------------------------------------------------------------
def _sees_all(principal: Principal) -> bool:
    return principal.can(roles.SALES_ALL)


def _own_technician(user: UserItem | None) -> int:
    """The technician record linked to a (non back-office) caller, or 403."""
    if user is None or not user.active or user.technician_id is None:
        raise Forbidden("your account is not linked to a technician; only admins and "
                        "managers can work with other technicians' sales")
    return int(user.technician_id)


def _caller_technician(principal: Principal) -> int:
    return _own_technician(users.get_user(principal.tenant_id, principal.user_id))


# --- recording -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SaleInput:
    technician_id: int
    item_id: int
    sale_price_cents: int
    quantity: int = 1
    installer_id: int | None = None
    customer_id: int | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    notes: str | None = None
    payment_type: str | None = None
    sale_date: date | None = None


def record(principal: Principal, data: SaleInput, payload: dict[str, Any],
           idempotency_key: str | None = None, lambda_context: Any = None) -> dict[str, Any]:
    """Record a sale and return its view. With an ``Idempotency-Key`` the first response
    is replayed for 24 h (same caller and ``payload``); another payload is 422."""
    if idempotency_key is None:
        return _record(principal, data, None, None)
    key = idempotency.check_key(idempotency_key)
    request = {"user_id": principal.user_id, "body": payload}
    digest = idempotency.payload_hash(request)
    return idempotency.run_once(principal.tenant_id, "sale", key, request,
                                lambda: _record(principal, data, key, digest), lambda_context)


def _record(principal: Principal, data: SaleInput, key: str | None,
            digest: str | None) -> dict[str, Any]:
    tid = principal.tenant_id
    email = normalize_email(data.customer_email)
    creates_customer = data.customer_id is None and bool(data.customer_name or email)
    for _ in range(MAX_ATTEMPTS):
        inputs = store.load_inputs(
            tid, technician_id=data.technician_id, item_id=data.item_id,
            installer_id=data.installer_id, customer_id=data.customer_id,
            customer_email=email if data.customer_id is None else None,
            user_id=None if _sees_all(principal) else principal.user_id,
            need_customer_counter=creates_customer)
        new, pending = _prepare(principal, data, inputs, email, key, digest)
        try:
            sale = store.create(new)
        except ConditionFailed as exc:
            if "period" in exc.failed:
                raise Conflict(f"sale_date {new.sale_fields['sale_date']} falls in a closed "
                               "pay period (or one being closed); sales cannot be added "
                               "to it") from exc
            if "guard" in exc.failed and key is not None:
                return _existing_for_key(tid, key, digest)
            log.info("sale ids or customer taken concurrently (%s); retrying", exc.failed)
            continue
        except Contention:
            continue
        for event in pending:
            events.enqueue(event)
        return view(sale)
    raise Conflict("too many concurrent sales; retry the request")


def _existing_for_key(tenant_id: str, key: str, digest: str | None) -> dict[str, Any]:
    """A sale was already committed under this key (the idempotency record was lost)."""
    guard = store.get_guard(tenant_id, key)
    sale = store.get(tenant_id, int(guard.sale_id), consistent=True) if guard else None
    if guard is None or sale is None:
        raise Conflict("a request with this Idempotency-Key is being processed; retry shortly")
    if guard.payload_hash != digest:
        raise _invalid("Idempotency-Key", "already used with a different request body")
    return view(sale)


def _prepare(principal: Principal, data: SaleInput, inputs: store.SaleInputs,
             email: str | None, key: str | None, digest: str | None
             ) -> tuple[store.NewSale, list[events.PendingEvent]]:
    """Check the request against what was read and build everything to write."""
    tid = principal.tenant_id
    settings = _settings(inputs.tenant)
    if not _sees_all(principal) and _own_technician(inputs.user) != data.technician_id:
        raise Forbidden("technicians can record sales only for themselves")
    tech, item = inputs.technician, inputs.item
    if tech is None:
        raise _invalid("technician_id", f"technician {data.technician_id} does not exist")
    if not tech.active:
        raise _invalid("technician_id", f"technician {data.technician_id} is inactive")
    if item is None:
        raise _invalid("item_id", f"line item {data.item_id} does not exist")
    if not item.active:
        raise _invalid("item_id", f"line item {data.item_id} is inactive")
    installer = inputs.installer
    if data.installer_id is not None:
        if installer is None:
            raise _invalid("installer_id", f"technician {data.installer_id} does not exist")
        if not installer.active:
            raise _invalid("installer_id", f"technician {data.installer_id} is inactive")
    if data.customer_id is not None and inputs.customer is None:
        raise _invalid("customer_id", f"customer {data.customer_id} does not exist")
    now = _now()
    try:
        sale_date = rules.check_sale_date(data.sale_date,
                                          rules.tenant_today(settings.get("timezone"), now))
    except rules.SaleInputError as exc:
        raise _invalid(exc.field, str(exc).split(": ", 1)[1]) from exc

    snapshot, installer_snapshot = _commissions(data, settings, inputs)
    sale_id = inputs.sale_counter + 1
    customer_id, customer_name = data.customer_id, data.customer_name
    customer = pointer = None
    if inputs.customer is not None:
        customer_name = inputs.customer.name
        email = inputs.customer.email
    elif inputs.customer_pointer is not None:
        customer_id = int(inputs.customer_pointer.customer_id)
    elif data.customer_name or email:
        customer_id = inputs.customer_counter + 1
        customer, pointer = customer_store.new_items(
            tid, customer_id, {"name": data.customer_name or email, "email": email,
                               "source": "sale"}, now)
    fields = {
        "technician_id": data.technician_id, "technician_name": tech.name,
        "item_id": data.item_id, "item_name": item.name, "item_category": item.category,
        "installer_id": data.installer_id, "quantity": data.quantity,
        "sale_price_cents": data.sale_price_cents,
        "list_price_cents": int(item.price_cents) if item.price_cents is not None else None,
        "commission_cents": snapshot["commission_cents"],
        "installer_commission_cents": (installer_snapshot or {}).get("commission_cents", 0),
        "commission_snapshot": snapshot, "installer_commission_snapshot": installer_snapshot,
        "customer_id": customer_id, "customer_name": customer_name, "customer_email": email,
        "notes": data.notes, "payment_type": data.payment_type,
        "sale_date": sale_date.isoformat(), "approval_status": rules.PENDING,
        "payment_status": rules.UNPAID, "voided": False, "created_by": principal.user_id,
        "created_at": now, "updated_at": now,
    }
    sale_view = view(store.new_sale_item(tid, sale_id, fields))
    pending = [
        events.prepare(tid, "sale.created", sale_view, now),
        events.prepare(tid, "commission.calculated", {
            "sale_id": sale_id, "technician_id": data.technician_id,
            "installer_id": data.installer_id, "sale_date": fields["sale_date"],
            "commission_cents": fields["commission_cents"],
            "installer_commission_cents": fields["installer_commission_cents"],
            "commission_snapshot": snapshot,
            "installer_commission_snapshot": installer_snapshot}, now),
    ]
    guard = None
    if key is not None and digest is not None:
        guard = store.new_guard(tid, key, sale_id, digest, int((now + GUARD_TTL).timestamp()))
    new = store.NewSale(tenant_id=tid, sale_counter=inputs.sale_counter, sale_fields=fields,
                        window=_schedule(settings).window_for(sale_date),
                        events=[p.item for p in pending],
                        customer_counter=inputs.customer_counter if customer else None,
                        customer=customer, customer_pointer=pointer, guard=guard)
    return new, pending


def _commissions(data: SaleInput, settings: dict[str, Any], inputs: store.SaleInputs
                 ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    tech, item = inputs.technician, inputs.item
    assert tech is not None and item is not None
    tenant = rules.TenantCommission.from_settings(settings)
    override = None
    if inputs.override is not None:
        o = inputs.override
        override = {"commission_rate_bps": _opt(o.commission_rate_bps),
                    "flat_cents": _opt(o.flat_cents), "ov_rate_bps": int(o.ov_rate_bps or 0),
                    "discount_scale_enabled": bool(o.discount_scale_enabled)}
    category = tech_store.category_rates(tech).get(rules.category_key(item.category))
    try:
        seller = rules.seller_config(
            tenant, override=override,
            category_rate_bps=category["rate_bps"] if category else None,
            plan=tech_store.plans(tech).get(rules.TECHNICIAN),
            item_default_bps=_opt(item.default_commission_bps))
        installer = None
        if inputs.installer is not None:
            installer = rules.installer_config(
                tenant, tech_store.plans(inputs.installer).get(rules.INSTALLER))
        line = SaleLine(sale_price_cents=data.sale_price_cents,
                        list_price_cents=_opt(item.price_cents), quantity=data.quantity)
        snapshot, installer_snapshot = rules.commissions(line, seller, installer)
    except CommissionRuleError as exc:
        raise _invalid("commission", str(exc)) from exc
    return snapshot.to_dict(), installer_snapshot.to_dict() if installer_snapshot else None


def _opt(value: Any) -> int | None:
    return int(value) if value is not None else None


# --- reading -------------------------------------------------------------------------------
def get(principal: Principal, sale_id: int) -> SaleItem:
    """Back office: any sale of the tenant; a technician: only their own (else 404)."""
    tid = principal.tenant_id
    if _sees_all(principal):
        sale = store.get(tid, sale_id)
    else:
        sale, user = store.get_with_user(tid, sale_id, principal.user_id)
        own = _own_technician(user)
        if sale is not None and own not in (int(sale.technician_id), _opt(sale.installer_id)):
            sale = None
    if sale is None:
        raise NotFound(f"sale {sale_id} not found")
    return sale


@dataclass(frozen=True)
class SaleFilter:
    date_from: date | None = None
    date_to: date | None = None
    technician_id: int | None = None
    approval_status: str | None = None
    payment_status: str | None = None
    voided: bool | None = None
    customer_id: int | None = None


def list_sales(principal: Principal, flt: SaleFilter) -> list[SaleItem]:
    """Newest first. A technician's list is always their own (403 when asking for
    someone else's)."""
    technician_id = flt.technician_id
    if not _sees_all(principal):
        own = _caller_technician(principal)
        if technician_id is not None and technician_id != own:
            raise Forbidden("technicians can list only their own sales")
        technician_id = own
    found = store.query(principal.tenant_id, technician_id=technician_id,
                        date_from=flt.date_from.isoformat() if flt.date_from else None,
                        date_to=flt.date_to.isoformat() if flt.date_to else None,
                        approval_status=flt.approval_status,
                        payment_status=flt.payment_status, voided=flt.voided)
    if flt.customer_id is not None:
        found = [s for s in found if _opt(s.customer_id) == flt.customer_id]
    return found


# --- changing --------------------------------------------------------------------------------
def decide(principal: Principal, sale_id: int, target: str, reason: str | None) -> SaleItem:
    """Approve or reject a pending sale (emits ``sale.approved`` / ``sale.rejected``)."""
    tid = principal.tenant_id
    sale, tenant, _ = store.get_with_context(tid, sale_id, consistent=True)
    if sale is None:
        raise NotFound(f"sale {sale_id} not found")
    settings = _settings(tenant)
    try:
        rules.check_approval(sale.approval_status, target, bool(sale.voided))
    except rules.SaleRuleError as exc:
        raise Conflict(str(exc)) from exc
    now = _now()
    data = {**view(sale), "approval_status": target, "approval_reason": reason,
            "approved_by": principal.user_id, "approved_at": now.isoformat()}
    pending = events.prepare(tid, f"sale.{target}", data, now)
    window = _schedule(settings).window_for(date.fromisoformat(sale.sale_date))
    try:
        store.set_approval(sale, target, reason, principal.user_id, now, window,
                           pending.item)
    except ConditionFailed as exc:
        if "period" in exc.failed:
            raise Conflict(f"sale {sale_id} is dated in a closed pay period (or one being "
                           "closed) and cannot be changed") from exc
        raise Conflict(f"sale {sale_id} changed meanwhile (approved, rejected or voided); "
                       "reload it") from exc
    except Contention as exc:
        raise Conflict(f"sale {sale_id} is being changed by another request; retry") from exc
    events.enqueue(pending)
    return sale


def set_payment_status(principal: Principal, sale_id: int, status: str,
                       payment_date: date | None) -> SaleItem:
    tid = principal.tenant_id
    sale, tenant, _ = store.get_with_context(tid, sale_id)
    if sale is None:
        raise NotFound(f"sale {sale_id} not found")
    today = rules.tenant_today(_settings(tenant).get("timezone"))
    try:
        stored_date = rules.payment_update(status, payment_date, sale.payment_date, today)
    except rules.SaleInputError as exc:
        raise _invalid(exc.field, str(exc).split(": ", 1)[1]) from exc
    updated = store.set_payment(tid, sale_id, status, stored_date, _now())
    if updated is None:
        raise NotFound(f"sale {sale_id} not found")
    return updated


def void(principal: Principal, sale_id: int, reason: str | None) -> SaleItem:
    """Void a sale. In an open period it simply stops counting; in a closed one its
    commission is clawed back by negative adjustments dated in the open period. Voiding
    an already voided sale changes nothing. While the sale's period is being closed the
    void is refused (409): the close is freezing that sale's commission."""
    tid = principal.tenant_id
    for _ in range(MAX_ATTEMPTS):
        sale, tenant, _ = store.get_with_context(tid, sale_id, consistent=True)
        if sale is None:
            raise NotFound(f"sale {sale_id} not found")
        if sale.voided:
            return sale
        settings = _settings(tenant)
        schedule = _schedule(settings)
        window = schedule.window_for(date.fromisoformat(sale.sale_date))
        status = period_store.status_of(tid, window)
        if status == period_store.CLOSING:
            raise Conflict(f"sale {sale_id} is dated in the pay period {window.start}.."
                           f"{window.end}, which is being closed; void it once the close "
                           "has finished (its commission is then clawed back)")
        closed = status == period_store.CLOSED
        claws = rules.clawbacks(
            approval_status=sale.approval_status, voided=False, period_closed=closed,
            technician_id=int(sale.technician_id), snapshot=sale.commission_snapshot,
            installer_id=_opt(sale.installer_id),
            installer_snapshot=sale.installer_commission_snapshot)
        now = _now()
        adjustments, adjustment_window = [], None
        if claws:
            effective, adjustment_window = _open_period_day(
                tid, schedule, rules.tenant_today(settings.get("timezone"), now))
            adjustments = [store.new_adjustment(
                tid, effective_date=effective.isoformat(),
                period_start=adjustment_window.key, sale_id=sale_id, role=c.role,
                technician_id=c.technician_id, amount_cents=c.amount_cents,
                reason=f"clawback: sale {sale_id} voided after its pay period closed",
                actor=principal.user_id, now=now) for c in claws]
        try:
            store.void(sale, actor=principal.user_id, reason=reason, now=now,
                       window=window, period_closed=closed, adjustments=adjustments,
                       adjustment_window=adjustment_window)
        except (ConditionFailed, Contention):
            continue  # voided or a period closed meanwhile: look again
        return sale
    raise Conflict(f"sale {sale_id} is being changed by other requests; retry")


def _open_period_day(tenant_id: str, schedule: Schedule,
                     today: date) -> tuple[date, PeriodWindow]:
    """The day an adjustment takes effect: today, or the first day of the next open period
    when today's period is closed or being closed. Returns (effective day, its period)."""
    window = schedule.window_for(today)
    for _ in range(MAX_PERIODS_AHEAD):
        if period_store.status_of(tenant_id, window) == period_store.OPEN:
            return max(today, window.start), window
        window = schedule.next_window(window)
    raise Conflict("no open pay period found for the clawback adjustment")


def adjustments_for(tenant_id: str, date_from: date, date_to: date,
                    consistent: bool = False) -> list[dict[str, Any]]:
    """Adjustments dated in a range (what a pay period totals)."""
    return [{"technician_id": int(a.technician_id), "sale_id": int(a.sale_id),
             "role": a.role, "amount_cents": int(a.amount_cents), "reason": a.reason,
             "effective_date": a.effective_date, "period_start": a.period_start}
            for a in store.adjustments_between(tenant_id, date_from.isoformat(),
                                               date_to.isoformat(), consistent)]

