#!/usr/bin/env bash
# A longer schemathesis run than CI's (tests/bookings/test_api_fuzz.py: 10 examples per
# operation): every operation of the OpenAPI schema, anonymously and as staff, with every check,
# including the operations CI still spares negative_data_rejection (STRICT_FILTERS_PENDING).
#
#     bench/fuzz.sh                     # 200 examples per operation, SQLite
#     EXAMPLES=1000 bench/fuzz.sh       # more
#     DATABASE_URL=postgres://... bench/fuzz.sh
#
# The examples are derandomized: the same number of examples gives the same run. Failures are
# printed by pytest with a curl line to reproduce each.
set -euo pipefail
cd "$(dirname "$0")/.."
export LASRUM_FUZZ_EXAMPLES="${EXAMPLES:-200}"
export LASRUM_FUZZ_ALL_CHECKS=1
export LASRUM_TEST_DB="${LASRUM_TEST_DB:-_fuzz}"
exec .venv/bin/python -m pytest tests/bookings/test_api_fuzz.py -q -p no:cacheprovider "$@"
