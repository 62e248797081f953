"""Fixed-window request counters shared by every Lambda instance."""
from __future__ import annotations

from chalicelib.store import keys
from chalicelib.store.models import RateWindowItem


def hit(scope: str, subject: str, window_start: int, window_s: int) -> int:
    """Count one request in the window and return the window's total so far."""
    item = RateWindowItem(*keys.rate_window_key(scope, subject, window_start))
    item.update(actions=[RateWindowItem.hits.add(1),
                         RateWindowItem.expires_at.set(window_start + 2 * window_s)])
    return int(item.hits)
