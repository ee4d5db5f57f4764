#!/usr/bin/env bash
# A transaction that writes a native table and a lake table has one outcome
# through a crash of PostgreSQL at each step of its two-phase commit:
# the backend crashes (lake.fault_injection) right after lake-server
# prepared the lake writes, or right after PostgreSQL's commit record, and
# PostgreSQL restarts; or the decision is lost on its way and lake-server
# is killed (-9) and restarted. The next session resolves the prepared
# lake transaction from PostgreSQL's commit log. Sourced by
# run_sql_tests.sh (WORK, PORT, as_pg_user, the server scripts); sets
# crash_status.
crash_status=0
sql() {
  as_pg_user psql -h "$WORK/pg" -p "$PORT" -d lake_regress -Atq -X -v ON_ERROR_STOP=1 -c "$1"
}
wait_for_postgres() {
  for _ in $(seq 300); do
    as_pg_user "$(pg_config --bindir)/pg_isready" -h "$WORK/pg" -p "$PORT" -q && return 0
    sleep 0.1
  done
  return 1
}
sql "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS lake_fdw;
     DO \$\$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = 'lake') THEN
         CREATE SERVER lake FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket '$WORK/lake/lake.sock');
         CREATE USER MAPPING FOR CURRENT_USER SERVER lake
           OPTIONS (token '$(cat "$WORK/lake/admin.token")');
       END IF;
     END \$\$;
     CREATE TABLE crash_log (k int);
     CREATE FOREIGN TABLE crash_docs (id bigint, user_id bigint, embedding lake.vector(3))
       SERVER lake OPTIONS (collection 'writable')" >/dev/null || crash_status=1
# Each case: the fault, whether the transaction also writes the native
# table, a setting, and what must be there after recovery (native rows,
# lake rows). Every earlier case is checked again after each crash: a
# transaction id given again after a crash must not decide an older
# prepared transaction.
cases=(
  "crash_after_prepare native - 0 0"
  "crash_after_commit native - 1 1"
  "crash_after_commit lake_only synchronous_commit=off 0 1"
  "lose_decision native - 1 1"
  "none native - 1 1"
)
check_case() {  # k, expected: the rows of case k agree with what was expected
  local k="$1" expected="$2" got
  got="$(sql "SELECT (SELECT count(*) FROM crash_log WHERE k = $k) || ' ' ||
                     (SELECT count(*) FROM crash_docs WHERE id = $((k + 8000)))" 2>&1)" || true
  [ "$got" = "$expected" ] && return 0
  echo "crash_commit: case $k: native and lake rows '$got', expected '$expected'"
  crash_status=1
  return 1
}
k=0
for case in "${cases[@]}"; do
  read -r step writes setting native lake <<<"$case"
  k=$((k + 1))
  native_sql="INSERT INTO crash_log VALUES ($k);"
  [ "$writes" = lake_only ] && native_sql=""
  set_sql=""
  [ "$setting" = - ] || set_sql="SET ${setting/=/ = };"
  as_pg_user psql -h "$WORK/pg" -p "$PORT" -d lake_regress -Atq -X -c \
    "SET lake.fault_injection = '$step'; $set_sql BEGIN; $native_sql
     INSERT INTO crash_docs VALUES ($((k + 8000)), 1, '[1,1,1]'); COMMIT;" >/dev/null 2>&1 || true
  wait_for_postgres || { echo "crash_commit: PostgreSQL did not come back after $step"; crash_status=1; break; }
  if [ "$step" = lose_decision ]; then
    "$LAKE_REGRESS_KILL_SERVER" && "$LAKE_REGRESS_START_SERVER" ||
      { echo "crash_commit: lake-server did not restart"; crash_status=1; break; }
  fi
  check_case "$k" "$native $lake" && echo "crash_commit: $step ($writes, $setting): native and lake agree ($native $lake)"
  for ((earlier = 1; earlier < k; ++earlier)); do
    read -r _ _ _ native_then lake_then <<<"${cases[earlier - 1]}"
    check_case "$earlier" "$native_then $lake_then" || true
  done
done
sql "DELETE FROM crash_docs WHERE id IN (8001, 8002, 8003, 8004, 8005); DROP FOREIGN TABLE crash_docs;
     DROP TABLE crash_log" >/dev/null 2>&1 || crash_status=1
