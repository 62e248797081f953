"""Package size (issue 15): a real ``chalice package`` of the prod stage through
``infra.package`` (the runtime-provided libraries stripped), zipped and unzipped bytes,
file count, and the biggest top-level entries; then that package deployed by
``infra.deploy`` to moto's CloudFormation (in-process): resources in the stack, of which
moto built, and the types it does not implement. Asserts nothing."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from pathlib import Path
from unittest import mock

from infra import deploy, package

_FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _deploy_to_moto(dist: Path) -> dict:
    import boto3
    from moto import mock_aws
    from moto.cloudformation.parsing import resource_class_from_type

    logging.getLogger("moto").setLevel(logging.ERROR)
    with (
        mock.patch.dict(os.environ, _FAKE_AWS),
        mock_aws(),
        warnings.catch_warnings(),
    ):
        os.environ.pop("AWS_ENDPOINT_URL", None)
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        result = deploy.deploy("prod", dist=dist, translate_locally=True, say=lambda _: None)
        took = time.perf_counter() - started
        cfn = boto3.client("cloudformation", region_name="us-east-1")
        template = cfn.get_template(StackName=result["stack"])["TemplateBody"]
    types = Counter(r["Type"] for r in template["Resources"].values())
    missing = {t: n for t, n in types.items() if not resource_class_from_type(t)}
    return {
        "status": result["status"],
        "resources_in_stack": result["resources"],
        "built_by_moto": result["resources"] - sum(missing.values()),
        "not_implemented_by_moto": missing,
        "by_type": dict(types.most_common()),
        "deploy_s": round(took, 2),
    }


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "prod"
        figures = package.package("prod", out)
        by_top: Counter[str] = Counter()
        with zipfile.ZipFile(out / "deployment.zip") as archive:
            for info in archive.infolist():
                by_top[info.filename.split("/", 1)[0]] += info.file_size
        emulator = _deploy_to_moto(out)
    return {
        **figures,
        "zipped_mb": round(figures["zipped_bytes"] / 2**20, 2),
        "unzipped_mb": round(figures["unzipped_bytes"] / 2**20, 2),
        "largest_unzipped_mb": {k: round(v / 2**20, 2) for k, v in by_top.most_common(8)},
        "deployed_to_moto": emulator,
    }
