"""Webhook endpoints and their deliveries.

Endpoints of a tenant share one partition (``T#<tid>#WEBHOOK``, sort key ``id_sk``), so
fan-out reads them with one Query. Each endpoint's deliveries have their own partition
(``T#<tid>#WHDELIVERY#<endpoint>``), sorted by delivery id, which starts with the event
time, so the delivery log is a Query newest first. A delivery holds its attempts as a list
(one ``UpdateItem`` with ``list_append`` per attempt), so the log needs no second read.

Both lists are counted by rollups (``platform.rollups``, scopes
``keys.WebhookRollupScopes``): ``ENDPOINTS`` (blocks of 100 and 10,000 ids) and
``deliveries_rollup(endpoint)`` (event day and month). Neither list filters, so each entry
has the one facet ``FACET``: only the writes that add or remove an entry move a count, in
their own transaction (creating and deleting an endpoint, creating a delivery). Changes of
an endpoint (url, events, active, secret) and of a delivery (claims, attempts, status)
move nothing. Deliveries leave the table only by TTL (``rules.expires_at``): the log lists
a window of days (``rules.listed_since``) in which none has expired yet.

DynamoDB calls: create endpoint 2 (counter, one transaction: the conditional put and the
count); list endpoints for fan-out 1 Query; get 1; update/rotate/disable 1 conditional
update; delete 1 transaction (the conditional delete and the count). Deliveries: create 1
transaction (the conditional put, which is the deduplication, and the count); claim 1
conditional update (+1 GetItem when the claim loses); record 1 update. The pages are
``webhooks.listing``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform import keys, rollups
from chalicelib.platform.counters import next_id
from chalicelib.platform.rollups import Rollup
from chalicelib.platform.table import BaseItem, register, take
from chalicelib.platform.tx import (
    ConditionFailed,
    Contention,
    Labelled,
    applied,
    labelled_transaction,
    retries,
)
from chalicelib.webhooks import rules

MAX_ENDPOINTS = 20  # a tenant's webhook endpoints at most (fan-out reads them all)


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
    written; ``lease_until`` bounds an in-flight attempt (see ``rules.deliveries``)."""

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


COUNTER = "webhook"
Endpoint = WebhookEndpointItem
Delivery = WebhookDeliveryItem
_STILL_PENDING = Delivery.pk.exists() & (Delivery.status == rules.PENDING)

# --- the lists' counts ----------------------------------------------------------------
FACET = "all"  # neither list filters: every entry has this facet
ENDPOINTS = Rollup(keys.WebhookRollupScopes.ENDPOINTS, 8, 6)  # blocks of 100, 10,000 ids


def deliveries_rollup(endpoint_id: int) -> Rollup:
    """One endpoint's delivery log, counted by event day and month."""
    return Rollup(keys.WebhookRollupScopes.deliveries(endpoint_id), rules.ID_DAY, rules.ID_MONTH)


def _transact(write: Callable[[Labelled], None]) -> None:
    """One transaction, run again while it only loses a race with a concurrent one (the
    counts of a list are shared items). ``ConditionFailed`` names a failed condition;
    ``Contention`` once the retry budget is spent."""
    for _ in retries():
        try:
            with labelled_transaction() as tx:
                write(tx)
        except Contention:
            continue
        return
    raise Contention("the list's counts are being changed by other requests")


# --- endpoints ------------------------------------------------------------------------
def next_endpoint_id(tenant_id: str) -> int:
    return next_id(tenant_id, COUNTER)


def create_endpoint(
    tenant_id: str,
    endpoint_id: int,
    *,
    url: str,
    events: list[str],
    secret: str,
    description: str | None,
    now: datetime,
) -> Endpoint:
    item = Endpoint(
        *keys.webhook_key(tenant_id, endpoint_id),
        tenant_id=tenant_id,
        endpoint_id=endpoint_id,
        url=url,
        events=events,
        secret=secret,
        description=description,
        active=True,
        created_at=now,
        updated_at=now,
    )

    def write(tx: Labelled) -> None:
        tx.create("webhook", item)
        rollups.move(tx, tenant_id, ENDPOINTS, None, (item.sk, FACET))

    _transact(write)
    return item


def get_endpoint(tenant_id: str, endpoint_id: int) -> Endpoint | None:
    return Endpoint.find(keys.webhook_key(tenant_id, endpoint_id), tenant_id=tenant_id)


def list_endpoints(tenant_id: str) -> list[Endpoint]:
    """Every endpoint of the tenant, by id, for fan-out and the endpoint limit (one Query:
    a tenant has at most ``MAX_ENDPOINTS``). The API's list is ``webhooks.listing``."""
    return take(Endpoint.query(keys.webhooks_pk(tenant_id), limit=MAX_ENDPOINTS), MAX_ENDPOINTS)


def update_endpoint(
    tenant_id: str, endpoint_id: int, changes: dict[str, Any], now: datetime
) -> Endpoint | None:
    """Set (value not None) or remove (value None) attributes; None when it is gone."""
    item = Endpoint(*keys.webhook_key(tenant_id, endpoint_id))
    actions = [Endpoint.updated_at.set(now)]
    for name, value in changes.items():
        attr = getattr(Endpoint, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    if not applied(lambda: item.update(actions=actions, condition=Endpoint.pk.exists())):
        return None
    return item


def disable_endpoint(tenant_id: str, endpoint_id: int, reason: str, now: datetime) -> None:
    """Turn an endpoint off (a 410 answer); a no-op when it was deleted meanwhile."""
    update_endpoint(tenant_id, endpoint_id, {"active": False, "disabled_reason": reason}, now)


def delete_endpoint(tenant_id: str, endpoint_id: int) -> bool:
    """Delete an endpoint and uncount it; False when it does not exist. Its deliveries
    stay (unlisted, the log answers 404) until their TTL."""
    item = Endpoint(*keys.webhook_key(tenant_id, endpoint_id))

    def write(tx: Labelled) -> None:
        tx.delete("webhook", item, condition=Endpoint.pk.exists())
        rollups.move(tx, tenant_id, ENDPOINTS, (item.sk, FACET), None)

    try:
        _transact(write)
    except ConditionFailed:
        return False
    return True


# --- deliveries -----------------------------------------------------------------------
@dataclass(frozen=True)
class NewDelivery:
    tenant_id: str
    endpoint_id: int
    event_id: str
    event_type: str
    event_created_at: str
    data: dict[str, Any]
    trigger: str
    final_attempt: int
    expires_at: int

    @property
    def delivery_id(self) -> str:
        return rules.delivery_id(self.event_created_at, self.event_id)


def create_delivery(
    new: NewDelivery, now: datetime, *, claim_until: float | None
) -> Delivery | None:
    """Create the record of ``new`` unless it exists (the deduplication by event and
    endpoint). With ``claim_until`` the record is born with attempt 1 claimed under that
    lease. Returns the new item, or None when it already existed."""
    item = Delivery(
        *keys.webhook_delivery_key(new.tenant_id, new.endpoint_id, new.delivery_id),
        tenant_id=new.tenant_id,
        endpoint_id=new.endpoint_id,
        delivery_id=new.delivery_id,
        event_id=new.event_id,
        event_type=new.event_type,
        event_created_at=new.event_created_at,
        data=new.data,
        trigger=new.trigger,
        status=rules.PENDING,
        attempt_count=1 if claim_until is not None else 0,
        recorded_count=0,
        final_attempt=new.final_attempt,
        lease_until=claim_until or 0,
        attempts=[],
        created_at=now,
        updated_at=now,
        expires_at=new.expires_at,
    )

    def write(tx: Labelled) -> None:
        tx.create("delivery", item)
        rollups.move(
            tx,
            new.tenant_id,
            deliveries_rollup(new.endpoint_id),
            None,
            (new.delivery_id, FACET),
        )

    try:
        _transact(write)
    except ConditionFailed:  # it exists: a duplicate, counted once already
        return None
    return item


def get_delivery(tenant_id: str, endpoint_id: int, delivery_id: str) -> Delivery | None:
    return Delivery.find(
        keys.webhook_delivery_key(tenant_id, endpoint_id, delivery_id),
        tenant_id=tenant_id,
        consistent=True,
    )


def state_of(item: Delivery | None) -> rules.DeliveryState | None:
    if item is None:
        return None
    return rules.DeliveryState(
        status=item.status,
        attempt_count=int(item.attempt_count),
        recorded_count=int(item.recorded_count),
        lease_until=float(item.lease_until or 0),
    )


def claim_attempt(
    tenant_id: str, endpoint_id: int, delivery_id: str, attempt: int, now: float, lease_until: float
) -> Delivery | None:
    """Claim attempt ``attempt`` (``rules.claimable`` as one conditional update); the
    claimed item (all attributes), or None when the claim lost."""
    item = Delivery(*keys.webhook_delivery_key(tenant_id, endpoint_id, delivery_id))
    condition = (
        Delivery.pk.exists()
        & (Delivery.status == rules.PENDING)
        & (
            (Delivery.attempt_count == attempt - 1)
            | (
                (Delivery.attempt_count == attempt)
                & (Delivery.recorded_count < attempt)
                & (Delivery.lease_until < now)
            )
        )
    )
    if not applied(
        lambda: item.update(
            actions=[Delivery.attempt_count.set(attempt), Delivery.lease_until.set(lease_until)],
            condition=condition,
        )
    ):
        return None
    return item


def record_attempt(
    item: Delivery,
    entry: dict[str, Any],
    *,
    status: str,
    next_attempt_at: str | None,
    now: datetime,
) -> None:
    """Log one attempt and move the delivery to ``status`` (one update). If the delivery
    was finished meanwhile by a concurrent attempt, the attempt is still logged but the
    status is left alone."""
    log = [
        Delivery.attempts.set(Delivery.attempts.append([WebhookAttemptMap(**entry)])),
        Delivery.recorded_count.set(int(entry["attempt"])),
        Delivery.last_status_code.set(entry.get("status_code"))
        if entry.get("status_code") is not None
        else Delivery.last_status_code.remove(),
        Delivery.last_error.set(entry["error"])
        if entry.get("error")
        else Delivery.last_error.remove(),
        Delivery.lease_until.set(0),
        Delivery.updated_at.set(now),
    ]
    moves = [
        Delivery.status.set(status),
        Delivery.next_attempt_at.set(next_attempt_at)
        if next_attempt_at
        else Delivery.next_attempt_at.remove(),
    ]
    if not applied(lambda: item.update(actions=log + moves, condition=_STILL_PENDING)):
        item.update(actions=log, condition=Delivery.pk.exists())


def finish_without_attempt(item: Delivery, reason: str, now: datetime) -> None:
    """Fail a pending delivery that cannot be attempted (endpoint disabled or deleted)."""
    applied(
        lambda: item.update(
            actions=[
                Delivery.status.set(rules.FAILED),
                Delivery.last_error.set(reason),
                Delivery.next_attempt_at.remove(),
                Delivery.lease_until.set(0),
                Delivery.updated_at.set(now),
            ],
            condition=_STILL_PENDING,
        )
    )  # finished meanwhile: nothing to do


def reopen_delivery(
    tenant_id: str, endpoint_id: int, delivery_id: str, now: datetime
) -> Delivery | None:
    """Make a finished delivery pending again for one more (manual) attempt: its final
    attempt becomes the next one. None when it does not exist or is still pending."""
    item = get_delivery(tenant_id, endpoint_id, delivery_id)
    if item is None or item.status == rules.PENDING:
        return None
    count = int(item.attempt_count)
    if not applied(
        lambda: item.update(
            actions=[
                Delivery.status.set(rules.PENDING),
                Delivery.final_attempt.set(count + 1),
                Delivery.updated_at.set(now),
            ],
            condition=(Delivery.status == item.status) & (Delivery.attempt_count == count),
        )
    ):
        return None
    return item
