#!/usr/bin/env bash
# tools/pg-cluster makes a cluster only its owner can reach (issue 13):
# directory and socket 0700, peer authentication for the owner (and root)
# as postgres or lake_admin, passwords for every other role, no trust; and
# a restart keeps the port.
#   pg_cluster_test.sh ROOT
set -eu
ROOT="$1"
WORK="$(mktemp -d)"
chmod 0755 "$WORK"
DIR="$WORK/pg"
cleanup() {
  "$ROOT/tools/pg-cluster" stop "$DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
sql() { psql -X -q -At -h "$DIR" -p "$PORT" "$@"; }

PORT="$("$ROOT/tools/pg-cluster" start "$DIR")"
[ "$(stat -c %a "$DIR")" = 700 ] || fail "the cluster directory is not 0700"
[ "$(stat -c %a "$DIR/.s.PGSQL.$PORT")" = 700 ] || fail "the socket is not 0700"
grep -v '^#' "$DIR/data/pg_hba.conf" | grep -qw trust && fail "pg_hba.conf trusts someone"

# The owner (or root) is the superuser, and may be lake_admin.
[ "$(sql -U postgres -d postgres -c 'SELECT 1')" = 1 ] || fail "the owner cannot connect"
sql -U postgres -d postgres -c "CREATE ROLE lake_admin LOGIN; CREATE ROLE someone LOGIN"
[ "$(sql -U lake_admin -d postgres -c 'SELECT current_user')" = lake_admin ] ||
  fail "the owner cannot be lake_admin"
# Another role needs its password, even for the owner.
sql -U someone -d postgres -c 'SELECT 1' </dev/null 2>&1 | grep -q "password" ||
  fail "a role without a password got in"

if [ "$(id -u)" -eq 0 ]; then
  # Any other local account is stopped at the directory.
  out="$(runuser -u nobody -- psql -X -h "$DIR" -p "$PORT" -U postgres -d postgres \
    -c 'SELECT umoptions FROM pg_user_mappings' 2>&1 || true)"
  echo "$out" | grep -q "Permission denied" || fail "another account reached the socket: $out"
fi

"$ROOT/tools/pg-cluster" stop "$DIR"
AGAIN="$("$ROOT/tools/pg-cluster" start "$DIR")"
[ "$AGAIN" = "$PORT" ] || fail "the port moved from $PORT to $AGAIN on restart"
echo "pg-cluster: locked down, port kept ($PORT)"
