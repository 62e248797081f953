"""Recording and reading sales (SPEC.md "Commission engine", seed "Sales").

Who may do what: admins and managers (``sales:all``) record and see every sale; a
technician user records and sees only the sales of the technician record linked to their
login (403 otherwise). Approving, rejecting, payment status and voiding are in
``sales.changes``; the checks, commission snapshot and item of a new sale (shared with the
bulk import) in ``sales.building``.

Recording a sale (``POST /sales``), DynamoDB calls besides rate limiting:

1. Powertools ``PutItem`` of the in-progress idempotency record (only with an
   ``Idempotency-Key``);
2. one consistent ``BatchGetItem``: tenant settings, technician (with its category rates
   and plans), line item, the technician x item override, the sale (and customer) id
   counters, the sale date's pay period and the pay-period id counter, and when needed
   the installer and the customer or its e-mail pointer (the caller's account was read by
   the route decorator, which checks it is active). The period is the one the tenant's
   schedule as last seen gives (``payperiods.service.likely_window``); when the settings
   read say another one, that period and the counter are read next (one more call);
3. one ``TransactWriteItems``: the sale, the new customer and its e-mail pointer, the
   ``sale.created`` and ``commission.calculated`` events, the idempotency guard, the id
   counters (compare-and-set on the values read in 2: no separate counter call) and the
   sale date's pay period: an Update that requires it open (not closed, not being
   closed) and counts the sale, or, when 2 found none, the new period with its id
   (``payperiods.service.touch``);
4. Powertools ``UpdateItem`` completing the idempotency record.

So 4 calls with a key, 2 without (plus the route decorator's read of the caller's
account); a replay is 1. When another sale took the id first, the sale reserves an id
outright (``UpdateItem ADD``, one more call) and retries 2-3 without the compare-and-set
(likewise the id of a new customer it creates),
so each sale of a burst loses that race at most once; when a concurrent transaction held
the same period or rollup item, 2-3 are retried after a short jittered wait
(``tx.retries``): sales that race each other are all recorded, none is answered 409. An id
reserved by a request that then fails (its period was closed meanwhile) is never reused,
so sale ids can have a gap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.catalog.service import ref as item_ref
from chalicelib.commission.service import override_ref
from chalicelib.core import clock, roles
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, Forbidden, NotFound, invalid
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import service as customers
from chalicelib.payperiods import service as periods
from chalicelib.payperiods.rules import PeriodWindow
from chalicelib.platform import counters, idempotency, outbox
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, Labelled, retries
from chalicelib.sales import listing, rules, store
from chalicelib.sales.building import check_parties, commissions, new_sale_item, opt_int
from chalicelib.sales.models import SaleFilter, SaleIn, view
from chalicelib.sales.store import SaleItem
from chalicelib.settings import service as settings
from chalicelib.technicians import service as technicians

log = logging.getLogger("tradekitt.sales")
GUARD_TTL = timedelta(seconds=idempotency.EXPIRES_AFTER_S)  # as the Powertools record
SALE_COUNTER = "sale"
NOT_LINKED = "; only admins and managers can work with other technicians' sales"


def sees_all(principal: Principal) -> bool:
    return principal.can(roles.SALES_ALL)


# --- recording -----------------------------------------------------------------------------
def record(
    principal: Principal,
    data: SaleIn,
    idempotency_key: str | None = None,
    lambda_context: Any = None,
) -> dict[str, Any]:
    """Record a sale and return its view. With an ``Idempotency-Key`` the first response
    is replayed for 24 h (same caller and body); another body is 422."""
    if idempotency_key is None:
        return _record(principal, data, None, None)
    key = idempotency.check_key(idempotency_key)
    request = {"user_id": principal.user_id, "body": data.model_dump(mode="json")}
    digest = idempotency.payload_hash(request)
    return idempotency.run_once(
        principal.tenant_id,
        "sale",
        key,
        request,
        lambda: _record(principal, data, key, digest),
        lambda_context,
    )


def _reads(
    principal: Principal,
    data: SaleIn,
    email: str | None,
    creates_customer: bool,
    period: PeriodWindow,
) -> dict[str, tuple[Any, tuple[str, str]]]:
    """What recording reads, by name, for one batch (``period``: the likely pay period)."""
    tid = principal.tenant_id
    wanted = {
        "tenant": accounts.tenant_ref(tid),
        "technician": technicians.ref(tid, data.technician_id),
        "item": item_ref(tid, data.item_id),
        "override": override_ref(tid, data.technician_id, data.item_id),
        "sale_counter": counters.ref(tid, SALE_COUNTER),
        "period": periods.ref(tid, period),
        "period_counter": periods.counter_ref(tid),
    }
    if data.installer_id is not None:
        wanted["installer"] = technicians.ref(tid, data.installer_id)
    if data.customer_id is not None:
        wanted["customer"] = customers.ref(tid, data.customer_id)
    elif email:
        wanted["customer_pointer"] = customers.email_ref(tid, email)
    if creates_customer:
        wanted["customer_counter"] = customers.counter_ref(tid)
    return wanted


def _record(
    principal: Principal, data: SaleIn, key: str | None, digest: str | None
) -> dict[str, Any]:
    email = customers.normalize_email(data.customer_email)
    creates_customer = data.customer_id is None and bool(data.customer_name or email)
    reserved: int | None = None  # a sale id taken with ADD after losing the id race once
    reserved_customer: int | None = None  # likewise the new customer's id
    for _ in retries():
        period = periods.likely_window(principal.tenant_id, data.sale_date)
        inputs = store.load_inputs(_reads(principal, data, email, creates_customer, period))
        new, pending = _prepare(
            principal, data, inputs, email, key, digest, period, reserved, reserved_customer
        )
        try:
            sale = store.create(new)
        except ConditionFailed as exc:
            if "period" in exc.failed:
                raise Conflict(
                    f"sale_date {new.sale.sale_date} falls in a closed "
                    "pay period (or one being closed); sales cannot be added "
                    "to it"
                ) from exc
            if "guard" in exc.failed and key is not None:
                return _existing_for_key(principal.tenant_id, key, digest)
            # another sale took the next sale (or customer) id first: reserve one outright,
            # so a burst of N sales costs O(N) attempts, not O(N^2) (each loses once)
            took = False
            if "sale_counter" in exc.failed and reserved is None:
                reserved, took = counters.next_id(principal.tenant_id, SALE_COUNTER), True
            if "customer_counter" in exc.failed and reserved_customer is None:
                reserved_customer, took = customers.reserve_id(principal.tenant_id), True
            if took:
                log.info("ids taken concurrently; reserved %s, %s", reserved, reserved_customer)
                continue
            log.info("sale ids or customer taken concurrently (%s); retrying", exc.failed)
            continue
        except Contention:
            continue
        for event in pending:
            outbox.enqueue(event)
        return view(sale)
    raise Conflict("too many concurrent sales; retry the request")


def _existing_for_key(tenant_id: str, key: str, digest: str | None) -> dict[str, Any]:
    """A sale was already committed under this key (the idempotency record was lost)."""
    guard = store.get_guard(tenant_id, key)
    sale = store.get(tenant_id, int(guard.sale_id), consistent=True) if guard else None
    if guard is None or sale is None:
        raise Conflict("a request with this Idempotency-Key is being processed; retry shortly")
    if guard.payload_hash != digest:
        raise invalid("Idempotency-Key", "already used with a different request body")
    return view(sale)


def _prepare(
    principal: Principal,
    data: SaleIn,
    inputs: dict[str, Any],
    email: str | None,
    key: str | None,
    digest: str | None,
    period: PeriodWindow,
    reserved: int | None = None,
    reserved_customer: int | None = None,
) -> tuple[store.NewSale, list[outbox.PendingEvent]]:
    """Check the request against what was read and build everything to write
    (``period``: the pay period the batch read; ``reserved`` and ``reserved_customer``: the
    sale and new customer ids already taken from their counters, else the transaction
    claims the next ones)."""
    tid = principal.tenant_id
    tenant_settings = settings.effective(inputs["tenant"])
    if not sees_all(principal) and accounts.own_technician(principal, NOT_LINKED) != (
        data.technician_id
    ):
        raise Forbidden("technicians can record sales only for themselves")
    check_parties(data, inputs)
    tech, item = inputs["technician"], inputs["item"]
    now = clock.now()
    sale_date = rules.check_sale_date(
        data.sale_date, clock.today_in(tenant_settings.get("timezone"), now)
    )
    snapshot, installer_snapshot = commissions(data, tenant_settings, inputs)
    sale_counter = counters.current_value(inputs["sale_counter"])
    sale_id = reserved if reserved is not None else sale_counter + 1
    customer_id, customer_name = data.customer_id, data.customer_name
    parts: list[store.Part] = []
    if inputs.get("customer") is not None:
        customer_name, email = inputs["customer"].name, inputs["customer"].email
    elif inputs.get("customer_pointer") is not None:
        customer_id = int(inputs["customer_pointer"].customer_id)
    elif data.customer_name or email:
        current = counters.current_value(inputs.get("customer_counter"))
        customer_id = reserved_customer if reserved_customer is not None else current + 1
        customer, pointer = customers.new_from_sale(
            tid, customer_id, data.customer_name or email, email, now
        )
        parts.append(lambda tx: customers.add(tx, customer, pointer, email_label="customer_email"))
        if reserved_customer is None:
            parts.append(lambda tx: customers.claim_id(tx, "customer_counter", tid, current))
    sale = new_sale_item(
        principal,
        data,
        sale_id,
        (tech, item, snapshot, installer_snapshot),
        (customer_id, customer_name, email),
        sale_date,
        now,
    )
    pending = [
        outbox.prepare(tid, "sale.created", view(sale), now),
        outbox.prepare(
            tid,
            "commission.calculated",
            {
                "sale_id": sale_id,
                "technician_id": data.technician_id,
                "installer_id": data.installer_id,
                "sale_date": sale.sale_date,
                "commission_cents": sale.commission_cents,
                "installer_commission_cents": sale.installer_commission_cents,
                "commission_snapshot": snapshot,
                "installer_commission_snapshot": installer_snapshot,
            },
            now,
        ),
    ]
    window = periods.window_for(tid, tenant_settings, sale_date)
    if window.key == period.key:  # the period item the batch read (keyed by first day)
        read = periods.read_of(inputs["period"], inputs["period_counter"])
    else:  # the settings say another period than the likely one
        read = periods.read(tid, window)
    parts.append(
        lambda tx: periods.touch(tx, "period", tid, window, sales=1, revision=1, read=read)
    )
    parts.append(listing.counted(tid, sale, new=True))
    parts.extend(_adds_event(p) for p in pending)
    if reserved is None:
        parts.append(lambda tx: counters.claim(tx, "sale_counter", tid, SALE_COUNTER, sale_counter))
    guard = None
    if key is not None and digest is not None:
        guard = store.new_guard(tid, key, sale_id, digest, int((now + GUARD_TTL).timestamp()))
    return store.NewSale(sale=sale, guard=guard, parts=parts), pending


def _adds_event(pending: outbox.PendingEvent) -> store.Part:
    def part(tx: Labelled) -> None:
        outbox.add(tx, pending)

    return part


# --- reading -------------------------------------------------------------------------------
def get(principal: Principal, sale_id: int) -> SaleItem:
    """Back office: any sale of the tenant; a technician: only their own (else 404)."""
    tid = principal.tenant_id
    if sees_all(principal):
        sale = store.get(tid, sale_id)
    else:
        sale = store.get(tid, sale_id)
        own = accounts.own_technician(principal, NOT_LINKED)
        if sale is not None and own not in (int(sale.technician_id), opt_int(sale.installer_id)):
            sale = None
    if sale is None:
        raise NotFound(f"sale {sale_id} not found")
    return sale


def _listed_technician(principal: Principal, flt: SaleFilter) -> int | None:
    """The technician filter: a technician's list is always their own (403 when asking
    for someone else's)."""
    technician_id = flt.technician_id
    if not sees_all(principal):
        own = accounts.own_technician(principal, NOT_LINKED)
        if technician_id is not None and technician_id != own:
            raise Forbidden("technicians can list only their own sales")
        technician_id = own
    return technician_id


def _listed(principal: Principal, flt: SaleFilter) -> dict[str, Any]:
    """The filters of a list as ``sales.listing.page`` and ``store.query`` take them."""
    return {
        "technician_id": _listed_technician(principal, flt),
        "customer_id": flt.customer_id,
        "date_from": flt.date_from.isoformat() if flt.date_from else None,
        "date_to": flt.date_to.isoformat() if flt.date_to else None,
        "approval_status": flt.approval_status,
        "payment_status": flt.payment_status,
        "voided": flt.voided,
    }


def list_sales(principal: Principal, flt: SaleFilter, page: PageRequest) -> dict[str, Any]:
    """One page, newest first (``sales.listing``)."""
    return listing.page(principal.tenant_id, page, **_listed(principal, flt))


def every_match(principal: Principal, flt: SaleFilter) -> Iterator[SaleItem]:
    """Every sale a list with these filters would show, newest first, streamed (for
    exports, which contain them all)."""
    return store.query(principal.tenant_id, **_listed(principal, flt))


def in_window(tenant_id: str, date_from: str, date_to: str) -> list[SaleItem]:
    """Every sale dated ``date_from``..``date_to`` (the date index: eventually consistent):
    a pay period's sales, which its close counts and freezes."""
    return [*store.query(tenant_id, technician_id=None, date_from=date_from, date_to=date_to)]


def of_customer(
    tenant_id: str, customer_id: int, limit: int = 50, before: tuple[str, int] | None = None
) -> list[SaleItem]:
    """At most ``limit`` of one customer's sales, newest first (sale date, then id), those
    strictly before ``before`` = (sale date, sale id) when given (one Query on gsi3): for
    the customer's history."""
    return store.of_customer(tenant_id, customer_id, max(1, limit), before)


def approved_between(
    tenant_id: str, date_from: str | None, date_to: str | None
) -> Iterator[SaleItem]:
    """The sales that earn commission (approved, not voided) dated in a range, streamed
    (the commission report lists them all)."""
    return store.query(
        tenant_id,
        technician_id=None,
        date_from=date_from,
        date_to=date_to,
        approval_status=rules.APPROVED,
        voided=False,
    )


def reread(tenant_id: str, sales: list[SaleItem]) -> list[SaleItem]:
    """The latest version of each sale (consistent BatchGetItems of 100)."""
    result: list[SaleItem] = []
    for start in range(0, len(sales), 100):
        chunk = sales[start : start + 100]
        got = get_many([store.ref(tenant_id, int(s.sale_id)) for s in chunk], consistent=True)
        result.extend(s for s in got if s is not None)  # type: ignore[misc]
    return result
