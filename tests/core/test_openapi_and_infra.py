"""The generated OpenAPI document and the infrastructure templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import yaml

from chalicelib.core.routing import ENDPOINTS
from tests.conftest import ROOT


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
            assert op["security"] == [{"bearer": []}] and op["x-permission"]
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
