"""The DynamoDB calls of the leads' and communications' routes (besides the two
rate-limit windows and the caller's account, one GetItem), as the README states them."""

from __future__ import annotations

from tests.support.reads import counting_reads

LEADS, COMMS = "/admin/leads", "/admin/customer-communications"
RATE_LIMITS = 2  # UpdateItem: the IP and the tenant windows


def _calls(reads) -> dict[str, int]:
    calls = dict(reads.calls)
    calls["UpdateItem"] = calls.get("UpdateItem", 0) - RATE_LIMITS
    calls["GetItem"] -= 1  # the caller's account
    return {k: v for k, v in calls.items() if v}


def test_lead_calls(api, owner):
    body = {"name": "Dana", "phone": "1", "source": "web"}
    with counting_reads() as reads:
        lead = api.post(LEADS, body, as_=owner).data["id"]
    assert _calls(reads) == {"UpdateItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        api.get(f"{LEADS}/{lead}", as_=owner)
    assert _calls(reads) == {"GetItem": 1}
    with counting_reads() as reads:
        api.post(f"{LEADS}/{lead}/status", {"status": "contacted"}, as_=owner)
    assert _calls(reads) == {"GetItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        api.patch(f"{LEADS}/{lead}", {"phone": "2"}, as_=owner)
    assert _calls(reads) == {"GetItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        api.get(f"{LEADS}?limit=5", as_=owner)
    assert _calls(reads) == {"BatchGetItem": 1, "Query": 1}
    api.post(f"{LEADS}/{lead}/status", {"status": "qualified"}, as_=owner)
    with counting_reads() as reads:
        assert api.post(f"{LEADS}/{lead}/convert", {"create": "job"}, as_=owner).status == 201
    # the lead read 3 times (at first, with its customer, for the won write), the customer's
    # id, the customer with the lead's customer_id, the lease, the won write, the answer's
    # customer; the job's BatchGetItem and transaction (a lead with an e-mail: one more
    # BatchGetItem, the e-mail's pointer)
    assert _calls(reads) == {"GetItem": 4, "UpdateItem": 1, "BatchGetItem": 1,
                             "TransactWriteItems": 4}  # fmt: skip


def test_communication_calls(api, owner):
    customer = api.post("/admin/customers", {"name": "Ann"}, as_=owner).data["id"]
    note = {"customer_id": customer, "kind": "note", "body": "Hi"}
    with counting_reads() as reads:
        entry = api.post(COMMS, note, as_=owner).data["id"]
    assert _calls(reads) == {"GetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1}
    with counting_reads() as reads:
        api.get(f"{COMMS}/{entry}", as_=owner)
    assert _calls(reads) == {"GetItem": 1}
    with counting_reads() as reads:
        api.get(f"{COMMS}?limit=5", as_=owner)
    assert _calls(reads) == {"BatchGetItem": 1, "Query": 1}
    with counting_reads() as reads:
        api.get(f"{COMMS}?limit=5&customer_id={customer}", as_=owner)
    assert _calls(reads) == {"GetItem": 1, "BatchGetItem": 1, "Query": 1}
