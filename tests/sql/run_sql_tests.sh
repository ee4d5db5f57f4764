#!/usr/bin/env bash
# SQL tests against a real PostgreSQL 15, as pg_regress runs them: each
# tests/sql/sql/NAME.sql is run by psql and its output compared with
# tests/sql/expected/NAME.out. Installs the extension, starts a cluster of
# its own (tools/pg-cluster) and stops it at the end, pass or fail.
#   run_sql_tests.sh ROOT BUILD_DIR [NAME ...]
set -euo pipefail
ROOT="$1"
BUILD_DIR="$2"
shift 2
TESTS=("$@")
if [ ${#TESTS[@]} -eq 0 ]; then
  mapfile -t TESTS < <(cd "$ROOT/tests/sql/sql" && ls *.sql | sed 's/\.sql$//' | sort)
fi

LAKE_BUILD_DIR="$BUILD_DIR" "$ROOT/tools/lake" install-extension
WORK="$(mktemp -d)"
chmod 755 "$WORK"
cleanup() {
  "$ROOT/tools/pg-cluster" stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT="$("$ROOT/tools/pg-cluster" start "$WORK/pg")"

mkdir -p "$WORK/out"
status=0
"$(pg_config --pkglibdir)/pgxs/src/test/regress/pg_regress" \
  --host="$WORK/pg" --port="$PORT" --user=postgres \
  --bindir="$(pg_config --bindir)" --inputdir="$ROOT/tests/sql" --outputdir="$WORK/out" \
  --dbname=lake_regress "${TESTS[@]}" || status=$?
if [ "$status" -ne 0 ] && [ -f "$WORK/out/regression.diffs" ]; then
  cat "$WORK/out/regression.diffs"
fi
exit "$status"
