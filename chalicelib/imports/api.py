"""``/admin/import/...``: onboarding imports of technicians, line items and sales
history from CSV files, their templates and their summaries (``imports.service``)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import roles, routing
from chalicelib.core.errors import ok_body
from chalicelib.core.routing import ApiRequest, Raw, endpoint
from chalicelib.imports import rules
from chalicelib.imports import service as imports
from chalicelib.imports.models import OnboardingImportIn, OnboardingImportOut

bp = Blueprint(__name__)
CSV = "text/csv"
PATHS = {kind: f"/admin/import/{kind}" for kind in rules.KINDS}
PERMISSIONS = {
    rules.TECHNICIANS: roles.TECHNICIANS_WRITE,
    rules.LINE_ITEMS: roles.COMMISSION_CONFIG,
    rules.SALES: roles.SALES_ALL,
}
WHAT = {
    rules.TECHNICIANS: "technicians (no logins: create those with POST /admin/technicians)",
    rules.LINE_ITEMS: "line items (the price book)",
    rules.SALES: (
        "sales, typically history: each gets the commission a back-dated POST /sales "
        "would give today, counts in its pay period (created when missing) and in the "
        "lists, consecutive ids in file order; a new customer per customer_name without "
        "a known customer_email, as POST /sales does. Imported sales publish no "
        "sale.created or commission.calculated webhook events"
    ),
}


def _file(req: ApiRequest) -> bytes | str:
    """The CSV: the raw ``text/csv`` body, or ``csv`` of the JSON body."""
    return req.raw_body if req.raw_body is not None else req.body.csv


def _answer(req: ApiRequest, kind: str) -> Any:
    result, created = imports.run(req.user, kind, _file(req))
    if created:
        return result
    return Response(
        body=ok_body(OnboardingImportOut.model_validate(result).model_dump(mode="json")),
        status_code=200,
        headers=dict(routing.JSON_HEADERS),
    )


def _description(kind: str) -> str:
    return (
        f"Import {WHAT[kind]} from a CSV file: the body is the file (`Content-Type: "
        'text/csv`), or JSON `{"csv": "<the file>"}`. At most 1 MiB and '
        f"{rules.MAX_ROWS[kind]:,} rows (413). Every row is checked first, with the same "
        "rules as the create route; any problem is 422 VALIDATION_ERROR with `details` "
        f"`[{{line, field, message}}]` (the first {rules.MAX_REPORTED}) and nothing is "
        "written. Cells that a spreadsheet would run as formulas (starting with = + - @, "
        "tab or CR, other than plain numbers and phone numbers) are refused. 201 with the "
        "summary; the same file again (same rows and values) answers 200 with the first "
        "import's summary and `duplicate: true`, creating nothing. Columns (an empty cell "
        "is a field not sent; see GET .../template):\n\n" + rules.describe(kind)
    )


def _register(kind: str) -> None:
    def import_file(req: ApiRequest) -> Any:
        return _answer(req, kind)

    def template(req: ApiRequest) -> Any:
        return Raw(
            rules.template(kind),
            f"{CSV}; charset=utf-8",
            {"Content-Disposition": f'attachment; filename="{kind}-template.csv"'},
        )

    import_file.__name__ = f"import_{kind.replace('-', '_')}"
    template.__name__ = f"{kind.replace('-', '_')}_import_template"
    endpoint(
        bp,
        PATHS[kind],
        "POST",
        summary=f"Import {kind} from CSV",
        tag="imports",
        permission=PERMISSIONS[kind],
        body=OnboardingImportIn,
        raw_types=(CSV,),
        response=OnboardingImportOut,
        status=201,
        also_ok=(200,),
        description=_description(kind),
    )(import_file)
    endpoint(
        bp,
        PATHS[kind] + "/template",
        "GET",
        summary=f"The {kind} import template",
        tag="imports",
        public=True,
        content_type=CSV,
        description=(
            "The CSV template: the header row and one example row (it imports as is once "
            "the ids it names exist). The same for every business, so no login is needed. "
            "Columns:\n\n" + rules.describe(kind)
        ),
    )(template)


for _kind in rules.KINDS:
    _register(_kind)


@endpoint(
    bp,
    "/admin/import/{import_id}",
    "GET",
    summary="An import's summary",
    tag="imports",
    permission=roles.SALES_ALL,
    response=OnboardingImportOut,
)
def get_import(req: ApiRequest) -> Any:
    """Its kind, status (``running``, ``completed`` or ``failed``), rows, how many items
    it created and their first and last id."""
    return imports.get(req.tenant_id, req.int_param("import_id"))
