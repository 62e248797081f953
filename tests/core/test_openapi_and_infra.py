"""The generated OpenAPI document and the infrastructure templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import yaml

from chalicelib.core.openapi import ERROR_CODES, statuses
from chalicelib.core.routing import ENDPOINTS
from tests.conftest import ROOT
from tests.support.sales_helpers import SEED_PAYMENT_STATUS, SEED_SALE

# The request bodies the API reference shows for the routes built so far, verbatim (its
# e-mail addresses are obfuscated in the copy we have, so the register example uses a real
# one); each is its operation's example.
REFERENCE_BODIES = {
    ("POST", "/auth/login"): {"username": "admin", "password": "your-password"},
    ("POST", "/auth/refresh"): {"refresh_token": "eyJ..."},
    ("POST", "/sales"): SEED_SALE,
    ("PATCH", "/sales/{sale_id}/payment-status"): SEED_PAYMENT_STATUS,
    ("PATCH", "/sales/{sale_id}/void"): {"voided": True},
    ("POST", "/admin/technicians"): {
        "name": "Mike Johnson",
        "pay_type": "hourly",
        "base_pay_cents": 2500,
    },
    ("PATCH", "/admin/technicians/{technician_id}"): {"base_pay_cents": 2800},
    ("PUT", "/admin/commission-config/tech/{technician_id}/item/{item_id}"): {
        "commission_rate_bps": 750,
        "ov_rate_bps": 0,
        "discount_scale_enabled": False,
    },
    ("POST", "/admin/webhooks"): {
        "url": "https://your-server.com/webhooks/tradekitt",
        "events": ["sale.created", "dispatch.completed", "inventory.low-stock"],
    },
}


def test_openapi_lists_every_route_with_its_models(api, aws):
    reply = api.get("/api/openapi.json")
    assert reply.status == 200
    doc = reply.json
    assert doc["openapi"].startswith("3.")
    for spec in ENDPOINTS:
        op = doc["paths"]["/api/v1" + spec.path][spec.method.lower()]
        if spec.body is not None:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"]
        if not spec.public:
            assert op["security"] == [{"bearer": [], "tenant": []}] and op["x-permission"]
        else:
            assert op["security"] == []
    login = doc["components"]["schemas"]["LoginIn"]
    assert set(login["required"]) == {"username", "password"}
    assert api.get("/api/docs").status == 200


def test_template_passes_cfn_lint():
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), str(ROOT / "infra" / "template.yaml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_deploys_through_cloudformation(monkeypatch):
    from moto import mock_aws

    from infra.local import deploy

    with mock_aws():
        assert deploy.deploy("cfntest") == "CREATE_COMPLETE"
        assert deploy.deploy("cfntest") in ("CREATE_COMPLETE", "UPDATE_COMPLETE")  # re-run
        table = boto3.client("dynamodb").describe_table(TableName="tradekitt-cfntest")["Table"]
        assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2", "gsi3"}
        ttl = boto3.client("dynamodb").describe_time_to_live(TableName="tradekitt-cfntest")
        assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName="tradekitt-cfntest-events")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        assert "tradekitt-cfntest-events-dlq" in attrs["Attributes"]["RedrivePolicy"]
        boto3.client("s3").head_bucket(Bucket="tradekitt-cfntest-exports")


def test_gateway_responses_return_the_envelope():
    doc = yaml.safe_load((ROOT / "infra" / "api-gateway.yaml").read_text())
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in doc["Resources"].values()
        if r.get("Type") == "AWS::ApiGateway::GatewayResponse"
    }
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "404"
    body = missing["ResponseTemplates"]["application/json"]
    assert '"ok": false' in body and '"NOT_FOUND"' in body
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"} <= set(responses)


def test_query_and_path_parameters_carry_their_real_types(api, aws):
    """A generated client or a fuzzer sends what the route expects (issue 9): integers,
    booleans, dates and enums are typed, not all strings."""
    doc = api.get("/api/openapi.json").json
    sales = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/sales"]["get"]["parameters"]}
    assert sales["technician_id"]["type"] == "integer" and sales["customer_id"]["minimum"] == 1
    assert sales["voided"] == {"type": "boolean"}
    assert sales["date_from"] == {"type": "string", "format": "date"}
    assert sales["approval_status"]["enum"] == ["pending", "approved", "rejected"]
    assert sales["page"]["maximum"] == 10_000 and sales["limit"]["maximum"] == 200
    typed = 0
    for spec in ENDPOINTS:
        op = doc["paths"]["/api/v1" + spec.path][spec.method.lower()]
        for param in op["parameters"]:
            if param["in"] == "path" and param["name"].endswith("_id"):
                want = "string" if param["name"] == "delivery_id" else "integer"
                assert param["schema"]["type"] == want, (spec.path, param)
            if param["in"] != "query" or spec.query is None:
                continue
            field = spec.query.model_fields.get(param["name"])
            if field is not None and str(field.annotation) != "str | None":
                assert param["schema"] != {"type": "string"}, (spec.path, param["name"])
                typed += 1
    assert typed >= 20


def _document(api) -> dict:
    reply = api.get("/api/openapi.json")
    assert reply.status == 200
    return reply.json


def test_every_route_the_app_registers_is_documented(api, aws):
    """Features' routes and the app's own (the document, the docs page and its assets):
    a route added without an operation fails here."""
    import app as app_module

    paths = _document(api)["paths"]
    registered = [
        (method, path)
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method != "OPTIONS"
    ]
    assert len(registered) >= len(ENDPOINTS)
    missing = [(m, p) for m, p in registered if m.lower() not in paths.get(p, {})]
    assert not missing, f"routes without an OpenAPI operation: {missing}"


def test_each_operation_lists_its_statuses_media_types_and_security(api, aws):
    doc = _document(api)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert (schemes["tenant"]["type"], schemes["tenant"]["in"], schemes["tenant"]["name"]) == (
        "apiKey",
        "header",
        "X-Tenant-Id",
    )
    envelope = doc["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["properties"]["error"]["properties"]["code"]["enum"]) == set(
        ERROR_CODES.values()
    )
    for spec in ENDPOINTS:
        op = doc["paths"]["/api/v1" + spec.path][spec.method.lower()]
        want = {str(spec.status), *map(str, spec.also_ok), *(str(s) for s in statuses(spec))}
        assert set(op["responses"]) == want, (spec.method, spec.path)
        success = op["responses"][str(spec.status)]["content"]
        assert list(success) == [spec.content_type], (spec.path, list(success))
        for status in statuses(spec):
            error = op["responses"][str(status)]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorEnvelope"}
    csv = doc["paths"]["/api/v1/admin/csv-export/sales"]["get"]["responses"]["200"]["content"]
    pdf = doc["paths"]["/api/v1/export/pay-period/{period_id}/pdf"]["get"]["responses"]["200"]
    assert list(csv) == ["text/csv; charset=utf-8"]
    assert list(pdf["content"]) == ["application/pdf"]
    login = doc["paths"]["/api/v1/auth/login"]["post"]
    header = [p for p in login["parameters"] if p["in"] == "header"]
    assert header == [{**header[0], "name": "X-Tenant-Id", "required": True}]
    assert "401" in login["responses"] and "403" not in login["responses"]
    health = doc["paths"]["/api/v1/health"]["get"]["responses"]
    assert "503" in health and "401" not in health and "422" not in health
    sales = doc["paths"]["/api/v1/sales"]
    assert "409" in sales["post"]["responses"] and "409" not in sales["get"]["responses"]


def test_the_reference_examples_are_in_the_document_and_valid(api, aws):
    """The API reference's request bodies are their operations' examples, and every
    example in the document passes the model the route validates with."""
    doc = _document(api)
    for (method, path), body in REFERENCE_BODIES.items():
        op = doc["paths"]["/api/v1" + path][method.lower()]
        assert op["requestBody"]["content"]["application/json"]["example"] == body, path
    resolve = doc["paths"]["/api/v1/tenants/resolve/{code}"]["get"]["responses"]["200"]
    assert resolve["content"]["application/json"]["example"]["data"]["tenantId"]
    examples = 0
    for spec in ENDPOINTS:
        op = doc["paths"]["/api/v1" + spec.path][spec.method.lower()]
        if spec.body is not None:
            example = op["requestBody"]["content"]["application/json"].get("example")
            if example is not None:
                spec.body.model_validate(example)
                examples += 1
        ok = op["responses"][str(spec.status)]["content"].get("application/json", {})
        if spec.response is not None and "example" in ok:
            spec.response.model_validate(ok["example"]["data"])
            examples += 1
    assert examples >= len(REFERENCE_BODIES) + 3
