#!/usr/bin/env bash
# The differential SQL tester against a real PostgreSQL 15 and lake-server
# of its own (tests/sql/lake_env.sh starts both, and stops them at the end):
#   run_sqldiff.sh ROOT BUILD_DIR [sqldiff flags: --seed S --queries N | --seconds S]
# The vector collections are exact (flat), so kNN answers are PostgreSQL's.
set -euo pipefail
ROOT="$1"
BUILD_DIR="$2"
shift 2
source "$ROOT/tests/sql/lake_env.sh"
lakectl create-collection diff_docs --dimension 4 --metric l2 --index flat >/dev/null
lakectl create-collection diff_docs_cos --dimension 4 --metric cosine --index flat >/dev/null
# The points are of January 2026: keep raw data forever so they stay.
lakectl retention --raw 0 >/dev/null
"$BUILD_DIR/tests/sqldiff" --host "$WORK/pg" --port "$PORT" --lake-socket "$WORK/lake/lake.sock" \
  --lake-token "$(cat "$WORK/lake/admin.token")" "$@"
