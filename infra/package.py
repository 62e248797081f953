"""``make package STAGE=prod``: a stage's deployable artefacts in ``dist/<stage>/``.

1. ``chalice package`` builds the Lambda zip (``deployment.zip``) and the SAM template
   (``sam.json``), into which ``merge`` folds ``infra/template.yaml`` (the table, queues
   and bucket), ``infra/api-gateway.yaml`` (the gateway's own answers in the envelope) and
   ``infra/sqs-event-source.yaml`` (ReportBatchItemFailures on the webhook delivery's SQS
   trigger) and ``infra/alarms.yaml`` (dead letters, 5xx rate, throttles): one deployable
   template, its ``Stage`` parameter defaulting to the stage, and each function with a
   least-privilege role of its own (``FUNCTION_POLICIES``);
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
)
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
    (what ``chalice package --merge-template`` does, for several templates)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value
    return into


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
    merged["Description"] = DESCRIPTION.format(stage=stage)
    return least_privilege(merged)


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
    functions = [n for n, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"]
    unknown = sorted(set(functions) - set(FUNCTION_POLICIES))
    if unknown:
        raise SystemExit(f"no least-privilege policy for {unknown}: add it to FUNCTION_POLICIES")
    for name in [n for n, r in resources.items() if r.get("Type") == "AWS::IAM::Role"]:
        del resources[name]
    for name in functions:
        statements = [{"Effect": "Allow", **s} for s in [_LOGS, *FUNCTION_POLICIES[name]]]
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
