"""Portal accounts, their sessions and verification codes (global items), reviews and the
technicians' rating totals (per tenant). Keys: ``platform.keys.portal``.

An account is ``PORTAL#<id>`` / ``ACCOUNT``, found at login through its e-mail pointer
``PORTALEMAIL#<e-mail>``, which also makes the e-mail unique (created in one transaction
with the account). A session is a refresh-token family: ``current_jti`` is the only
refresh token that may be used; ``revoked`` ends it, its access tokens included (the
route decorator reads it with the account on every request, one ``BatchGetItem``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform import keys
from chalicelib.platform.batch import get_many
from chalicelib.platform.table import BaseItem, Gsi2, register, take
from chalicelib.platform.tx import Labelled, applied, labelled_transaction

Part = Callable[[Labelled], None]


@register
class PortalAccountItem(BaseItem):
    account_id = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    email_verified = BooleanAttribute(default=False)
    verified_at = UTCDateTimeAttribute(null=True)
    failed_logins = NumberAttribute(default=0)
    locked_until = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


@register
class PortalEmailItem(BaseItem):
    account_id = UnicodeAttribute()


@register
class PortalSessionItem(BaseItem):
    account_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    current_jti = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    rotated_at = UTCDateTimeAttribute(null=True)


@register
class PortalCodeItem(BaseItem):
    account_id = UnicodeAttribute()
    code_digest = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()


@register
class ReviewItem(BaseItem):
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    tenant_id = UnicodeAttribute()
    job_id = NumberAttribute()
    technician_id = NumberAttribute(null=True)
    customer_id = NumberAttribute()
    account_id = UnicodeAttribute()
    rating = NumberAttribute()
    text = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


@register
class RatingItem(BaseItem):
    tenant_id = UnicodeAttribute(null=True)
    review_count = NumberAttribute(default=0)
    rating_sum = NumberAttribute(default=0)


# --- accounts ------------------------------------------------------------------------------
def account_by_email(email: str) -> PortalAccountItem | None:
    pointer = PortalEmailItem.find(keys.portal_email_key(email))
    return get_account(pointer.account_id) if pointer is not None else None


def get_account(account_id: str, consistent: bool = False) -> PortalAccountItem | None:
    return PortalAccountItem.find(keys.portal_account_key(account_id), consistent=consistent)


def create_account(
    account: PortalAccountItem, session: PortalSessionItem, code: PortalCodeItem
) -> None:
    """The account, its e-mail pointer (``email`` when the e-mail is taken), its first
    session and its verification code, together."""
    pointer = PortalEmailItem(*keys.portal_email_key(account.email), account_id=account.account_id)
    with labelled_transaction() as tx:
        tx.create("email", pointer)
        tx.create("account", account)
        tx.create("session", session)
        tx.save("code", code)


def new_account(account_id: str, **fields: Any) -> PortalAccountItem:
    return PortalAccountItem(*keys.portal_account_key(account_id), account_id=account_id, **fields)


def record_login(account: PortalAccountItem, failed: int, locked_until: datetime | None) -> None:
    actions = [PortalAccountItem.failed_logins.set(failed)]
    actions.append(
        PortalAccountItem.locked_until.set(locked_until)
        if locked_until is not None
        else PortalAccountItem.locked_until.remove()
    )
    account.update(actions=actions)


# --- sessions ------------------------------------------------------------------------------
def new_session(
    account_id: str, session_id: str, jti: str, now: datetime, expires_at: int
) -> PortalSessionItem:
    return PortalSessionItem(
        *keys.portal_session_key(account_id, session_id),
        account_id=account_id,
        session_id=session_id,
        current_jti=jti,
        created_at=now,
        expires_at=expires_at,
    )


def account_and_session(
    account_id: str, session_id: str
) -> tuple[PortalAccountItem | None, PortalSessionItem | None]:
    """Both in one ``BatchGetItem`` (every portal request's check)."""
    account, session = get_many(
        [
            (PortalAccountItem, keys.portal_account_key(account_id)),
            (PortalSessionItem, keys.portal_session_key(account_id, session_id)),
        ]
    )
    return account, session  # type: ignore[return-value]


def rotate(session: PortalSessionItem, jti: str, new_jti: str, now: datetime, expires: int) -> bool:
    """Replace the session's refresh token ``jti`` by ``new_jti``; False when ``jti`` is
    no longer the current one or the session was ended."""
    condition = (PortalSessionItem.current_jti == jti) & (PortalSessionItem.revoked == False)  # noqa: E712
    return applied(
        lambda: session.update(
            actions=[
                PortalSessionItem.current_jti.set(new_jti),
                PortalSessionItem.rotated_at.set(now),
                PortalSessionItem.expires_at.set(expires),
            ],
            condition=condition,
        )
    )


def revoke(account_id: str, session_id: str) -> None:
    session = PortalSessionItem(*keys.portal_session_key(account_id, session_id))
    applied(
        lambda: session.update(
            actions=[PortalSessionItem.revoked.set(True)],
            condition=PortalSessionItem.pk.exists(),
        )
    )


# --- verification codes ----------------------------------------------------------------------
def new_code(account_id: str, digest: str, now: datetime, expires_at: int) -> PortalCodeItem:
    return PortalCodeItem(
        *keys.portal_code_key(account_id),
        account_id=account_id,
        code_digest=digest,
        attempts=0,
        created_at=now,
        expires_at=expires_at,
    )


def save_code(code: PortalCodeItem) -> None:
    code.save()


def get_code(account_id: str) -> PortalCodeItem | None:
    return PortalCodeItem.find(keys.portal_code_key(account_id), consistent=True)


def _same(item: PortalCodeItem):  # noqa: ANN202 (a PynamoDB condition)
    return (PortalCodeItem.code_digest == item.code_digest) & (
        PortalCodeItem.attempts == int(item.attempts or 0)
    )


def count_wrong_try(item: PortalCodeItem, void: bool) -> None:
    """One more wrong code: counted, or (``void``) the code is deleted. Nothing happens
    when the code changed meanwhile (another try or a new code)."""
    if void:
        applied(lambda: item.delete(condition=_same(item)))
    else:
        applied(
            lambda: item.update(actions=[PortalCodeItem.attempts.add(1)], condition=_same(item))
        )


def verify(account: PortalAccountItem, code: PortalCodeItem, now: datetime) -> None:
    """The code (as read) is used up and the account's e-mail verified, together
    (``ConditionFailed(["code"])`` when the code changed meanwhile)."""
    with labelled_transaction() as tx:
        tx.delete("code", code, condition=_same(code))
        tx.update(
            "account",
            account,
            [PortalAccountItem.email_verified.set(True), PortalAccountItem.verified_at.set(now)],
        )


# --- reviews -------------------------------------------------------------------------------
def new_review(tenant_id: str, job_id: int, technician_id: int | None, **fields: Any) -> ReviewItem:
    sort = keys.review_sort(str(fields["created_at"])[:10], job_id)
    review = ReviewItem(
        *keys.review_key(tenant_id, job_id),
        gsi1pk=keys.reviews_by_date_pk(tenant_id),
        gsi1sk=sort,
        tenant_id=tenant_id,
        job_id=job_id,
        technician_id=technician_id,
        **fields,
    )
    if technician_id is not None:
        review.gsi2pk = keys.reviews_by_technician_pk(tenant_id, technician_id)
        review.gsi2sk = sort
    return review


def _rating_add(tx: Labelled, tenant_id: str, key: tuple[str, str], rating: int) -> None:
    item = RatingItem(*key)
    tx.update(
        "rating",
        item,
        [
            RatingItem.tenant_id.set(tenant_id),
            RatingItem.review_count.add(1),
            RatingItem.rating_sum.add(rating),
        ],
    )


def create_review(review: ReviewItem, parts: list[Part]) -> None:
    """The review (``review`` when the job has one), its technician's rating count and sum
    (atomic ADDs) and the parts (the list counts), in one transaction."""
    tid = review.tenant_id
    with labelled_transaction() as tx:
        tx.create("review", review)
        if review.technician_id is not None:
            key = keys.technician_rating_key(tid, int(review.technician_id))
            _rating_add(tx, tid, key, int(review.rating))
        for part in parts:
            part(tx)


def ratings(tenant_id: str, technician_ids: list[int]) -> dict[int, RatingItem]:
    """The rating totals of these technicians (one ``BatchGetItem``; absent: none yet)."""
    wanted = list(dict.fromkeys(technician_ids))[:100]
    found = get_many([(RatingItem, keys.technician_rating_key(tenant_id, t)) for t in wanted])
    return {t: item for t, item in zip(wanted, found, strict=True) if item is not None}  # type: ignore[misc]


def get_review(tenant_id: str, job_id: int) -> ReviewItem | None:
    return ReviewItem.find(keys.review_key(tenant_id, job_id), tenant_id=tenant_id)


def recent_reviews(tenant_id: str, technician_id: int, limit: int) -> list[ReviewItem]:
    found = ReviewItem.gsi2.query(
        keys.reviews_by_technician_pk(tenant_id, technician_id),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
    )
    return take(found, limit)
