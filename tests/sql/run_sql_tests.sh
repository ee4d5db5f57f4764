#!/usr/bin/env bash
# SQL tests against a real PostgreSQL 15 and a real lake-server, as
# pg_regress runs them: each tests/sql/sql/NAME.sql is run by psql and its
# output compared with tests/sql/expected/NAME.out. Installs the extension,
# starts a PostgreSQL cluster of its own (tools/pg-cluster) and a lake-server
# (as the same unprivileged user, so the backends can reach its 0600
# socket) loaded with tests/sql/data, and stops both at the end, pass or fail.
#   run_sql_tests.sh ROOT BUILD_DIR [NAME ...]
set -euo pipefail
ROOT="$1"
BUILD_DIR="$2"
shift 2
TESTS=("$@")
if [ ${#TESTS[@]} -eq 0 ]; then
  # dead_server kills and restarts lake-server: it runs last.
  mapfile -t TESTS < <(cd "$ROOT/tests/sql/sql" && ls *.sql | sed 's/\.sql$//' | sort |
    grep -v '^setup$\|^dead_server$'; echo dead_server)
fi
# setup makes the helpers the others share: it runs first, always.
ORDERED=(setup)
for t in "${TESTS[@]}"; do [ "$t" = setup ] || ORDERED+=("$t"); done
TESTS=("${ORDERED[@]}")
# PostgreSQL and lake-server in $WORK ($PORT, lakectl, $WORK/start-server).
source "$ROOT/tests/sql/lake_env.sh"
cat >"$WORK/kill-server" <<EOS
#!/usr/bin/env bash
kill -9 "\$(cat "$WORK/lake/lake-server.pid")"
sleep 0.2
EOS
cat >"$WORK/wait-server" <<EOS
#!/usr/bin/env bash
for _ in \$(seq 300); do
  "$BUILD_DIR/tools/lakectl/lakectl" --data-dir "$WORK/lake" status >/dev/null 2>&1 && exit 0
  sleep 0.1
done
exit 1
EOS
for signal in STOP CONT; do  # pause and resume: a server that does not answer
  printf '#!/usr/bin/env bash\nkill -%s "$(cat "%s/lake/lake-server.pid")"\n' "$signal" "$WORK" \
    >"$WORK/signal-$signal"
done
chmod +x "$WORK/kill-server" "$WORK/wait-server" "$WORK/signal-STOP" "$WORK/signal-CONT"
export LAKE_REGRESS_START_SERVER="$WORK/start-server" LAKE_REGRESS_KILL_SERVER="$WORK/kill-server" \
  LAKE_REGRESS_WAIT_SERVER="$WORK/wait-server" \
  LAKE_REGRESS_PAUSE_SERVER="$WORK/signal-STOP" LAKE_REGRESS_RESUME_SERVER="$WORK/signal-CONT"
lakectl create-collection docs --dimension 3 --metric l2 >/dev/null
lakectl import docs "$ROOT/tests/sql/data/docs.jsonl" >/dev/null
lakectl create-collection docs_cosine --dimension 3 --metric cosine >/dev/null
lakectl import docs_cosine "$ROOT/tests/sql/data/docs.jsonl" >/dev/null
lakectl create-collection writable --dimension 3 --metric l2 >/dev/null
lakectl create-collection filtered --dimension 4 --metric l2 >/dev/null
# The points are of January 2026: keep raw data forever so they stay.
lakectl retention --raw 0 >/dev/null
lakectl import-points "$ROOT/tests/sql/data/points.jsonl" >/dev/null
# The tests read where lake-server is from settings of their own.
export PGOPTIONS="-c regress.lake_socket=$WORK/lake/lake.sock -c regress.lake_token=$(cat "$WORK/lake/admin.token")"

mkdir -p "$WORK/out"
status=0
"$(pg_config --pkglibdir)/pgxs/src/test/regress/pg_regress" \
  --host="$WORK/pg" --port="$PORT" --user=postgres \
  --bindir="$(pg_config --bindir)" --inputdir="$ROOT/tests/sql" --outputdir="$WORK/out" \
  --dbname=lake_regress "${TESTS[@]}" || status=$?
# Concurrency: isolation specs (tests/sql/specs), sessions interleaved.
if [ -z "${LAKE_SQL_NO_SPECS:-}" ]; then
  mapfile -t SPECS < <(cd "$ROOT/tests/sql/specs" && ls *.spec | sed 's/\.spec$//' | sort)
  mkdir -p "$WORK/out-specs"
  "$(pg_config --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress" \
    --host="$WORK/pg" --port="$PORT" --user=postgres \
    --bindir="$(pg_config --bindir)" --inputdir="$ROOT/tests/sql" --outputdir="$WORK/out-specs" \
    --dbname=lake_isolation "${SPECS[@]}" || status=$?
  if [ -f "$WORK/out-specs/regression.diffs" ]; then cat "$WORK/out-specs/regression.diffs"; fi
  if [ -n "${LAKE_SQL_RESULTS:-}" ]; then
    mkdir -p "$LAKE_SQL_RESULTS" && cp "$WORK/out-specs/results/"*.out "$LAKE_SQL_RESULTS/"
  fi
fi
# Crashes of PostgreSQL inside the commit of native and lake writes.
if [ -z "${LAKE_SQL_NO_SPECS:-}" ]; then
  source "$ROOT/tests/sql/crash_commit.sh"
  [ "$crash_status" -eq 0 ] || status=1
fi
if [ "$status" -ne 0 ] && [ -f "$WORK/out/regression.diffs" ]; then
  cat "$WORK/out/regression.diffs"
fi
if [ -n "${LAKE_SQL_RESULTS:-}" ]; then  # keep the actual output (to review new tests)
  mkdir -p "$LAKE_SQL_RESULTS" && cp "$WORK/out/results/"*.out "$LAKE_SQL_RESULTS/"
fi
exit "$status"
