"""``make deploy STAGE=prod``: deploy ``dist/<stage>/`` (``make package`` first) to the AWS
account of the environment, with boto3 and a CloudFormation change set.

1. refuse clearly, before touching anything, without credentials or a region;
2. upload ``deployment.zip`` and the template to an artifact bucket (``DEPLOY_BUCKET``, or
   ``tradekitt-deploy-<account>-<region>``, created private and encrypted if missing),
   both keyed by their content hash, and point every function's ``CodeUri`` at the zip;
3. create a change set (``CAPABILITY_IAM``, ``CAPABILITY_AUTO_EXPAND`` for the SAM
   transform) with the template's parameters (``Stage`` plus any ``--param K=V``), wait,
   execute it, wait for the stack, and print its outputs (``ApiUrl``).

``AWS_ENDPOINT_URL`` deploys to an emulator instead (boto3 honours it). Emulators without
the SAM transform (moto) get the template translated here with ``aws-sam-translator``
(``--translate``, implied by ``AWS_ENDPOINT_URL``) and the REST API's OpenAPI body spelled
out as API Gateway resources and methods (``for_emulator``), which moto's CloudFormation
does not import from ``Body``.

``python -m infra.deploy --stage prod [--stack-name N] [--bucket B] [--param K=V ...]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


class DeployError(SystemExit):
    """A refusal or failure, with the message to print (exit status 1)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def stack_name_of(stage: str) -> str:
    return f"tradekitt-{stage}"


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``["K=V", ...]`` (also space-separated in one string) as a mapping."""
    found: dict[str, str] = {}
    for pair in (p for item in pairs for p in item.split()):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"a parameter is KEY=VALUE, got {pair!r}")
        found[key] = value
    return found


def session_or_refuse(region: str | None = None) -> Any:
    """A boto3 session with credentials and a region, or a clear refusal."""
    import boto3

    session = boto3.Session(region_name=region) if region else boto3.Session()
    if session.get_credentials() is None:
        raise DeployError(
            "no AWS credentials in the environment: set AWS_PROFILE (aws configure / aws sso "
            "login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; nothing was deployed"
        )
    if not session.region_name:
        raise DeployError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION)")
    return session


def _client(session: Any, service: str) -> Any:
    return session.client(service, endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    """The artifact bucket, created private (public access blocked) and encrypted when it
    does not exist yet."""
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
        return
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise DeployError(f"the artifact bucket {bucket} is not usable: {code}") from None
    options: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        options["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**options)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def upload(s3: Any, bucket: str, key: str, data: bytes) -> None:
    """Put ``data`` at ``key`` unless that content-addressed object is already there."""
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return
    except ClientError:
        pass
    s3.put_object(Bucket=bucket, Key=key, Body=data)


def with_code(template: dict[str, Any], bucket: str, key: str) -> dict[str, Any]:
    """Every function's code is the uploaded zip (``CodeUri`` of SAM functions, ``Code``
    of plain Lambda functions)."""
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function":
            properties["CodeUri"] = {"Bucket": bucket, "Key": key}
        elif resource.get("Type") == "AWS::Lambda::Function":
            properties["Code"] = {"S3Bucket": bucket, "S3Key": key}
    return template


class _NoManagedPolicies:
    """The translator's managed-policy lookup: the packaged roles name none."""

    def load(self) -> dict[str, str]:
        return {}


def translate(template: dict[str, Any], parameters: dict[str, str] | None = None) -> dict:
    """The SAM template as plain CloudFormation (``aws-sam-translator``, what the
    ``AWS::Serverless-2016-10-31`` transform does on AWS)."""
    from samtranslator.translator.transform import transform

    return transform(json.loads(json.dumps(template)), parameters or {}, _NoManagedPolicies())


def _logical(prefix: str, text: str) -> str:
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:12]


def for_emulator(template: dict[str, Any]) -> dict[str, Any]:
    """Spell each REST API's OpenAPI ``Body`` out as ``AWS::ApiGateway::Resource`` and
    ``AWS::ApiGateway::Method`` resources (same paths, methods and integrations), and make
    its deployments depend on them: moto's CloudFormation ignores ``Body`` and refuses to
    deploy an API without methods. The translated template stays what AWS would run."""
    resources = template["Resources"]
    for api_name, api in list(resources.items()):
        body = (
            api.get("Properties", {}).get("Body")
            if api["Type"] == "AWS::ApiGateway::RestApi"
            else None
        )
        if not body:
            continue
        methods: list[str] = []
        segments: dict[str, str] = {}  # path -> logical id of its resource
        for path, operations in body.get("paths", {}).items():
            parent: Any = {"Fn::GetAtt": [api_name, "RootResourceId"]}
            walked = ""
            for part in [p for p in path.split("/") if p]:
                walked += "/" + part
                if walked not in segments:
                    segments[walked] = _logical(f"{api_name}Resource", walked)
                    resources[segments[walked]] = {
                        "Type": "AWS::ApiGateway::Resource",
                        "Properties": {
                            "RestApiId": {"Ref": api_name},
                            "ParentId": parent,
                            "PathPart": part,
                        },
                    }
                parent = {"Ref": segments[walked]}
            for verb, operation in operations.items():
                if verb.startswith("x-") or not isinstance(operation, dict):
                    continue
                integration = operation.get("x-amazon-apigateway-integration", {})
                logical = _logical(f"{api_name}Method", f"{verb} {path}")
                resources[logical] = {
                    "Type": "AWS::ApiGateway::Method",
                    "Properties": {
                        "RestApiId": {"Ref": api_name},
                        "ResourceId": parent,
                        "HttpMethod": verb.upper(),
                        "AuthorizationType": "NONE",
                        "Integration": {
                            "Type": integration.get("type", "mock").upper(),
                            "IntegrationHttpMethod": integration.get("httpMethod", verb.upper()),
                            "Uri": integration.get("uri", ""),
                        },
                    },
                }
                methods.append(logical)
        for resource in resources.values():
            if resource["Type"] == "AWS::ApiGateway::Deployment" and resource.get(
                "Properties", {}
            ).get("RestApiId") == {"Ref": api_name}:
                depends = resource.get("DependsOn", [])
                depends = [depends] if isinstance(depends, str) else list(depends)
                resource["DependsOn"] = depends + methods
    template["Resources"] = _in_dependency_order(resources)
    return template


def _in_dependency_order(resources: dict[str, Any]) -> dict[str, Any]:
    """``resources`` reordered so that each comes after what it ``DependsOn`` (moto's
    change sets create resources in template order, and resolve only references)."""
    ordered: dict[str, Any] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered or name not in resources or name in path:
            return
        depends = resources[name].get("DependsOn", [])
        for dependency in [depends] if isinstance(depends, str) else depends:
            visit(dependency, (*path, name))
        ordered[name] = resources[name]

    for name in resources:
        visit(name, ())
    return ordered


def _wait(client: Any, waiter: str, **kwargs: Any) -> None:
    from botocore.exceptions import WaiterError

    try:
        client.get_waiter(waiter).wait(**kwargs, WaiterConfig={"Delay": 5, "MaxAttempts": 720})
    except WaiterError as exc:
        reason = exc.last_response.get("StatusReason", "") if exc.last_response else ""
        raise DeployError(f"{waiter} failed: {reason or exc}") from None


def _stack_status(cfn: Any, stack: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        return cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise


def _failures(cfn: Any, stack: str) -> str:
    events = cfn.describe_stack_events(StackName=stack).get("StackEvents", [])
    failed = [e for e in events if e.get("ResourceStatus", "").endswith("FAILED")]
    return "; ".join(
        f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}" for e in failed[:5]
    )


def deploy(
    stage: str,
    dist: Path | None = None,
    stack_name: str | None = None,
    bucket: str | None = None,
    parameters: dict[str, str] | None = None,
    translate_locally: bool | None = None,
    session: Any = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Deploy the packaged stage; the stack's outputs, with ``resources`` (their count)."""
    dist = dist or ROOT / "dist" / stage
    sam_path, zip_path = dist / "sam.json", dist / "deployment.zip"
    if not sam_path.exists() or not zip_path.exists():
        raise DeployError(f"{dist} has no package: run `make package STAGE={stage}` first")
    session = session or session_or_refuse()
    from botocore.exceptions import BotoCoreError, ClientError

    region = session.region_name
    try:
        account = _client(session, "sts").get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as exc:
        raise DeployError(f"the AWS credentials do not work: {exc}") from None
    if translate_locally is None:
        translate_locally = bool(os.environ.get("AWS_ENDPOINT_URL"))
    stack = stack_name or stack_name_of(stage)
    bucket = bucket or os.environ.get("DEPLOY_BUCKET") or f"tradekitt-deploy-{account}-{region}"
    s3, cfn = _client(session, "s3"), _client(session, "cloudformation")
    say(f"deploying {stack} to account {account} in {region} (artifacts in s3://{bucket})")
    ensure_bucket(s3, bucket, region)
    code = zip_path.read_bytes()
    code_key = f"{stack}/{_sha256(code)}.zip"
    upload(s3, bucket, code_key, code)
    template = with_code(json.loads(sam_path.read_text()), bucket, code_key)
    values = {"Stage": stage, **(parameters or {})}
    if translate_locally:
        template = for_emulator(translate(template, values))
    body = json.dumps(template).encode()  # in order: see _in_dependency_order
    template_key = f"{stack}/{_sha256(body)}.template.json"
    upload(s3, bucket, template_key, body)
    url = f"https://{bucket}.s3.{region}.amazonaws.com/{template_key}"
    status = _stack_status(cfn, stack)
    if status and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise DeployError(f"{stack} is busy ({status}): wait for it and deploy again")
    if status == "ROLLBACK_COMPLETE":
        raise DeployError(
            f"{stack} failed its first creation (ROLLBACK_COMPLETE): delete it "
            f"(aws cloudformation delete-stack --stack-name {stack}) and deploy again"
        )
    kind = "UPDATE" if status and status != "REVIEW_IN_PROGRESS" else "CREATE"
    change_set = f"{stack}-{_sha256(body + json.dumps(values).encode())[:12]}"
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName=change_set,
        ChangeSetType=kind,
        TemplateURL=url,
        Capabilities=CAPABILITIES,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        Tags=[{"Key": "app", "Value": "tradekitt"}, {"Key": "stage", "Value": stage}],
    )
    try:
        _wait(cfn, "change_set_create_complete", StackName=stack, ChangeSetName=change_set)
    except DeployError:
        described = cfn.describe_change_set(StackName=stack, ChangeSetName=change_set)
        reason = described.get("StatusReason", "")
        if not any(text in reason for text in _NO_CHANGES):
            raise DeployError(f"the change set failed: {reason}") from None
        cfn.delete_change_set(StackName=stack, ChangeSetName=change_set)
        say("no changes: the stack is up to date")
    else:
        say(f"executing change set {change_set} ({kind})")
        cfn.execute_change_set(StackName=stack, ChangeSetName=change_set)
        waiter = "stack_create_complete" if kind == "CREATE" else "stack_update_complete"
        try:
            _wait(cfn, waiter, StackName=stack)
        except DeployError as exc:
            raise DeployError(f"{exc.message}: {_failures(cfn, stack)}") from None
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    listed = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    count = len(listed)
    api = [r["PhysicalResourceId"] for r in listed if r["LogicalResourceId"] == "RestAPI"]
    if "ApiUrl" not in outputs and api:
        # moto's change sets leave a stack without outputs: say what ApiUrl would
        outputs["ApiUrl"] = f"https://{api[0]}.execute-api.{region}.amazonaws.com/api/api/v1"
    say(f"{stack}: {described['StackStatus']}, {count} resources")
    for key in sorted(outputs):
        say(f"  {key}: {outputs[key]}")
    return {"stack": stack, "status": described["StackStatus"], "resources": count, **outputs}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default=os.environ.get("STAGE", "dev"))
    parser.add_argument("--dist", default=None, help="the package (default dist/<stage>)")
    parser.add_argument("--stack-name", default=None, help="default tradekitt-<stage>")
    parser.add_argument("--bucket", default=None, help="artifact bucket (or DEPLOY_BUCKET)")
    parser.add_argument("--param", action="append", default=[], help="KEY=VALUE, repeatable")
    parser.add_argument("--translate", action="store_true", default=None)
    args = parser.parse_args(argv)
    try:
        deploy(
            args.stage,
            dist=Path(args.dist) if args.dist else None,
            stack_name=args.stack_name,
            bucket=args.bucket,
            parameters=parse_params(args.param),
            translate_locally=args.translate,
        )
    except DeployError as exc:
        print(f"make deploy: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
