# Sourced by the SQL harnesses (run_sql_tests.sh, run_sqldiff.sh), with
# ROOT and BUILD_DIR set: installs the extension, starts a PostgreSQL
# cluster of its own (tools/pg-cluster, port in $PORT) and a lake-server in
# $WORK/lake (as the same unprivileged user, so the backends can reach its
# 0600 socket), and stops both at exit, pass or fail. $WORK/start-server
# starts lake-server (again); lakectl reaches its data directory.
RUN_AS="${LAKE_PG_USER:-postgres}"
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

LAKE_BUILD_DIR="$BUILD_DIR" "$ROOT/tools/lake" install-extension
WORK="$(mktemp -d)"
chmod 755 "$WORK"
cleanup() {
  local pid
  pid="$(cat "$WORK/lake/lake-server.pid" 2>/dev/null || true)"
  [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
  "$ROOT/tools/pg-cluster" stop "$WORK/pg"
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT="$("$ROOT/tools/pg-cluster" start "$WORK/pg")"

mkdir -p "$WORK/lake"
[ "$(id -u)" -ne 0 ] || chown "$RUN_AS" "$WORK/lake"
lakectl() { "$BUILD_DIR/tools/lakectl/lakectl" --data-dir "$WORK/lake" "$@"; }
# Scripts the dead_server test runs (psql's \!): kill -9 and start again,
# pause and resume. A paused server must stay paused: lake-server gets a
# session of its own (setsid; else, in a process group the kernel deems
# orphaned, the exit of the shell that paused it sends it SIGCONT), and as
# root it is started through setpriv, which execs (runuser would stay as
# its parent, stop itself when the server is paused, and resume the server
# whenever it is itself continued).
cat >"$WORK/start-server" <<EOS
#!/usr/bin/env bash
setsid $( [ "$(id -u)" -eq 0 ] && echo "setpriv --reuid=$RUN_AS --regid=$RUN_AS --init-groups --" ) \\
  "$BUILD_DIR/engine/server/lake-server" \\
  --data-dir "$WORK/lake" >>"$WORK/lake-server.log" 2>&1 </dev/null &
for _ in \$(seq 300); do
  "$BUILD_DIR/tools/lakectl/lakectl" --data-dir "$WORK/lake" status >/dev/null 2>&1 && exit 0
  sleep 0.1
done
exit 1
EOS
chmod +x "$WORK/start-server"
"$WORK/start-server" || { cat "$WORK/lake-server.log"; exit 1; }
