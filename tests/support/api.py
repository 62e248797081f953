"""A thin wrapper over ``chalice.test.Client`` that speaks the API's conventions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chalice.test import Client

from tests.support import documented

PREFIX = "/api/v1"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def data(self) -> Any:
        body = self.json
        assert body["ok"] is True, body
        return body["data"]

    @property
    def error(self) -> dict[str, Any]:
        body = self.json
        assert body["ok"] is False, body
        return body["error"]


@dataclass
class Account:
    """A registered tenant's admin session."""

    tenant_id: str
    business_code: str
    access_token: str
    refresh_token: str
    user: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "X-Tenant-Id": self.tenant_id}


class Api:
    def __init__(self, client: Client) -> None:
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        as_: Account | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        all_headers = {"Content-Type": "application/json"}
        if as_ is not None:
            all_headers.update(as_.headers())
        all_headers.update(headers or {})
        payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        url = path if path.startswith("/api") else PREFIX + path
        resp = self.client.http.request(method, url, headers=all_headers, body=payload)
        documented.check(method, url, resp.status_code)
        return Reply(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.body)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)

    def register(
        self,
        company: str = "Smith HVAC",
        username: str | None = None,
        email: str | None = None,
        password: str = "securePassword123!",
    ) -> Account:
        import uuid

        suffix = uuid.uuid4().hex[:8]
        reply = self.post(
            "/auth/register",
            {
                "email": email or f"owner-{suffix}@example.com",
                "username": username or f"owner{suffix}",
                "password": password,
                "first_name": "Jane",
                "last_name": "Smith",
                "company_name": company,
            },
        )
        assert reply.status == 201, reply.raw
        data = reply.data
        return Account(
            tenant_id=data["tenant_id"],
            business_code=data["business_code"],
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            user=data["user"],
            extra={"password": password},
        )
