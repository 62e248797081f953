"""``make deploy`` refuses clearly, before touching anything: without a package, without
credentials, without a region; parameters are KEY=VALUE."""

from __future__ import annotations

import pytest

from infra import deploy


@pytest.fixture
def packaged(tmp_path):
    (tmp_path / "sam.json").write_text('{"Resources": {}}')
    (tmp_path / "deployment.zip").write_bytes(b"PK")
    return tmp_path


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_without_credentials_it_refuses_and_says_how(packaged, no_credentials, capsys):
    assert deploy.main(["--stage", "prod", "--dist", str(packaged)]) == 1
    error = capsys.readouterr().err
    assert "no AWS credentials" in error and "nothing was deployed" in error


def test_without_a_region_it_refuses(packaged, monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert deploy.main(["--stage", "prod", "--dist", str(packaged)]) == 1
    assert "no AWS region" in capsys.readouterr().err


def test_without_a_package_it_says_to_package_first(tmp_path, capsys):
    assert deploy.main(["--stage", "prod", "--dist", str(tmp_path / "nothing")]) == 1
    assert "run `make package STAGE=prod` first" in capsys.readouterr().err


def test_parameters_are_key_value_pairs():
    assert deploy.parse_params(["LogLevel=DEBUG ApiUrl=https://x", "A=b=c"]) == {
        "LogLevel": "DEBUG",
        "ApiUrl": "https://x",
        "A": "b=c",
    }
    with pytest.raises(deploy.DeployError, match="KEY=VALUE"):
        deploy.parse_params(["LogLevel"])


def test_for_emulator_spells_the_openapi_body_out_before_the_deployment():
    template = {
        "Resources": {
            "Deploy": {
                "Type": "AWS::ApiGateway::Deployment",
                "Properties": {"RestApiId": {"Ref": "Api"}},
            },
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {
                    "Body": {
                        "paths": {
                            "/a/{id}": {
                                "get": {
                                    "x-amazon-apigateway-integration": {
                                        "type": "aws_proxy",
                                        "httpMethod": "POST",
                                        "uri": "arn:fn",
                                    }
                                },
                                "options": {"x-amazon-apigateway-integration": {"type": "mock"}},
                            }
                        }
                    }
                },
            },
        }
    }
    resources = deploy.for_emulator(template)["Resources"]
    kinds = [r["Type"] for r in resources.values()]
    assert kinds.count("AWS::ApiGateway::Resource") == 2  # /a and /a/{id}
    methods = {
        r["Properties"]["HttpMethod"]: r["Properties"]["Integration"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::Method"
    }
    assert methods["GET"] == {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": "arn:fn"}
    assert methods["OPTIONS"]["Type"] == "MOCK"
    names = list(resources)
    assert names.index("Deploy") > max(
        names.index(n) for n, r in resources.items() if r["Type"] == "AWS::ApiGateway::Method"
    )
