"""Health check: is the table reachable?"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.core.settings import get_settings
from chalicelib.platform.table import BaseItem

log = logging.getLogger("tradekitt.health")


def check() -> dict[str, Any]:
    settings = get_settings()
    try:
        table_ok = BaseItem.exists()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        log.exception("health check failed")
        table_ok = False
    return {"table_ok": table_ok, "table": settings.table_name, "stage": settings.stage}
