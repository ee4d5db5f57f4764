#!/usr/bin/env bash
# tools/lake server start|stop|status and the operator commands (lakectl)
# against a real lake-server on a temporary data directory:
#   lake_server_cli_test.sh ROOT BUILD_DIR
set -eu  # no pipefail: the checks grep what a failing command printed
ROOT="$1"
export LAKE_BUILD_DIR="$2"
WORK="$(mktemp -d)"
# lake-server runs as an unprivileged user when we are root, and writes
# checkpoints here.
chmod 1777 "$WORK"
export LAKE_DATA_DIR="$WORK/lake"
lake() { "$ROOT/tools/lake" "$@"; }
cleanup() {
  lake server stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

lake server status >/dev/null && fail "status says running before start"
lake server start | grep -q "lake-server running" || fail "start"
lake server start | grep -q "already running" || fail "a second start must be a no-op"
lake server status | grep -q "running (pid" || fail "status after start"
[ "$(stat -c %a "$LAKE_DATA_DIR/lake.sock")" = 600 ] || fail "socket mode is not 0600"
[ "$(stat -c %a "$LAKE_DATA_DIR/admin.token")" = 600 ] || fail "admin token mode is not 0600"

lake create-collection docs --dimension 8 --metric cosine | grep -q "created docs" || fail "create"
lake collections | grep -q "^docs .* 8 cosine" || fail "collections"
lake create-collection docs --dimension 8 2>&1 | grep -q "already exists" || fail "duplicate create"
TOKEN="$(lake token create --tenant 42)"
[[ "$TOKEN" == lake_* ]] || fail "token create printed '$TOKEN'"
lake stats --token "$TOKEN" 2>&1 | grep -q "permission denied" || fail "a tenant got stats"
lake stats | grep -q '"tenant_tokens": 1' || fail "stats"
lake token revoke "$TOKEN" | grep -q revoked || fail "revoke"
lake collections --token "$TOKEN" 2>&1 | grep -q "unknown or revoked token" || fail "revoked token still works"

# sample: an .fvecs file with its texts, loaded once, and the NAB series.
python3 - "$WORK/tiny" <<'EOF'
import struct, sys
with open(sys.argv[1] + ".fvecs", "wb") as out:
    for i in range(5):
        out.write(struct.pack("<i4f", 4, 1.0, i, i * i, 1.0))
open(sys.argv[1] + ".txt", "w").write("".join(f"text {i}\n" for i in range(5)))
EOF
lake sample --embeddings "tiny=$WORK/tiny.fvecs" >"$WORK/sample.out" 2>&1 || fail "sample: $(cat "$WORK/sample.out")"
grep -q "loaded 5 sample embeddings of 4 dimensions into tiny" "$WORK/sample.out" || fail "sample load"
grep -q "tiny: kNN of record 0 .*: 0@0.0000" "$WORK/sample.out" || fail "sample kNN"
grep -q "machine temperature, last six hours" "$WORK/sample.out" || fail "sample series"
lake sample --embeddings "tiny=$WORK/tiny.fvecs" | grep -q "loaded" && fail "sample loaded twice"
lake sample --embeddings "$WORK/tiny.fvecs" 2>&1 | grep -q "wants COLLECTION=FILE" || fail "sample argument"
lake drop-collection tiny >/dev/null

lake checkpoint "$WORK/backup" | grep -q "checkpoint in" || fail "checkpoint"
lake drop-collection docs | grep -q "dropped docs" || fail "drop"
lake restore --from "$WORK/backup" 2>&1 | grep -q "stop it first" || fail "restore while running"
lake server stop | grep -q "stopped" || fail "stop"
lake server status >/dev/null && fail "status says running after stop"
lake restore --from "$WORK/backup" 2>&1 | grep -q "pass --force" || fail "restore over data"
lake restore --from "$WORK/backup" --force | grep -q "restored" || fail "restore"
lake server start >/dev/null || fail "start after restore"
lake collections | grep -q "^docs " || fail "the restored directory lacks the collection"
lake server stop >/dev/null
grep -q "stopped cleanly" "$LAKE_DATA_DIR/lake-server.log" || fail "no clean stop in the log"
echo "lake server CLI: ok"
