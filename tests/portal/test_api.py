"""The customer portal through ``chalice.test.Client`` and moto: identities, verification,
tokens, the lists across businesses and their isolation, estimates, PDFs, reviews and
service requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.core import clock
from tests.portal.conftest import (
    PASSWORD,
    as_customer,
    code_sent_to,
    completed_job,
    draft_invoice,
    new_email,
    register,
    sent_estimate,
    sent_invoice,
    staff_customer,
    verified,
)

REFERENCE_REGISTER = {
    "email": "[email protected]",
    "password": "customerPassword123!",
    "first_name": "Jane",
    "last_name": "Doe",
}
REFERENCE_LOGIN = {"email": "[email protected]", "password": "customerPassword123!"}


def _field(reply) -> str:
    return reply.error["details"][0]["field"]


# --- identities ------------------------------------------------------------------------------
def test_reference_register_and_login_without_a_tenant(api):
    reply = api.post("/customer/register", REFERENCE_REGISTER)
    assert reply.status == 201, reply.raw
    data = reply.data
    assert data["email_verified"] is False and data["access_token"] and data["refresh_token"]
    assert data["customer"]["name"] == "Jane Doe"
    assert data["customer"]["email_verified"] is False
    reply = api.post("/customer/login", REFERENCE_LOGIN)
    assert reply.status == 200, reply.raw
    assert reply.data["customer"]["id"] == data["customer"]["id"]
    me = api.get("/customer/me", headers={"Authorization": f"Bearer {reply.data['access_token']}"})
    assert me.status == 200 and me.data["email"] == "[email protected]"
    again = api.post("/customer/register", REFERENCE_REGISTER)
    assert again.status == 409 and again.error["code"] == "CONFLICT"


def test_register_emails_a_code_and_refuses_a_taken_email_in_any_case(api):
    customer = register(api)
    assert len(code_sent_to(customer.email)) == 6
    body = {**REFERENCE_REGISTER, "email": customer.email.upper()}
    assert api.post("/customer/register", body).status == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**REFERENCE_REGISTER, "email": "not-an-email"}, "email"),
        ({**REFERENCE_REGISTER, "password": "short"}, "password"),
        ({k: v for k, v in REFERENCE_REGISTER.items() if k != "first_name"}, "first_name"),
        ({**REFERENCE_REGISTER, "last_name": ""}, "last_name"),
    ],
)
def test_register_refuses_bad_input_naming_the_field(api, body, field):
    reply = api.post("/customer/register", body)
    assert reply.status == 422 and reply.error["code"] == "VALIDATION_ERROR"
    assert _field(reply) == field


def test_login_refuses_wrong_passwords_and_locks_after_five(api):
    customer = register(api)
    assert (
        api.post("/customer/login", {"email": "nobody@example.com", "password": "x"}).status == 401
    )
    for _ in range(5):
        reply = api.post("/customer/login", {"email": customer.email, "password": "wrong-pass"})
        assert reply.status == 401 and reply.error["code"] == "UNAUTHORIZED"
    reply = api.post("/customer/login", {"email": customer.email, "password": PASSWORD})
    assert reply.status == 429 and int(reply.headers["retry-after"]) > 0
    reply = api.post("/customer/login", {"email": customer.email})
    assert reply.status == 422 and _field(reply) == "password"


def test_login_and_register_are_rate_limited_like_staff_auth(api, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_AUTH", "2")
    monkeypatch.setattr("chalicelib.core.clock.time", lambda: 1_900_000_090.0)
    login = {"email": "a@example.com", "password": "wrong-password"}
    assert [api.post("/customer/login", login).status for _ in range(2)] == [401, 401]
    reply = api.post("/customer/login", login)
    assert reply.status == 429 and 1 <= int(reply.headers["retry-after"]) <= 60
    reply = api.post("/customer/register", {**REFERENCE_REGISTER, "email": new_email()})
    assert reply.status == 429


# --- verification --------------------------------------------------------------------------
def test_verify_with_the_emailed_code_once(api):
    customer = register(api)
    code = code_sent_to(customer.email)
    reply = as_customer(api, customer, "POST", "/customer/verify", {"code": code})
    assert reply.status == 200 and reply.data["email_verified"] is True
    assert reply.data["verified_at"]
    again = as_customer(api, customer, "POST", "/customer/verify", {"code": code})
    assert again.status == 409
    assert as_customer(api, customer, "POST", "/customer/verify/resend").status == 409
    me = as_customer(api, customer, "GET", "/customer/me").data
    assert me["email_verified"] is True


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567", ""])
def test_verify_refuses_a_malformed_code(api, code):
    customer = register(api)
    reply = as_customer(api, customer, "POST", "/customer/verify", {"code": code})
    assert reply.status == 422 and _field(reply) == "code"


def test_five_wrong_codes_void_the_code_and_resend_gives_a_new_one(api):
    customer = register(api)
    code = code_sent_to(customer.email)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        reply = as_customer(api, customer, "POST", "/customer/verify", {"code": wrong})
        assert reply.status == 422 and _field(reply) == "code"
    reply = as_customer(api, customer, "POST", "/customer/verify", {"code": code})
    assert reply.status == 422  # voided
    resent = as_customer(api, customer, "POST", "/customer/verify/resend")
    assert resent.status == 200 and resent.data == {"sent": True, "email": customer.email}
    fresh = code_sent_to(customer.email)
    reply = as_customer(api, customer, "POST", "/customer/verify", {"code": fresh})
    assert reply.status == 200 and reply.data["email_verified"] is True


def test_a_resent_code_replaces_the_first(api):
    customer = register(api)
    first = code_sent_to(customer.email)
    assert as_customer(api, customer, "POST", "/customer/verify/resend").status == 200
    second = code_sent_to(customer.email)
    if first != second:
        reply = as_customer(api, customer, "POST", "/customer/verify", {"code": first})
        assert reply.status == 422
    assert as_customer(api, customer, "POST", "/customer/verify", {"code": second}).status == 200


def test_a_code_expires_after_ten_minutes(api, monkeypatch):
    customer = register(api)
    code = code_sent_to(customer.email)
    later = clock.now() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    reply = as_customer(api, customer, "POST", "/customer/verify", {"code": code})
    assert reply.status == 422 and _field(reply) == "code"


# --- tokens ----------------------------------------------------------------------------------
def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(api):
    customer = register(api)
    old = customer.data["refresh_token"]
    reply = api.post("/customer/refresh", {"refresh_token": old})
    assert reply.status == 200, reply.raw
    new = reply.data
    assert new["refresh_token"] != old
    fresh_headers = {"Authorization": f"Bearer {new['access_token']}"}
    assert api.get("/customer/me", headers=fresh_headers).status == 200
    reused = api.post("/customer/refresh", {"refresh_token": old})
    assert reused.status == 401
    assert api.post("/customer/refresh", {"refresh_token": new["refresh_token"]}).status == 401
    assert api.get("/customer/me", headers=fresh_headers).status == 401


def test_logout_ends_the_session_at_once(api):
    customer = register(api)
    other = api.post("/customer/login", {"email": customer.email, "password": PASSWORD}).data
    reply = as_customer(api, customer, "POST", "/customer/logout")
    assert reply.status == 200 and reply.data == {"logged_out": True}
    assert as_customer(api, customer, "GET", "/customer/me").status == 401
    refresh = api.post("/customer/refresh", {"refresh_token": customer.data["refresh_token"]})
    assert refresh.status == 401
    # the account's other session goes on
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert api.get("/customer/me", headers=other_headers).status == 200


def test_staff_and_customer_refresh_tokens_do_not_cross(api, owner):
    customer = register(api)
    staff_refresh = api.post("/customer/refresh", {"refresh_token": owner.refresh_token})
    assert staff_refresh.status == 401
    portal_refresh = api.post("/auth/refresh", {"refresh_token": customer.data["refresh_token"]})
    assert portal_refresh.status == 401
    assert api.get("/auth/me", headers=customer.headers()).status == 401
    assert api.get("/customer/me", as_=owner).status == 401


# --- across businesses -----------------------------------------------------------------------
def test_an_unverified_email_sees_nothing(api, owner):
    customer = register(api)
    staff_customer(api, owner, customer.email)
    sent_invoice(api, owner, customer.email)
    for path in ("/customer/invoices", "/customer/estimates"):
        reply = as_customer(api, customer, "GET", path)
        assert reply.status == 200 and reply.data["items"] == [] and reply.data["total"] == 0
    invoice_pdf = f"/customer/invoices/{owner.business_code}/1/pdf"
    assert as_customer(api, customer, "GET", invoice_pdf).status == 404


def test_two_businesses_with_the_email_both_show_and_stay_apart_for_staff(api, owner, other):
    customer = verified(api)
    first = sent_invoice(api, owner, customer.email, 15000)
    second = sent_invoice(api, other, customer.email, 25000)
    draft_invoice(api, owner, customer.email)  # drafts are not shown
    reply = as_customer(api, customer, "GET", "/customer/invoices")
    assert reply.status == 200, reply.raw
    items = reply.data["items"]
    assert reply.data["total"] == 2
    shown = {(i["business_code"], i["id"], i["total_cents"]) for i in items}
    assert shown == {
        (owner.business_code, first["id"], 15000),
        (other.business_code, second["id"], 25000),
    }
    assert {i["business_name"] for i in items} == {"Smith HVAC", "Other Plumbing"}
    assert not {"customer_id", "customer_email", "notes", "payments"} & set(items[0])
    paged = as_customer(api, customer, "GET", "/customer/invoices?page=2&limit=1").data
    assert paged["total"] == 2 and len(paged["items"]) == 1 and paged["total_pages"] == 2
    # the staff side: each business sees only its own invoice of this e-mail
    mine = api.get("/admin/invoices", as_=owner).data["items"]
    assert [i["total_cents"] for i in mine if i["status"] != "draft"] == [15000]
    theirs = api.get("/admin/invoices", as_=other).data["items"]
    assert [i["total_cents"] for i in theirs] == [25000]
    if first["id"] == second["id"]:
        # the same number at two businesses: the other one's is a different invoice
        assert api.get(f"/admin/invoices/{first['id']}", as_=other).data["total_cents"] == 25000


def test_a_business_that_does_not_know_the_email_shows_nothing(api, owner, other):
    customer = verified(api)
    sent_invoice(api, owner, customer.email)
    sent_invoice(api, other, new_email())  # another person's invoice there
    items = as_customer(api, customer, "GET", "/customer/invoices").data["items"]
    assert {i["business_code"] for i in items} == {owner.business_code}
    pdf = f"/customer/invoices/{other.business_code}/1/pdf"
    assert as_customer(api, customer, "GET", pdf).status == 404


def test_invoice_pdf_of_the_customers_own_invoice(api, owner):
    customer = verified(api)
    invoice = sent_invoice(api, owner, customer.email)
    someone = sent_invoice(api, owner, new_email())
    path = f"/customer/invoices/{owner.business_code}/{invoice['id']}/pdf"
    pdf = {**customer.headers(), "Accept": "application/pdf"}
    reply = api.get(path, headers=pdf)
    assert reply.status == 200 and reply.raw.startswith(b"%PDF")
    assert reply.headers["content-type"] == "application/pdf"
    not_theirs = f"/customer/invoices/{owner.business_code}/{someone['id']}/pdf"
    assert as_customer(api, customer, "GET", not_theirs).status == 404
    unknown = f"/customer/invoices/NOSUCHCODE/{invoice['id']}/pdf"
    assert as_customer(api, customer, "GET", unknown).status == 404


# --- estimates -------------------------------------------------------------------------------
def test_estimates_list_and_accept_through_the_portal(api, owner, other):
    customer = verified(api)
    estimate = sent_estimate(api, owner, customer.email)
    sent_estimate(api, owner, customer.email, send=False)  # a draft: not shown
    theirs = sent_estimate(api, other, customer.email)
    reply = as_customer(api, customer, "GET", "/customer/estimates")
    assert reply.status == 200, reply.raw
    assert {(e["business_code"], e["id"]) for e in reply.data["items"]} == {
        (owner.business_code, estimate["id"]),
        (other.business_code, theirs["id"]),
    }
    path = f"/customer/estimates/{owner.business_code}/{estimate['id']}/accept"
    reply = as_customer(api, customer, "POST", path)
    assert reply.status == 200, reply.raw
    assert reply.data["status"] == "accepted" and reply.data["responded_via"] == "portal"
    assert reply.data["business_code"] == owner.business_code
    assert as_customer(api, customer, "POST", path).status == 409
    staff_view = api.get(f"/admin/estimates/{estimate['id']}", as_=owner).data
    assert staff_view["status"] == "accepted" and staff_view["responded_via"] == "portal"
    decline = f"/customer/estimates/{other.business_code}/{theirs['id']}/decline"
    reply = as_customer(api, customer, "POST", decline)
    assert reply.status == 200 and reply.data["status"] == "declined"


def test_estimates_of_another_customer_or_business_are_404(api, owner, other):
    customer = verified(api)
    staff_customer(api, owner, customer.email)
    someone = sent_estimate(api, owner, new_email())
    draft = sent_estimate(api, owner, customer.email, send=False)
    for code, estimate_id in [
        (owner.business_code, someone["id"]),
        (owner.business_code, draft["id"]),
        (other.business_code, someone["id"]),
        ("NOSUCHCODE", someone["id"]),
        (owner.business_code, 999999),
    ]:
        path = f"/customer/estimates/{code}/{estimate_id}/accept"
        reply = as_customer(api, customer, "POST", path)
        assert reply.status == 404 and reply.error["code"] == "NOT_FOUND", (code, estimate_id)
    assert api.get(f"/admin/estimates/{someone['id']}", as_=owner).data["status"] == "sent"


# --- reviews ---------------------------------------------------------------------------------
def test_review_a_completed_job_once_and_the_technician_rating(api, owner):
    customer = verified(api)
    customer_id = staff_customer(api, owner, customer.email)
    job, technician = completed_job(api, owner, customer_id)
    body = {"business_code": owner.business_code, "job_id": job["id"], "rating": 4, "text": "Good"}
    reply = as_customer(api, customer, "POST", "/customer/reviews", body)
    assert reply.status == 201, reply.raw
    assert reply.data["rating"] == 4 and reply.data["technician_id"] == technician["id"]
    again = as_customer(api, customer, "POST", "/customer/reviews", body)
    assert again.status == 409
    listed = api.get(f"/admin/reviews?technician_id={technician['id']}", as_=owner).data
    assert listed["total"] == 1 and listed["items"][0]["text"] == "Good"
    assert api.get("/admin/reviews?rating=5", as_=owner).data["total"] == 0
    assert api.get("/admin/reviews?rating=4", as_=owner).data["total"] == 1
    from chalicelib.portal import reviews

    rating = reviews.ratings(owner.tenant_id, [technician["id"]])[technician["id"]]
    assert rating == {"review_count": 1, "rating_average": "4.0"}


def test_reviews_feed_the_average_and_list_by_technician(api, owner, other):
    from tests.support.sales_helpers import technician_login

    customer = verified(api)
    customer_id = staff_customer(api, owner, customer.email)
    tech = technician_login(api, owner)
    for rating in (5, 4):
        job, _ = completed_job(api, owner, customer_id, tech)
        body = {"business_code": owner.business_code, "job_id": job["id"], "rating": rating}
        assert as_customer(api, customer, "POST", "/customer/reviews", body).status == 201
    from chalicelib.portal import reviews

    technician_id = tech[0]["id"]
    assert reviews.ratings(owner.tenant_id, [technician_id])[technician_id] == {
        "review_count": 2,
        "rating_average": "4.5",
    }
    page = api.get(f"/admin/reviews?technician_id={technician_id}&limit=1", as_=owner).data
    assert page["total"] == 2 and len(page["items"]) == 1 and page["next_cursor"]
    assert api.get("/admin/reviews", as_=other).data["total"] == 0


def test_review_refusals(api, owner):
    unverified = register(api)
    customer = verified(api)
    customer_id = staff_customer(api, owner, customer.email)
    done, _ = completed_job(api, owner, customer_id)
    open_job, _ = completed_job(api, owner, customer_id, complete=False)
    someone_id = staff_customer(api, owner, new_email(), "Someone Else")
    theirs, _ = completed_job(api, owner, someone_id)
    code = owner.business_code

    def post(who, **fields):
        body = {"business_code": code, "job_id": done["id"], "rating": 5, **fields}
        return as_customer(api, who, "POST", "/customer/reviews", body)

    assert post(unverified).status == 403
    assert post(customer, job_id=open_job["id"]).status == 409
    assert post(customer, job_id=theirs["id"]).status == 404
    assert post(customer, job_id=999999).status == 404
    assert post(customer, business_code="NOSUCHCODE").status == 404
    for rating in (0, 6, "5", 4.5):
        reply = post(customer, rating=rating)
        assert reply.status == 422 and _field(reply) == "rating", rating
    reply = post(customer, job_id=0)
    assert reply.status == 422 and _field(reply) == "job_id"
    reply = post(customer, text="x" * 2001)
    assert reply.status == 422 and _field(reply) == "text"
    assert api.get("/admin/reviews", as_=owner).data["total"] == 0


def test_admin_reviews_refuses_bad_filters(api, owner):
    for query in ("technician_id=0", "technician_id=x", "rating=6"):
        reply = api.get(f"/admin/reviews?{query}", as_=owner)
        assert reply.status == 400, query


# --- service requests ----------------------------------------------------------------------
def test_a_service_request_reaches_the_business_as_a_portal_lead(api, owner, other):
    customer = verified(api)
    body = {
        "business_code": owner.business_code.lower(),
        "description": "Water heater leaking",
        "preferred_date": "2030-04-02",
        "address": "123 Oak St",
        "phone": "+1 813 555 0100",
    }
    reply = as_customer(api, customer, "POST", "/customer/service-requests", body)
    assert reply.status == 201, reply.raw
    assert reply.data["business_code"] == owner.business_code
    lead = api.get(f"/admin/leads/{reply.data['lead_id']}", as_=owner).data
    assert lead["source"] == "portal" and lead["email"] == customer.email
    assert lead["name"] == "Jane Doe" and lead["service_address"] == "123 Oak St"
    assert lead["phone"] == "+1 813 555 0100" and "2030-04-02" in lead["description"]
    leads = api.get("/admin/leads?source=portal", as_=owner).data
    assert [item["id"] for item in leads["items"]] == [lead["id"]]
    assert api.get("/admin/leads?source=portal", as_=other).data["total"] == 0


def test_service_request_refusals(api, owner):
    unverified = register(api)
    customer = verified(api)
    body = {"business_code": owner.business_code, "description": "Leak"}
    path = "/customer/service-requests"
    assert as_customer(api, unverified, "POST", path, body).status == 403
    unknown = as_customer(api, customer, "POST", path, {**body, "business_code": "NOSUCHCODE"})
    assert unknown.status == 404
    for field, value in [
        ("description", ""),
        ("description", "x" * 2001),
        ("preferred_date", "2030-13-01"),
        ("business_code", ""),
        ("phone", "9" * 41),
    ]:
        reply = as_customer(api, customer, "POST", path, {**body, field: value})
        assert reply.status == 422 and _field(reply) == field, (field, reply.raw)
    assert api.get("/admin/leads", as_=owner).data["total"] == 0


# --- the technicians' side and the businesses' communications ------------------------------
def test_the_technician_rating_shows_its_review_count_and_average(api, owner, other):
    customer = verified(api)
    customer_id = staff_customer(api, owner, customer.email)
    job, technician = completed_job(api, owner, customer_id)
    path = f"/admin/reviews/technicians/{technician['id']}"
    shown = api.get(path, as_=owner).data
    assert shown == {"technician_id": technician["id"], "review_count": 0, "rating_average": None}
    body = {"business_code": owner.business_code, "job_id": job["id"], "rating": 3}
    assert as_customer(api, customer, "POST", "/customer/reviews", body).status == 201
    shown = api.get(path, as_=owner).data
    assert shown["review_count"] == 1 and shown["rating_average"] == "3.0"
    assert api.get(path, as_=other).status == 404
    # and where the roster shows the technician
    roster = api.get(f"/admin/technicians/{technician['id']}", as_=owner).data
    assert roster["review_count"] == 1 and roster["rating_average"] == "3.0"
    listed = {t["id"]: t for t in api.get("/admin/technicians", as_=owner).data["items"]}
    assert listed[technician["id"]]["rating_average"] == "3.0"
    patched = api.patch(f"/admin/technicians/{technician['id']}", {"phone": "1"}, as_=owner)
    assert patched.data["review_count"] == 1
    assert api.get("/admin/reviews/technicians/999999", as_=owner).status == 404


def test_the_verification_email_is_logged_where_the_email_is_a_customer(api, owner, other):
    email = new_email()
    customer_id = staff_customer(api, owner, email)
    register(api, email)
    logged = api.get(
        f"/admin/customer-communications?customer_id={customer_id}&kind=verification", as_=owner
    ).data
    assert logged["total"] == 1 and logged["items"][0]["status"] == "sent"
    nothing = api.get("/admin/customer-communications?kind=verification", as_=other).data
    assert nothing["total"] == 0


def test_a_merged_customers_records_show_and_can_be_acted_on(api, owner):
    """The old record's invoice, estimate and job are the survivor's once merged."""
    customer = verified(api)
    survivor = staff_customer(api, owner, customer.email)
    old_email = new_email()
    invoice = sent_invoice(api, owner, old_email)
    estimate = sent_estimate(api, owner, old_email)
    merged = invoice["customer_id"]
    job, _ = completed_job(api, owner, merged)
    assert as_customer(api, customer, "GET", "/customer/invoices").data["total"] == 0
    reply = api.post(f"/admin/customers/{survivor}/merge", {"from_id": merged}, as_=owner)
    assert reply.status == 200, reply.raw
    shown = as_customer(api, customer, "GET", "/customer/invoices").data["items"]
    assert [i["id"] for i in shown] == [invoice["id"]]
    path = f"/customer/estimates/{owner.business_code}/{estimate['id']}/accept"
    assert as_customer(api, customer, "POST", path).data["status"] == "accepted"
    body = {"business_code": owner.business_code, "job_id": job["id"], "rating": 5}
    assert as_customer(api, customer, "POST", "/customer/reviews", body).status == 201
