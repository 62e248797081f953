"""One-off, at deploy time: give the customers' e-mail pointers written before the global
e-mail index (``customers.service.tenants_with_email``) their index keys
(``customers.store.backfill_email_index``). Until it ran, such a customer is not found
by its e-mail across tenants (the tenant's own lookups are unaffected); running it again
changes nothing.

    python -m chalicelib.customers.backfill <tenant id> [<tenant id> ...]

The tenant ids come from whoever deploys (nothing reads the whole table).
"""

from __future__ import annotations

import sys

from chalicelib.customers import service


def main(tenant_ids: list[str]) -> int:
    for tenant_id in tenant_ids:
        print(f"{tenant_id}: {service.backfill_email_index(tenant_id)} e-mail pointers indexed")
    return 0


if __name__ == "__main__":  # pragma: no cover - a deploy step
    sys.exit(main(sys.argv[1:]))
