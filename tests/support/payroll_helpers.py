"""Builders for the pay-period and export tests: dates relative to the tenant's today,
"time travel" (the tenant's today moved forward), sales in a given period, and readers
for CSV and PDF bodies."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from chalicelib.payperiods.rules import PeriodWindow, period_for
from tests.support.api import Account, Api
from tests.support.sales_helpers import SEED_COMMISSION_CONFIG, SEED_SALE, record, seed_catalog

CFG = "/admin/commission-config"
PDF_HEADERS = {"Accept": "*/*"}  # what curl sends


def real_today() -> date:
    from chalicelib.core.clock import today_in as tenant_today

    return tenant_today("America/New_York")


def window(day: date) -> PeriodWindow:
    return period_for(day, "biweekly")


def past_windows(count: int, today: date | None = None) -> list[PeriodWindow]:
    """The ``count`` biweekly windows before the current one, oldest first."""
    current = window(today or real_today())
    result = []
    start = current.start
    for _ in range(count):
        w = window(start - timedelta(days=1))
        result.append(w)
        start = w.start
    return list(reversed(result))


def ready(api: Api, owner: Account) -> None:
    """The seed's technician 1 and item 5 with a 7.5% override."""
    seed_catalog(api, owner)
    reply = api.put(f"{CFG}/tech/1/item/5", SEED_COMMISSION_CONFIG, as_=owner)
    assert reply.status == 200, reply.raw


def sale(
    api: Api, owner: Account, day: date, approve: bool = True, **fields: Any
) -> dict[str, Any]:
    created = record(api, owner, {**SEED_SALE, "sale_date": day.isoformat(), **fields})
    if approve:
        reply = api.patch(f"/sales/{created['id']}/approve", {}, as_=owner)
        assert reply.status == 200, reply.raw
        created = reply.data
    return created


def travel(monkeypatch: Any, days: int) -> date:
    """Move the tenant's today ``days`` ahead for every service (sales, periods,
    settings); returns the new today."""
    from chalicelib.core import clock

    original = clock.today_in

    def shifted(zone: Any, now: Any = None) -> date:
        return original(zone, now) + timedelta(days=days)

    monkeypatch.setattr(clock, "today_in", shifted)
    return real_today() + timedelta(days=days)


def csv_rows(body: bytes) -> list[dict[str, str]]:
    assert not body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    assert body.startswith(b"%PDF-"), body[:80]
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def money(cents: int) -> str:
    """As the PDFs print it: $1,234.56 / -$12.34."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def s3_object(tenant_id: str, key_suffix: str) -> bytes:
    import boto3

    key = f"tenants/{tenant_id}/{key_suffix}"
    return boto3.client("s3").get_object(Bucket="tradekitt-test-exports", Key=key)["Body"].read()


def s3_keys(tenant_id: str) -> list[str]:
    import boto3

    found = boto3.client("s3").list_objects_v2(
        Bucket="tradekitt-test-exports", Prefix=f"tenants/{tenant_id}/"
    )
    return sorted(o["Key"] for o in found.get("Contents", []))
