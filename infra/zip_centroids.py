"""Regenerate ``chalicelib/dispatch/rules/zip_centroids.bin.gz`` from the ``zipcodes``
package (US ZIP data, MIT). A build-time step, not a runtime dependency: the Lambda
package ships only the compact table (about 0.26 MB instead of the 1.4 MB compiled
package, and it loads in a few ms instead of ~0.3 s).

    .venv/bin/python -m pip install zipcodes==3.0.0
    .venv/bin/python -m infra.zip_centroids

Military ZIPs (APO/FPO/DPO: states AA, AE, AP) are left out; decommissioned ZIPs are
kept. The output is deterministic (sorted rows, gzip mtime 0).
"""

from __future__ import annotations

import gzip
import sys

from chalicelib.dispatch.rules import geo


def rows() -> list[tuple[int, int, int]]:
    import zipcodes  # only here: a build-time dependency

    out = {}
    for z in zipcodes.list_all():
        if z["zip_code_type"] == "MILITARY" or not z["lat"] or not z["long"]:
            continue
        lat, lng = float(z["lat"]), float(z["long"])
        if not (geo.is_valid_lat(lat) and geo.is_valid_lng(lng)):
            continue
        out[int(z["zip_code"])] = (
            round(lat * geo.ZIP_DATA_SCALE),
            round(lng * geo.ZIP_DATA_SCALE),
        )
    return [(code, lat, lng) for code, (lat, lng) in out.items()]


def main() -> int:
    import zipcodes

    data = rows()
    blob = gzip.compress(geo.encode_zip_table(data), compresslevel=9, mtime=0)
    geo.ZIP_DATA_PATH.write_bytes(blob)
    print(
        f"{geo.ZIP_DATA_PATH}: {len(data)} ZIPs from zipcodes {zipcodes.__version__}, "
        f"{len(blob):,} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
