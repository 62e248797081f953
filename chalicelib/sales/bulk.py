"""Recording many sales at once (the onboarding import of sales history).

Each sale gets exactly what ``POST /sales`` would give it, in the order given: the same
checks (``building.check_parties``, ``rules.check_sale_date``, the pay period of its date
open), the same commission snapshot (``building.commissions``: today's configuration, as
a back-dated ``POST /sales``), the same customer linking (``customer_id``; else the
customer with ``customer_email``, including one an earlier row of the same batch
creates; else a new customer from ``customer_name``/``customer_email``), the same stored
item (``building.new_sale_item``), the same list counts (``listing.counted``) and the same
pay-period counts (a period that does not exist yet is created with the next period id,
in the order the rows first name it, as one sale after the other would). Sale ids are
consecutive, in row order, from a block reserved with one ``ADD``; new customers' ids
likewise. No ``sale.created`` or ``commission.calculated`` event is published for
imported history (a webhook consumer would otherwise receive thousands of old sales).

``plan`` reads and checks everything (about ``rows / 100`` consistent BatchGetItems, no
write) and returns every row's problems; ``write`` then writes: 2 ``UpdateItem`` (the id
blocks), one transaction per pay period named, ``rows / 25`` BatchWriteItems of sales and
of new customers (with their e-mail pointers and search entries), and the summed list
counts in ``TransactWriteItems`` of 100 items (``platform.bulk``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.catalog.service import ref as item_ref
from chalicelib.commission.service import override_ref
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, InvalidInput
from chalicelib.customers import service as customers
from chalicelib.payperiods import service as periods
from chalicelib.payperiods.rules import PeriodWindow
from chalicelib.platform import counters
from chalicelib.platform.batch import MAX_KEYS, get_many
from chalicelib.platform.bulk import BulkWrite
from chalicelib.platform.tx import ConditionFailed, Contention, labelled_transaction, retries
from chalicelib.sales import building, listing, rules, service
from chalicelib.sales.models import SaleIn
from chalicelib.settings import service as settings
from chalicelib.technicians import service as technicians

Problem = tuple[int, str, str]  # (row index, field, message)


@dataclass
class _Row:
    data: SaleIn
    sale_date: date
    window: PeriodWindow
    priced: tuple[Any, Any, dict[str, Any], dict[str, Any] | None]
    customer_id: int | None = None  # an existing customer
    customer_name: str | None = None
    email: str | None = None
    new_customer: int | None = None  # index into Plan.new_customers


@dataclass
class Plan:
    """What ``write`` writes, all checked."""

    principal: Principal
    rows: list[_Row]
    new_customers: list[tuple[str, str | None]] = field(default_factory=list)  # name, e-mail
    periods: dict[str, tuple[PeriodWindow, int]] = field(default_factory=dict)  # key: (w, n)
    period_reads: dict[str, periods.PeriodRead] = field(default_factory=dict)


def _read(refs: list[tuple[Any, tuple[str, str]]]) -> dict[tuple[str, str], Any]:
    """Every item of ``refs`` by key (consistent BatchGetItems of 100 distinct keys)."""
    unique = list(dict.fromkeys(refs))
    found: dict[tuple[str, str], Any] = {}
    for start in range(0, len(unique), MAX_KEYS):
        chunk = unique[start : start + MAX_KEYS]
        for (_, key), item in zip(chunk, get_many(chunk, consistent=True), strict=True):
            found[key] = item
    return found


def plan(principal: Principal, rows: list[SaleIn]) -> tuple[Plan | None, list[Problem]]:
    """Check every row against the tenant's data; the plan, or None and the problems."""
    tid = principal.tenant_id
    (tenant,) = get_many([accounts.tenant_ref(tid)], consistent=True)
    tenant_settings = settings.effective(tenant)
    today = clock.today_in(tenant_settings.get("timezone"), clock.now())
    refs: list[tuple[Any, tuple[str, str]]] = [periods.counter_ref(tid)]
    windows: dict[int, PeriodWindow] = {}
    for i, data in enumerate(rows):
        refs += [
            technicians.ref(tid, data.technician_id),
            item_ref(tid, data.item_id),
            override_ref(tid, data.technician_id, data.item_id),
        ]
        if data.installer_id is not None:
            refs.append(technicians.ref(tid, data.installer_id))
        if data.customer_id is not None:
            refs.append(customers.ref(tid, data.customer_id))
        elif email := customers.normalize_email(data.customer_email):
            refs.append(customers.email_ref(tid, email))
        day = data.sale_date or today
        if day <= today:
            windows[i] = periods.window_for(tid, tenant_settings, day)
            refs.append(periods.ref(tid, windows[i]))
    found = _read(refs)
    period_counter = found[periods.counter_ref(tid)[1]]

    def get(ref: tuple[Any, tuple[str, str]]) -> Any:
        return found.get(ref[1])

    result = Plan(principal, [])
    problems: list[Problem] = []
    new_by_email: dict[str, int] = {}
    for i, data in enumerate(rows):
        inputs = {
            "technician": get(technicians.ref(tid, data.technician_id)),
            "item": get(item_ref(tid, data.item_id)),
            "override": get(override_ref(tid, data.technician_id, data.item_id)),
        }
        if data.installer_id is not None:
            inputs["installer"] = get(technicians.ref(tid, data.installer_id))
        if data.customer_id is not None:
            inputs["customer"] = get(customers.ref(tid, data.customer_id))
        try:
            building.check_parties(data, inputs)
            sale_date = rules.check_sale_date(data.sale_date, today)
            window = windows[i]
            period = get(periods.ref(tid, window))
            if period is not None and periods.status(period) in (periods.CLOSED, periods.CLOSING):
                raise InvalidInput(
                    f"{sale_date} falls in a closed pay period (or one being closed)",
                    field="sale_date",
                )
            snapshot, installer_snapshot = building.commissions(data, tenant_settings, inputs)
        except InvalidInput as exc:
            problems.append((i, exc.field, exc.message))
            continue
        row = _Row(
            data,
            sale_date,
            window,
            (inputs["technician"], inputs["item"], snapshot, installer_snapshot),
        )
        email = customers.normalize_email(data.customer_email)
        row.customer_name, row.email = data.customer_name, email
        if inputs.get("customer") is not None:
            customer = inputs["customer"]
            row.customer_id, row.customer_name, row.email = (
                int(data.customer_id),  # type: ignore[arg-type]
                customer.name,
                customer.email,
            )
        elif email and get(customers.email_ref(tid, email)) is not None:
            row.customer_id = int(get(customers.email_ref(tid, email)).customer_id)
        elif email and email in new_by_email:
            row.new_customer = new_by_email[email]
        elif data.customer_name or email:
            row.new_customer = len(result.new_customers)
            result.new_customers.append((data.customer_name or email, email))  # type: ignore[arg-type]
            if email:
                new_by_email[email] = row.new_customer
        result.rows.append(row)
        known = result.periods.get(window.key)
        result.periods[window.key] = (window, (known[1] if known else 0) + 1)
    result.period_reads = {
        key: periods.read_of(get(periods.ref(tid, w)), period_counter)
        for key, (w, _) in result.periods.items()
    }
    return (None if problems else result), problems


def _touch_periods(plan_: Plan) -> list[tuple[PeriodWindow, int]]:
    """Count the sales in their pay periods (creating the missing ones with their ids),
    one transaction per period in the order the rows first name them; a period closed
    meanwhile undoes the counts already added and is 409."""
    tid = plan_.principal.tenant_id
    done: list[tuple[PeriodWindow, int]] = []
    counter: int | None = None  # the period id counter after the periods this created
    for key, (window, n) in plan_.periods.items():
        read = plan_.period_reads[key]
        if read.item is None and counter is not None:
            read = periods.PeriodRead(None, counter)
        for _ in retries():
            try:
                with labelled_transaction() as tx:
                    periods.touch(tx, "period", tid, window, sales=n, revision=n, read=read)
            except ConditionFailed as exc:
                if set(exc.failed) & periods.NEW_PERIOD_LABELS:
                    read = periods.read(tid, window)  # created or numbered meanwhile
                    continue
                _undo(tid, done)
                raise Conflict(
                    f"the pay period {window.start}..{window.end} was closed meanwhile; "
                    "nothing was imported"
                ) from exc
            except Contention:
                continue
            if read.item is None:  # created with id counter + 1
                counter = read.counter + 1
            done.append((window, n))
            break
        else:
            _undo(tid, done)
            raise Conflict("pay periods are being changed by other requests; retry")
    return done


def _undo(tenant_id: str, done: list[tuple[PeriodWindow, int]]) -> None:
    for window, n in done:
        for _ in retries():
            try:
                with labelled_transaction() as tx:
                    periods.touch(tx, "period", tenant_id, window, sales=-n, revision=-n)
            except Contention:
                continue
            except ConditionFailed:
                pass  # closed meanwhile: its counts say more than it holds (logged by caller)
            break


def write(plan_: Plan, token: str) -> list[int]:
    """Write a checked plan (``token``: unique to this import, for idempotent retries of
    the count transactions); returns the new sales' ids, in row order."""
    principal, tid = plan_.principal, plan_.principal.tenant_id
    n = len(plan_.rows)
    if n == 0:
        return []
    first = counters.next_id(tid, service.SALE_COUNTER, n) - n + 1
    m = len(plan_.new_customers)
    first_customer = counters.next_id(tid, customers.ENTITY, m) - m + 1 if m else 0
    now = clock.now()
    bulk = BulkWrite()  # everything is collected first: nothing is written until it is
    for k, (name, email) in enumerate(plan_.new_customers):
        customer, pointer = customers.new_from_sale(tid, first_customer + k, name, email, now)
        customers.add(bulk, customer, pointer, email_label="customer_email")  # type: ignore[arg-type]
    ids = []
    for k, row in enumerate(plan_.rows):
        customer_id = row.customer_id
        if row.new_customer is not None:
            customer_id = first_customer + row.new_customer
        sale = building.new_sale_item(
            principal,
            row.data,
            first + k,
            row.priced,
            (customer_id, row.customer_name, row.email),
            row.sale_date,
            now,
        )
        bulk.create("sale", sale)
        listing.counted(tid, sale, new=True)(bulk)  # type: ignore[arg-type]
        ids.append(first + k)
    _touch_periods(plan_)
    bulk.flush(token)
    return ids
