"""What sales need to know about pay periods: whether the period holding a day is closed.

Pay period items are keyed by their first day (``keys.pay_period_key``) and carry
``status`` "open" | "closed"; the pay-period feature writes them. No item means open.
"""
from __future__ import annotations

from datetime import date

from pynamodb.expressions.condition import Condition
from pynamodb.exceptions import DoesNotExist

from chalicelib.domain.pay_periods import PeriodWindow, period_for
from chalicelib.store import keys
from chalicelib.store.models import PayPeriodItem

CLOSED = "closed"


def window(frequency: str, day: date) -> PeriodWindow:
    return period_for(day, frequency)


def period_key(tenant_id: str, frequency: str, day: date) -> tuple[str, str]:
    """Key of the pay period item for the window of ``frequency`` that contains ``day``."""
    return keys.pay_period_key(tenant_id, window(frequency, day).key)


def is_period_closed(tenant_id: str, frequency: str, day: date) -> bool:
    """True when the ``frequency`` pay period containing ``day`` has been closed."""
    try:
        item = PayPeriodItem.get(*period_key(tenant_id, frequency, day), consistent_read=True)
    except DoesNotExist:
        return False
    return item.status == CLOSED


def open_condition() -> Condition:
    """For a ``ConditionCheck`` in a transaction: the period is (still) not closed."""
    return PayPeriodItem.pk.does_not_exist() | (PayPeriodItem.status != CLOSED)


def closed_condition() -> Condition:
    return PayPeriodItem.status == CLOSED

