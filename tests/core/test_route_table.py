"""The generated route table must match the routes the API modules define."""

from chalicelib.core import registry
from chalicelib.core.route_table import ROUTES


def test_route_table_is_current():
    current = registry.current_table()
    assert ROUTES == current, "chalicelib/core/route_table.py is stale: run `make routes`"


def test_app_import_loads_no_api_module():
    import subprocess
    import sys

    code = (
        "import sys, app; "
        "print(sorted(m for m in sys.modules if m.startswith('chalicelib.') "
        "and m.endswith('.api')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_every_route_is_registered_once(api, aws):
    import app as app_module

    registered = {
        (method, path) for path, methods in app_module.app.routes.items() for method in methods
    }
    for module_name, routes in ROUTES.items():
        for method, path in routes:
            assert (method, "/api/v1" + path) in registered, (module_name, method, path)
