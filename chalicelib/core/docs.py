"""Swagger UI at ``GET /api/docs``: the page, its start-up script and the vendored assets.

Only the local, test and dev stages serve it (``enabled``); every other stage (``prod``)
answers the unknown-route 404, so a production API does not advertise its docs. The
assets are the minified files of the npm package ``swagger-ui-dist`` kept in
``swagger_ui/`` (version and Apache-2.0 licence recorded there), so the docs need no CDN
and work offline.

Every URL in the page is relative (``docs/...``, ``openapi.json``), so it works behind
API Gateway's stage prefix as well as on ``localhost``. Each asset URL carries its content
hash (``?v=``): assets are cached for a year as immutable and revalidate by ``ETag``; the
page itself is ``no-cache``. The page's Content-Security-Policy allows nothing from
another origin: no inline scripts (the start-up script is its own asset), images only
from the page's origin or ``data:``.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from chalice import Response

from chalicelib.core.errors import error_body

SWAGGER_UI_VERSION = "5.35.0"
ASSET_DIR = Path(__file__).with_name("swagger_ui")
DOCS_STAGES = frozenset({"local", "test", "dev"})
DOCS_PATH = "/api/docs"
ASSET_PATH = DOCS_PATH + "/{asset}"

JS = "application/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
HTML = "text/html; charset=utf-8"
# Vendored file -> content type (nothing else in swagger_ui/ is served).
VENDORED = {"swagger-ui-bundle.js": JS, "swagger-ui.css": CSS}
INIT = "init.js"
ASSET_MAX_AGE_S = 365 * 24 * 3600

# The Swagger UI configuration. ``persistAuthorization`` keeps the bearer token and the
# X-Tenant-Id entered in "Authorize" across reloads (the OpenAPI document declares the
# security schemes ``bearer`` and ``tenant``); ``validatorUrl: null`` stops the badge from
# calling validator.swagger.io.
INIT_JS = """"use strict";
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  filter: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null
});
"""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def enabled(stage: str) -> bool:
    """True on the stages that serve the docs (local, test, dev)."""
    return stage in DOCS_STAGES


@dataclass(frozen=True)
class Asset:
    name: str
    body: str
    content_type: str
    etag: str

    @property
    def url(self) -> str:
        """The page-relative URL, versioned by content."""
        return f"docs/{self.name}?v={self.etag.strip(chr(34))}"

    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": self.content_type,
            "Cache-Control": f"public, max-age={ASSET_MAX_AGE_S}, immutable",
            "ETag": self.etag,
            "X-Content-Type-Options": "nosniff",
        }

    def not_modified(self, if_none_match: str | None) -> bool:
        """True when the client's ``If-None-Match`` names this version."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return self.etag in tags or "*" in tags


def _etag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'


@functools.cache
def asset(name: str) -> Asset | None:
    """A servable asset by file name, or None (unknown names are 404)."""
    if name == INIT:
        body, content_type = INIT_JS, JS
    elif name in VENDORED:
        body, content_type = (ASSET_DIR / name).read_text(encoding="utf-8"), VENDORED[name]
    else:
        return None
    return Asset(name=name, body=body, content_type=content_type, etag=_etag(body))


def _url(name: str) -> str:
    found = asset(name)
    assert found is not None
    return found.url


@functools.cache
def page_html() -> str:
    """The Swagger UI page (built once per process)."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TradeKitt API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{_url("swagger-ui.css")}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{_url("swagger-ui-bundle.js")}"></script>
<script src="{_url(INIT)}"></script>
</body>
</html>
"""


def page_headers() -> dict[str, str]:
    return {
        "Content-Type": HTML,
        "Cache-Control": "no-cache",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def _no_such_route() -> Response:
    """What an unknown route answers (the docs do not exist on this stage)."""
    return Response(
        body=error_body("NOT_FOUND", "no such route"),
        status_code=404,
        headers={"Content-Type": "application/json"},
    )


def page_response(stage: str) -> Response:
    if not enabled(stage):
        return _no_such_route()
    return Response(body=page_html(), status_code=200, headers=page_headers())


def asset_response(stage: str, name: str, if_none_match: str | None = None) -> Response:
    found = asset(name) if enabled(stage) else None
    if found is None:
        return _no_such_route()
    if found.not_modified(if_none_match):
        return Response(body="", status_code=304, headers=found.headers())
    return Response(body=found.body, status_code=200, headers=found.headers())
