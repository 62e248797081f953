"""Settings read from environment variables.

Read lazily, on every call, because ``chalice.test.Client`` only sets the stage's
environment variables for the duration of a request, and because tests change them.
Nothing here is a secret baked into the repo. The JWT signing key comes either from
SSM Parameter Store (on AWS: ``JWT_SECRET_PARAM`` names a SecureString parameter, read
once per container at the first token operation, never at import) or from ``JWT_SECRET``
(locally and in tests; ``make run`` generates one into ``.local/``).
"""

from __future__ import annotations

import os
import threading
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
    jwt_secret_param: str | None
    jwt_issuer: str
    jwt_audience: str
    access_token_ttl_s: int
    refresh_token_ttl_s: int
    rate_limit_ip: int
    rate_limit_tenant: int
    rate_limit_auth: int
    api_url: str

    @property
    def dead_letter_queue_name(self) -> str:
        return f"{self.events_queue_name}-dlq"

    def signing_key(self) -> str:
        """The JWT signing key: the SSM parameter ``JWT_SECRET_PARAM`` names when set
        (read once per container), else ``JWT_SECRET``; refuses a missing or short one."""
        if self.jwt_secret_param:
            secret = secret_parameter(self.jwt_secret_param, self.aws_region)
            if len(secret) < 32:
                raise SettingsError(
                    f"the SSM parameter {self.jwt_secret_param} must hold at least 32 characters"
                )
            return secret
        if len(self.jwt_secret) < 32:
            raise SettingsError("JWT_SECRET must be set to at least 32 characters")
        return self.jwt_secret

    @property
    def local_mode(self) -> bool:
        """True on stages that run against an emulator (relaxes https-only rules)."""
        return self.stage in LOCAL_STAGES


_SECRETS: dict[tuple[str, str, str | None], str] = {}
_SECRETS_LOCK = threading.Lock()


def secret_parameter(name: str, region: str) -> str:
    """The decrypted value of the SSM parameter ``name`` (a SecureString), fetched on the
    first call and then kept for the life of the container (process). A missing or
    unreadable parameter is a ``SettingsError`` that names it; failures are not cached."""
    key = (name, region, aws_endpoint_url())
    cached = _SECRETS.get(key)
    if cached is not None:
        return cached
    with _SECRETS_LOCK:
        if key not in _SECRETS:
            _SECRETS[key] = _fetch_parameter(name, region)
        return _SECRETS[key]


def _fetch_parameter(name: str, region: str) -> str:
    import boto3  # only the first token operation of a container pays for the client
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client("ssm", region_name=region, endpoint_url=aws_endpoint_url())
    try:
        answer = client.get_parameter(Name=name, WithDecryption=True)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ParameterNotFound":
            raise SettingsError(
                f"the JWT secret parameter {name} does not exist in SSM Parameter Store "
                f"({region}): create it as a SecureString (README, Deploy to AWS)"
            ) from None
        raise SettingsError(f"cannot read the SSM parameter {name}: {code or exc}") from None
    except BotoCoreError as exc:
        raise SettingsError(f"cannot read the SSM parameter {name}: {exc}") from None
    return answer["Parameter"]["Value"]


def forget_secrets() -> None:
    """Drop the cached parameter values (tests; a container never needs it)."""
    with _SECRETS_LOCK:
        _SECRETS.clear()


def _env(name: str) -> str | None:
    """An environment variable; unset and empty both mean "not set"."""
    return os.environ.get(name) or None


def stage() -> str:
    return _env("STAGE") or "local"


@dataclass(frozen=True)
class ResourceNames:
    """The names a stage's stack gives its resources (``infra/template.yaml`` names them
    the same way from its ``Stage`` parameter)."""

    table: str
    events_queue: str
    exports_bucket: str

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.events_queue}-dlq"


def resource_names(stage_name: str) -> ResourceNames:
    base = f"tradekitt-{stage_name}"
    return ResourceNames(
        table=base, events_queue=f"{base}-events", exports_bucket=f"{base}-exports"
    )


def table_name() -> str:
    """The single table (``TABLE_NAME``, default ``tradekitt-<stage>``)."""
    return _env("TABLE_NAME") or resource_names(stage()).table


def events_queue_name() -> str:
    """The events queue (``EVENTS_QUEUE_NAME``, default ``tradekitt-<stage>-events``);
    its dead-letter queue is this name plus ``-dlq``."""
    return _env("EVENTS_QUEUE_NAME") or resource_names(stage()).events_queue


def exports_bucket() -> str:
    return _env("EXPORTS_BUCKET") or resource_names(stage()).exports_bucket


def aws_region() -> str:
    return _env("AWS_DEFAULT_REGION") or _env("AWS_REGION") or "us-east-1"


def aws_endpoint_url() -> str | None:
    """The emulator's endpoint (moto, LocalStack); None on AWS."""
    return _env("AWS_ENDPOINT_URL")


def email_from() -> str:
    """The sender of the e-mails the API sends through SES (``EMAIL_FROM``): an identity
    verified in the account's SES (locally ``platform.email`` verifies it itself)."""
    return _env("EMAIL_FROM") or "TradeKitt <no-reply@tradekitt.com>"


SSO_PROVIDERS = ("google", "apple", "microsoft")
SSO_JWKS_DEFAULTS = {
    "google": "https://www.googleapis.com/oauth2/v3/certs",
    "apple": "https://appleid.apple.com/auth/keys",
    "microsoft": "https://login.microsoftonline.com/common/discovery/v2.0/keys",
}


@dataclass(frozen=True)
class SsoProvider:
    """One SSO provider's settings: ``SSO_<PROVIDER>_CLIENT_IDS`` (comma-separated; none
    means the provider is off), ``SSO_<PROVIDER>_JWKS_URL`` (its signing keys) and
    ``SSO_<PROVIDER>_ISSUER`` (overrides the provider's own issuer; tests)."""

    name: str
    client_ids: tuple[str, ...]
    jwks_url: str
    issuer: str | None


def sso_provider(name: str) -> SsoProvider:
    upper = name.upper()
    raw = _env(f"SSO_{upper}_CLIENT_IDS") or ""
    return SsoProvider(
        name=name,
        client_ids=tuple(part.strip() for part in raw.split(",") if part.strip()),
        jwks_url=_env(f"SSO_{upper}_JWKS_URL") or SSO_JWKS_DEFAULTS[name],
        issuer=_env(f"SSO_{upper}_ISSUER"),
    )


def sso_jwks_ttl_s() -> int:
    """How long a fetched JWKS is trusted before it is fetched again (``SSO_JWKS_TTL_S``)."""
    return _int("SSO_JWKS_TTL_S", 3600)


def dynamodb_endpoint_url() -> str | None:
    """DynamoDB's own endpoint when it differs (``AWS_ENDPOINT_URL_DYNAMODB``, as botocore
    reads it: ``make run`` serves the table from dynoxide), else ``AWS_ENDPOINT_URL``."""
    return _env("AWS_ENDPOINT_URL_DYNAMODB") or aws_endpoint_url()


def get_settings() -> Settings:
    """Read the current settings from the environment."""
    return Settings(
        stage=stage(),
        table_name=table_name(),
        events_queue_name=events_queue_name(),
        exports_bucket=exports_bucket(),
        aws_endpoint_url=aws_endpoint_url(),
        aws_region=aws_region(),
        jwt_secret=os.environ.get("JWT_SECRET", ""),
        jwt_secret_param=_env("JWT_SECRET_PARAM"),
        jwt_issuer=os.environ.get("JWT_ISSUER", "tradekitt"),
        jwt_audience=os.environ.get("JWT_AUDIENCE", "tradekitt-api"),
        access_token_ttl_s=_int("ACCESS_TOKEN_TTL_S", 15 * 60),
        refresh_token_ttl_s=_int("REFRESH_TOKEN_TTL_S", 30 * 24 * 3600),
        rate_limit_ip=_int("RATE_LIMIT_IP", 300),
        rate_limit_tenant=_int("RATE_LIMIT_TENANT", 200),
        rate_limit_auth=_int("RATE_LIMIT_AUTH", 5),
        api_url=os.environ.get("API_URL", "http://localhost:8000"),
    )
