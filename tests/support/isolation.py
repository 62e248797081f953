"""Tenant-isolation checks every feature reuses.

``assert_isolated(api, owner, intruder, calls)`` proves that another tenant's valid token
sees nothing of the owner's resources: each call made with the intruder's token answers
404 (the id does not exist in the intruder's tenant) or 403, never 2xx, and never leaks
the owner's data; and presenting the intruder's token with the owner's ``X-Tenant-Id``
is 403 (the tenant always comes from the verified token).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.support.api import Account, Api


def assert_isolated(
    api: Api,
    owner: Account,
    intruder: Account,
    calls: Iterable[tuple[str, str, Any]],
    secrets: Iterable[str] = (),
) -> None:
    secrets = [s for s in secrets if s]
    for method, path, body in calls:
        reply = api.call(method, path, body, as_=intruder)
        assert reply.status in (403, 404), (method, path, reply.status, reply.raw)
        assert reply.json["ok"] is False
        for secret in secrets:
            assert secret.encode() not in reply.raw, (method, path, secret)
        spoofed = api.call(
            method, path, body, as_=intruder, headers={"X-Tenant-Id": owner.tenant_id}
        )
        assert spoofed.status == 403, (method, path, spoofed.status, spoofed.raw)
        assert spoofed.json["error"]["code"] == "FORBIDDEN"
