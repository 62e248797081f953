"""The OpenAPI document's ``servers`` (issue 15): behind API Gateway the paths are served
under the stage (``/api/api/v1/...`` on the execute-api host), so ``servers`` carries the
stage prefix taken from the request; locally it stays ``/``."""

from __future__ import annotations

import json

import pytest

from chalicelib.core import openapi


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({}, "/"),
        (None, "/"),
        ({"path": "/api/openapi.json"}, "/"),  # chalice local / the test client
        ({"stage": "api", "path": "/api/api/openapi.json"}, "/api"),  # execute-api host
        ({"stage": "api", "path": "/api/openapi.json"}, "/"),  # custom domain at its root
        ({"stage": "api", "path": "/tk/api/openapi.json"}, "/tk"),  # base path mapping
        ({"stage": "api"}, "/api"),  # no path: the stage
        ({"stage": "api", "path": "/<script>/api/openapi.json"}, "/api"),  # never echoed
        ({"stage": "../x", "path": "/odd"}, "/"),
    ],
)
def test_the_server_url_is_the_prefix_before_the_route(context, expected):
    assert openapi.server_url(context, "/api/openapi.json") == expected


def _gateway_event(path: str, stage: str | None) -> dict:
    """A REST API proxy event as API Gateway sends it for GET /api/openapi.json."""
    context = {
        "httpMethod": "GET",
        "resourcePath": "/api/openapi.json",
        "path": path,
        "identity": {"sourceIp": "203.0.113.9"},
        "requestId": "r-1",
    }
    if stage:
        context["stage"] = stage
    return {
        "resource": "/api/openapi.json",
        "path": "/api/openapi.json",
        "httpMethod": "GET",
        "headers": {"Host": "abc123.execute-api.us-east-1.amazonaws.com"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": context,
        "body": None,
        "isBase64Encoded": False,
    }


class _LambdaContext:
    function_name = "tradekitt-prod-APIHandler"
    aws_request_id = "r-1"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:x"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def test_behind_api_gateway_the_document_names_the_stage(aws):
    import app as app_module

    answer = app_module.app(_gateway_event("/api/api/openapi.json", "api"), _LambdaContext())
    assert answer["statusCode"] == 200
    document = json.loads(answer["body"])
    assert document["servers"] == [{"url": "/api"}]
    assert any(path.startswith("/api/v1/") for path in document["paths"])


def test_locally_the_document_is_served_from_the_root(api):
    reply = api.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.json["servers"] == [{"url": "/"}]
