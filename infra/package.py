"""``make package STAGE=prod``: a stage's deployable artefacts in ``dist/<stage>/``.

1. ``chalice package`` builds the Lambda zip (``deployment.zip``) and the SAM template
   (``sam.json``), into which ``merge`` folds ``infra/template.yaml`` (the table, queues
   and bucket), ``infra/api-gateway.yaml`` (the gateway's own answers in the envelope) and
   ``infra/sqs-event-source.yaml`` (ReportBatchItemFailures on the webhook delivery's SQS
   trigger) and ``infra/alarms.yaml`` (dead letters, 5xx rate, throttles): one deployable
   template, its ``Stage`` parameter defaulting to the stage, and each function with a
   least-privilege role of its own (``FUNCTION_POLICIES``). ``infra/stage-parameters.yaml``
   adds the stage settings a deploy may change (log level, the SSM parameter of the JWT
   secret, reserved concurrency per function), defaulting to the stage's values in
   ``.chalice/config.json``; the functions' environment refers to the template's own
   resources and parameters (``wire``), never to names typed twice;
2. the libraries the AWS Lambda Python runtime already ships (boto3, botocore and
   theirs) are removed from the zip: pynamodb and Powertools pull botocore in, and at about
   21 MB unzipped it was most of the package. The runtime's copies serve them instead.
3. ``dist/<stage>/package.json`` records the zip's size (zipped, unzipped, files).

``python -m infra.package --stage prod [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Top-level names of what the Lambda runtime provides (python3.11): boto3, botocore and
# their dependencies. Their ``*.dist-info`` folders go too.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py"}
)
_DIST_INFO_PREFIXES = ("boto3-", "botocore-", "s3transfer-", "jmespath-", "python_dateutil-")
_DIST_INFO_PREFIXES += ("urllib3-", "six-")
INFRA = ROOT / "infra"
MERGED = (
    INFRA / "template.yaml",
    INFRA / "api-gateway.yaml",
    INFRA / "sqs-event-source.yaml",
    INFRA / "alarms.yaml",
    INFRA / "stage-parameters.yaml",
)
# Functions that sign or verify tokens (or list cursors): they get the JWT secret's
# parameter name and the right to read that parameter, and no other function does.
SECRET_READERS = frozenset({"APIHandler"})
DESCRIPTION = (
    "TradeKitt API ({stage}): Chalice's functions and REST API, the single DynamoDB table, "
    "the events queue with its dead-letter queue, and the exports bucket"
)


def runtime_provided(name: str) -> bool:
    """True for a zip entry the Lambda runtime already provides."""
    top = name.split("/", 1)[0]
    if top in RUNTIME_PROVIDED:
        return True
    return top.endswith(".dist-info") and top.startswith(_DIST_INFO_PREFIXES)


def strip(zip_path: Path) -> int:
    """Rewrite ``zip_path`` without the runtime-provided libraries; the entries removed."""
    kept = zip_path.with_suffix(".tmp")
    removed = 0
    with (
        zipfile.ZipFile(zip_path) as source,
        zipfile.ZipFile(kept, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if runtime_provided(info.filename):
                removed += 1
                continue
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    kept.replace(zip_path)
    return removed


def _load(path: Path) -> dict[str, Any]:
    import yaml  # dev dependency: packaging is a developer's (or CI's) step

    return yaml.safe_load(path.read_text())


def _deep_merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` folded into ``into``: mappings merge key by key, anything else replaces
    (what ``chalice package --merge-template`` does, for several templates); an intrinsic
    function replaces whatever was there."""
    for key, value in extra.items():
        if isinstance(value, dict) and _mapping(value) and _mapping(into.get(key)):
            _deep_merge(into[key], value)
        else:
            into[key] = value
    return into


def _mapping(value: Any) -> bool:
    """A plain mapping; an intrinsic function (``{"Fn::GetAtt": ...}``, ``{"Ref": ...}``)
    is a value, replaced whole."""
    return isinstance(value, dict) and not any(k == "Ref" or k.startswith("Fn::") for k in value)


def merge(sam: dict[str, Any], templates: list[dict[str, Any]], stage: str) -> dict[str, Any]:
    """Chalice's template with ``templates`` merged in (their sections but the version
    and description), the ``Stage`` parameter defaulting to ``stage``."""
    merged = dict(sam)
    for template in templates:
        for section in ("Parameters", "Conditions", "Resources", "Outputs"):
            if section in template:
                merged[section] = _deep_merge(merged.get(section, {}), template[section])
    if "Stage" in merged.get("Parameters", {}):
        merged["Parameters"]["Stage"]["Default"] = stage
    if "JwtSecretParameter" in merged.get("Parameters", {}):  # unless the config names one
        merged["Parameters"]["JwtSecretParameter"]["Default"] = f"/tradekitt/{stage}/jwt-secret"
    merged["Description"] = DESCRIPTION.format(stage=stage)
    return least_privilege(wire(merged))


def _functions(template: dict[str, Any]) -> list[str]:
    resources = template["Resources"]
    return [n for n, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"]


# Environment variables that name the template's own resources or parameters: the
# functions read what the stack created, whatever the Stage parameter says.
_WIRED_ENV: dict[str, Any] = {
    "STAGE": {"Ref": "Stage"},
    "TABLE_NAME": {"Ref": "Table"},
    "EVENTS_QUEUE_NAME": {"Fn::GetAtt": ["EventsQueue", "QueueName"]},
    "EXPORTS_BUCKET": {"Ref": "ExportsBucket"},
    "LOG_LEVEL": {"Ref": "LogLevel"},
    "EMAIL_FROM": {"Ref": "EmailFrom"},
    "API_URL": {"Fn::If": ["HasApiUrl", {"Ref": "ApiUrl"}, {"Ref": "AWS::NoValue"}]},
}
_STAGE_DEFAULTS = {"LOG_LEVEL": "LogLevel", "JWT_SECRET_PARAM": "JwtSecretParameter"}


def wire(template: dict[str, Any]) -> dict[str, Any]:
    """Point each function's environment at the template's resources and parameters.

    The stage's ``LOG_LEVEL`` and ``JWT_SECRET_PARAM`` (``.chalice/config.json``, as
    Chalice packaged them) become the defaults of the ``LogLevel`` and
    ``JwtSecretParameter`` parameters; only ``SECRET_READERS`` get ``JWT_SECRET_PARAM``
    and no function gets a plain ``JWT_SECRET``. A function's ``reserved_concurrency``
    becomes the default of its ``<Function>ReservedConcurrency`` parameter (-1: none)."""
    resources, parameters = template["Resources"], template.setdefault("Parameters", {})
    conditions = template.setdefault("Conditions", {})
    for name in _functions(template):
        properties = resources[name]["Properties"]
        variables = properties.setdefault("Environment", {}).setdefault("Variables", {})
        if "JWT_SECRET" in variables:
            raise SystemExit(f"{name}: JWT_SECRET must not be a plain environment value")
        for variable, parameter in _STAGE_DEFAULTS.items():
            if isinstance(variables.get(variable), str) and parameter in parameters:
                parameters[parameter]["Default"] = variables[variable]
        variables.update(_WIRED_ENV)
        variables.pop("JWT_SECRET_PARAM", None)
        if name in SECRET_READERS:
            variables["JWT_SECRET_PARAM"] = {"Ref": "JwtSecretParameter"}
        reserved = properties.pop("ReservedConcurrentExecutions", -1)
        parameter, condition = f"{name}ReservedConcurrency", f"{name}HasReservedConcurrency"
        parameters[parameter] = {
            "Type": "Number",
            "Default": str(reserved),
            "MinValue": -1,
            "Description": f"Reserved concurrent executions of {name} (-1: none reserved)",
        }
        conditions[condition] = {"Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, "-1"]}]}
        properties["ReservedConcurrentExecutions"] = {
            "Fn::If": [condition, {"Ref": parameter}, {"Ref": "AWS::NoValue"}]
        }
    api = resources.get("RestAPI", {}).get("Properties")
    if api is not None:
        api.setdefault("Name", {"Fn::Sub": "tradekitt-${Stage}"})
    template.setdefault("Outputs", {})["ApiUrl"] = {
        "Description": "The API's base URL (the API Gateway stage, then /api/v1)",
        "Value": {
            "Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/api/v1"
        },
    }
    return template


_TABLE_ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
]
_TABLE = [
    {"Fn::GetAtt": ["Table", "Arn"]},
    {"Fn::Sub": "${Table.Arn}/index/*"},
]
_EVENTS_QUEUE = {"Fn::GetAtt": ["EventsQueue", "Arn"]}
_DEAD_LETTERS = {"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]}
_SEND = ["sqs:SendMessage", "sqs:GetQueueUrl"]
# The JWT secret: GetParameter on that one parameter; kms:Decrypt only with a customer
# managed key, and only through SSM (the AWS managed aws/ssm key needs no grant).
_SECRET = [
    {
        "Action": ["ssm:GetParameter"],
        "Resource": {
            "Fn::Sub": (
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                ":parameter${JwtSecretParameter}"
            )
        },
    },
    {
        "Fn::If": [
            "HasJwtSecretKmsKey",
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": {"Ref": "JwtSecretKmsKeyArn"},
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": {"Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"}
                    }
                },
            },
            {"Ref": "AWS::NoValue"},
        ]
    },
]
# E-mail (one-time codes, invoices): SendEmail as the one SES identity the stage sends from.
_EMAIL_IDENTITY = {
    "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${EmailIdentity}"
}
# Least privilege (issue 15): per function role, what its code calls and on which
# resources (the merged template's own, by reference). Logs go to this app's groups only.
FUNCTION_POLICIES: dict[str, list[dict[str, Any]]] = {
    "APIHandler": [
        {"Action": [*_TABLE_ITEM_ACTIONS, "dynamodb:DescribeTable"], "Resource": _TABLE},
        {"Action": _SEND, "Resource": _EVENTS_QUEUE},
        {
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": {"Fn::Sub": "${ExportsBucket.Arn}/tenants/*"},
        },
        *_SECRET,
        {"Action": ["ses:SendEmail"], "Resource": _EMAIL_IDENTITY},
    ],
    "DeliverWebhooks": [
        {"Action": _TABLE_ITEM_ACTIONS, "Resource": _TABLE},
        {
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
                *_SEND,
            ],
            "Resource": _EVENTS_QUEUE,
        },
        {"Action": _SEND, "Resource": _DEAD_LETTERS},
    ],
    "SweepEventOutbox": [
        {"Action": _TABLE_ITEM_ACTIONS, "Resource": _TABLE},
        {"Action": _SEND, "Resource": _EVENTS_QUEUE},
    ],
    # the SLA sweep reads the due index and writes the jobs' transactions; no events
    "SweepSlaDeadlines": [{"Action": _TABLE_ITEM_ACTIONS, "Resource": _TABLE}],
}
_LOGS = {
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": {
        "Fn::Sub": (
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
            ":log-group:/aws/lambda/${AWS::StackName}-*"
        )
    },
}


_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def least_privilege(template: dict[str, Any]) -> dict[str, Any]:
    """Give each function of ``template`` a role of its own with its policy
    (``FUNCTION_POLICIES``, replacing the roles Chalice made); a function the table does
    not know fails the packaging, so a new function must say what it needs."""
    resources = template["Resources"]
    functions = _functions(template)
    unknown = sorted(set(functions) - set(FUNCTION_POLICIES))
    if unknown:
        raise SystemExit(f"no least-privilege policy for {unknown}: add it to FUNCTION_POLICIES")
    for name in [n for n, r in resources.items() if r.get("Type") == "AWS::IAM::Role"]:
        del resources[name]
    for name in functions:
        statements = [
            s if "Fn::If" in s else {"Effect": "Allow", **s}
            for s in [_LOGS, *FUNCTION_POLICIES[name]]
        ]
        resources[f"{name}Role"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": _ASSUME,
                "Policies": [
                    {
                        "PolicyName": f"{name}Policy",
                        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                    }
                ],
            },
        }
        resources[name]["Properties"]["Role"] = {"Fn::GetAtt": [f"{name}Role", "Arn"]}
    return template


def sizes(zip_path: Path) -> dict[str, int]:
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
    return {
        "zipped_bytes": zip_path.stat().st_size,
        "unzipped_bytes": sum(i.file_size for i in infos),
        "files": len(infos),
    }


def package(stage: str, out: Path) -> dict[str, int]:
    """Build, strip and measure the stage's package in ``out`` (emptied first)."""
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "STAGE": stage}
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    command = [str(Path(sys.executable).parent / "chalice"), "package", "--stage", stage]
    subprocess.run([*command, str(out)], cwd=ROOT, env=env, check=True)
    sam = out / "sam.json"
    template = merge(json.loads(sam.read_text()), [_load(path) for path in MERGED], stage)
    sam.write_text(json.dumps(template, indent=2, sort_keys=True) + "\n")
    zip_path = out / "deployment.zip"
    removed = strip(zip_path)
    figures = {**sizes(zip_path), "runtime_provided_entries_removed": removed}
    (out / "package.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default=os.environ.get("STAGE", "dev"))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else ROOT / "dist" / args.stage
    figures = package(args.stage, out)
    print(json.dumps({"stage": args.stage, "out": str(out), **figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
