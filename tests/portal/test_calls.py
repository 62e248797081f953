"""The DynamoDB calls of portal requests, measured (besides the rate limiter's writes):
the caller check is one BatchGetItem; the lists across businesses read the e-mail index
once, the businesses in one batch and one bounded Query per business."""

from __future__ import annotations

from tests.portal.conftest import as_customer, register, sent_invoice, verified
from tests.support.reads import counting_reads


def _reads(reads) -> dict[str, int]:
    """The calls but the IP rate limiter's UpdateItem."""
    return {op: n for op, n in reads.calls.items() if op != "UpdateItem"}


def test_me_costs_one_batch_read(api):
    customer = register(api)
    with counting_reads() as reads:
        assert as_customer(api, customer, "GET", "/customer/me").status == 200
    assert _reads(reads) == {"BatchGetItem": 1}


def test_invoices_across_two_businesses_read_what_they_show(api, owner, other):
    customer = verified(api)
    for account in (owner, other):
        for _ in range(3):
            sent_invoice(api, account, customer.email)
    with counting_reads() as reads:
        reply = as_customer(api, customer, "GET", "/customer/invoices?limit=2")
    assert reply.status == 200 and reply.data["total"] == 6 and len(reply.data["items"]) == 2
    # the caller and the businesses (2 batches), the e-mail index and one Query a business
    assert _reads(reads) == {"BatchGetItem": 2, "Query": 3}, reads.calls
    assert reads.queried == 2 + 6  # the index entries and each business's invoices


def test_an_unverified_list_reads_no_business(api, owner):
    customer = register(api)
    sent_invoice(api, owner, customer.email)
    with counting_reads() as reads:
        assert as_customer(api, customer, "GET", "/customer/invoices").data["total"] == 0
    assert _reads(reads) == {"BatchGetItem": 1}
