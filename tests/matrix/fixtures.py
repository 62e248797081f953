"""One entry per route of the route table: how to name, in the owner's tenant, the
resources its path ids point to, and a valid body for a route that takes one.

Adding a route? Add its entry to ``FIXTURES`` (tests/matrix/test_completeness.py fails
until you do, and names the route):

- ``params(world)`` returns the path parameters (every ``{name}`` of the path) naming the
  owner's resources; when the call consumes what it names (a delete, a state change that
  cannot happen twice), let it build a new one each time (``World.fresh_*``) and say
  ``fresh=True``. It must leave the resource as a successful call expects it, whatever
  ran before.
- ``body(world)`` is a valid body when the route takes one (never with ``MARK`` in it:
  the other tenant's calls run with the same bodies and must not write the owner's mark).
- ``shows(world)`` (lists, routes without ids): strings the owner's answer holds and the
  other tenant's must not (default: the owner's marks).
- ``intruder(world, role)``: the path parameters the other tenant's ``role`` calls with,
  when they are not simply the owner's (e.g. its own technician id beside the owner's
  period: a technician may only name themselves).
- a route a role may call by the role table but whose handler refuses that role by
  design goes into ``REFUSED`` with the reason; the role matrix checks it is refused.
- ``as_role(world, role)``: the path parameters when they depend on the calling role
  (the owner's ``role`` account's own session); both matrices use it instead of ``params``.
- public routes (no token) are listed in ``PUBLIC`` and stay out of both matrices.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import registry, roles
from chalicelib.core.route_table import ROUTES
from chalicelib.core.routing import ENDPOINTS, EndpointSpec
from tests.matrix.world import DISCOUNT_RATE_BPS, World

Route = tuple[str, str]
Params = Callable[[World], dict[str, Any]]
NO_PARAMS: Params = lambda w: {}  # noqa: E731


@dataclass(frozen=True)
class Fixture:
    params: Params = NO_PARAMS
    body: Callable[[World], Any] | None = None
    fresh: bool = False
    shows: Callable[[World], list[str]] | None = None
    intruder: Callable[[World, str], dict[str, Any]] | None = None
    as_role: Callable[[World, str], dict[str, Any]] | None = None

    def params_for(self, world: World, role: str) -> dict[str, Any]:
        """The path parameters for the owner's ``role`` account."""
        return self.as_role(world, role) if self.as_role else self.params(world)


CFG = "/admin/commission-config"
TECH_ITEM = f"{CFG}/tech/{{technician_id}}/item/{{item_id}}"
TECH_CATEGORY = f"{CFG}/tech/{{technician_id}}/category/{{category}}"
TECH_PLAN = f"{CFG}/tech/{{technician_id}}/plan/{{role}}"
ITEM_DEFAULT = f"{CFG}/item/{{item_id}}"
STATEMENT_PDF = "/export/commission-statement/{technician_id}/{period_id}/pdf"
DELIVERY = "/admin/webhooks/{webhook_id}/deliveries/{delivery_id}"

RATE = {"commission_rate_bps": 650}
PLAN = {"kind": "tiered", "tiers": [{"up_to_cents": 100000, "rate_bps": 500}, {"rate_bps": 800}]}


def _rule(path: str, body: dict[str, Any], names: Params) -> Params:
    """The owner's commission rule at ``path``, (re)created before each call."""

    def params(w: World) -> dict[str, Any]:
        values = names(w)
        w.commission_rule(path.format(**values), body)
        return values

    return params


def _ids(**names: str) -> Params:
    return lambda w: {name: w.ids[key] for name, key in names.items()}


def _with(ids: Params, **literal: str) -> Params:
    """``ids`` and path parts that are not ids (a category, a plan role)."""
    return lambda w: {**ids(w), **literal}


def _body(value: Any) -> Callable[[World], Any]:
    return lambda w: value


def _tenant_commission(w: World) -> list[str]:
    return [f'"rate_bps":{DISCOUNT_RATE_BPS}']


def _sale_body(w: World) -> dict[str, Any]:
    return {
        "technician_id": w.owner.technician_id,
        "item_id": w.ids["item"],
        "sale_price_cents": 99000,
        "customer_name": "Walk-in Buyer",
    }


IMPORT_KINDS = ("technicians", "line-items", "sales")


def _items_import(w: World) -> dict[str, Any]:
    return {"csv": f"name,price_cents\nImported {uuid.uuid4().hex[:8]},100\n"}


def _technicians_import(w: World) -> dict[str, Any]:
    return {"csv": f"name\nImported {uuid.uuid4().hex[:8]}\n"}


def _sales_import(w: World) -> dict[str, Any]:
    row = f"{w.owner.technician_id},{w.ids['item']},99000,Buyer {uuid.uuid4().hex[:8]}"
    return {"csv": "technician_id,item_id,sale_price_cents,customer_name\n" + row + "\n"}


def _an_import(w: World) -> dict[str, Any]:
    return {"import_id": w.ok("POST", "/admin/import/line-items", _items_import(w))["import_id"]}


def _own_statement(w: World, role: str) -> dict[str, Any]:
    """A technician may only name themselves: the other tenant's technician asks for its
    own statement in the owner's period (the period is what must not be found)."""
    technician_id = w.other.technician_id if role == roles.TECHNICIAN else w.ids["technician"]
    return {"technician_id": technician_id, "period_id": w.ids["period"]}


def _fresh(make: str, name: str) -> Params:
    return lambda w: {name: getattr(w, make)()}


TECH = _ids(technician_id="technician")
TECH_AND_ITEM = _ids(technician_id="technician", item_id="item")
ITEM = _ids(item_id="item")
SALE = _ids(sale_id="sale")
AT_CATEGORY = _with(TECH, category="Maintenance")
AT_PLAN = _with(TECH, role="technician")
PERIOD = _ids(period_id="period")
HOOK = _ids(webhook_id="webhook")
MARKED: Callable[[World], list[str]] = lambda w: w.marks  # noqa: E731
JOB_PATH = "/admin/dispatch/{job_id}"
ZONES, ZONE = "/admin/service-zones", "/admin/service-zones/{zone_id}"
SKILLS, SKILL = "/admin/technician-skills", "/admin/technician-skills/{skill_id}"
LEVELS = "/admin/technician-skills/technicians/{technician_id}"
MY_JOB = "/tech/dispatch/my-jobs/{job_id}"
JOB = _ids(job_id="job")


def _job(stage: str = "pending") -> Params:
    return lambda w: {"job_id": w.fresh_job(stage)}


# forms: the owner's template (built once per world) and a job of the technician login's
FORM_PATH = "/admin/forms/{form_id}"
JOB_FORMS = "/admin/dispatch/{job_id}/forms"
MY_JOB_FORMS = "/tech/dispatch/my-jobs/{job_id}/forms"
MATRIX_FORM_FIELDS = [
    {"key": "note", "label": "Note", "type": "text"},
    {"key": "photo", "label": "Photo", "type": "photo"},
]
FORM_VALUES = {"values": {"note": "matrix"}}
FORM_UPLOAD = {"field": "photo", "content_type": "image/png", "size_bytes": 2048}


# invoices: the owner's draft (built once per world, marked); fresh ones for the moves
INVOICES, INVOICE = "/admin/invoices", "/admin/invoices/{invoice_id}"
INVOICE_BODY = {
    "customer_name": "Matrix Buyer",
    "line_items": [{"description": "Matrix repair", "amount_cents": 15000, "quantity": 1}],
    "due_date": "2030-01-15",
}


def _new_invoice(w: World, stage: str = "draft") -> int:
    from tests.matrix.world import MARK

    body = {**INVOICE_BODY, "customer_name": f"{MARK} Buyer", "notes": f"{MARK} invoice"}
    invoice_id = w.ok("POST", INVOICES, body)["id"]
    if stage == "sent":
        w.ok("POST", f"{INVOICES}/{invoice_id}/send")
    return invoice_id


def _owner_invoice(w: World) -> dict[str, Any]:
    if "invoices:draft" not in w.cache:
        w.cache["invoices:draft"] = _new_invoice(w)
    return {"invoice_id": w.cache["invoices:draft"]}


def _fresh_invoice(stage: str) -> Params:
    return lambda w: {"invoice_id": _new_invoice(w, stage)}


def _invoice_list(w: World) -> dict[str, Any]:
    _owner_invoice(w)  # the list shows the owner's marked invoice
    return {}


def _new_form(w: World) -> int:
    from tests.matrix.world import MARK

    body = {"name": f"{MARK} form", "fields": MATRIX_FORM_FIELDS}
    return w.ok("POST", "/admin/forms", body)["id"]


def _owner_form(w: World) -> int:
    if "forms:form" not in w.cache:
        w.cache["forms:form"] = _new_form(w)
    return w.cache["forms:form"]


def _form_ids(w: World) -> dict[str, Any]:
    return {"form_id": _owner_form(w)}


def _job_form(w: World) -> dict[str, Any]:
    return {"job_id": w.ids["job"], "form_id": _owner_form(w)}


def _my_job(w: World) -> int:
    if "forms:my_job" not in w.cache:
        w.cache["forms:my_job"] = w.fresh_job("dispatched")
    return w.cache["forms:my_job"]


def _my_job_form(w: World) -> dict[str, Any]:
    return {"job_id": _my_job(w), "form_id": _owner_form(w)}


def _shows_form(w: World) -> list[str]:
    _owner_form(w)
    return w.marks


# sla: a policy only the owner has (its minutes show), a violation of a MARK job
SLA_SHOWN = {"response_minutes": 7919, "resolution_minutes": 7927}


def _shows_sla_policy(w: World) -> list[str]:
    w.ok("PATCH", "/admin/sla", {"low": SLA_SHOWN})
    return ['"response_minutes":7919']


def _shows_sla_violation(w: World) -> list[str]:
    """A job of the owner's that missed its urgent response deadline (the sweep, run as
    if ten minutes later, records it): its title shows the mark."""
    if "sla:violation" not in w.cache:
        from datetime import timedelta

        from chalicelib.sla import sweep
        from tests.matrix.world import MARK

        policy = {"response_minutes": 1, "resolution_minutes": 1}
        w.ok("PATCH", "/admin/sla", {"urgent": policy})
        w.ok("POST", "/admin/dispatch", {"title": f"{MARK} late job", "priority": "urgent"})
        sweep.sweep(datetime.now(UTC) + timedelta(minutes=10))
        w.cache["sla:violation"] = [MARK]
    return w.cache["sla:violation"]


PUBLIC: frozenset[Route] = frozenset(
    {
        ("POST", "/auth/login"),
        ("POST", "/auth/refresh"),
        ("POST", "/auth/register"),
        ("POST", "/auth/invitations/accept"),
        ("POST", "/auth/password/forgot"),
        ("POST", "/auth/password/reset"),
        ("GET", "/tenants/resolve/{code}"),
        ("GET", "/health"),
    }
)

FIXTURES: dict[Route, Fixture] = {
    # accounts
    ("POST", "/auth/logout"): Fixture(),
    ("GET", "/auth/me"): Fixture(shows=lambda w: [w.owner.tenant_id]),
    # catalog
    ("GET", "/admin/line-items"): Fixture(shows=MARKED),
    ("POST", "/admin/line-items"): Fixture(
        body=_body({"name": "Matrix filter", "category": "Parts", "price_cents": 2500})
    ),
    ("GET", "/admin/line-items/categories"): Fixture(shows=MARKED),
    ("GET", "/admin/line-items/{item_id}"): Fixture(ITEM),
    ("PATCH", "/admin/line-items/{item_id}"): Fixture(ITEM, _body({"description": "patched"})),
    # imports (each call a new file: the same file again would answer 200, creating nothing)
    ("POST", "/admin/import/line-items"): Fixture(body=_items_import),
    ("POST", "/admin/import/technicians"): Fixture(body=_technicians_import),
    ("POST", "/admin/import/sales"): Fixture(body=_sales_import),
    ("GET", "/admin/import/{import_id}"): Fixture(_an_import),
    # commission
    ("DELETE", ITEM_DEFAULT): Fixture(_rule(ITEM_DEFAULT, RATE, ITEM), fresh=True),
    ("GET", ITEM_DEFAULT): Fixture(_rule(ITEM_DEFAULT, RATE, ITEM)),
    ("PUT", ITEM_DEFAULT): Fixture(ITEM, _body(RATE)),
    ("GET", f"{CFG}/tech/{{technician_id}}"): Fixture(TECH),
    ("DELETE", TECH_CATEGORY): Fixture(
        _rule(TECH_CATEGORY, RATE, AT_CATEGORY),
        fresh=True,
    ),
    ("GET", TECH_CATEGORY): Fixture(_rule(TECH_CATEGORY, RATE, AT_CATEGORY)),
    ("PUT", TECH_CATEGORY): Fixture(AT_CATEGORY, _body(RATE)),
    ("DELETE", TECH_ITEM): Fixture(_rule(TECH_ITEM, RATE, TECH_AND_ITEM), fresh=True),
    ("GET", TECH_ITEM): Fixture(_rule(TECH_ITEM, RATE, TECH_AND_ITEM)),
    ("PUT", TECH_ITEM): Fixture(
        TECH_AND_ITEM,
        _body({"commission_rate_bps": 700, "ov_rate_bps": 100}),
    ),
    ("DELETE", TECH_PLAN): Fixture(_rule(TECH_PLAN, PLAN, AT_PLAN), fresh=True),
    ("GET", TECH_PLAN): Fixture(_rule(TECH_PLAN, PLAN, AT_PLAN)),
    ("PUT", TECH_PLAN): Fixture(AT_PLAN, _body(PLAN)),
    # customers
    ("GET", "/admin/customers"): Fixture(shows=MARKED),
    ("POST", "/admin/customers"): Fixture(body=_body({"name": "Matrix Customer"})),
    ("GET", "/admin/customers/{customer_id}"): Fixture(_ids(customer_id="customer")),
    ("PATCH", "/admin/customers/{customer_id}"): Fixture(
        _ids(customer_id="customer"), _body({"notes": "patched"})
    ),
    # (a new survivor and a new customer to fold into it each call: merging consumes both)
    ("POST", "/admin/customers/{customer_id}/merge"): Fixture(
        lambda w: {"customer_id": w.ok("POST", "/admin/customers", {"name": "Survivor"})["id"]},
        lambda w: {"from_id": w.ok("POST", "/admin/customers", {"name": "Merged Away"})["id"]},
        fresh=True,
    ),
    ("GET", "/admin/customers/{customer_id}/history"): Fixture(_ids(customer_id="customer")),
    # dispatch (the owner's technician login works its own jobs)
    ("GET", "/admin/dispatch"): Fixture(shows=MARKED),
    ("POST", "/admin/dispatch"): Fixture(body=_body({"title": "Matrix job"})),
    ("GET", "/admin/dispatch/board"): Fixture(shows=MARKED),
    ("POST", "/admin/dispatch/optimize-routes"): Fixture(
        body=lambda w: {"date": datetime.now(UTC).date().isoformat(), "apply": True}
    ),
    ("GET", "/admin/dispatch/stream"): Fixture(shows=lambda w: w.recent_dispatch_event()),
    ("GET", JOB_PATH): Fixture(JOB),
    ("PATCH", JOB_PATH): Fixture(JOB, _body({"description": "patched"})),
    ("PATCH", f"{JOB_PATH}/assign"): Fixture(
        JOB, lambda w: {"technician_id": w.ids["other_technician"]}
    ),
    ("PATCH", f"{JOB_PATH}/unassign"): Fixture(_job("dispatched"), fresh=True),
    ("PATCH", f"{JOB_PATH}/cancel"): Fixture(_job(), _body({"reason": "matrix"}), fresh=True),
    ("GET", f"{JOB_PATH}/history"): Fixture(JOB),
    ("GET", f"{JOB_PATH}/suggestions"): Fixture(JOB),
    ("GET", "/tech/dispatch/my-jobs"): Fixture(shows=MARKED),
    ("PATCH", f"{MY_JOB}/acknowledge"): Fixture(_job("dispatched"), fresh=True),
    ("PATCH", f"{MY_JOB}/status"): Fixture(
        _job("acknowledged"),
        _body({"status": "en_route", "latitude": 27.9506, "longitude": -82.4572}),
        fresh=True,
    ),
    ("POST", "/tech/dispatch/location"): Fixture(
        body=_body({"latitude": 27.9506, "longitude": -82.4572, "speed": 35.5, "heading": 180})
    ),
    # forms (templates, a job's forms in the back office and the technician's own)
    ("GET", "/admin/forms"): Fixture(shows=_shows_form),
    ("POST", "/admin/forms"): Fixture(
        body=_body({"name": "Matrix form", "fields": MATRIX_FORM_FIELDS})
    ),
    ("GET", FORM_PATH): Fixture(_form_ids),
    ("PATCH", FORM_PATH): Fixture(_form_ids, _body({"description": "patched"})),
    ("DELETE", FORM_PATH): Fixture(lambda w: {"form_id": _new_form(w)}, fresh=True),
    ("GET", f"{FORM_PATH}/versions/{{version}}"): Fixture(lambda w: {**_form_ids(w), "version": 1}),
    ("GET", JOB_FORMS): Fixture(JOB),
    ("POST", f"{JOB_FORMS}/{{form_id}}"): Fixture(_job_form, _body(FORM_VALUES)),
    ("POST", f"{JOB_FORMS}/{{form_id}}/uploads"): Fixture(_job_form, _body(FORM_UPLOAD)),
    ("GET", MY_JOB_FORMS): Fixture(lambda w: {"job_id": _my_job(w)}),
    ("POST", f"{MY_JOB_FORMS}/{{form_id}}"): Fixture(_my_job_form, _body(FORM_VALUES)),
    ("POST", f"{MY_JOB_FORMS}/{{form_id}}/uploads"): Fixture(_my_job_form, _body(FORM_UPLOAD)),
    # payroll: pay periods and exports
    ("GET", "/admin/csv-export/commission-report"): Fixture(shows=MARKED),
    ("GET", "/admin/csv-export/pay-period/{period_id}"): Fixture(PERIOD),
    ("GET", "/admin/csv-export/sales"): Fixture(shows=MARKED),
    ("GET", "/admin/pay-periods"): Fixture(shows=MARKED),
    ("GET", "/admin/pay-periods/{period_id}"): Fixture(PERIOD),
    ("PATCH", "/admin/pay-periods/{period_id}/close"): Fixture(PERIOD),  # idempotent
    ("GET", STATEMENT_PDF): Fixture(
        _ids(technician_id="technician", period_id="period"), intruder=_own_statement
    ),
    ("GET", "/export/pay-period/{period_id}/pdf"): Fixture(PERIOD),
    ("GET", "/tech/pay-periods"): Fixture(shows=MARKED),
    ("GET", "/tech/pay-periods/{period_id}/statement"): Fixture(PERIOD),
    # sales (the owner's are its technician login's, so the technician role may act)
    ("GET", "/sales"): Fixture(shows=MARKED),
    ("POST", "/sales"): Fixture(body=_sale_body),
    ("GET", "/sales/{sale_id}"): Fixture(SALE),
    ("PATCH", "/sales/{sale_id}/approve"): Fixture(
        _fresh("fresh_sale", "sale_id"), _body({}), fresh=True
    ),
    ("PATCH", "/sales/{sale_id}/payment-status"): Fixture(SALE, _body({"status": "paid"})),
    ("PATCH", "/sales/{sale_id}/reject"): Fixture(
        _fresh("fresh_sale", "sale_id"), _body({"reason": "matrix"}), fresh=True
    ),
    ("PATCH", "/sales/{sale_id}/void"): Fixture(
        _fresh("fresh_sale", "sale_id"), _body({"voided": True}), fresh=True
    ),
    # invoices (moves consume the invoice: a fresh one each call)
    ("GET", INVOICES): Fixture(_invoice_list, shows=MARKED),
    ("POST", INVOICES): Fixture(body=_body(INVOICE_BODY)),
    ("GET", INVOICE): Fixture(_owner_invoice),
    ("PATCH", INVOICE): Fixture(_owner_invoice, _body({"notes": "patched"})),
    ("POST", f"{INVOICE}/send"): Fixture(_fresh_invoice("draft"), fresh=True),
    ("POST", f"{INVOICE}/payments"): Fixture(
        _fresh_invoice("sent"), _body({"amount_cents": 100, "method": "cash"}), fresh=True
    ),
    ("POST", f"{INVOICE}/void"): Fixture(_fresh_invoice("draft"), fresh=True),
    ("GET", f"{INVOICE}/pdf"): Fixture(_owner_invoice),
    # sla
    ("GET", "/admin/sla"): Fixture(shows=_shows_sla_policy),
    ("PATCH", "/admin/sla"): Fixture(
        body=_body({"normal": {"response_minutes": 600, "resolution_minutes": 1200}})
    ),
    ("GET", "/admin/sla/violations"): Fixture(shows=_shows_sla_violation),
    # service zones (the owner's zone holds ZIP 33601: new ones are polygons)
    ("GET", ZONES): Fixture(shows=MARKED),
    ("POST", ZONES): Fixture(
        body=_body({"name": "Matrix zone", "polygon": [[41, -75], [41.1, -75], [41, -75.1]]})
    ),
    ("GET", ZONE): Fixture(_ids(zone_id="zone")),
    ("PATCH", ZONE): Fixture(_ids(zone_id="zone"), _body({"description": "patched"})),
    ("DELETE", ZONE): Fixture(_fresh("fresh_zone", "zone_id"), fresh=True),
    # technician skills (names are unique: each create names a new one)
    ("GET", SKILLS): Fixture(shows=MARKED),
    ("POST", SKILLS): Fixture(body=lambda w: {"name": f"Matrix skill {uuid.uuid4().hex[:8]}"}),
    ("GET", SKILL): Fixture(_ids(skill_id="skill")),
    ("PATCH", SKILL): Fixture(_ids(skill_id="skill"), _body({"description": "patched"})),
    ("DELETE", SKILL): Fixture(_fresh("fresh_skill", "skill_id"), fresh=True),
    ("GET", LEVELS): Fixture(TECH),
    ("PUT", LEVELS): Fixture(
        TECH, lambda w: {"skills": [{"skill_id": w.ids["skill"], "level": 4}]}
    ),
    # settings
    ("GET", f"{CFG}/tenant"): Fixture(shows=_tenant_commission),
    ("PATCH", f"{CFG}/tenant"): Fixture(body=_body({"discount_scale_all": False})),
    ("GET", "/admin/settings"): Fixture(shows=MARKED),
    ("PATCH", "/admin/settings"): Fixture(body=_body({"branding": {"primary_color": "#1f6feb"}})),
    ("GET", "/admin/settings/branding"): Fixture(shows=MARKED),
    ("PATCH", "/admin/settings/branding"): Fixture(body=_body({"accent_color": "#f59e0b"})),
    ("POST", "/admin/settings/branding/logo-upload"): Fixture(
        body=_body({"content_type": "image/png", "size_bytes": 2048})
    ),
    ("POST", "/admin/settings/branding/favicon-upload"): Fixture(
        body=_body({"content_type": "image/x-icon", "size_bytes": 1024})
    ),
    # technicians
    ("GET", "/admin/technicians"): Fixture(shows=MARKED),
    ("POST", "/admin/technicians"): Fixture(
        body=_body({"name": "Matrix Tech", "pay_type": "salary", "base_pay_cents": 100000})
    ),
    ("DELETE", "/admin/technicians/{technician_id}"): Fixture(
        _fresh("fresh_technician", "technician_id"), fresh=True
    ),
    ("GET", "/admin/technicians/{technician_id}"): Fixture(TECH),
    ("PATCH", "/admin/technicians/{technician_id}"): Fixture(
        _ids(technician_id="other_technician"), _body({"phone": "555-0100"})
    ),
    # webhooks
    ("GET", "/admin/webhooks"): Fixture(shows=MARKED),
    ("POST", "/admin/webhooks"): Fixture(
        body=_body({"url": "http://127.0.0.1:9/matrix", "events": ["sale.created"]})
    ),
    ("DELETE", "/admin/webhooks/{webhook_id}"): Fixture(
        _fresh("fresh_webhook", "webhook_id"), fresh=True
    ),
    ("GET", "/admin/webhooks/{webhook_id}"): Fixture(HOOK),
    ("PATCH", "/admin/webhooks/{webhook_id}"): Fixture(HOOK, _body({"description": "patched"})),
    ("GET", "/admin/webhooks/{webhook_id}/deliveries"): Fixture(HOOK),
    ("GET", DELIVERY): Fixture(_ids(webhook_id="webhook", delivery_id="delivery")),
    ("POST", f"{DELIVERY}/redeliver"): Fixture(
        lambda w: {"webhook_id": w.ids["webhook"], "delivery_id": w.finished_delivery()},
        fresh=True,
    ),
    ("POST", "/admin/webhooks/{webhook_id}/rotate-secret"): Fixture(HOOK),
    ("POST", "/admin/webhooks/{webhook_id}/test"): Fixture(HOOK, _body({})),
}


# users: the owner's invited staff user (built once), fresh ones to (de)activate, and for
# the sessions routes a session of the calling role's own account (user agent marked)
USERS, USER = "/admin/users", "/admin/users/{user_id}"


def _invite(w: World) -> int:
    body = {"email": f"m{uuid.uuid4().hex[:10]}@example.com", "roles": ["manager"]}
    return w.ok("POST", USERS, body)["user"]["id"]


def _owner_user(w: World) -> dict[str, Any]:
    if "users:user" not in w.cache:
        w.cache["users:user"] = _invite(w)
    return {"user_id": w.cache["users:user"]}


def _inactive_user(w: World) -> dict[str, Any]:
    user_id = _invite(w)
    w.ok("POST", f"{USERS}/{user_id}/deactivate")
    return {"user_id": user_id}


def _session_of(w: World, role: str) -> str:
    """A new session of the owner's ``role`` account, its user agent marked."""
    import jwt

    from chalicelib.accounts import service as accounts_service
    from chalicelib.accounts import sessions_store
    from tests.matrix.world import MARK

    account = w.owner.accounts[role]
    user_id = int(jwt.decode(account.access_token, options={"verify_signature": False})["sub"])
    now = datetime.now(UTC)
    session_id = accounts_service.new_session_id(now)
    expires = int(now.timestamp()) + 3600
    sessions_store.create_session(
        account.tenant_id, session_id, user_id, uuid.uuid4().hex, now, expires, f"{MARK} agent"
    )
    return session_id


def _shows_sessions(w: World) -> list[str]:
    """Each role's new session (new each time: a password change revokes older ones)."""
    from tests.matrix.world import MARK

    for role in roles.ROLES:
        _session_of(w, role)
    return [f"{MARK} agent"]


MATRIX_PASSWORD = "matrix-password-1"


def _password_change(w: World) -> dict[str, Any]:
    """Every owner account's password set to ``MATRIX_PASSWORD`` (each call changes it)."""
    import jwt

    from chalicelib.accounts.passwords import hash_password
    from chalicelib.accounts.store import UserItem
    from chalicelib.platform import keys

    if "users:hash" not in w.cache:
        w.cache["users:hash"] = hash_password(MATRIX_PASSWORD)
    for account in w.owner.accounts.values():
        sub = jwt.decode(account.access_token, options={"verify_signature": False})["sub"]
        UserItem(*keys.user_key(account.tenant_id, int(sub))).update(
            actions=[UserItem.password_hash.set(w.cache["users:hash"])]
        )
    return {"current_password": MATRIX_PASSWORD, "new_password": "matrix-password-2"}


FIXTURES.update(
    {
        ("GET", USERS): Fixture(shows=MARKED),
        ("POST", USERS): Fixture(
            body=lambda w: {"email": f"i{uuid.uuid4().hex[:10]}@example.com", "roles": ["manager"]}
        ),
        ("GET", USER): Fixture(_owner_user),
        ("PATCH", USER): Fixture(_owner_user, _body({"roles": ["dispatcher"]})),
        ("POST", f"{USER}/deactivate"): Fixture(lambda w: {"user_id": _invite(w)}, fresh=True),
        ("POST", f"{USER}/reactivate"): Fixture(_inactive_user, fresh=True),
        ("POST", f"{USER}/invitation/resend"): Fixture(_owner_user),
        ("POST", "/auth/password/change"): Fixture(body=_password_change),
        ("GET", "/auth/sessions"): Fixture(shows=_shows_sessions),
        ("DELETE", "/auth/sessions/{session_id}"): Fixture(
            as_role=lambda w, role: {"session_id": _session_of(w, role)}, fresh=True
        ),
    }
)

_NOT_LINKED = (
    "a login not linked to a technician record has no own sales or statements: the "
    "handler answers 403 (accounts.own_technician)"
)
_DISPATCHER = (
    "without sales:all a caller acts only as its own technician, and a dispatcher's "
    "login is linked to none (403)"
)
# (route) -> {role: why}: roles the role table lets through whose handler refuses them.
REFUSED: dict[Route, dict[str, str]] = {
    ("GET", "/tech/pay-periods"): {
        roles.ADMIN: _NOT_LINKED,
        roles.MANAGER: _NOT_LINKED,
        roles.DISPATCHER: _NOT_LINKED,
    },
    ("GET", "/tech/pay-periods/{period_id}/statement"): {
        roles.ADMIN: _NOT_LINKED,
        roles.MANAGER: _NOT_LINKED,
        roles.DISPATCHER: _NOT_LINKED,
    },
    ("POST", "/sales"): {roles.DISPATCHER: _DISPATCHER},
    ("GET", "/sales"): {roles.DISPATCHER: _DISPATCHER},
    ("GET", "/sales/{sale_id}"): {roles.DISPATCHER: _DISPATCHER},
    ("GET", STATEMENT_PDF): {roles.DISPATCHER: _DISPATCHER},
    **{
        route: {role: _NOT_LINKED for role in (roles.ADMIN, roles.MANAGER, roles.DISPATCHER)}
        for route in (
            ("GET", "/tech/dispatch/my-jobs"),
            ("PATCH", f"{MY_JOB}/acknowledge"),
            ("PATCH", f"{MY_JOB}/status"),
            ("POST", "/tech/dispatch/location"),
        )
    },
}


REFUSED.update(
    {
        route: {role: _NOT_LINKED for role in (roles.ADMIN, roles.MANAGER, roles.DISPATCHER)}
        for route in (
            ("GET", MY_JOB_FORMS),
            ("POST", f"{MY_JOB_FORMS}/{{form_id}}"),
            ("POST", f"{MY_JOB_FORMS}/{{form_id}}/uploads"),
        )
    }
)


# --- the routes, from the route table and the registered endpoints ------------------------
def table_routes() -> set[Route]:
    return {route for routes in ROUTES.values() for route in routes}


@functools.cache
def specs() -> dict[Route, EndpointSpec]:
    """Every registered endpoint (importing every API module registers them all)."""
    registry.load_all()
    return {(spec.method, spec.path): spec for spec in ENDPOINTS}


def all_routes() -> list[Route]:
    """What the app serves by either account, sorted: the matrices' parameters."""
    return sorted(table_routes() | set(specs()), key=lambda r: (r[1], r[0]))


def matrix_routes() -> list[Route]:
    """The routes both matrices call: all but the public ones (a route the table lists but
    no module registers stays in, so that its tests fail)."""
    every = specs()
    return [r for r in all_routes() if r not in every or not every[r].public]


def route_id(route: Route) -> str:
    return f"{route[0]} {route[1]}"


def fixture_of(route: Route) -> Fixture:
    found = FIXTURES.get(route)
    assert found is not None or route in PUBLIC, (
        f"{route_id(route)} has no entry in tests/matrix/fixtures.py FIXTURES: add how to "
        "create the resources its path ids name (params) and, if it takes one, a valid body"
    )
    return found or Fixture()


def placeholders(path: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(path) if name}


def url(route: Route, params: dict[str, Any]) -> str:
    """The route's path with ``params`` (exactly its placeholders)."""
    method, path = route
    assert set(params) == placeholders(path), (route_id(route), sorted(params))
    return path.format(**{k: str(v) for k, v in params.items()})


def is_read(route: Route) -> bool:
    return route[0] == "GET"


def allowed_roles(spec: EndpointSpec) -> list[str]:
    """The roles that reach the handler and are served (the role table minus REFUSED)."""
    refused = REFUSED.get((spec.method, spec.path), {})
    assert spec.permission is not None
    return [r for r in roles.ROLES if roles.can([r], spec.permission) and r not in refused]


# --- mfa: every account of both tenants is put in the state the call needs, with one
# shared authenticator secret (the body's code is then right for whichever account calls)
MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _mfa_state(w: World, enabled: bool | None) -> None:
    """``None``: no MFA; ``False``: a setup pending with ``MFA_SECRET``; ``True``: on."""
    import jwt

    from chalicelib.mfa import sealing as mfa_sealing
    from chalicelib.mfa import service as mfa_service
    from chalicelib.mfa.store import MfaItem
    from chalicelib.platform import keys

    for tenant in (w.owner, w.other):
        for account in tenant.accounts.values():
            tid = account.tenant_id
            uid = int(jwt.decode(account.access_token, options={"verify_signature": False})["sub"])
            item = MfaItem(*keys.mfa_key(tid, uid), tenant_id=tid, user_id=uid)
            if enabled is None:
                item.delete()
                continue
            sealed = mfa_sealing.seal(mfa_service._key(), MFA_SECRET, f"{tid}|{uid}")
            item.totp_enabled = enabled
            item.totp_secret = sealed if enabled else None
            item.totp_pending = None if enabled else sealed
            item.save()


def _mfa_code(enabled: bool) -> Callable[[World], dict[str, Any]]:
    def body(w: World) -> dict[str, Any]:
        _mfa_state(w, enabled)
        return {"code": mfa_code_now()}

    return body


def mfa_code_now() -> str:
    import pyotp

    from chalicelib.core import clock

    return pyotp.TOTP(MFA_SECRET).at(clock.now())


def _no_mfa(w: World) -> dict[str, Any]:
    _mfa_state(w, None)
    return {}


PUBLIC = PUBLIC | {("POST", "/auth/mfa-verify"), ("POST", "/auth/mfa/email-code")}
PUBLIC = PUBLIC | {("GET", f"/admin/import/{k}/template") for k in IMPORT_KINDS}
FIXTURES.update(
    {
        ("GET", "/auth/mfa"): Fixture(shows=lambda w: [w.owner.tenant_id]),
        ("POST", "/auth/mfa/totp/setup"): Fixture(_no_mfa),
        ("POST", "/auth/mfa/totp/confirm"): Fixture(body=_mfa_code(False)),
        ("POST", "/auth/mfa/disable"): Fixture(body=_mfa_code(True)),
        ("POST", "/auth/mfa/backup-codes"): Fixture(body=_mfa_code(True)),
    }
)


# estimates: the owner's draft (built once per world, marked); fresh ones for the moves
ESTIMATES, ESTIMATE = "/admin/estimates", "/admin/estimates/{estimate_id}"
ESTIMATE_BODY = {
    "customer_name": "Matrix Buyer",
    "line_items": [{"description": "Matrix install", "amount_cents": 85000, "quantity": 1}],
    "valid_until": "2030-01-15",
}


def _new_estimate(w: World, stage: str = "draft") -> int:
    from tests.matrix.world import MARK

    body = {**ESTIMATE_BODY, "customer_name": f"{MARK} Buyer", "notes": f"{MARK} estimate"}
    estimate_id = w.ok("POST", ESTIMATES, body)["id"]
    if stage in ("sent", "accepted"):
        w.ok("POST", f"{ESTIMATES}/{estimate_id}/send")
    if stage == "accepted":
        w.ok("POST", f"{ESTIMATES}/{estimate_id}/accept")
    return estimate_id


def _owner_estimate(w: World) -> dict[str, Any]:
    if "estimates:draft" not in w.cache:
        w.cache["estimates:draft"] = _new_estimate(w)
    return {"estimate_id": w.cache["estimates:draft"]}


def _fresh_estimate(stage: str) -> Params:
    return lambda w: {"estimate_id": _new_estimate(w, stage)}


def _estimate_list(w: World) -> dict[str, Any]:
    _owner_estimate(w)  # the list shows the owner's marked estimate
    return {}


PUBLIC = PUBLIC | {
    ("GET", "/public/estimates/{token}"),
    ("POST", "/public/estimates/{token}/accept"),
    ("POST", "/public/estimates/{token}/decline"),
}
FIXTURES.update(
    {
        ("GET", ESTIMATES): Fixture(_estimate_list, shows=MARKED),
        ("POST", ESTIMATES): Fixture(body=_body(ESTIMATE_BODY)),
        ("GET", ESTIMATE): Fixture(_owner_estimate),
        ("PATCH", ESTIMATE): Fixture(_owner_estimate, _body({"notes": "patched"})),
        ("POST", f"{ESTIMATE}/send"): Fixture(_fresh_estimate("draft"), fresh=True),
        ("POST", f"{ESTIMATE}/accept"): Fixture(_fresh_estimate("sent"), fresh=True),
        ("POST", f"{ESTIMATE}/decline"): Fixture(_fresh_estimate("sent"), fresh=True),
        ("POST", f"{ESTIMATE}/convert"): Fixture(
            _fresh_estimate("accepted"), _body({"create_job": True}), fresh=True
        ),
    }
)


# --- portal: the customer routes take customer tokens only (no staff token: public here;
# tests/portal/test_audience.py checks both directions on every route); the owner's review
# list shows a review written with the owner's mark
PUBLIC = PUBLIC | {
    ("POST", "/customer/register"),
    ("POST", "/customer/login"),
    ("POST", "/customer/refresh"),
    ("POST", "/customer/logout"),
    ("GET", "/customer/me"),
    ("POST", "/customer/verify"),
    ("POST", "/customer/verify/resend"),
    ("GET", "/customer/invoices"),
    ("GET", "/customer/invoices/{code}/{invoice_id}/pdf"),
    ("GET", "/customer/estimates"),
    ("POST", "/customer/estimates/{code}/{estimate_id}/accept"),
    ("POST", "/customer/estimates/{code}/{estimate_id}/decline"),
    ("POST", "/customer/service-requests"),
    ("POST", "/customer/reviews"),
}


def _shows_review(w: World) -> list[str]:
    if "portal:review" not in w.cache:
        from chalicelib.core import clock
        from chalicelib.portal import listing as review_listing
        from chalicelib.portal import store as portal_store
        from tests.matrix.world import MARK

        review = portal_store.new_review(
            w.owner.tenant_id,
            w.ids["job"],
            w.ids["technician"],
            customer_id=1,
            account_id="matrix",
            rating=5,
            text=f"{MARK} review",
            created_at=clock.iso_utc(clock.now()),
        )
        portal_store.create_review(review, [review_listing.counted(review)])
        w.cache["portal:review"] = [MARK]
    return w.cache["portal:review"]


FIXTURES.update(
    {
        ("GET", "/admin/reviews"): Fixture(shows=_shows_review),
        ("GET", "/admin/reviews/technicians/{technician_id}"): Fixture(TECH),
    }
)


# reconciliation: the owner's marked import (built once per world); fresh unmatched rows
# (and a fresh sent invoice to match one to) for the moves
RECON = "/admin/reconciliation"


def _recon_csv(description: str) -> str:
    return (
        "id,Created (UTC),Amount,Currency,Description\n"
        f"ch_{uuid.uuid4().hex},2026-04-10,100.00,usd,{description}\n"
    )


def _recon_import(w: World, marked: bool = False) -> tuple[int, int]:
    """A new import of one unmatched row: (import id, row id)."""
    from tests.matrix.world import MARK

    description = f"{MARK} payment" if marked else "matrix payment"
    imported = w.ok("POST", f"{RECON}/import", {"csv": _recon_csv(description)})
    rows = w.ok("GET", f"{RECON}/rows?import_id={imported['id']}")
    return imported["id"], rows["items"][0]["id"]


def _owner_recon(w: World) -> dict[str, Any]:
    if "recon:import" not in w.cache:
        w.cache["recon:import"] = _recon_import(w, marked=True)
    return {"import_id": w.cache["recon:import"][0]}


FIXTURES.update(
    {
        ("POST", f"{RECON}/import"): Fixture(body=lambda w: {"csv": _recon_csv("matrix")}),
        ("GET", f"{RECON}/imports/{{import_id}}"): Fixture(_owner_recon),
        ("GET", f"{RECON}/rows"): Fixture(lambda w: _owner_recon(w) and {}, shows=MARKED),
        ("POST", f"{RECON}/{{row_id}}/match"): Fixture(
            lambda w: {"row_id": _recon_import(w)[1]},
            lambda w: {"invoice_id": _new_invoice(w, "sent")},
            fresh=True,
        ),
        ("POST", f"{RECON}/{{row_id}}/ignore"): Fixture(
            lambda w: {"row_id": _recon_import(w)[1]}, fresh=True
        ),
    }
)


# --- sso: the test providers of tests/support/sso_keys.py (their JWKS on a local server)
class _FreshIdToken(dict):
    """``{"id_token": ...}`` whose every serialisation is a token of a new identity: the
    tenant matrix sends one body twice (the other tenant's call, then the owner's) and an
    identity links to one user only."""

    def __init__(self, provider: str) -> None:
        super().__init__(id_token="")
        self.provider = provider

    def items(self):  # type: ignore[override]
        from tests.support import sso_keys

        return [("id_token", sso_keys.id_token(self.provider))]


def _sso_ready() -> None:
    import os

    from tests.support import sso_keys

    os.environ.update(sso_keys.environment())


def _sso_link_body(provider: str) -> Callable[[World], Any]:
    def body(w: World) -> Any:
        _sso_ready()
        return _FreshIdToken(provider)

    return body


def _sso_subject(account: Any, role: str) -> str:
    return f"matrix-{account.tenant_id}-{role}"


def _sso_links(w: World, role: str) -> dict[str, Any]:
    """Both tenants' ``role`` accounts have an Apple identity linked (what the list shows)."""
    import jwt

    from chalicelib.core import clock
    from chalicelib.platform.tx import ConditionFailed
    from chalicelib.sso import service as sso_service
    from chalicelib.sso.rules import Identity

    for tenant in (w.owner, w.other):
        account = tenant.accounts[role]
        uid = int(jwt.decode(account.access_token, options={"verify_signature": False})["sub"])
        identity = Identity("apple", _sso_subject(account, role), None)
        try:
            sso_service.store.link(account.tenant_id, uid, identity, clock.now())
        except ConditionFailed:
            pass  # linked by an earlier call
    return {}


def _sso_with_password(w: World, role: str) -> dict[str, Any]:
    """Both tenants' ``role`` accounts have a password (the matrix's staff are written
    without one, and an account without a password keeps its last identity: 409)."""
    import jwt

    from chalicelib.accounts.store import UserItem
    from chalicelib.platform import keys

    for tenant in (w.owner, w.other):
        account = tenant.accounts[role]
        uid = int(jwt.decode(account.access_token, options={"verify_signature": False})["sub"])
        UserItem(*keys.user_key(account.tenant_id, uid)).update(
            actions=[UserItem.password_hash.set("matrix: not a real hash")]
        )
    return {}


PUBLIC = PUBLIC | {
    (method, f"/auth/sso/{provider}{tail}")
    for provider in ("google", "apple", "microsoft")
    for method, tail in (("POST", ""), ("POST", "/register"))
}
FIXTURES.update(
    {
        **{
            ("POST", f"/auth/sso/{provider}/link"): Fixture(body=_sso_link_body(provider))
            for provider in ("google", "apple", "microsoft")
        },
        **{
            ("DELETE", f"/auth/sso/{provider}/link"): Fixture(as_role=_sso_with_password)
            for provider in ("google", "apple", "microsoft")
        },
        ("GET", "/auth/sso"): Fixture(
            as_role=_sso_links,
            shows=lambda w: [_sso_subject(a, r) for r, a in w.owner.accounts.items()],
        ),
    }
)


# customer communications and leads: the owner's marked note and lead (built once per
# world); fresh leads for the moves that consume one
COMMS, LEADS = "/admin/customer-communications", "/admin/leads"
LEAD = f"{LEADS}/{{lead_id}}"


def _owner_note(w: World) -> dict[str, Any]:
    from tests.matrix.world import MARK

    if "comms:note" not in w.cache:
        body = {"customer_id": w.ids["customer"], "kind": "note", "body": f"{MARK} note"}
        w.cache["comms:note"] = w.ok("POST", COMMS, body)["id"]
    return {"communication_id": w.cache["comms:note"]}


def _new_lead(w: World, stage: str = "new") -> int:
    from tests.matrix.world import MARK

    body = {"name": f"{MARK} Lead", "phone": "813-555-0100", "source": "web"}
    lead_id = w.ok("POST", LEADS, body)["id"]
    for status in {"new": [], "qualified": ["contacted", "qualified"]}[stage]:
        w.ok("POST", f"{LEADS}/{lead_id}/status", {"status": status})
    return lead_id


def _owner_lead(w: World) -> dict[str, Any]:
    if "leads:lead" not in w.cache:
        w.cache["leads:lead"] = _new_lead(w)
    return {"lead_id": w.cache["leads:lead"]}


def _fresh_lead(stage: str) -> Params:
    return lambda w: {"lead_id": _new_lead(w, stage)}


def _listed(make: Params) -> Params:
    def params(w: World) -> dict[str, Any]:
        make(w)  # the list shows the owner's marked entry
        return {}

    return params


FIXTURES.update(
    {
        ("GET", COMMS): Fixture(_listed(_owner_note), shows=MARKED),
        ("POST", COMMS): Fixture(
            body=lambda w: {"customer_id": w.ids["customer"], "kind": "call", "body": "Matrix"}
        ),
        ("GET", f"{COMMS}/{{communication_id}}"): Fixture(_owner_note),
        ("GET", LEADS): Fixture(_listed(_owner_lead), shows=MARKED),
        ("POST", LEADS): Fixture(
            body=_body({"name": "Matrix lead", "phone": "1", "source": "web"})
        ),
        ("GET", LEAD): Fixture(_owner_lead),
        ("PATCH", LEAD): Fixture(_owner_lead, _body({"description": "patched"})),
        ("GET", f"{LEAD}/history"): Fixture(_owner_lead),
        ("POST", f"{LEAD}/status"): Fixture(
            _fresh_lead("new"), _body({"status": "contacted"}), fresh=True
        ),
        ("POST", f"{LEAD}/convert"): Fixture(
            _fresh_lead("qualified"), _body({"create": "job", "title": "Matrix job"}), fresh=True
        ),
    }
)
