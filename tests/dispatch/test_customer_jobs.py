"""A customer's jobs (``dispatch.service.of_customer``): an entry written with each job
that names a customer, read newest created first, bounded, from a position; jobs of
another customer or tenant are not in it."""

from __future__ import annotations

from chalicelib.dispatch import service as dispatch


def _job(api, account, **body):
    reply = api.post("/admin/dispatch", {"title": "Job", **body}, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def test_of_customer_newest_first_bounded_and_from_a_position(api, owner, other):
    cid = api.post("/admin/customers", {"name": "Jo"}, as_=owner).data["id"]
    made = []
    for _ in range(4):  # created in this order (equal instants: by id)
        made.append(_job(api, owner, customer_id=cid))
    _job(api, owner, customer_name="Someone else")
    _job(api, owner)  # no customer: no entry
    _job(api, other, customer_name="Jo")  # another tenant's customer 1 is not ours
    tid = owner.tenant_id
    newest = [j["id"] for j in reversed(made)]
    assert [j["id"] for j in dispatch.of_customer(tid, cid)] == newest
    assert [j["id"] for j in dispatch.of_customer(tid, cid, limit=2)] == newest[:2]
    second = dispatch.of_customer(tid, cid, limit=2)[1]
    after = dispatch.of_customer(tid, cid, before=(second["created_at"], second["id"]))
    assert [j["id"] for j in after] == newest[2:]
    assert dispatch.of_customer(other.tenant_id, cid)[0]["customer_name"] == "Jo"
    assert len(dispatch.of_customer(other.tenant_id, cid)) == 1
