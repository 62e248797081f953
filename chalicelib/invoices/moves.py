"""An invoice's moves (``invoices.rules``: what each status allows) and its PDF.

DynamoDB calls besides the caller's account: send 3 (a consistent GetItem, one
TransactWriteItems: the status and the list's counts, a re-send of an open invoice
writes nothing; the tenant's settings for the branding), then the PDF (S3 GetObject,
and PutObject when it is new) and the e-mail (SES); a payment 2 (consistent GetItem, one
TransactWriteItems: the payment, the balance conditioned on the balance read, the
counts when the status changes, the ``payment.reconciled`` event) + 1 SQS send; void 2.
The PDF: 2 GetItem (the invoice, the tenant's settings for the branding) and 1 S3
GetObject when the PDF of the invoice's revision is stored, else the render and 1 S3
PutObject.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.communications import service as communications
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict
from chalicelib.invoices import mail, render_pdf, rules, store
from chalicelib.invoices.service import get_item, view
from chalicelib.invoices.store import InvoiceItem
from chalicelib.platform import keys, outbox, storage
from chalicelib.platform.tx import Labelled
from chalicelib.settings import service as settings

log = logging.getLogger("tradekitt.invoices")


def _busy(invoice_id: int) -> Conflict:
    return Conflict(f"invoice {invoice_id} is being changed by other requests; retry")


def _move(tenant_id: str, invoice_id: int, plan: Any) -> tuple[InvoiceItem, Any]:
    """Read the invoice, let ``plan(invoice)`` say what to write (``(changes, parts,
    result)``; None changes: nothing), and write it conditioned on what was read
    (``platform.documents``); another feature's part (a reconciliation row) failing is 409."""
    return store.DOCS.move(
        lambda: get_item(tenant_id, invoice_id, consistent=True),
        plan,
        store.change,
        _busy(invoice_id),
        linked="the record this payment is linked to changed meanwhile",
    )


def send(principal: Principal, invoice_id: int) -> dict[str, Any]:
    """A draft becomes sent; an open invoice is sent again unchanged (409 paid or void).
    Then the customer is e-mailed a link to the PDF (``emailed_to``: the address, or
    null without an e-mail or when SES refused: send again to retry)."""

    def plan(invoice: InvoiceItem) -> tuple[Any, list, None]:
        status = rules.after_send(invoice.status)
        if status == invoice.status:
            return None, [], None
        at = clock.iso_utc(clock.now())
        return {"status": status, "sent_at": at, "updated_at": at}, [], None

    invoice, _ = _move(principal.tenant_id, invoice_id, plan)
    _, key, _, business = _stored_pdf(invoice)
    shown = view(invoice)
    emailed_to = mail.send(business, shown, key)
    if shown["customer_email"]:  # the customer's communications log: sent or failed
        communications.log_email(
            principal.tenant_id,
            customer_id=shown["customer_id"],
            to=shown["customer_email"],
            kind="invoice",
            subject=mail.message(business, shown, "")[0],
            status="sent" if emailed_to else "failed",
            ref=str(shown["id"]),
        )
    return {**shown, "emailed_to": emailed_to}


def pay(
    principal: Principal,
    invoice_id: int,
    amount_cents: int,
    method: str,
    reference: str | None,
    *,
    source: str = "manual",
    parts: tuple[store.Part, ...] = (),
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a payment: ``balance_cents`` goes down (more than it is 422), the status
    becomes partial or paid; ``payment.reconciled`` is emitted in the same transaction.
    Another feature recording a payment it found (``source``, e.g. "reconciliation")
    adds its own writes to that transaction (``parts``; a failed condition of the one
    labelled ``"linked"`` is 409) and its ``details`` to the event's data."""
    tid = principal.tenant_id

    def plan(invoice: InvoiceItem) -> tuple[dict, list, outbox.PendingEvent]:
        status, balance = rules.after_payment(
            invoice.status, int(invoice.balance_cents), amount_cents
        )
        payments = list(invoice.payments or [])
        if len(payments) >= rules.MAX_PAYMENTS:
            raise Conflict(f"an invoice takes at most {rules.MAX_PAYMENTS} payments")
        now = clock.now()
        at = clock.iso_utc(now)
        payment = {
            "id": len(payments) + 1,
            "amount_cents": amount_cents,
            "method": method,
            "reference": reference,
            "recorded_at": at,
            "recorded_by": principal.user_id,
        }
        changes = {
            "status": status,
            "balance_cents": balance,
            "paid_cents": int(invoice.paid_cents or 0) + amount_cents,
            "payments": [*payments, payment],
            "updated_at": at,
            "paid_at": at if status == rules.PAID else None,
        }
        event = outbox.prepare(
            tid,
            "payment.reconciled",
            {
                "invoice_id": int(invoice.invoice_id),
                "invoice_number": rules.number_of(int(invoice.invoice_id)),
                "customer_id": int(invoice.customer_id),
                "payment": payment,
                "paid_cents": changes["paid_cents"],
                "balance_cents": balance,
                "status": status,
                "source": source,
                **(details or {}),
            },
            now,
        )

        def add_event(tx: Labelled) -> None:
            outbox.add(tx, event)

        return changes, [add_event, *parts], event

    invoice, event = _move(tid, invoice_id, plan)
    outbox.enqueue(event)
    return view(invoice)


def void(principal: Principal, invoice_id: int) -> dict[str, Any]:
    """Draft, sent or partial invoices (overdue included) become void; paid or void 409."""

    def plan(invoice: InvoiceItem) -> tuple[dict, list, None]:
        rules.check_void(invoice.status)
        at = clock.iso_utc(clock.now())
        return {"status": rules.VOID, "voided_at": at, "updated_at": at}, [], None

    invoice, _ = _move(principal.tenant_id, invoice_id, plan)
    return view(invoice)


def _stored_pdf(invoice: InvoiceItem) -> tuple[bytes, str, str, str]:
    """The invoice's PDF, its S3 key, file name and the business name: the stored one of
    its revision and shown status (``keys.invoice_pdf_key``), else rendered and stored."""
    shown = view(invoice)
    tenant_id, invoice_id = invoice.tenant_id, int(invoice.invoice_id)
    key = keys.invoice_pdf_key(tenant_id, invoice_id, int(invoice.revision), shown["status"])
    filename = f"{shown['invoice_number']}.pdf"
    branding = settings.effective(settings.get(tenant_id)).get("branding") or {}
    business = str(branding.get("display_name") or "TradeKitt")
    body = storage.get(key)
    if body is None:
        body = render_pdf.invoice_pdf(branding, shown)
        storage.keep_copy(storage.ExportFile(key, body, storage.PDF))
    return body, key, filename, business


def pdf(tenant_id: str, invoice_id: int) -> tuple[bytes, str]:
    """The invoice's PDF and file name (kept in S3 per revision, served again)."""
    body, _, filename, _ = _stored_pdf(get_item(tenant_id, invoice_id))
    return body, filename
