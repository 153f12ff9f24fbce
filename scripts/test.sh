#!/usr/bin/env bash
# The test command: the whole suite on SQLite and, against a throwaway PostgreSQL server
# (scripts/with-postgres.sh), on PostgreSQL. Extra arguments go to `swift test`
# (e.g. scripts/test.sh --filter Guarantees).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
exec scripts/with-postgres.sh swift test "$@"
