"""``GET /health``: answers once the table is reachable."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.errors import AppError
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Out
from chalicelib.health import service as health_service

bp = Blueprint(__name__)


class Unavailable(AppError):
    status, code = 503, "SERVICE_UNAVAILABLE"


class HealthOut(Out):
    status: str
    table: str
    stage: str


@endpoint(
    bp,
    "/health",
    "GET",
    summary="Service health",
    tag="system",
    public=True,
    response=HealthOut,
    errors=(503,),
)
def health(req: ApiRequest) -> HealthOut:
    """Reports ``ok`` when the DynamoDB table answers a DescribeTable."""
    report = health_service.check()
    if not report["table_ok"]:
        raise Unavailable(f"table {report['table']} is not reachable")
    return HealthOut(status="ok", table=report["table"], stage=report["stage"])
