"""The customer portal (``/customer/...``): portal accounts by e-mail with their own
customer tokens (no ``X-Tenant-Id``; staff tokens are 401 here, customer tokens 401 on
every staff route), e-mail verification by code, invoices and estimates across the
businesses that know the verified e-mail, estimate accept/decline, service requests (leads)
and reviews; and ``GET /admin/reviews`` for staff."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import BaseModel

from chalicelib.core import roles
from chalicelib.core.pagination import page_body
from chalicelib.core.routing import CUSTOMER, ApiRequest, Raw, endpoint
from chalicelib.core.schemas import page_of
from chalicelib.portal import reviews, service
from chalicelib.portal.models import (
    CustomerLoginIn,
    CustomerLogoutOut,
    CustomerRefreshIn,
    CustomerRefreshOut,
    CustomerRegisterIn,
    CustomerSessionOut,
    CustomerVerifyIn,
    PortalAccountOut,
    PortalEstimateOut,
    PortalInvoiceOut,
    PostedReviewOut,
    RatingOut,
    ResentOut,
    ReviewFilter,
    ReviewIn,
    ReviewOut,
    ServiceRequestIn,
    ServiceRequestOut,
)

bp = Blueprint(__name__)
TAG = "customer portal"
PDF = "application/pdf"
ACROSS = (
    " Reads at most 20 businesses (those whose customer record has the verified e-mail) "
    "and each one's 50 newest; drafts are not shown. Before the e-mail is verified the "
    "list is empty."
)


@endpoint(
    bp,
    "/customer/register",
    "POST",
    summary="Register a customer portal account",
    tag=TAG,
    public=True,
    rate="auth",
    body=CustomerRegisterIn,
    response=CustomerSessionOut,
    status=201,
)
def register(req: ApiRequest) -> Any:
    """A global account by e-mail (no ``X-Tenant-Id``), signed in at once with customer
    tokens and ``email_verified: false``; a 6-digit code is e-mailed (10 minutes; ``POST
    /customer/verify``). 409 when the e-mail already has an account."""
    body: CustomerRegisterIn = req.body
    return service.register(body.email, body.password, body.first_name, body.last_name)


@endpoint(
    bp,
    "/customer/login",
    "POST",
    summary="Log in to the customer portal",
    tag=TAG,
    public=True,
    rate="auth",
    body=CustomerLoginIn,
    response=CustomerSessionOut,
)
def login(req: ApiRequest) -> Any:
    """E-mail and password (no ``X-Tenant-Id``). Five failed attempts in a row lock the
    account for 15 minutes (429 with ``Retry-After``)."""
    body: CustomerLoginIn = req.body
    return service.login(body.email, body.password)


@endpoint(
    bp,
    "/customer/refresh",
    "POST",
    summary="Exchange a customer refresh token for new tokens",
    tag=TAG,
    public=True,
    rate="auth",
    body=CustomerRefreshIn,
    response=CustomerRefreshOut,
)
def refresh(req: ApiRequest) -> Any:
    """Single use: answers a rotated ``refresh_token``; a used one ends the session."""
    return service.refresh(req.body.refresh_token)


@endpoint(
    bp,
    "/customer/logout",
    "POST",
    summary="End the customer's session",
    tag=TAG,
    audience=CUSTOMER,
    response=CustomerLogoutOut,
)
def logout(req: ApiRequest) -> Any:
    """Its refresh token and its access tokens stop working at once."""
    service.logout(req.portal_user)
    return {"logged_out": True}


@endpoint(
    bp,
    "/customer/me",
    "GET",
    summary="The signed-in customer",
    tag=TAG,
    audience=CUSTOMER,
    response=PortalAccountOut,
)
def me(req: ApiRequest) -> Any:
    return service.me(req.portal_user)


@endpoint(
    bp,
    "/customer/verify",
    "POST",
    summary="Verify the e-mail with the code sent to it",
    tag=TAG,
    audience=CUSTOMER,
    rate="auth",
    body=CustomerVerifyIn,
    response=PortalAccountOut,
)
def verify(req: ApiRequest) -> Any:
    """The code works once, for 10 minutes; five wrong codes void it (then ask for a new
    one). 422 naming ``code`` for a wrong, expired or used code; 409 when already
    verified."""
    return service.verify(req.portal_user, req.body.code)


@endpoint(
    bp,
    "/customer/verify/resend",
    "POST",
    summary="E-mail a new verification code",
    tag=TAG,
    audience=CUSTOMER,
    rate="auth",
    response=ResentOut,
)
def resend(req: ApiRequest) -> Any:
    """The earlier code stops working. 409 when already verified."""
    return service.resend(req.portal_user)


def _shown(model: type[BaseModel], item: dict[str, Any]) -> dict[str, Any]:
    """What the portal shows of a business's record: the model's fields, nothing more (the
    staff views carry internal ids and notes)."""
    return {name: item.get(name) for name in model.model_fields}


def _paged(req: ApiRequest, model: type[BaseModel], items: list[dict[str, Any]]) -> Any:
    page = req.page
    assert page is not None
    shown = [_shown(model, item) for item in items[page.offset : page.offset + page.limit]]
    return page_body(shown, len(items), page)


@endpoint(
    bp,
    "/customer/invoices",
    "GET",
    summary="The customer's invoices at every business",
    tag=TAG,
    audience=CUSTOMER,
    response=page_of(PortalInvoiceOut),
    paginated=True,
)
def list_invoices(req: ApiRequest) -> Any:
    """Newest first, each with its business's ``business_code`` and ``business_name``."""
    return _paged(req, PortalInvoiceOut, service.invoices(req.portal_user))


list_invoices.__doc__ = (list_invoices.__doc__ or "") + ACROSS


@endpoint(
    bp,
    "/customer/invoices/{code}/{invoice_id}/pdf",
    "GET",
    summary="An invoice's PDF",
    tag=TAG,
    audience=CUSTOMER,
    content_type=PDF,
)
def invoice_pdf(req: ApiRequest) -> Raw:
    """``code``: the business code; another customer's invoice (or a business that does
    not know the e-mail) is 404."""
    body, filename = service.invoice_pdf(
        req.portal_user, req.params["code"], req.int_param("invoice_id")
    )
    return Raw(
        body=body,
        content_type=PDF,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@endpoint(
    bp,
    "/customer/estimates",
    "GET",
    summary="The customer's estimates at every business",
    tag=TAG,
    audience=CUSTOMER,
    response=page_of(PortalEstimateOut),
    paginated=True,
)
def list_estimates(req: ApiRequest) -> Any:
    """Newest first, each with its business's ``business_code`` and ``business_name``."""
    return _paged(req, PortalEstimateOut, service.estimates(req.portal_user))


list_estimates.__doc__ = (list_estimates.__doc__ or "") + ACROSS


def _respond(req: ApiRequest, accept: bool) -> Any:
    estimate = service.respond(
        req.portal_user, req.params["code"], req.int_param("estimate_id"), accept
    )
    return _shown(PortalEstimateOut, estimate)


@endpoint(
    bp,
    "/customer/estimates/{code}/{estimate_id}/accept",
    "POST",
    summary="Accept an estimate",
    tag=TAG,
    audience=CUSTOMER,
    response=PortalEstimateOut,
)
def accept_estimate(req: ApiRequest) -> Any:
    """``code``: the business code. Another customer's estimate is 404; an expired,
    declined, already accepted or unsent one 409."""
    return _respond(req, True)


@endpoint(
    bp,
    "/customer/estimates/{code}/{estimate_id}/decline",
    "POST",
    summary="Decline an estimate",
    tag=TAG,
    audience=CUSTOMER,
    response=PortalEstimateOut,
)
def decline_estimate(req: ApiRequest) -> Any:
    """``code``: the business code. Another customer's estimate is 404; an expired,
    accepted, already declined or unsent one 409."""
    return _respond(req, False)


@endpoint(
    bp,
    "/customer/service-requests",
    "POST",
    summary="Request service from a business",
    tag=TAG,
    audience=CUSTOMER,
    body=ServiceRequestIn,
    response=ServiceRequestOut,
    status=201,
    errors=(403,),
)
def service_request(req: ApiRequest) -> Any:
    """It reaches the business (``business_code``; unknown: 404) as a lead of source
    ``portal`` with the account's name and e-mail. Verified e-mails only (403)."""
    return reviews.service_request(req.portal_user, req.body.model_dump(mode="json"))


@endpoint(
    bp,
    "/customer/reviews",
    "POST",
    summary="Review a completed job",
    tag=TAG,
    audience=CUSTOMER,
    body=ReviewIn,
    response=PostedReviewOut,
    status=201,
    errors=(403,),
)
def post_review(req: ApiRequest) -> Any:
    """Rating 1-5 of a completed dispatch job of the business whose customer record has
    this (verified: else 403) e-mail; another customer's job is 404; one review per job
    (409 the second time, and before the job is completed). The rating counts in the
    technician's ``review_count`` and ``rating_average``."""
    body: ReviewIn = req.body
    return reviews.post(req.portal_user, body.business_code, body.job_id, body.rating, body.text)


@endpoint(
    bp,
    "/admin/reviews",
    "GET",
    summary="List customers' reviews",
    tag="reviews",
    permission=roles.TECHNICIANS_READ,
    query=ReviewFilter,
    response=page_of(ReviewOut),
    paginated=True,
)
def list_reviews(req: ApiRequest) -> Any:
    """Newest first; ``technician_id`` and ``rating`` filter (exact ``total``)."""
    flt: ReviewFilter = req.query
    return reviews.page(req.tenant_id, req.page, flt.technician_id, flt.rating)  # type: ignore[arg-type]


@endpoint(
    bp,
    "/admin/reviews/technicians/{technician_id}",
    "GET",
    summary="A technician's rating",
    tag="reviews",
    permission=roles.TECHNICIANS_READ,
    response=RatingOut,
)
def technician_rating(req: ApiRequest) -> Any:
    """The customers' reviews of the technician's jobs: ``review_count`` and
    ``rating_average`` (text to one decimal, "4.5"; null without reviews). Another
    tenant's (or no) technician is 404."""
    return reviews.technician_rating(req.tenant_id, req.int_param("technician_id"))
