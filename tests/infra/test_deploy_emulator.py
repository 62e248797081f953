"""Proof on the emulator (issue 15): the real prod package (the session's one build),
deployed by ``infra.deploy`` the way ``make deploy`` does it (artifact bucket, content-keyed
zip and template, change set with CAPABILITY_IAM/AUTO_EXPAND, waiters) to moto's
CloudFormation, after ``aws-sam-translator`` turned the SAM template into plain
CloudFormation. Then every resource is looked up in the emulated services and checked
wired: the REST API with every route of the route table, each function with its handler,
environment and role, the SQS trigger with ReportBatchItemFailures, every
``@app.schedule`` as an EventBridge rule, the table, queues and buckets.

What moto's CloudFormation does not build is checked in the template the stack was
created from (``GetTemplate``), and named here:
- resource types it does not implement: ``NOT_IN_MOTO`` (the API stage ``api``, the
  gateway responses, the CloudWatch alarms);
- properties it ignores: the table's TTL, point-in-time recovery and encryption, the
  exports bucket's public access block and versioning (``IGNORED_BY_MOTO``);
- a REST API's OpenAPI ``Body``: ``infra.deploy.for_emulator`` spells it out as API
  Gateway resources and methods for the emulator; the stack's outputs after a change
  set, which ``infra.deploy`` derives (``ApiUrl``).

Expectations come from app.py, the route table and infra/*.yaml, never from counts.
"""

from __future__ import annotations

import ast
import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import yaml
from chalice.app import ScheduledEventConfig, SQSEventConfig
from moto import mock_aws
from moto.cloudformation.parsing import resource_class_from_type

from chalicelib.core import settings, tokens
from chalicelib.core.route_table import ROUTES
from infra import deploy
from tests.infra.test_package import expected_functions

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS")
REGION = "us-east-1"
INFRA = Path(deploy.ROOT) / "infra"
NOT_IN_MOTO = {
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::Stage",
    "AWS::CloudWatch::Alarm",
}
IGNORED_BY_MOTO = {
    "Table": ["TimeToLiveSpecification", "PointInTimeRecoverySpecification", "SSESpecification"],
    "ExportsBucket": ["PublicAccessBlockConfiguration", "VersioningConfiguration"],
}


@dataclass
class Deployed:
    result: dict[str, Any]  # what infra.deploy.deploy returned (outputs, resource count)
    template: dict[str, Any]  # the plain CloudFormation the stack was created from
    physical: dict[str, str]  # logical id -> physical id, of what moto created
    listed: int  # resources the stack lists
    said: list[str]

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION)

    def function(self, logical: str) -> dict[str, Any]:
        return self.client("lambda").get_function_configuration(FunctionName=self.physical[logical])


@pytest.fixture(scope="module")
def stack(prod_package) -> Deployed:
    dist, _ = prod_package
    said: list[str] = []
    with mock_aws():
        result = deploy.deploy("prod", dist=dist, translate_locally=True, say=said.append)
        cfn = boto3.client("cloudformation", region_name=REGION)
        template = cfn.get_template(StackName=result["stack"])["TemplateBody"]
        summaries = cfn.list_stack_resources(StackName=result["stack"])["StackResourceSummaries"]
        yield Deployed(
            result=result,
            template=json.loads(template) if isinstance(template, str) else template,
            physical={
                s["LogicalResourceId"]: s["PhysicalResourceId"]
                for s in summaries
                if s["LogicalResourceId"]
            },
            listed=len(summaries),
            said=said,
        )


def test_the_stack_is_created_with_every_resource_of_the_template(stack):
    assert stack.result["status"] == "CREATE_COMPLETE", stack.said
    resources = stack.template["Resources"]
    assert "Transform" not in stack.template  # plain CloudFormation, translated
    assert not any(r["Type"].startswith("AWS::Serverless::") for r in resources.values())
    assert stack.result["resources"] == len(resources) == stack.listed
    unsupported = {r["Type"] for r in resources.values() if not resource_class_from_type(r["Type"])}
    assert unsupported <= NOT_IN_MOTO, unsupported  # named in this module's docstring
    # moto lists what it cannot build without a logical id; all the rest was created
    deployed = {n for n, r in resources.items() if r["Type"] not in unsupported}
    assert set(stack.physical) == deployed
    for name, resource in resources.items():  # moto gives these no physical id
        if resource["Type"] not in ("AWS::ApiGateway::Method", "AWS::ApiGateway::Deployment"):
            if resource["Type"] not in unsupported | {"AWS::Lambda::Permission"}:
                assert stack.physical[name], name
    assert stack.listed - len(deployed) == sum(r["Type"] in unsupported for r in resources.values())
    # the deploy printed the stack, its size and its API URL
    api_id = stack.physical["RestAPI"]
    assert (
        stack.result["ApiUrl"] == f"https://{api_id}.execute-api.{REGION}.amazonaws.com/api/api/v1"
    )
    assert any("CREATE_COMPLETE" in line for line in stack.said)


def _api_routes() -> set[tuple[str, str]]:
    """(path, METHOD) of every route: the generated route table (under /api/v1) and the
    routes app.py declares itself, as Chalice registered them."""
    import app as app_module

    table = {(app_module.API_PREFIX + p, m) for routes in ROUTES.values() for m, p in routes}
    registered = {(p, m) for p, entries in app_module.app.routes.items() for m in entries}
    assert table <= registered
    return registered


def test_the_rest_api_serves_every_route_of_the_route_table(stack):
    apigateway = stack.client("apigateway")
    api_id = stack.physical["RestAPI"]
    assert apigateway.get_rest_api(restApiId=api_id)["name"] == "tradekitt-prod"
    items = apigateway.get_resources(restApiId=api_id, limit=500)["items"]
    served = {
        (r["path"], m): r["resourceMethods"][m] for r in items for m in r.get("resourceMethods", {})
    }
    expected = _api_routes()
    missing = expected - set(served)
    assert not missing, sorted(missing)[:10]
    api_handler = stack.function("APIHandler")["FunctionArn"]
    for route in expected:
        integration = served[route]["methodIntegration"]
        assert integration["type"] == "AWS_PROXY" and integration["httpMethod"] == "POST", route
        assert integration["uri"].endswith(f"/functions/{api_handler}/invocations"), route
    assert {m for _, m in served} - {m for _, m in expected} <= {"OPTIONS"}  # CORS only
    # API Gateway may invoke the API function (and only that API)
    policy = json.loads(stack.client("lambda").get_policy(FunctionName=api_handler)["Policy"])
    statement = policy["Statement"][0]
    assert statement["Principal"]["Service"] == "apigateway.amazonaws.com"
    assert api_id in json.dumps(statement["Condition"])


def test_the_api_stage_and_gateway_responses_are_in_the_template(stack):
    """moto's CloudFormation implements neither AWS::ApiGateway::Stage nor
    GatewayResponse: checked in the template the stack was created from."""
    resources = stack.template["Resources"]
    stages = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert [s["StageName"] for s in stages] == ["api"]
    deployment = stages[0]["DeploymentId"]["Ref"]
    assert resources[deployment]["Type"] == "AWS::ApiGateway::Deployment"
    assert stages[0]["RestApiId"] == {"Ref": "RestAPI"}
    wanted = yaml.safe_load((INFRA / "api-gateway.yaml").read_text())["Resources"]
    responses = {
        n: r for n, r in wanted.items() if r.get("Type") == "AWS::ApiGateway::GatewayResponse"
    }
    assert responses
    for name, resource in responses.items():
        deployed = resources[name]["Properties"]
        assert resources[name]["Type"] == "AWS::ApiGateway::GatewayResponse"
        assert deployed["ResponseType"] == resource["Properties"]["ResponseType"]
        assert deployed["RestApiId"] == {"Ref": "RestAPI"}


def test_each_function_has_its_handler_environment_and_role(stack):
    iam = stack.client("iam")
    queue_name = stack.physical["EventsQueue"].rsplit("/", 1)[-1]
    for logical, handler in expected_functions().items():
        function = stack.function(logical)
        assert function["Handler"] == handler
        assert function["Runtime"].startswith("python3")
        env = function["Environment"]["Variables"]
        assert env["TABLE_NAME"] == stack.physical["Table"] == "tradekitt-prod"
        assert env["EVENTS_QUEUE_NAME"] == queue_name == "tradekitt-prod-events"
        assert env["EXPORTS_BUCKET"] == stack.physical["ExportsBucket"]
        assert env["STAGE"] == "prod" and env["LOG_LEVEL"] == "INFO"
        assert "JWT_SECRET" not in env and "API_URL" not in env  # ApiUrl not given
        if logical == "APIHandler":
            assert env["JWT_SECRET_PARAM"] == "/tradekitt/prod/jwt-secret"
        else:
            assert "JWT_SECRET_PARAM" not in env
        role = iam.get_role(RoleName=stack.physical[f"{logical}Role"])["Role"]
        assert function["Role"] == role["Arn"]


def _statements(iam: Any, role_name: str) -> list[dict[str, Any]]:
    found = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):  # moto answers the dict's repr
            document = ast.literal_eval(urllib.parse.unquote(document))
        # AWS drops an AWS::NoValue from a list (the KMS statement without a key); moto
        # leaves a null
        found.extend(s for s in document["Statement"] if s is not None)
    return found


def test_only_the_api_may_read_the_jwt_secret_and_it_signs_with_it(stack, monkeypatch):
    iam, account = stack.client("iam"), stack.client("sts").get_caller_identity()["Account"]
    parameter_arn = f"arn:aws:ssm:{REGION}:{account}:parameter/tradekitt/prod/jwt-secret"
    for logical in expected_functions():
        statements = _statements(iam, stack.physical[f"{logical}Role"])
        reads = [s for s in statements if any(a.startswith(("ssm:", "kms:")) for a in s["Action"])]
        if logical == "APIHandler":
            assert reads == [
                {"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": parameter_arn}
            ]
        else:
            assert reads == [], logical
    # the deployed API function's environment finds and uses the SecureString
    secret = "s" * 16 + "e" * 16 + "cret-of-prod"
    stack.client("ssm").put_parameter(
        Name="/tradekitt/prod/jwt-secret", Value=secret, Type="SecureString"
    )
    for name, value in stack.function("APIHandler")["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    settings.forget_secrets()
    try:
        issued = tokens.issue_access("tenant", 1, ["admin"], "session")
        assert tokens.decode(issued.token, tokens.ACCESS)["sub"] == "1"
        claims = jwt.decode(
            issued.token, secret, algorithms=["HS256"], audience="tradekitt-api", issuer="tradekitt"
        )
        assert claims["jti"] == issued.jti
    finally:
        settings.forget_secrets()


def test_the_sqs_trigger_reports_batch_item_failures(stack):
    import app as app_module

    sources = [s for s in app_module.app.event_sources if isinstance(s, SQSEventConfig)]
    assert sources
    queue_arn = (
        f"arn:aws:sqs:{REGION}:"
        + stack.physical["EventsQueue"].split("/")[-2]
        + (":" + stack.physical["EventsQueue"].rsplit("/", 1)[-1])
    )
    by_handler = {h: n for n, h in expected_functions().items()}
    for source in sources:
        function = stack.function(by_handler[source.handler_string])
        mappings = stack.client("lambda").list_event_source_mappings(
            FunctionName=function["FunctionName"]
        )["EventSourceMappings"]
        assert len(mappings) == 1
        mapping = mappings[0]
        assert mapping["EventSourceArn"] == queue_arn
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BatchSize"] == source.batch_size and mapping["State"] == "Enabled"


def test_every_schedule_is_an_eventbridge_rule_on_its_function(stack):
    import app as app_module

    events = stack.client("events")
    rules = {r["Name"]: r for r in events.list_rules()["Rules"]}
    by_handler = {h: n for n, h in expected_functions().items()}
    schedules = [s for s in app_module.app.event_sources if isinstance(s, ScheduledEventConfig)]
    assert schedules
    targeted: dict[str, str] = {}
    for name, rule in rules.items():
        for target in events.list_targets_by_rule(Rule=name)["Targets"]:
            targeted[target["Arn"]] = rule["ScheduleExpression"]
    for source in schedules:
        expression = source.schedule_expression
        expression = expression if isinstance(expression, str) else expression.to_string()
        function = stack.function(by_handler[source.handler_string])
        assert targeted.get(function["FunctionArn"]) == expression, source.name
    assert len(rules) == len(schedules)


def test_the_table_has_its_indexes_and_protection(stack):
    table = stack.client("dynamodb").describe_table(TableName=stack.physical["Table"])["Table"]
    source = yaml.safe_load((INFRA / "template.yaml").read_text())["Resources"]["Table"]
    wanted = [g["IndexName"] for g in source["Properties"]["GlobalSecondaryIndexes"]]
    assert {"gsi1", "gsi2", "gsi3"} <= set(wanted)
    assert sorted(g["IndexName"] for g in table["GlobalSecondaryIndexes"]) == sorted(wanted)
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {
        "pk": "HASH",
        "sk": "RANGE",
    }
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True  # prod
    # moto's CloudFormation ignores these: the template the stack was created from has them
    properties = stack.template["Resources"]["Table"]["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_the_queues_redrive_to_the_dead_letter_queue(stack):
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName="tradekitt-prod-events")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_url(QueueName="tradekitt-prod-events-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq_arn and int(redrive["maxReceiveCount"]) >= 1
    delivery = stack.function("DeliverWebhooks")
    assert int(attributes["VisibilityTimeout"]) >= delivery["Timeout"]  # as AWS requires


def test_the_buckets_are_private_and_encrypted(stack):
    s3 = stack.client("s3")
    for bucket in (stack.physical["ExportsBucket"], f"tradekitt-deploy-123456789012-{REGION}"):
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in (
            "AES256",
            "aws:kms",
        )
    artifacts = s3.get_public_access_block(Bucket=f"tradekitt-deploy-123456789012-{REGION}")
    assert all(artifacts["PublicAccessBlockConfiguration"].values())
    # moto's CloudFormation ignores these two: checked in the template
    properties = stack.template["Resources"]["ExportsBucket"]["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}


def test_the_alarms_are_in_the_template(stack):
    """AWS::CloudWatch::Alarm is not implemented by moto's CloudFormation."""
    wanted = yaml.safe_load((INFRA / "alarms.yaml").read_text())["Resources"]
    resources = stack.template["Resources"]
    alarms = {n for n, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms == set(wanted)
    dimension = resources["DeadLettersAlarm"]["Properties"]["Dimensions"][0]["Value"]
    assert dimension == {"Fn::GetAtt": ["EventsDeadLetterQueue", "QueueName"]}


def test_the_code_is_the_uploaded_package(stack, prod_package):
    dist, _ = prod_package
    function = stack.client("lambda").get_function(FunctionName=stack.physical["APIHandler"])
    assert function["Configuration"]["CodeSize"] == (dist / "deployment.zip").stat().st_size
    properties = stack.template["Resources"]["APIHandler"]["Properties"]
    key = properties["Code"]["S3Key"]
    head = stack.client("s3").head_object(Bucket=properties["Code"]["S3Bucket"], Key=key)
    assert head["ContentLength"] == (dist / "deployment.zip").stat().st_size
