"""Pure rules of pay periods: the windows of each frequency (``windows``), the tenant's
schedule across frequency changes (``schedule``) and the period status rules. Standard
library only; re-exported here so callers write ``from chalicelib.payperiods import
rules``."""

from chalicelib.payperiods.rules.schedule import (
    DEFAULT_FREQUENCY,
    SETTINGS_KEY,
    Schedule,
    ScheduleError,
    Segment,
    settings_after_change,
)
from chalicelib.payperiods.rules.windows import (
    BIWEEKLY,
    EPOCH,
    FREQUENCIES,
    MONTHLY,
    SEMIMONTHLY,
    WEEKLY,
    PayPeriodError,
    PeriodClosedError,
    PeriodLockedError,
    PeriodStatus,
    PeriodWindow,
    can_transition,
    contains,
    ensure_can_close,
    ensure_open_for,
    next_period,
    period_for,
    period_for_key,
    periods_between,
    previous_period,
)

__all__ = [
    "BIWEEKLY",
    "DEFAULT_FREQUENCY",
    "EPOCH",
    "FREQUENCIES",
    "MONTHLY",
    "SEMIMONTHLY",
    "SETTINGS_KEY",
    "WEEKLY",
    "PayPeriodError",
    "PeriodClosedError",
    "PeriodLockedError",
    "PeriodStatus",
    "PeriodWindow",
    "Schedule",
    "ScheduleError",
    "Segment",
    "can_transition",
    "contains",
    "ensure_can_close",
    "ensure_open_for",
    "next_period",
    "period_for",
    "period_for_key",
    "periods_between",
    "previous_period",
    "settings_after_change",
]
