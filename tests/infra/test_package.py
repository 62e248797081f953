"""``make package`` (issue 15): the Lambda zip without what the runtime ships, measured
from a real ``chalice package`` so it cannot grow unseen."""

from __future__ import annotations

import zipfile

import yaml

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
    template = yaml.safe_load((tmp_path / "prod" / "sam.yaml").read_text())
    events = template["Resources"]["DeliverWebhooks"]["Properties"]["Events"]
    source = events["DeliverWebhooksSqsEventSource"]["Properties"]
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
