"""The customer portal (SPEC.md "Customers and portal"): global portal accounts by e-mail,
verified by an e-mailed code, signed in with customer tokens (``core.tokens``: their own
audience, refused by every staff route, as portal routes refuse staff tokens).

DynamoDB calls besides rate limiting:

- register: 1 transaction (e-mail pointer, account, session, code), then the SES send;
- login: 2 reads (e-mail pointer, account), 1 session put (+1 write after a failure or
  to clear failures);
- every signed-in portal request: 1 ``BatchGetItem`` (the account and the session), in
  the route decorator (``caller``);
- refresh: that ``BatchGetItem`` and one conditional update; logout one update;
- verify: 1 consistent read of the code, 1 transaction (or 1 write for a wrong code);
- the lists across businesses (``businesses``): 1 Query on the customers' global e-mail
  index, 1 ``BatchGetItem`` of the businesses, then 1 Query per business (at most
  ``rules.MAX_BUSINESSES`` businesses and ``rules.MAX_ITEMS`` items of each).

Reviews and service requests are in ``portal.reviews``.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.accounts.passwords import hash_password, verify_password
from chalicelib.core import clock, tokens
from chalicelib.core.auth import CustomerPrincipal
from chalicelib.core.errors import Conflict, NotFound, TooManyRequests, Unauthorized, invalid
from chalicelib.core.settings import get_settings
from chalicelib.customers import service as customers
from chalicelib.platform import email as mail
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed
from chalicelib.portal import rules, store
from chalicelib.portal.store import PortalAccountItem

log = logging.getLogger("tradekitt.portal")
VERIFY_SUBJECT = "Your TradeKitt verification code"


def _key() -> str:
    return get_settings().signing_key()


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def new_session_id() -> str:
    return secrets.token_hex(16)


def normalize_email(email: str) -> str:
    return customers.normalize_email(email) or ""


def view(account: PortalAccountItem) -> dict[str, Any]:
    return {
        "id": account.account_id,
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "name": rules.full_name(account.first_name, account.last_name),
        "email_verified": bool(account.email_verified),
        "verified_at": account.verified_at,
        "created_at": account.created_at,
    }


@dataclass(frozen=True)
class Tokens:
    access: tokens.IssuedToken
    refresh: tokens.IssuedToken


def _tokens(account_id: str, session_id: str, now: datetime) -> Tokens:
    settings = get_settings()
    return Tokens(
        tokens.issue_customer(
            account_id, session_id, tokens.CUSTOMER_ACCESS, settings.access_token_ttl_s, now
        ),
        tokens.issue_customer(
            account_id, session_id, tokens.CUSTOMER_REFRESH, settings.refresh_token_ttl_s, now
        ),
    )


def _signed_in(account: PortalAccountItem, pair: Tokens) -> dict[str, Any]:
    return {
        "access_token": pair.access.token,
        "refresh_token": pair.refresh.token,
        "email_verified": bool(account.email_verified),
        "customer": view(account),
    }


def _code(account_id: str, now: datetime) -> tuple[str, store.PortalCodeItem]:
    code = rules.new_code()
    digest = rules.code_digest(_key(), account_id, code)
    return code, store.new_code(account_id, digest, now, _epoch(now + rules.CODE_TTL))


def _send_code(account: PortalAccountItem, code: str) -> bool:
    """E-mail the code; False when SES refused it (the user can ask again)."""
    try:
        mail.send(
            account.email,
            VERIFY_SUBJECT,
            f"Your TradeKitt verification code is {code}. It works once, for 10 minutes.\n"
            "If you did not create a TradeKitt customer account, ignore this e-mail.\n",
        )
    except Exception as exc:  # noqa: BLE001 - a failed send must not fail the account
        log.warning("verification e-mail to a portal account failed: %s", exc)
        return False
    return True


def _log_verification(account: PortalAccountItem, sent: bool) -> None:
    """The businesses that know this e-mail see the verification e-mail in their customer's
    communications (bounded by ``rules.MAX_BUSINESSES``); never fails the request."""
    try:
        from chalicelib.communications import service as communications

        for tenant_id, customer_id in customers.tenants_with_email(
            account.email, limit=rules.MAX_BUSINESSES
        ):
            communications.log_email(
                tenant_id,
                customer_id=customer_id,
                to=account.email,
                kind="verification",
                subject=VERIFY_SUBJECT,
                status="sent" if sent else "failed",
                ref=None,
            )
    except Exception:  # noqa: BLE001 - the log is best effort
        log.exception("could not log the portal verification e-mail")


# --- identities ------------------------------------------------------------------------------
def register(email: str, password: str, first_name: str, last_name: str) -> dict[str, Any]:
    """A new portal account (409 when the e-mail has one), signed in, with a verification
    code e-mailed to it."""
    now = clock.now()
    email = normalize_email(email)
    account_id = uuid.uuid4().hex
    session_id = new_session_id()
    pair = _tokens(account_id, session_id, now)
    account = store.new_account(
        account_id,
        email=email,
        password_hash=hash_password(password),
        first_name=first_name,
        last_name=last_name,
        email_verified=False,
        created_at=now,
    )
    code, code_item = _code(account_id, now)
    session = store.new_session(
        account_id, session_id, pair.refresh.jti, now, pair.refresh.expires_at
    )
    try:
        store.create_account(account, session, code_item)
    except ConditionFailed as exc:
        if "email" in exc.failed:
            raise Conflict("a customer account with this email already exists") from exc
        raise
    sent = _send_code(account, code)
    _log_verification(account, sent)
    return _signed_in(account, pair)


def login(email: str, password: str) -> dict[str, Any]:
    """Check the password (five wrong ones in a row lock the account for 15 minutes: 429
    with ``Retry-After``) and open a session."""
    now = clock.now()
    account = store.account_by_email(normalize_email(email))
    state = (
        rules.LoginState(int(account.failed_logins or 0), account.locked_until)
        if account is not None
        else None
    )
    if account is not None and state is not None and state.is_locked(now):
        verify_password(None, password)  # the same cost as a real attempt
        retry = int((state.locked_until - now).total_seconds()) + 1  # type: ignore[operator]
        raise TooManyRequests(
            "account locked after repeated failed logins; try again later",
            headers={"Retry-After": str(retry)},
        )
    valid = verify_password(account.password_hash if account else None, password)
    if account is None or state is None or not valid:
        if account is not None and state is not None:
            after = state.after_failure(now)
            store.record_login(account, after.failed_logins, after.locked_until)
        raise Unauthorized("invalid email or password")
    if state.failed_logins or state.locked_until:
        store.record_login(account, 0, None)
    session_id = new_session_id()
    pair = _tokens(account.account_id, session_id, now)
    store.new_session(
        account.account_id, session_id, pair.refresh.jti, now, pair.refresh.expires_at
    ).save()
    return _signed_in(account, pair)


def caller(principal: CustomerPrincipal) -> PortalAccountItem:
    """The caller's account (the route decorator's check on every portal route): 401 when
    it no longer exists or the session was ended (logout, a reused refresh token)."""
    account, session = store.account_and_session(principal.account_id, principal.session_id)
    if account is None or session is None or session.revoked:
        raise Unauthorized("session has ended; sign in again")
    return account


def _account(principal: CustomerPrincipal) -> PortalAccountItem:
    return principal.account if principal.account is not None else caller(principal)


def refresh(refresh_token: str) -> dict[str, Any]:
    """Single use: answers a rotated refresh token; presenting a used one ends the session."""
    claims = tokens.decode_customer(refresh_token, tokens.CUSTOMER_REFRESH)
    account, session = store.account_and_session(claims["sub"], claims["sid"])
    if account is None or session is None or session.revoked:
        raise Unauthorized("session has ended; sign in again")
    now = clock.now()
    pair = _tokens(account.account_id, session.session_id, now)
    if not store.rotate(session, claims["jti"], pair.refresh.jti, now, pair.refresh.expires_at):
        store.revoke(account.account_id, session.session_id)
        raise Unauthorized("refresh token already used; the session has been revoked")
    return {"access_token": pair.access.token, "refresh_token": pair.refresh.token}


def logout(principal: CustomerPrincipal) -> None:
    """End the session: its refresh token and its access tokens stop working at once."""
    store.revoke(principal.account_id, principal.session_id)


def me(principal: CustomerPrincipal) -> dict[str, Any]:
    return view(_account(principal))


def verify(principal: CustomerPrincipal, code: str) -> dict[str, Any]:
    """Verify the e-mail with the code it was sent (10 minutes, once; five wrong codes void
    it). 422 naming ``code`` for a wrong, expired or used code; 409 when already verified."""
    account = _account(principal)
    if account.email_verified:
        raise Conflict("this email is already verified")
    refused = invalid("code", "invalid or expired code")
    item = store.get_code(account.account_id)
    now = clock.now()
    if item is None or rules.code_expired(item.expires_at, now):
        raise refused
    wanted = rules.code_digest(_key(), account.account_id, code)
    if not rules.same_digest(wanted, str(item.code_digest)):
        store.count_wrong_try(item, void=int(item.attempts or 0) + 1 >= rules.MAX_CODE_ATTEMPTS)
        raise refused
    try:
        store.verify(account, item, now)
    except ConditionFailed as exc:
        raise refused from exc
    account.email_verified = True
    account.verified_at = now
    return view(account)


def resend(principal: CustomerPrincipal) -> dict[str, Any]:
    """A new code (the earlier one stops working), e-mailed; 409 when already verified."""
    account = _account(principal)
    if account.email_verified:
        raise Conflict("this email is already verified")
    now = clock.now()
    code, item = _code(account.account_id, now)
    store.save_code(item)
    sent = _send_code(account, code)
    _log_verification(account, sent)
    return {"sent": sent, "email": account.email}


# --- across businesses ---------------------------------------------------------------------
@dataclass(frozen=True)
class Business:
    tenant_id: str
    customer_id: int
    business_code: str
    business_name: str
    # the customer's own id and those of the customers merged into it there
    customer_ids: tuple[int, ...] = ()

    def owns(self, customer_id: Any) -> bool:
        return customer_id is not None and int(customer_id) in self.customer_ids


def businesses(account: PortalAccountItem) -> list[Business]:
    """The businesses whose customer record has this account's e-mail, once it is
    verified (none before): at most ``rules.MAX_BUSINESSES``."""
    if not account.email_verified:
        return []
    pairs = customers.tenants_with_email(account.email, limit=rules.MAX_BUSINESSES)
    if not pairs:
        return []
    # each business and its customer record (the merged ids it absorbed): one batch
    wanted: list[Any] = []
    for tenant_id, customer_id in pairs:
        wanted += [accounts.tenant_ref(tenant_id), customers.ref(tenant_id, int(customer_id))]
    got = get_many(wanted)
    found = []
    for index, (tenant_id, customer_id) in enumerate(pairs):
        tenant, record = got[2 * index], got[2 * index + 1]
        if tenant is None or record is None:
            continue
        ids = tuple(dict.fromkeys([int(customer_id), *record.absorbed_ids()]))  # type: ignore[attr-defined]
        name, code = tenant.name, tenant.business_code  # type: ignore[attr-defined]
        found.append(Business(tenant_id, int(customer_id), code, name, ids))
    return found


def business(account: PortalAccountItem, business_code: str) -> Business:
    """The business with this code where this (verified) account is a customer; 404
    otherwise (an unknown code, or a business that does not know the e-mail)."""
    code = business_code.strip().upper()
    for candidate in businesses(account):
        if candidate.business_code == code:
            return candidate
    raise NotFound(f"no business {business_code!r} knows this account's e-mail")


def _tagged(item: dict[str, Any], where: Business) -> dict[str, Any]:
    return {**item, "business_code": where.business_code, "business_name": where.business_name}


def _across(principal: CustomerPrincipal, of_customer: Any) -> list[dict[str, Any]]:
    """``of_customer(tenant_id, customer_id, limit)`` of every business that knows the
    verified e-mail (its customer's and the merged ones' records, its ``MAX_ITEMS``
    newest), drafts left out, newest first."""
    found = []
    for where in businesses(_account(principal)):
        items = [
            item
            for customer_id in where.customer_ids
            for item in of_customer(where.tenant_id, customer_id, rules.MAX_ITEMS)
        ]
        if len(items) > rules.MAX_ITEMS:
            items = rules.newest_first([_tagged(i, where) for i in items])[: rules.MAX_ITEMS]
        found += [_tagged(i, where) for i in items if rules.visible(i["status"])]
    return rules.newest_first(found)


def invoices(principal: CustomerPrincipal) -> list[dict[str, Any]]:
    """Every known business's invoices of this customer (not drafts), newest first."""
    from chalicelib.invoices import service as invoices_service

    return _across(principal, invoices_service.of_customer)


def estimates(principal: CustomerPrincipal) -> list[dict[str, Any]]:
    """Every known business's estimates of this customer (not drafts), newest first."""
    from chalicelib.estimates import service as estimates_service

    return _across(principal, estimates_service.of_customer)


def respond(
    principal: CustomerPrincipal, business_code: str, estimate_id: int, accept: bool
) -> dict[str, Any]:
    """Accept or decline an estimate of this customer's at that business (another
    customer's, a draft, or another business's is 404; the estimate's own rules 409)."""
    from chalicelib.estimates import service as estimates_service

    where = business(_account(principal), business_code)
    estimate = _estimate_of(where, estimate_id)
    if estimate is None or not rules.visible(estimate["status"]):
        raise NotFound(f"estimate {estimate_id} not found")
    answer = estimates_service.respond(where.tenant_id, estimate_id, accept, via="portal")
    return _tagged(answer, where)


def _estimate_of(where: Business, estimate_id: int) -> dict[str, Any] | None:
    from chalicelib.estimates import service as estimates_service

    try:
        estimate = estimates_service.get(where.tenant_id, estimate_id)
    except NotFound:
        return None
    return estimate if where.owns(estimate["customer_id"]) else None


def invoice_pdf(
    principal: CustomerPrincipal, business_code: str, invoice_id: int
) -> tuple[bytes, str]:
    """The PDF of an invoice of this customer's at that business (else 404)."""
    from chalicelib.invoices import moves
    from chalicelib.invoices import service as invoices_service

    where = business(_account(principal), business_code)
    try:
        invoice = invoices_service.get(where.tenant_id, invoice_id)
    except NotFound:
        invoice = None
    if (
        invoice is None
        or not where.owns(invoice["customer_id"])
        or not rules.visible(invoice["status"])
    ):
        raise NotFound(f"invoice {invoice_id} not found")
    return moves.pdf(where.tenant_id, invoice_id)


# --- technicians' ratings (for the technicians feature) ------------------------------------
def ratings(tenant_id: str, technician_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``{technician id: {"review_count", "rating_average"}}`` for each of these
    technicians (one ``BatchGetItem``, at most 100; none yet: 0 and null). The average is
    text to one decimal ("4.5"), from the integer count and sum the reviews ADD."""
    found = store.ratings(tenant_id, technician_ids) if technician_ids else {}
    out = {}
    for technician_id in technician_ids:
        item = found.get(technician_id)
        count = int(item.review_count or 0) if item else 0
        total = int(item.rating_sum or 0) if item else 0
        out[technician_id] = {
            "review_count": count,
            "rating_average": rules.rating_average(count, total),
        }
    return out
