"""GET /api/docs: Swagger UI from the vendored swagger-ui-dist files, on the local, test
and dev stages only (issue 11). Rendering in a browser: tests/e2e/test_docs_e2e.py."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from chalice.test import Client

from chalicelib.core import docs
from tests.conftest import ROOT


@pytest.fixture
def client_of() -> Iterator:
    """``client_of(stage)``: a test client with ``stage``'s environment (STAGE=...)."""
    import app as app_module
    from infra.local.gateway import install_on_test_client

    clients: list[Client] = []

    def make(stage: str):
        client = Client(app_module.app, stage_name=stage, project_dir=str(ROOT))
        clients.append(client)
        return install_on_test_client(client.__enter__()).http

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(docs/[^"]+)"', html)


@pytest.mark.parametrize("stage", ["test", "local", "dev"])
def test_the_docs_page_is_served_on_local_and_dev_stages(client_of, stage):
    http = client_of(stage)
    page = http.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Cache-Control"] == "no-cache"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    html = page.body.decode()
    assert "unpkg" not in html and "cdn" not in html.lower() and "http" not in html
    urls = _asset_urls(html)
    assert sorted(u.split("?")[0] for u in urls) == [
        "docs/init.js",
        "docs/swagger-ui-bundle.js",
        "docs/swagger-ui.css",
    ]
    for url in urls:  # relative to /api/docs, so they also work under a stage prefix
        name, version = url.removeprefix("docs/").split("?v=")
        reply = http.get(f"/api/docs/{name}")
        assert reply.status_code == 200, name
        expected = "text/css" if name.endswith(".css") else "application/javascript"
        assert reply.headers["Content-Type"] == f"{expected}; charset=utf-8"
        assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["ETag"] == f'"{version}"'  # the URL changes with the content
        assert version == hashlib.sha256(reply.body).hexdigest()[:32]


def test_the_start_up_script_offers_persistent_authorization(client_of):
    script = client_of("test").get("/api/docs/init.js").body.decode()
    for setting in ('url: "openapi.json"', "persistAuthorization: true", "validatorUrl: null"):
        assert setting in script


def test_assets_revalidate_by_etag(client_of):
    http = client_of("test")
    first = http.get("/api/docs/swagger-ui-bundle.js")
    etag = first.headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = http.get("/api/docs/swagger-ui-bundle.js", headers={"If-None-Match": header})
        assert (again.status_code, again.body) == (304, b""), header
        assert again.headers["ETag"] == etag
    changed = http.get("/api/docs/swagger-ui-bundle.js", headers={"If-None-Match": '"old"'})
    assert changed.status_code == 200 and changed.body == first.body


@pytest.mark.parametrize("stage", ["prod", "staging", "anything-else"])
def test_other_stages_answer_404_in_the_envelope(client_of, monkeypatch, stage):
    if stage == "prod":
        http = client_of("prod")  # .chalice/config.json's prod stage: STAGE=prod
    else:
        monkeypatch.setenv("STAGE", stage)
        http = client_of("no-such-config-stage")  # keeps the STAGE set here
    for path in ("/api/docs", "/api/docs/swagger-ui-bundle.js", "/api/docs/init.js"):
        reply = http.get(path)
        assert reply.status_code == 404, path
        assert reply.headers["Content-Type"] == "application/json"
        assert reply.body == b'{"ok":false,"error":{"code":"NOT_FOUND","message":"no such route"}}'


@pytest.mark.parametrize(
    "name", ["LICENSE", "README.md", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt", "x.js", ".."]
)
def test_only_the_assets_are_served(client_of, name):
    reply = client_of("test").get(f"/api/docs/{name}")
    assert reply.status_code == 404 and b'"NOT_FOUND"' in reply.body


def test_the_vendored_files_match_their_record():
    """swagger_ui/README.md names the version, licence, sizes and hashes; only the
    minified files are kept (the Lambda package stays small)."""
    record = (docs.ASSET_DIR / "README.md").read_text()
    assert f"swagger-ui-dist@{docs.SWAGGER_UI_VERSION}" in record
    assert "Apache-2.0" in record
    assert "Apache License" in (docs.ASSET_DIR / "LICENSE").read_text()
    for name in docs.VENDORED:
        data = (docs.ASSET_DIR / name).read_bytes()
        assert f"`{name}` | {len(data):,} | `{hashlib.sha256(data).hexdigest()}`" in record
    files = {path.name for path in docs.ASSET_DIR.iterdir()}
    assert files == {*docs.VENDORED, "LICENSE", "NOTICE", "README.md"} | {
        "swagger-ui-bundle.js.LICENSE.txt"
    }
    total = sum(path.stat().st_size for path in docs.ASSET_DIR.iterdir())
    assert total < 2_000_000


def test_openapi_module_keeps_no_html():
    from chalicelib.core import openapi

    assert not hasattr(openapi, "SWAGGER_HTML")
