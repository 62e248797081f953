"""Technicians: create (optionally with a ``technician`` login), read, update, deactivate,
and the commission rules kept on the technician record.

DynamoDB calls: create 2 (id counter, one transaction with the technician, its count
and its login if any) or 3 with a login (+ user id counter); get 1; list 1 BatchGetItem
(the counts) + about 1 Query of ``limit`` items (``technicians.listing``); update 2 (read,
conditional update), or 3 when ``active`` is sent (consistent read, a transaction with the
count and the login's (de)activation, consistent read back; retried when ``active``
changed since it was read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, found
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import counters
from chalicelib.platform.bulk import BulkWrite
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.technicians import listing, rules, store
from chalicelib.technicians.store import Part, TechnicianItem

ENTITY = "technician"
CATEGORY_RATES, PLANS = "category_rates", "plans"
ref = store.ref  # a technician for another feature's batch read
MAX_ACTIVE = 200  # what ``active`` reads at most (dispatch suggestions' roster)


def get(tenant_id: str, technician_id: int, consistent: bool = False) -> TechnicianItem:
    return found(
        store.get(tenant_id, technician_id, consistent), f"technician {technician_id} not found"
    )


def page(tenant_id: str, request: PageRequest, active: bool | None = None) -> dict[str, Any]:
    """One page of the roster, by id (``active``: only active or inactive ones)."""
    return listing.page(tenant_id, request, active=active)


def active(tenant_id: str, limit: int = MAX_ACTIVE) -> list[TechnicianItem]:
    """The first ``limit`` active technicians, by id (one Query, continued per MB)."""
    return store.active(tenant_id, limit)


def list_all(tenant_id: str) -> Iterator[TechnicianItem]:
    """Every technician, by id, streamed (payroll's roster; the list endpoint uses
    ``page``, dispatch ``active``)."""
    return store.list_all(tenant_id)


def create(
    tenant_id: str,
    fields: dict[str, Any],
    username: str | None = None,
    password: str | None = None,
    login_email: str | None = None,
) -> TechnicianItem:
    """``fields``: name, email, phone, pay_type, base_pay_cents, skills, service_zones,
    active, home_zip, home_latitude, home_longitude (``rules.home_base``). With
    ``username`` and ``password`` a ``technician`` user is created and linked (409 when
    the username, or the e-mail as a staff login, is taken)."""
    fields = with_home_base(fields)
    now = clock.now()
    new_login = None
    if username is not None:
        assert password is not None
        new_login = accounts.technician_login(
            tenant_id, fields["name"], username, password, login_email, now
        )
    technician_id = counters.next_id(tenant_id, ENTITY)
    login = None
    if new_login is not None:
        new_login = replace(new_login, technician_id=technician_id)
        login = (new_login.user_id, new_login.username, new_login.items())
    counts = listing.counted(tenant_id, technician_id, None, bool(fields.get("active", True)))
    for _ in retries():  # another write of the tenant's counts got in the way
        try:
            return store.create(tenant_id, technician_id, fields, now, login, [counts])
        except ConditionFailed as exc:
            if "username" in exc.failed:
                raise Conflict("this username is already taken") from exc
            if "email" in exc.failed:
                raise Conflict("a staff account with this email already exists") from exc
            raise
        except Contention:
            continue
    raise Conflict("the roster is being changed by other requests; retry")


def with_home_base(fields: dict[str, Any]) -> dict[str, Any]:
    """A new technician's fields with the home base ``rules.home_base`` derives from the
    home fields given (``InvalidInput`` naming the field when they do not make one)."""
    sent = {k: fields[k] for k in rules.HOME_FIELDS if fields.get(k) is not None}
    return {**fields, **dict.fromkeys(rules.HOME_FIELDS), **rules.home_base({}, sent)}


def create_many(tenant_id: str, rows: list[dict[str, Any]], token: str) -> list[int]:
    """Create technicians without logins in bulk (the onboarding import), each as
    ``create`` would (``rows`` already through ``with_home_base``): ids in row order
    from one ``ADD`` of ``len(rows)`` on the id counter, the items in BatchWriteItems of
    25 and their list counts summed into one transaction (``platform.bulk``; ``token`` is
    unique to the import). Returns the new ids."""
    n = len(rows)
    if n == 0:
        return []
    first = counters.next_id(tenant_id, ENTITY, n) - n + 1
    now = clock.now()
    bulk = BulkWrite()
    for k, fields in enumerate(rows):
        bulk.create("technician", store.new_item(tenant_id, first + k, fields, now))
        listing.counted(tenant_id, first + k, None, bool(fields.get("active", True)))(bulk)  # type: ignore[arg-type]
    bulk.flush(token)
    return list(range(first, first + n))


def update(tenant_id: str, technician_id: int, changes: dict[str, Any]) -> TechnicianItem:
    """When ``active`` is sent, the list's counts move in the same transaction, and a
    technician's login is (de)activated in it too. The change requires ``active`` as read
    and is applied again to what it is now when another request changed it meanwhile.
    The home base fields follow ``rules.home_base``."""
    if "active" not in changes:
        tech = get(tenant_id, technician_id)
        changes = _with_home_base(tech, changes)
        return store.update(tech, changes, clock.now()) if changes else tech
    active = bool(changes["active"])
    for _ in retries():
        tech = get(tenant_id, technician_id, consistent=True)
        changes = _with_home_base(tech, changes)
        parts: list[Part] = [listing.counted(tenant_id, technician_id, bool(tech.active), active)]
        if tech.user_id is not None:
            user_id = int(tech.user_id)
            parts.append(
                lambda tx, user_id=user_id: accounts.set_active_in(
                    tx, "user", tenant_id, user_id, active
                )
            )
        try:
            return store.update(tech, changes, clock.now(), parts)
        except ConditionFailed as exc:
            if "technician" not in exc.failed:
                raise
            continue  # (de)activated meanwhile (or gone: the next read says 404)
        except Contention:
            continue
    raise Conflict(f"technician {technician_id} is being changed by other requests; retry")


def _with_home_base(tech: TechnicianItem, changes: dict[str, Any]) -> dict[str, Any]:
    current = {k: getattr(tech, k) for k in rules.HOME_FIELDS}
    return {**changes, **rules.home_base(current, changes)}


# --- commission rules kept on the technician (managed by the commission feature) ----------
def rules_of(tech: TechnicianItem, kind: str) -> dict[str, Any]:
    """``CATEGORY_RATES`` (normalised category -> {"category", "rate_bps"}) or ``PLANS``
    (role -> {"kind", "rate_bps", "tiers"}) as plain data."""
    return store.rules_of(tech, kind)


def set_rule(tech: TechnicianItem, kind: str, key: str, value: dict[str, Any]) -> None:
    store.set_rule(tech, kind, key, value, clock.now())


def remove_rule(tech: TechnicianItem, kind: str, key: str) -> bool:
    """False when no such rule was configured."""
    return store.remove_rule(tech, kind, key, clock.now())
