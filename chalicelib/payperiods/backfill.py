"""One-off, at deploy time: give the pay periods created before ids were given at
creation their ids (oldest first) and their counts in the lists' rollup
(``payperiods.store.backfill``). Until it ran, such a period is not counted in the
lists' ``total`` (and one without an id is left out of their pages); running it again
changes nothing.

    python -m chalicelib.payperiods.backfill <tenant id> [<tenant id> ...]

The tenant ids come from whoever deploys (the table is never scanned).
"""

from __future__ import annotations

import sys

from chalicelib.payperiods import service


def main(tenant_ids: list[str]) -> int:
    for tenant_id in tenant_ids:
        print(f"{tenant_id}: {service.backfill(tenant_id)} pay periods counted")
    return 0


if __name__ == "__main__":  # pragma: no cover - a deploy step
    sys.exit(main(sys.argv[1:]))
