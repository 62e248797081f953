"""``make package`` (issue 15): one merged template that cfn-lint accepts, and the Lambda
zip without what the runtime ships, measured from a real ``chalice package`` so it cannot
grow unseen."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra import package

MAX_ZIPPED_BYTES = 15 * 1024 * 1024


def test_strip_removes_only_what_the_lambda_runtime_ships(tmp_path):
    archive = tmp_path / "deployment.zip"
    names = [
        "botocore/__init__.py",
        "botocore/data/s3/2006-03-01/service-2.json.gz",
        "botocore-1.44.8.dist-info/METADATA",
        "boto3/session.py",
        "s3transfer/manager.py",
        "jmespath/parser.py",
        "dateutil/tz/tz.py",
        "python_dateutil-2.9.0.dist-info/RECORD",
        "urllib3/poolmanager.py",
        "six.py",
        "app.py",
        "chalicelib/sales/service.py",
        "pynamodb/models.py",
        "pynamodb-6.1.0.dist-info/METADATA",
        "botocore_extra/keep.py",  # only exact top-level names go
        "sixty.py",
    ]
    with zipfile.ZipFile(archive, "w") as out:
        for name in names:
            out.writestr(name, "x" * 100)
    assert package.strip(archive) == 10
    with zipfile.ZipFile(archive) as kept:
        assert sorted(kept.namelist()) == sorted(
            [
                "app.py",
                "chalicelib/sales/service.py",
                "pynamodb/models.py",
                "pynamodb-6.1.0.dist-info/METADATA",
                "botocore_extra/keep.py",
                "sixty.py",
            ]
        )
    figures = package.sizes(archive)
    assert figures["files"] == 6 and figures["unzipped_bytes"] == 600


def expected_functions() -> dict[str, str]:
    """Logical id -> handler of every function ``chalice package`` makes of app.py: the
    API, and one per ``@app.on_sqs_message`` / ``@app.schedule``."""
    import app as app_module

    functions = {"APIHandler": "app.app"}
    for source in app_module.app.event_sources:
        logical = "".join(part.capitalize() for part in source.name.split("_"))
        functions[logical] = source.handler_string
    return functions


def test_the_packaged_stage_is_small_and_keeps_report_batch_item_failures(prod_package):
    dist, figures = prod_package
    assert figures["zipped_bytes"] <= MAX_ZIPPED_BYTES, figures
    with zipfile.ZipFile(dist / "deployment.zip") as archive:
        names = set(archive.namelist())
    assert "app.py" in names and "chalicelib/core/routing.py" in names
    assert "pynamodb/models.py" in names and "pydantic/main.py" in names
    assert not any(name.startswith("botocore/") for name in names)
    sam = dist / "sam.json"
    template = json.loads(sam.read_text())
    resources = template["Resources"]
    events = resources["DeliverWebhooks"]["Properties"]["Events"]
    source = events["DeliverWebhooksSqsEventSource"]["Properties"]
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["Queue"] == {"Fn::GetAtt": ["EventsQueue", "Arn"]}  # the stack's own
    # one deployable template: Chalice's functions and API, infra/template.yaml's stateful
    # resources and infra/api-gateway.yaml's gateway answers, for the stage it was built for
    assert template["Parameters"]["Stage"]["Default"] == "prod"
    assert {"APIHandler", "RestAPI", "DeliverWebhooks", "SweepEventOutbox"} <= set(resources)
    assert {"Table", "EventsQueue", "EventsDeadLetterQueue", "ExportsBucket"} <= set(resources)
    assert {"MissingRouteResponse", "Default4xxResponse", "RequestTooLargeResponse"} <= set(
        resources
    )
    binary = resources["RestAPI"]["Properties"]["DefinitionBody"]
    assert "*/*" in binary["x-amazon-apigateway-binary-media-types"]
    import app as app_module

    assert set(binary["paths"]) == set(app_module.app.routes)  # every route, merged in
    _assert_least_privilege(resources)
    # operations: alarms on dead letters, the 5xx rate and throttles; prod's table is
    # protected from deletion and recoverable to a point in time
    alarms = {n: r["Properties"] for n, r in resources.items() if r["Type"].endswith("Alarm")}
    assert set(alarms) == {
        "DeadLettersAlarm",
        "Api5xxRateAlarm",
        "ApiThrottlesAlarm",
        "DeliveryThrottlesAlarm",
    }
    assert alarms["DeadLettersAlarm"]["Dimensions"][0]["Value"] == {
        "Fn::GetAtt": ["EventsDeadLetterQueue", "QueueName"]
    }
    assert alarms["Api5xxRateAlarm"]["MetricName"] == "5XXError"
    assert alarms["ApiThrottlesAlarm"]["Dimensions"][0]["Value"] == {"Ref": "APIHandler"}
    table = resources["Table"]["Properties"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
    assert template["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(sam)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _actions(role: dict) -> dict[str, object]:
    """Action -> the resource(s) it is allowed on, from a packaged role (a statement under
    a condition, ``Fn::If [cond, statement, AWS::NoValue]``, counts as granted)."""
    found: dict[str, object] = {}
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                _, statement, otherwise = statement["Fn::If"]
                assert otherwise == {"Ref": "AWS::NoValue"}
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                found[action] = statement["Resource"]
    return found


def _assert_least_privilege(resources: dict) -> None:
    """Each function has a role of its own, allowing only what its code calls, on the
    template's own resources (never "*")."""
    functions = [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
    assert {n: resources[n]["Properties"]["Handler"] for n in functions} == expected_functions()
    roles = {n for n, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
    assert roles == {f"{n}Role" for n in functions}
    granted = {}
    for name in functions:
        role_ref = resources[name]["Properties"]["Role"]
        assert role_ref == {"Fn::GetAtt": [f"{name}Role", "Arn"]}
        granted[name] = _actions(resources[f"{name}Role"])
        for action, resource in granted[name].items():
            assert "*" not in json.dumps(resource).replace("/index/*", "").replace(
                "-*", ""
            ).replace("/tenants/*", ""), (name, action, resource)
            assert not action.endswith("*"), (name, action)
    table = [{"Fn::GetAtt": ["Table", "Arn"]}, {"Fn::Sub": "${Table.Arn}/index/*"}]
    for name in functions:
        assert granted[name]["dynamodb:Query"] == table
        assert "dynamodb:Scan" not in granted[name] and "dynamodb:DeleteTable" not in granted[name]
    api, deliver, sweep = (
        granted[n] for n in ("APIHandler", "DeliverWebhooks", "SweepEventOutbox")
    )
    assert api["s3:PutObject"] == {"Fn::Sub": "${ExportsBucket.Arn}/tenants/*"}
    assert "s3:PutObject" not in deliver and "s3:PutObject" not in sweep
    assert "sqs:ReceiveMessage" in deliver and "sqs:ReceiveMessage" not in api
    assert "sqs:ReceiveMessage" not in sweep
    assert api["sqs:SendMessage"] == {"Fn::GetAtt": ["EventsQueue", "Arn"]}
    assert "dynamodb:DescribeTable" in api and "dynamodb:DescribeTable" not in sweep
    # e-mail: only the API sends, and only as the stage's SES identity
    identity = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"
    assert api["ses:SendEmail"] == {"Fn::Sub": identity + "${EmailIdentity}"}
    assert [a for a in api if a.startswith("ses:")] == ["ses:SendEmail"]
    for name in functions:
        if name != "APIHandler":
            assert not any(a.startswith("ses:") for a in granted[name]), name
    # the JWT secret: only the API may read it, that one parameter, and decrypt only with
    # the customer managed key given (through SSM), if any
    parameter = {
        "Fn::Sub": (
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
            ":parameter${JwtSecretParameter}"
        )
    }
    assert api["ssm:GetParameter"] == parameter
    assert api["kms:Decrypt"] == {"Ref": "JwtSecretKmsKeyArn"}
    for name in functions:
        env = resources[name]["Properties"]["Environment"]["Variables"]
        assert "JWT_SECRET" not in env, name
        if name != "APIHandler":
            assert not any(a.startswith(("ssm:", "kms:")) for a in granted[name]), name
            assert "JWT_SECRET_PARAM" not in env, name
    assert resources["APIHandler"]["Properties"]["Environment"]["Variables"][
        "JWT_SECRET_PARAM"
    ] == {"Ref": "JwtSecretParameter"}


def test_stage_settings_come_from_the_config_and_the_template_parameters(prod_package):
    """Names, log level, memory, timeouts, reserved concurrency and the JWT secret's
    parameter: .chalice/config.json's prod stage gives the defaults, the template's
    parameters let a deploy change them, and the environment refers to the stack's own
    resources rather than to names typed twice."""
    dist, _ = prod_package
    template = json.loads((dist / "sam.json").read_text())
    config = json.loads((package.ROOT / ".chalice" / "config.json").read_text())
    prod = config["stages"]["prod"]
    parameters, resources = template["Parameters"], template["Resources"]
    assert parameters["LogLevel"]["Default"] == prod["environment_variables"]["LOG_LEVEL"]
    assert (
        parameters["JwtSecretParameter"]["Default"]
        == prod["environment_variables"]["JWT_SECRET_PARAM"]
        == "/tradekitt/prod/jwt-secret"
    )
    for name, handler in expected_functions().items():
        properties = resources[name]["Properties"]
        assert properties["Handler"] == handler
        env = properties["Environment"]["Variables"]
        assert env["TABLE_NAME"] == {"Ref": "Table"}
        assert env["EVENTS_QUEUE_NAME"] == {"Fn::GetAtt": ["EventsQueue", "QueueName"]}
        assert env["EXPORTS_BUCKET"] == {"Ref": "ExportsBucket"}
        assert env["STAGE"] == {"Ref": "Stage"} and env["LOG_LEVEL"] == {"Ref": "LogLevel"}
        assert properties["MemorySize"] == prod["lambda_memory_size"]
        function_config = config["lambda_functions"].get(handler.split(".", 1)[1], {})
        assert properties["Timeout"] == function_config.get(
            "lambda_timeout", config["lambda_timeout"]
        )
        reserved = parameters[f"{name}ReservedConcurrency"]
        assert reserved["Default"] == str(function_config.get("reserved_concurrency", -1))
        assert properties["ReservedConcurrentExecutions"] == {
            "Fn::If": [
                f"{name}HasReservedConcurrency",
                {"Ref": f"{name}ReservedConcurrency"},
                {"Ref": "AWS::NoValue"},
            ]
        }
    assert resources["RestAPI"]["Properties"]["Name"] == {"Fn::Sub": "tradekitt-${Stage}"}
    assert template["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"].endswith("/api/api/v1")


def test_reserved_concurrency_of_the_config_becomes_a_parameter_default():
    sam = {
        "Resources": {
            "DeliverWebhooks": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "ReservedConcurrentExecutions": 5,
                    "Environment": {"Variables": {"LOG_LEVEL": "DEBUG", "STAGE": "dev"}},
                },
            }
        },
        "Parameters": {"LogLevel": {"Type": "String", "Default": "INFO"}},
    }
    wired = package.wire(sam)
    assert wired["Parameters"]["DeliverWebhooksReservedConcurrency"]["Default"] == "5"
    assert wired["Parameters"]["LogLevel"]["Default"] == "DEBUG"
    env = wired["Resources"]["DeliverWebhooks"]["Properties"]["Environment"]["Variables"]
    assert "JWT_SECRET_PARAM" not in env  # not a secret reader
    sam["Resources"]["DeliverWebhooks"]["Properties"]["Environment"]["Variables"] = {
        "JWT_SECRET": "x" * 40
    }
    with pytest.raises(SystemExit, match="JWT_SECRET must not be a plain environment value"):
        package.wire(sam)


def test_a_stage_without_a_configured_parameter_gets_its_own_secret_name():
    sam = {
        "Resources": {
            "SweepEventOutbox": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Environment": {"Variables": {"STAGE": "staging"}}},
            }
        }
    }
    templates = [package._load(path) for path in package.MERGED]
    merged = package.merge(sam, templates, "staging")
    assert merged["Parameters"]["JwtSecretParameter"]["Default"] == "/tradekitt/staging/jwt-secret"
    assert merged["Parameters"]["Stage"]["Default"] == "staging"
