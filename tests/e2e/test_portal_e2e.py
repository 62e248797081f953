"""The customer portal over real HTTP against the `make run` stack: the reference's
"Customer registration" and "Customer login" curls verbatim (only the host substituted),
then a real account verified with the code read from the emulator's SES, invoices and
estimates across two businesses, an estimate accepted and one declined, a service request
that shows in the business's /admin/leads, a review of a completed job in /admin/reviews
(every filter, by page and by cursor) and the technician's rating, the invoice PDF,
refresh and logout, and tokens that never cross between staff and customer routes."""

from __future__ import annotations

import json
import re
import textwrap
import urllib.request
import uuid

from tests.e2e.conftest import ok
from tests.e2e.test_auth_e2e import curl, needs_curl

API = "/api/v1"
PASSWORD = "customerPassword123!"
REGISTER_CURL = """\
curl -X POST https://api.tradekitt.com/api/v1/customer/register \\
  -H "Content-Type: application/json" \\
  -d '{
    "email": "[email protected]",
    "password": "customerPassword123!",
    "first_name": "Jane",
    "last_name": "Doe"
  }'"""
LOGIN_CURL = """\
curl -X POST https://api.tradekitt.com/api/v1/customer/login \\
  -H "Content-Type: application/json" \\
  -d '{"email": "[email protected]", "password": "customerPassword123!"}'"""
GPS = {"latitude": 27.9506, "longitude": -82.4572}


def call(stack, method, path, headers=None, body=None, status=200):
    return ok(stack.request(method, API + path, body, headers), status)


def status_of(stack, method, path, headers=None, body=None) -> int:
    return stack.request(method, API + path, body, headers)[0]


def mailed_code(stack, to: str) -> str:
    url = stack.env["AWS_ENDPOINT_URL"] + "/moto-api/data.json"
    with urllib.request.urlopen(url) as resp:  # noqa: S310 - the local emulator
        messages = json.loads(resp.read()).get("ses", {}).get("Message", [])
    codes = [
        found.group(1)
        for message in messages
        if to in message.get("destinations", {}).get("ToAddresses", [])
        and (found := re.search(r"verification code is (\d{6})", str(message.get("body", ""))))
    ]
    assert codes, f"no verification code sent to {to}"
    return codes[-1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _business(stack, name: str, email: str) -> dict:
    """A business with a sent invoice and a sent estimate for ``email``."""
    owner = stack.register(name)
    headers = owner["headers"]
    invoice = call(
        stack,
        "POST",
        "/admin/invoices",
        headers,
        {
            "customer_name": "Jane Doe",
            "customer_email": email,
            "line_items": [{"description": f"{name} repair", "amount_cents": 15000}],
            "due_date": "2030-04-15",
        },
        201,
    )
    call(stack, "POST", f"/admin/invoices/{invoice['id']}/send", headers)
    estimate = call(
        stack,
        "POST",
        "/admin/estimates",
        headers,
        {
            "customer_name": "Jane Doe",
            "customer_email": email,
            "line_items": [{"description": "New HVAC System", "amount_cents": 850000}],
            "valid_until": "2030-04-30",
        },
        201,
    )
    call(stack, "POST", f"/admin/estimates/{estimate['id']}/send", headers)
    owner.update(invoice=invoice, estimate=estimate)
    return owner


def _technician(stack, owner: dict) -> tuple[dict, dict]:
    """A technician with a login: (technician, the login's headers)."""
    username = "tech" + uuid.uuid4().hex[:8]
    body = {"name": "Tina Tech", "username": username, "password": "securePassword123!"}
    tech = call(stack, "POST", "/admin/technicians", owner["headers"], body, 201)
    login = call(
        stack,
        "POST",
        "/auth/login",
        {"X-Tenant-Id": owner["tenant_id"]},
        {"username": username, "password": "securePassword123!"},
    )
    return tech, {**bearer(login["access_token"]), "X-Tenant-Id": owner["tenant_id"]}


def _completed_job(stack, owner: dict, customer_id: int, tech: tuple[dict, dict]) -> dict:
    headers = owner["headers"]
    technician, tech_headers = tech
    body = {"title": "AC Repair", "priority": "high", "customer_id": customer_id}
    job = call(stack, "POST", "/admin/dispatch", headers, body, 201)
    assign = {"technician_id": technician["id"]}
    call(stack, "PATCH", f"/admin/dispatch/{job['id']}/assign", headers, assign)
    path = f"/tech/dispatch/my-jobs/{job['id']}"
    call(stack, "PATCH", f"{path}/acknowledge", tech_headers)
    for status in ("en_route", "on_site", "in_progress", "completed"):
        job = call(stack, "PATCH", f"{path}/status", tech_headers, {"status": status, **GPS})
    return job


@needs_curl
def test_reference_register_and_login_curls(stack):
    registered = curl(stack, REGISTER_CURL)
    assert registered["ok"] is True, registered
    data = registered["data"]
    assert data["email_verified"] is False and data["access_token"] and data["refresh_token"]
    logged_in = curl(stack, LOGIN_CURL)
    assert logged_in["ok"] is True and logged_in["data"]["customer"]["id"] == data["customer"]["id"]
    again = curl(stack, REGISTER_CURL)
    assert again["ok"] is False and again["error"]["code"] == "CONFLICT"
    # unverified: sees nothing, may not post
    headers = bearer(logged_in["data"]["access_token"])
    assert call(stack, "GET", "/customer/invoices", headers)["items"] == []
    assert call(stack, "GET", "/customer/me", headers)["email_verified"] is False


def test_portal_over_http(stack):
    email = f"jane-{uuid.uuid4().hex[:8]}@example.com"
    first = _business(stack, "Portal Heating", email)
    second = _business(stack, "Portal Plumbing", email)
    stranger = stack.register("Portal Electric")  # does not know the e-mail

    # register, a wrong code, then the code the emulator's SES holds
    session = call(
        stack,
        "POST",
        "/customer/register",
        None,
        {"email": email, "password": PASSWORD, "first_name": "Jane", "last_name": "Doe"},
        201,
    )
    headers = bearer(session["access_token"])
    assert call(stack, "GET", "/customer/invoices", headers)["total"] == 0  # not verified
    code = mailed_code(stack, email)
    wrong = "000000" if code != "000000" else "111111"
    status, _, body = stack.request("POST", API + "/customer/verify", {"code": wrong}, headers)
    assert status == 422 and body["error"]["details"][0]["field"] == "code"
    resent = call(stack, "POST", "/customer/verify/resend", headers)
    assert resent["sent"] is True
    code = mailed_code(stack, email)
    me = call(stack, "POST", "/customer/verify", headers, {"code": code})
    assert me["email_verified"] is True
    assert call(stack, "GET", "/customer/me", headers)["email_verified"] is True

    # invoices across both businesses, by page
    invoices = call(stack, "GET", "/customer/invoices", headers)
    assert invoices["total"] == 2
    assert {i["business_code"] for i in invoices["items"]} == {
        first["business_code"],
        second["business_code"],
    }
    page2 = call(stack, "GET", "/customer/invoices?page=2&limit=1", headers)
    assert page2["total"] == 2 and len(page2["items"]) == 1 and page2["page"] == 2
    assert (
        page2["items"][0] not in call(stack, "GET", "/customer/invoices?limit=1", headers)["items"]
    )
    # the PDF of one of them
    pdf_path = f"{API}/customer/invoices/{first['business_code']}/{first['invoice']['id']}/pdf"
    status, pdf_headers, raw = stack.request(
        "GET", pdf_path, None, {**headers, "Accept": "application/pdf"}
    )
    assert status == 200 and raw.startswith(b"%PDF"), raw[:200]
    stranger_pdf = f"/customer/invoices/{stranger['business_code']}/1/pdf"
    assert status_of(stack, "GET", stranger_pdf, headers) == 404

    # estimates across both: accept one, decline the other, by page
    estimates = call(stack, "GET", "/customer/estimates", headers)
    assert estimates["total"] == 2
    assert call(stack, "GET", "/customer/estimates?page=2&limit=1", headers)["total"] == 2
    accept = f"/customer/estimates/{first['business_code']}/{first['estimate']['id']}/accept"
    accepted = call(stack, "POST", accept, headers)
    assert accepted["status"] == "accepted" and accepted["responded_via"] == "portal"
    assert status_of(stack, "POST", accept, headers) == 409
    staff_view = call(stack, "GET", f"/admin/estimates/{first['estimate']['id']}", first["headers"])
    assert staff_view["status"] == "accepted"
    decline = f"/customer/estimates/{second['business_code']}/{second['estimate']['id']}/decline"
    assert call(stack, "POST", decline, headers)["status"] == "declined"
    not_known = f"/customer/estimates/{stranger['business_code']}/1/accept"
    assert status_of(stack, "POST", not_known, headers) == 404

    # a service request: a portal lead of that business only
    request = call(
        stack,
        "POST",
        "/customer/service-requests",
        headers,
        {
            "business_code": stranger["business_code"],
            "description": "Panel buzzing",
            "preferred_date": "2030-04-02",
            "phone": "+1 813 555 0100",
        },
        201,
    )
    leads = call(stack, "GET", "/admin/leads?source=portal", stranger["headers"])
    assert [lead["id"] for lead in leads["items"]] == [request["lead_id"]]
    assert leads["items"][0]["email"] == email
    assert call(stack, "GET", "/admin/leads?source=portal", first["headers"])["total"] == 0

    # a review of a completed job, in /admin/reviews and the technician's rating
    customer_id = first["invoice"]["customer_id"]
    tech = _technician(stack, first)
    jobs = [_completed_job(stack, first, customer_id, tech) for _ in range(2)]
    for job, rating in zip(jobs, (5, 4), strict=True):
        body = {"business_code": first["business_code"], "job_id": job["id"], "rating": rating}
        review = call(stack, "POST", "/customer/reviews", headers, {**body, "text": "Great"}, 201)
        assert review["rating"] == rating
    assert status_of(stack, "POST", "/customer/reviews", headers, body) == 409
    technician_id = tech[0]["id"]
    reviews = f"/admin/reviews?technician_id={technician_id}&limit=1"
    by_tech = call(stack, "GET", reviews, first["headers"])
    assert by_tech["total"] == 2 and by_tech["items"][0]["rating"] == 4  # newest first
    rest = call(stack, "GET", f"{reviews}&cursor={by_tech['next_cursor']}", first["headers"])
    assert [r["rating"] for r in rest["items"]] == [5]
    assert call(stack, "GET", f"{reviews}&page=2", first["headers"])["items"] == rest["items"]
    all_reviews = call(stack, "GET", "/admin/reviews?rating=4", first["headers"])
    assert all_reviews["total"] == 1 and all_reviews["items"][0]["job_id"] == jobs[1]["id"]
    assert call(stack, "GET", "/admin/reviews", first["headers"])["total"] == 2
    assert call(stack, "GET", "/admin/reviews", second["headers"])["total"] == 0
    rating = f"/admin/reviews/technicians/{technician_id}"
    shown = call(stack, "GET", rating, first["headers"])
    assert shown["review_count"] == 2 and shown["rating_average"] == "4.5"
    roster = call(stack, "GET", f"/admin/technicians/{technician_id}", first["headers"])
    assert (roster["review_count"], roster["rating_average"]) == (2, "4.5")

    # tokens never cross
    assert (
        status_of(stack, "GET", "/admin/invoices", {**headers, "X-Tenant-Id": first["tenant_id"]})
        == 401
    )
    assert status_of(stack, "GET", "/customer/me", first["headers"]) == 401

    # refresh, then logout ends the session at once
    fresh = call(
        stack, "POST", "/customer/refresh", None, {"refresh_token": session["refresh_token"]}
    )
    assert (
        status_of(
            stack, "POST", "/customer/refresh", None, {"refresh_token": session["refresh_token"]}
        )
        == 401
    )
    session = call(stack, "POST", "/customer/login", None, {"email": email, "password": PASSWORD})
    headers = bearer(session["access_token"])
    assert call(stack, "POST", "/customer/logout", headers) == {"logged_out": True}
    assert status_of(stack, "GET", "/customer/me", headers) == 401
    assert fresh["access_token"]


def test_bad_inputs_over_http(stack):
    status, _, body = stack.request(
        "POST",
        API + "/customer/register",
        {"email": "nope", "password": PASSWORD, "first_name": "J", "last_name": "D"},
    )
    assert status == 422 and body["error"]["details"][0]["field"] == "email"
    status, _, _ = stack.request(
        "POST", API + "/customer/login", {"email": "x@y.com", "password": "z"}
    )
    assert status == 401
    owner = stack.register("Portal Bad Input")
    assert status_of(stack, "GET", "/admin/reviews?rating=9", owner["headers"]) == 400
    assert status_of(stack, "POST", "/customer/verify", None, {"code": "123456"}) == 401
    assert textwrap.dedent(REGISTER_CURL).startswith("curl")
