"""Rate limiting shared by every Lambda instance: fixed 60-second windows counted in
DynamoDB (seed: per IP 300, per tenant 200, auth endpoints 5 per 60 s).

Limits come from ``RATE_LIMIT_IP``, ``RATE_LIMIT_TENANT`` and ``RATE_LIMIT_AUTH``; 0
disables a scope. Each enforced scope costs one ``UpdateItem`` per request.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute

from chalicelib.core import clock
from chalicelib.core.errors import TooManyRequests
from chalicelib.core.settings import get_settings
from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register

WINDOW_S = 60
IP, TENANT, AUTH = "ip", "tenant", "auth"


@register
class RateWindowItem(BaseItem):
    hits = NumberAttribute(default=0)


def _limit(scope: str) -> int:
    settings = get_settings()
    return {
        IP: settings.rate_limit_ip,
        TENANT: settings.rate_limit_tenant,
        AUTH: settings.rate_limit_auth,
    }[scope]


def hit(scope: str, subject: str, window_start: int, window_s: int) -> int:
    """Count one request in the window and return the window's total so far."""
    item = RateWindowItem(*keys.rate_window_key(scope, subject, window_start))
    item.update(
        actions=[
            RateWindowItem.hits.add(1),
            RateWindowItem.expires_at.set(window_start + 2 * window_s),
        ]
    )
    return int(item.hits)


def check(scope: str, subject: str, now: float | None = None) -> None:
    """Count this request; raise 429 with ``Retry-After`` once the window is full."""
    limit = _limit(scope)
    if limit <= 0 or not subject:
        return
    now = clock.time() if now is None else now
    window_start = int(now) // WINDOW_S * WINDOW_S
    hits = hit(scope, subject, window_start, WINDOW_S)
    if hits > limit:
        retry_after = max(1, window_start + WINDOW_S - int(now))
        raise TooManyRequests(
            f"rate limit exceeded: {limit} requests per {WINDOW_S} seconds ({scope})",
            headers={"Retry-After": str(retry_after)},
        )
