"""``make package`` (issue 15): one merged template that cfn-lint accepts, and the Lambda
zip without what the runtime ships, measured from a real ``chalice package`` so it cannot
grow unseen."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

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


def test_the_packaged_stage_is_small_and_keeps_report_batch_item_failures(tmp_path):
    figures = package.package("prod", tmp_path / "prod")
    assert figures["zipped_bytes"] <= MAX_ZIPPED_BYTES, figures
    with zipfile.ZipFile(tmp_path / "prod" / "deployment.zip") as archive:
        names = set(archive.namelist())
    assert "app.py" in names and "chalicelib/core/routing.py" in names
    assert "pynamodb/models.py" in names and "pydantic/main.py" in names
    assert not any(name.startswith("botocore/") for name in names)
    sam = tmp_path / "prod" / "sam.json"
    template = json.loads(sam.read_text())
    resources = template["Resources"]
    events = resources["DeliverWebhooks"]["Properties"]["Events"]
    source = events["DeliverWebhooksSqsEventSource"]["Properties"]
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
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
    """Action -> the resource(s) it is allowed on, from a packaged role."""
    found: dict[str, object] = {}
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                found[action] = statement["Resource"]
    return found


def _assert_least_privilege(resources: dict) -> None:
    """Each function has a role of its own, allowing only what its code calls, on the
    template's own resources (never "*")."""
    functions = [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
    assert sorted(functions) == ["APIHandler", "DeliverWebhooks", "SweepEventOutbox"]
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
    assert not any(a.startswith("ses:") for role in granted.values() for a in role)
