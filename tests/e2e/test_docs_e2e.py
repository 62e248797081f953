"""Swagger UI at /api/docs renders in headless Chromium, offline, over real HTTP from the
``make run`` stack (issue 11): every operation of the OpenAPI document is listed (the
seed's among them), "Authorize" offers an input per security scheme (the bearer token and
the tenant's X-Tenant-Id; where a document declares only bearer, X-Tenant-Id is the
operation's own header input), what is entered persists across a reload, and "Try it
out" sends both headers.

Skipped only where no Chromium is installed (``make test`` installs the Debian package
``chromium`` where it can; ``CHROMIUM=/path`` picks another build).
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request

import pytest

from tests.support.chromium import browser, find_chromium

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason=(
        "Chromium is not installed: the Swagger UI test needs it (as root `apt-get install -y "
        "chromium`, which `make test` does where it can, or set CHROMIUM=/path/to/chrome)"
    ),
)

# Operations the seed's API reference documents, which the page must list.
SEED_OPERATIONS = {
    ("GET", "/api/v1/tenants/resolve/{code}"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("GET", "/api/v1/sales"),
    ("POST", "/api/v1/sales"),
    ("GET", "/api/v1/admin/technicians"),
    ("PUT", "/api/v1/admin/commission-config/tech/{technician_id}/item/{item_id}"),
    ("GET", "/api/v1/admin/csv-export/commission-report"),
    ("GET", "/api/v1/export/commission-statement/{technician_id}/{period_id}/pdf"),
}

# Records Content-Security-Policy violations (a blocked script would stop the page).
CSP_PROBE = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""
OPERATIONS = """
[...document.querySelectorAll(".opblock")].map((op) => [
  op.querySelector(".opblock-summary-method").textContent.trim(),
  op.querySelector(".opblock-summary-path").getAttribute("data-path"),
])
"""
SCHEMES = """
[...document.querySelectorAll(".modal-ux .auth-container")].map((box) => {
  const name = box.querySelector("h4").textContent.trim().split(/\\s+/)[0];
  box.setAttribute("data-scheme", name);
  return {name: name, text: box.textContent, inputs: box.querySelectorAll("input").length};
})
"""


def _click(page, selector: str) -> None:
    page.wait_for(f"!!document.querySelector({json.dumps(selector)})")
    page.evaluate(f"document.querySelector({json.dumps(selector)}).click()")


def _type(page, selector: str, text: str) -> None:
    """Type into an input as a user does (React sees the keystrokes)."""
    page.wait_for(f"!!document.querySelector({json.dumps(selector)})")
    page.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
    page.send("Input.insertText", {"text": text})


def _operation_block(doc: dict, method: str, path: str) -> str:
    op = doc["paths"][path][method.lower()]
    tag = op["tags"][0].replace(" ", "_")
    return f"#operations-{tag}-{op['operationId']}"


@needs_chromium
def test_swagger_ui_renders_every_operation_and_sends_the_credentials(stack):
    _, _, doc = stack.request("GET", "/api/openapi.json")
    expected = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert SEED_OPERATIONS <= expected
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    owner = stack.register("Docs Heating")
    origin = stack.base_url

    started = time.monotonic()
    with browser(CHROMIUM) as chromium:
        page = chromium.new_page()
        # Swagger UI renders an operation once it scrolls into view (past about 130
        # operations): a viewport tall enough for the whole list shows them all at once
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": 1280,
                "height": 60 * len(expected) + 4000,
                "deviceScaleFactor": 1,
                "mobile": False,
            },
        )
        page.before_load(CSP_PROBE)
        page.goto(f"{origin}/api/docs")
        page.wait_for(f"document.querySelectorAll('.opblock').length >= {len(expected)}")
        shown = {tuple(pair) for pair in page.evaluate(OPERATIONS)}
        assert shown == expected
        assert "TradeKitt API" in page.evaluate(
            "document.querySelector('.info .title').textContent"
        )

        # "Authorize": one input per declared scheme (bearer, and the tenant's X-Tenant-Id).
        _click(page, ".scheme-container .btn.authorize")
        page.wait_for(
            f"document.querySelectorAll('.modal-ux .auth-container').length >= {len(schemes)}"
        )
        boxes = {box["name"]: box for box in page.evaluate(SCHEMES)}
        assert set(boxes) == set(schemes)
        for name, scheme in schemes.items():
            assert boxes[name]["inputs"] >= 1, boxes[name]
            if scheme["type"] == "apiKey":
                assert scheme["name"] in boxes[name]["text"]
        values = {"bearer": owner["access_token"]}
        for name, scheme in schemes.items():
            if scheme["type"] == "apiKey" and scheme["name"].lower() == "x-tenant-id":
                values[name] = owner["tenant_id"]
        for name, value in values.items():
            box = f".modal-ux .auth-container[data-scheme={name}]"
            _type(page, f"{box} input", value)
            _click(page, f"{box} button.authorize")
        page.wait_for(
            "Object.keys(JSON.parse(localStorage.getItem('authorized') || '{}')).length >= "
            f"{len(values)}"
        )
        _click(page, ".modal-ux .btn-done")

        # persistAuthorization: the credentials survive a reload.
        page.send("Page.reload")
        page.wait_for(f"document.querySelectorAll('.opblock').length >= {len(expected)}")
        kept = page.evaluate("window.ui.authSelectors.authorized().toJS()")
        assert set(values) <= set(kept), kept

        # "Try it out" on GET /auth/me sends them, and the API answers the owner.
        block = _operation_block(doc, "GET", "/api/v1/auth/me")
        _click(page, f"{block} .opblock-summary-control")
        _click(page, f"{block} .try-out__btn")
        if len(values) == 1:  # no tenant scheme: X-Tenant-Id is the operation's own input
            _type(page, f'{block} tr[data-param-name="X-Tenant-Id"] input', owner["tenant_id"])
            page.wait_for(  # the input is debounced: wait until Swagger UI holds the value
                "JSON.stringify(window.ui.specSelectors.parameterValues("
                '["/api/v1/auth/me", "get"]).toJS()).includes('
                + json.dumps(owner["tenant_id"])
                + ")"
            )
        _click(page, f"{block} .execute")
        answer = f"{block} .live-responses-table tr.response"
        status = page.wait_for(
            f"document.querySelector('{answer} .response-col_status')?.textContent.trim()"
        )
        body = page.evaluate(f"document.querySelector('{answer} pre')?.textContent")
        assert status.startswith("200"), (status, body)
        assert owner["user"]["username"] in body
        sent = page.sent_headers(f"{origin}/api/v1/auth/me")
        assert sent.get("authorization") == f"Bearer {owner['access_token']}"
        assert sent.get("x-tenant-id") == owner["tenant_id"]

        assert page.evaluate("window.__csp") == []
        foreign = [
            url
            for url in page.requested
            if not url.startswith(origin) and not url.startswith(("data:", "about:"))
        ]
        assert foreign == [], foreign  # no CDN, nothing from another origin
        assert page.failed == []
    elapsed = time.monotonic() - started
    print(f"swagger ui in chromium: {elapsed:.1f} s")


def test_the_docs_assets_are_cached_and_revalidated(stack):
    page = urllib.request.urlopen(stack.base_url + "/api/docs").read().decode()
    src = page.split('<script src="', 1)[1].split('"', 1)[0]
    url = urllib.parse.urljoin(stack.base_url + "/api/docs", src)
    status, headers, body = stack.request("GET", url)
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    assert "immutable" in headers["Cache-Control"]
    status, _, _ = stack.request("GET", url, headers={"If-None-Match": headers["ETag"]})
    assert status == 304
