"""Key formats of the customer portal: global portal accounts (identities by e-mail, in no
tenant) with their sessions and e-mail verification code, and, per tenant, the reviews
portal users post and the technicians' rating totals."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- portal accounts (global: the documented calls carry no tenant) -----------------------
# One partition per account, ``PORTAL#<account id>`` (a random 32-hex id): the account
# itself, its sessions (refresh-token families) and its pending verification code. The
# e-mail pointer ``PORTALEMAIL#<normalised e-mail>`` makes the e-mail unique and finds the
# account at login.
def portal_account_key(account_id: str) -> tuple[str, str]:
    return f"PORTAL#{account_id}", "ACCOUNT"


def portal_session_key(account_id: str, session_id: str) -> tuple[str, str]:
    return f"PORTAL#{account_id}", f"SESSION#{session_id}"


def portal_code_key(account_id: str) -> tuple[str, str]:
    """The account's pending e-mail verification code (a new one replaces it)."""
    return f"PORTAL#{account_id}", "VERIFY"


def portal_email_key(email: str) -> tuple[str, str]:
    return f"PORTALEMAIL#{email}", "PORTALEMAIL"


# --- reviews (per tenant) -----------------------------------------------------------------
# One review per dispatch job (the key is the job id: a second one is refused by the
# create's condition). gsi1 ``REVIEWDATE`` lists the tenant's reviews, gsi2
# ``TECHREVIEW#<technician>`` one technician's, both by ``review_sort``; each counted by
# its rollup scope. ``TECHRATING`` holds each technician's review count and rating sum
# (ADDed in the review's transaction), plus the tenant's under ``ALL``.
def review_key(tenant_id: str, job_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "REVIEW"), id_sk(job_id)


def reviews_by_date_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "REVIEWDATE")


def reviews_by_technician_pk(tenant_id: str, technician_id: int) -> str:
    return tenant_pk(tenant_id, "TECHREVIEW", id_sk(technician_id))


def review_sort(day: str, job_id: int) -> str:
    """``<YYYY-MM-DD posted>#<job id>``: sort key of both review indexes."""
    return f"{day}#{id_sk(job_id)}"


def reviews_rollup_scope(technician_id: int | None = None) -> tuple[str, ...]:
    if technician_id is not None:
        return ("REVIEWS", "TECH", id_sk(technician_id))
    return ("REVIEWS",)


def technician_rating_key(tenant_id: str, technician_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "TECHRATING"), id_sk(technician_id)
