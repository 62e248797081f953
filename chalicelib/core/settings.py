"""Settings read from environment variables.

Read lazily, on every call, because ``chalice.test.Client`` only sets the stage's
environment variables for the duration of a request, and because tests change them.
Nothing here is a secret baked into the repo: ``JWT_SECRET`` must come from the
environment (``make run`` generates one into ``.local/``; AWS stages take it from the
deploy environment).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

LOCAL_STAGES = frozenset({"local", "test"})


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if value < 0:
        raise SettingsError(f"{name} must be >= 0, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """One snapshot of the configuration."""

    stage: str
    table_name: str
    events_queue_name: str
    exports_bucket: str
    aws_endpoint_url: str | None
    aws_region: str
    jwt_secret: str
    jwt_issuer: str
    jwt_audience: str
    access_token_ttl_s: int
    refresh_token_ttl_s: int
    rate_limit_ip: int
    rate_limit_tenant: int
    rate_limit_auth: int
    api_url: str

    def signing_key(self) -> str:
        """The JWT signing key; refuses to run with a missing or short one."""
        if len(self.jwt_secret) < 32:
            raise SettingsError("JWT_SECRET must be set to at least 32 characters")
        return self.jwt_secret

    @property
    def local_mode(self) -> bool:
        """True on stages that run against an emulator (relaxes https-only rules)."""
        return self.stage in LOCAL_STAGES


def get_settings() -> Settings:
    """Read the current settings from the environment."""
    stage = os.environ.get("STAGE", "local")
    return Settings(
        stage=stage,
        table_name=os.environ.get("TABLE_NAME", f"tradekitt-{stage}"),
        events_queue_name=os.environ.get("EVENTS_QUEUE_NAME", f"tradekitt-{stage}-events"),
        exports_bucket=os.environ.get("EXPORTS_BUCKET", f"tradekitt-{stage}-exports"),
        aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        aws_region=os.environ.get("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1")),
        jwt_secret=os.environ.get("JWT_SECRET", ""),
        jwt_issuer=os.environ.get("JWT_ISSUER", "tradekitt"),
        jwt_audience=os.environ.get("JWT_AUDIENCE", "tradekitt-api"),
        access_token_ttl_s=_int("ACCESS_TOKEN_TTL_S", 15 * 60),
        refresh_token_ttl_s=_int("REFRESH_TOKEN_TTL_S", 30 * 24 * 3600),
        rate_limit_ip=_int("RATE_LIMIT_IP", 300),
        rate_limit_tenant=_int("RATE_LIMIT_TENANT", 200),
        rate_limit_auth=_int("RATE_LIMIT_AUTH", 5),
        api_url=os.environ.get("API_URL", "http://localhost:8000"),
    )
