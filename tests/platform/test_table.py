"""The PynamoDB base of the single table."""

from __future__ import annotations

from pynamodb.indexes import Index

from chalicelib.platform import table


def _indexes(model: type) -> list[Index]:
    return [value for value in vars(model).values() if isinstance(value, Index)] + [
        value
        for base in model.__mro__[1:]
        for value in vars(base).values()
        if isinstance(value, Index)
    ]


def test_a_warm_container_serves_every_index_after_a_health_check(api):
    """The real order of a warm Lambda container: its first request is ``/health`` (which
    asks the base model whether the table exists), then come requests that query every
    index of every model. Nothing resets the connections in between, as nothing does on
    Lambda (a model that inherited the base model's table metadata knew only gsi1)."""
    import app as app_module  # noqa: F401 - every API module registers its models
    from chalicelib.core import registry

    registry.load_all()
    table.reset_connections()  # a new container
    assert api.get("/health").status == 200
    owner = api.register("Warm Container HVAC")
    for path in (
        "/sales?technician_id=1",
        "/sales",
        "/admin/csv-export/sales?technician_id=1",
        "/admin/pay-periods",
        "/admin/webhooks/1/deliveries",
    ):
        assert api.get(path, as_=owner).status in (200, 404), path
    for model in table.registered_models():
        for index in _indexes(model):
            assert list(index.query("no-such-partition", limit=1)) == [], (model, index)
