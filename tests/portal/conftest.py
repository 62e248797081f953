"""Helpers of the portal's API tests: portal accounts (registered, verified with the code
read from moto's SES), a business's customer, invoices, estimates and completed jobs."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api import Account, Api
from tests.support.sales_helpers import technician_login

PASSWORD = "customerPassword123!"
GPS = {"latitude": 27.9506, "longitude": -82.4572}


def sent_messages() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def code_sent_to(email: str) -> str:
    """The latest verification code e-mailed to ``email``."""
    for message in reversed(sent_messages()):
        if email in message.destinations.get("ToAddresses", []):
            found = re.search(r"verification code is (\d{6})", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no verification code was sent to {email}")


@dataclass
class Customer:
    """A portal account's session."""

    email: str
    data: dict[str, Any]

    @property
    def token(self) -> str:
        return self.data["access_token"]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_email() -> str:
    return f"jane-{uuid.uuid4().hex[:8]}@example.com"


def register(api: Api, email: str | None = None) -> Customer:
    email = email or new_email()
    body = {"email": email, "password": PASSWORD, "first_name": "Jane", "last_name": "Doe"}
    reply = api.post("/customer/register", body)
    assert reply.status == 201, reply.raw
    return Customer(email, reply.data)


def verified(api: Api, email: str | None = None) -> Customer:
    customer = register(api, email)
    reply = api.post(
        "/customer/verify", {"code": code_sent_to(customer.email)}, headers=customer.headers()
    )
    assert reply.status == 200 and reply.data["email_verified"] is True, reply.raw
    return customer


def as_customer(api: Api, customer: Customer, method: str, path: str, body: Any = None):
    return api.call(method, path, body, headers=customer.headers())


def staff_customer(api: Api, owner: Account, email: str, name: str = "Jane Doe") -> int:
    reply = api.post("/admin/customers", {"name": name, "email": email}, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data["id"]


def sent_invoice(api: Api, owner: Account, email: str, cents: int = 15000) -> dict[str, Any]:
    body = {
        "customer_email": email,
        "customer_name": "Jane Doe",
        "line_items": [{"description": "AC Repair", "amount_cents": cents, "quantity": 1}],
        "due_date": "2030-04-15",
    }
    reply = api.post("/admin/invoices", body, as_=owner)
    assert reply.status == 201, reply.raw
    invoice = reply.data
    reply = api.post(f"/admin/invoices/{invoice['id']}/send", as_=owner)
    assert reply.status == 200, reply.raw
    return reply.data


def draft_invoice(api: Api, owner: Account, email: str) -> dict[str, Any]:
    body = {
        "customer_email": email,
        "line_items": [{"description": "Draft work", "amount_cents": 100, "quantity": 1}],
        "due_date": "2030-05-01",
    }
    reply = api.post("/admin/invoices", body, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data


def sent_estimate(api: Api, owner: Account, email: str, send: bool = True) -> dict[str, Any]:
    body = {
        "customer_name": "Jane Doe",
        "customer_email": email,
        "line_items": [{"description": "New HVAC System", "amount_cents": 850000, "quantity": 1}],
        "valid_until": "2030-04-30",
    }
    reply = api.post("/admin/estimates", body, as_=owner)
    assert reply.status == 201, reply.raw
    estimate = reply.data
    if send:
        reply = api.post(f"/admin/estimates/{estimate['id']}/send", as_=owner)
        assert reply.status == 200, reply.raw
        estimate = reply.data
    return estimate


def completed_job(
    api: Api, owner: Account, customer_id: int, tech: tuple | None = None, complete: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A job of ``customer_id`` done by a technician (a new one unless ``tech`` is given:
    (technician, login)); (job, technician)."""
    technician, login = tech or technician_login(api, owner)
    body = {"title": "AC Repair", "priority": "high", "customer_id": customer_id}
    reply = api.post("/admin/dispatch", body, as_=owner)
    assert reply.status == 201, reply.raw
    job = reply.data
    reply = api.patch(
        f"/admin/dispatch/{job['id']}/assign", {"technician_id": technician["id"]}, as_=owner
    )
    assert reply.status == 200, reply.raw
    if complete:
        path = f"/tech/dispatch/my-jobs/{job['id']}"
        assert api.patch(f"{path}/acknowledge", as_=login).status == 200
        for status in ("en_route", "on_site", "in_progress", "completed"):
            reply = api.patch(f"{path}/status", {"status": status, **GPS}, as_=login)
            assert reply.status == 200, reply.raw
        job = reply.data
    return job, technician


@pytest.fixture
def customer(api):
    """A verified portal account."""
    return verified(api)
