"""Key formats of webhook endpoints and their deliveries."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- webhooks -------------------------------------------------------------------------
def webhooks_pk(tenant_id: str) -> str:
    """A tenant's webhook endpoints (one Query lists them all for fan-out)."""
    return tenant_pk(tenant_id, "WEBHOOK")


def webhook_key(tenant_id: str, endpoint_id: int) -> tuple[str, str]:
    return webhooks_pk(tenant_id), id_sk(endpoint_id)


def webhook_deliveries_pk(tenant_id: str, endpoint_id: int) -> str:
    """One partition per endpoint: its deliveries, newest last by sort key."""
    return tenant_pk(tenant_id, "WHDELIVERY", id_sk(endpoint_id))


def webhook_delivery_key(tenant_id: str, endpoint_id: int, delivery_id: str) -> tuple[str, str]:
    """``delivery_id`` is ``webhooks.rules.delivery_id(event time, event id)``:
    deterministic per (event, endpoint), which is what deduplicates deliveries."""
    return webhook_deliveries_pk(tenant_id, endpoint_id), delivery_id


class WebhookRollupScopes:
    """Rollup scopes (``platform.rollups``) of the webhook lists: ``GET /admin/webhooks``
    (``webhooks_pk`` by id) and one endpoint's delivery log (``webhook_deliveries_pk``
    newest first by delivery id). Named after the partitions they count, so they cannot
    meet another feature's scope. A namespace, not module functions: they are not table
    keys (``rollup_pk`` makes the partition)."""

    ENDPOINTS: tuple[str, ...] = ("WEBHOOK",)

    @staticmethod
    def deliveries(endpoint_id: int) -> tuple[str, ...]:
        return ("WHDELIVERY", id_sk(endpoint_id))
