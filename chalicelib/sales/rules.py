"""Pure rules of sales: statuses and their moves, sale and payment dates, which sales earn
commission, and how stored commission settings become the engine's input.

No AWS, no HTTP. Money is int cents, rates int bps (see ``core.money``); the commission
arithmetic itself is ``commission.rules``.

Rules (SPEC.md "Commission engine")
-----------------------------------
* ``approval_status``: ``pending`` -> ``approved`` | ``rejected`` (final). A voided sale
  cannot be approved or rejected.
* ``payment_status``: ``unpaid`` | ``partial`` | ``paid`` | ``refunded``, any move allowed;
  ``unpaid`` clears ``payment_date``, the others keep the given date, else the one already
  recorded, else today. Dates are never in the future.
* Only approved, non-voided sales earn commission.
* ``sale_date`` defaults to today in the tenant's timezone and is never in the future.
* Voiding an approved sale whose pay period is closed claws its commission back: one
  negative adjustment per earner (technician, installer) dated in the open period.
* Installer commission: the installer's own installer plan, else the tenant's installer
  default rate (0 unless configured). Technician x item overrides, category rates and
  item defaults are selling rules and apply to the selling technician only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.commission.rules import INSTALLER, TECHNICIAN, CommissionSnapshot, clawback
from chalicelib.core.errors import InvalidInput, RuleViolation

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
APPROVAL_STATUSES = (PENDING, APPROVED, REJECTED)
UNPAID, PARTIAL, PAID, REFUNDED = "unpaid", "partial", "paid", "refunded"
PAYMENT_STATUSES = (UNPAID, PARTIAL, PAID, REFUNDED)
ROLES = (TECHNICIAN, INSTALLER)


class SaleRuleError(RuleViolation):
    """A move the sale's current state does not allow (HTTP 409)."""


class SaleInputError(InvalidInput):
    """Input that can never be valid (HTTP 422); ``field`` names the offending field."""


# --- dates -----------------------------------------------------------------------------
def check_sale_date(sale_date: date | None, today: date) -> date:
    """The sale's date: ``today`` by default; never after ``today``."""
    if sale_date is None:
        return today
    if sale_date > today:
        raise SaleInputError(
            field="sale_date", message=f"must not be in the future (today is {today})"
        )
    return sale_date


def payment_update(status: str, given: date | None, current: str | None, today: date) -> str | None:
    """The ``payment_date`` (ISO) stored with a new ``payment_status``."""
    if status not in PAYMENT_STATUSES:
        raise SaleInputError(
            field="status", message=f"must be one of {', '.join(PAYMENT_STATUSES)}"
        )
    if given is not None and given > today:
        raise SaleInputError(
            field="payment_date", message=f"must not be in the future (today is {today})"
        )
    if status == UNPAID:
        if given is not None:
            raise SaleInputError(
                field="payment_date", message="must be empty when the status is unpaid"
            )
        return None
    if given is not None:
        return given.isoformat()
    return current or today.isoformat()


# --- approval ------------------------------------------------------------------------------
def check_approval(current: str, target: str, voided: bool) -> None:
    """``pending`` -> ``approved`` | ``rejected``; anything else is a ``SaleRuleError``."""
    if target not in (APPROVED, REJECTED):
        raise ValueError(f"unknown approval target {target!r}")
    if voided:
        raise SaleRuleError("a voided sale cannot be approved or rejected")
    if current != PENDING:
        raise SaleRuleError(
            f"sale is already {current}; only pending sales can be "
            f"{'approved' if target == APPROVED else 'rejected'}"
        )


def earns_commission(approval_status: str, voided: bool) -> bool:
    return approval_status == APPROVED and not voided


# --- voiding ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clawback:
    role: str
    technician_id: int
    amount_cents: int  # negative


def clawbacks(
    *,
    approval_status: str,
    voided: bool,
    period_closed: bool,
    technician_id: int,
    snapshot: Mapping[str, Any],
    installer_id: int | None,
    installer_snapshot: Mapping[str, Any] | None,
) -> list[Clawback]:
    """Adjustments owed when voiding a sale: none unless the sale earned commission and its
    period is closed (in an open period the voided sale simply stops counting)."""
    if not period_closed or not earns_commission(approval_status, voided):
        return []
    result = []
    amount = clawback(CommissionSnapshot.from_dict(snapshot))
    if amount:
        result.append(Clawback(TECHNICIAN, technician_id, amount))
    if installer_id is not None and installer_snapshot:
        amount = clawback(CommissionSnapshot.from_dict(installer_snapshot))
        if amount:
            result.append(Clawback(INSTALLER, installer_id, amount))
    return result


# --- lists ---------------------------------------------------------------------------------
def facet(
    approval_status: str, payment_status: str, voided: bool, technician_id: int | None = None
) -> str:
    """What the sales list's filters look at, as the rollup counts it:
    ``<approval>|<payment>|<0 or 1>``, plus ``|<technician>`` in a customer's list (where
    a technician filter is not a key condition)."""
    parts = [approval_status, payment_status, str(int(bool(voided)))]
    if technician_id is not None:
        parts.append(str(technician_id))
    return "|".join(parts)


def facet_filter(
    approval_status: str | None = None,
    payment_status: str | None = None,
    voided: bool | None = None,
    technician_id: int | None = None,
) -> Callable[[str], bool] | None:
    """Which facets a list's filters keep; None when nothing is filtered."""
    wanted = [
        (0, approval_status),
        (1, payment_status),
        (2, None if voided is None else str(int(voided))),
        (3, None if technician_id is None else str(technician_id)),
    ]
    wanted = [(i, v) for i, v in wanted if v is not None]
    if not wanted:
        return None

    def matches(value: str) -> bool:
        parts = value.split("|")
        return all(i < len(parts) and parts[i] == v for i, v in wanted)

    return matches
