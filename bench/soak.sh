#!/usr/bin/env bash
# Soak: Greenlight (packaged jar, embedded Kafka) under a mixed pgbench load for SOAK_MINUTES
# while one component at a time is restarted at random — Greenlight (SIGKILL or SIGTERM),
# MariaDB (clean stop), PostgreSQL (fast-mode restart). Then the load stops, lag drains, and
# every row of both tables is compared on both sides. Prints one summary line; exits non-zero
# on any mismatch, a FAILED pipeline, or a target that does not catch up.
#   SOAK_MINUTES=10  SOAK_RESTART_MIN=20 SOAK_RESTART_MAX=60 (seconds between restarts)
#   SOAK_RATE=150 (pgbench transactions/s)  SOAK_DIR=/tmp/greenlight-soak  SOAK_SEED=<random>
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/throwaway-servers.sh

MINUTES=${SOAK_MINUTES:-10}
RESTART_MIN=${SOAK_RESTART_MIN:-20}
RESTART_MAX=${SOAK_RESTART_MAX:-60}
RATE=${SOAK_RATE:-150}
DIR=${SOAK_DIR:-/tmp/greenlight-soak}
SEED=${SOAK_SEED:-$RANDOM}
RANDOM=$SEED
PG_PORT=$(free_port); MARIADB_PORT=$(free_port); HTTP_PORT=$(free_port)
JAR=target/quarkus-app/quarkus-run.jar
PGBENCH=$PG_BIN/pgbench
START=$(date +%s)

log() { printf '[soak %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
psql_src() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d soak -v ON_ERROR_STOP=1 -qAt "$@"; }
maria() { mariadb -h 127.0.0.1 -P "$MARIADB_PORT" -u root -N -B soak -e "$1"; }
status() { curl -fsS --max-time 5 "http://127.0.0.1:$HTTP_PORT/status" 2>/dev/null || true; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }

cleanup() {
  set +e
  [ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  [ -n "${GL_PID:-}" ] && kill "$GL_PID" 2>/dev/null && wait "$GL_PID" 2>/dev/null
  if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "kept $DIR"; else stop_servers "$DIR"; fi
}
trap cleanup EXIT INT TERM

[ -f "$JAR" ] || mvn -B -q package -DskipTests
rm -rf "$DIR"
log "seed $SEED; PostgreSQL :$PG_PORT, MariaDB :$MARIADB_PORT, Greenlight :$HTTP_PORT; $MINUTES min; log $DIR/greenlight.log"
start_pg "$DIR" "$PG_PORT" soak
start_mariadb "$DIR" "$MARIADB_PORT" soak --innodb-buffer-pool-size=64M
psql_src <<'SQL'
CREATE TABLE items (id int PRIMARY KEY, qty bigint NOT NULL, note text);
INSERT INTO items SELECT g, g, 'seed' FROM generate_series(1, 5000) g;
CREATE SEQUENCE txn_seq;
CREATE TABLE ledger (txn bigint NOT NULL, item int NOT NULL, op int NOT NULL);
ALTER TABLE ledger REPLICA IDENTITY FULL;
SQL
# One transaction: an upsert on the keyed table, a delete of that row one time in ten, and an
# append to the keyless ledger (a change applied twice shows there as a duplicate).
cat > "$DIR/txn.sql" <<'SQL'
\set id random(1, 20000)
\set op random(1, 10)
BEGIN;
INSERT INTO items (id, qty, note) VALUES (:id, 1, 'new') ON CONFLICT (id) DO UPDATE SET qty = items.qty + :op, note = 'op ' || :op;
DELETE FROM items WHERE id = :id AND :op = 1;
INSERT INTO ledger VALUES (nextval('txn_seq'), :id, :op);
END;
SQL

start_greenlight() {
  GREENLIGHT_SOURCE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/soak" GREENLIGHT_SOURCE_USERNAME=postgres \
  GREENLIGHT_TARGET_URL="jdbc:mysql://127.0.0.1:$MARIADB_PORT/soak" GREENLIGHT_TARGET_USERNAME=root \
  GREENLIGHT_DATA_DIR="$DIR/data" GREENLIGHT_SOURCE_SLOT=soak GREENLIGHT_SOURCE_PUBLICATION=soak \
  QUARKUS_HTTP_PORT="$HTTP_PORT" java -Xmx512m -jar "$JAR" >>"$DIR/greenlight.log" 2>&1 &
  GL_PID=$!
}

phase() { status | field phase | head -1; }

start_greenlight
until [ "$(phase)" = STREAMING ]; do
  sleep 1
  kill -0 "$GL_PID" 2>/dev/null || { tail -30 "$DIR/greenlight.log"; exit 1; }
  [ "$(phase)" = FAILED ] && { status; exit 1; }
done
log "streaming; load starts"

END=$(( $(date +%s) + MINUTES * 60 ))
# pgbench ends when the source restarts under it (its clients abort): start it again until the end.
( while [ "$(date +%s)" -lt "$END" ]; do
    "$PGBENCH" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c 2 -j 1 -R "$RATE" -T $(( END - $(date +%s) )) \
      -f "$DIR/txn.sql" soak >>"$DIR/pgbench.log" 2>&1 || true
    sleep 1
  done ) &
LOAD_PID=$!

declare -A RESTARTS=([greenlight-kill]=0 [greenlight-term]=0 [mariadb]=0 [postgres]=0)
COMPONENTS=(greenlight-kill greenlight-term mariadb postgres)
while true; do
  pause=$(( RESTART_MIN + RANDOM % (RESTART_MAX - RESTART_MIN + 1) ))
  [ $(( $(date +%s) + pause )) -ge "$END" ] && break
  sleep "$pause"
  victim=${COMPONENTS[$(( RANDOM % ${#COMPONENTS[@]} ))]}
  log "restart $victim"
  case $victim in
    greenlight-kill) kill -KILL "$GL_PID"; wait "$GL_PID" 2>/dev/null || true; start_greenlight ;;
    greenlight-term) kill -TERM "$GL_PID"; wait "$GL_PID" 2>/dev/null || true; start_greenlight ;;
    mariadb) restart_mariadb "$DIR" "$MARIADB_PORT" --innodb-buffer-pool-size=64M ;;
    postgres) restart_pg "$DIR" ;;
  esac
  RESTARTS[$victim]=$(( ${RESTARTS[$victim]} + 1 ))
  [ "$(phase)" = FAILED ] && log "pipeline FAILED: $(status)"
done
wait "$LOAD_PID" || true
LOAD_PID=
log "load stopped; waiting for the target to catch up"

dump_src() {
  psql_src -F $'\t' -c "SELECT id, qty, note FROM items ORDER BY id" >"$DIR/src-items.tsv"
  psql_src -F $'\t' -c "SELECT txn, item, op, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1" >"$DIR/src-ledger.tsv"
}
dump_tgt() {
  maria "SELECT id, qty, note FROM items ORDER BY id" >"$DIR/tgt-items.tsv" 2>/dev/null || true
  maria "SELECT txn, item, op, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1" >"$DIR/tgt-ledger.tsv" 2>/dev/null || true
}
mismatches() {
  local n=0 t
  for t in items ledger; do
    n=$(( n + $(diff "$DIR/src-$t.tsv" "$DIR/tgt-$t.tsv" | grep -c '^[<>]' || true) ))
  done
  echo "$n"
}

dump_src
DRAIN_DEADLINE=$(( $(date +%s) + ${SOAK_DRAIN_SECONDS:-300} ))
while true; do
  dump_tgt
  MISMATCHES=$(mismatches)
  [ "$MISMATCHES" -eq 0 ] && break
  [ "$(date +%s)" -ge "$DRAIN_DEADLINE" ] && break
  [ "$(phase)" = FAILED ] && break
  sleep 2
done
FINAL_PHASE=$(phase)
LAG=$(status | field endToEndSeconds | head -1)
TXNS=$(psql_src -c "SELECT count(*) FROM ledger")
CHANGES=$(psql_src -c "SELECT 2 * count(*) + count(*) FILTER (WHERE op = 1) FROM ledger")
DURATION=$(( $(date +%s) - START ))
SUMMARY="soak $(date -u +%Y-%m-%dT%H:%MZ) duration=${DURATION}s load=${MINUTES}min transactions=$TXNS changes=$CHANGES"
SUMMARY+=" restarts: greenlight-kill=${RESTARTS[greenlight-kill]} greenlight-term=${RESTARTS[greenlight-term]}"
SUMMARY+=" mariadb=${RESTARTS[mariadb]} postgres=${RESTARTS[postgres]} phase=$FINAL_PHASE lag=${LAG}s mismatches=$MISMATCHES"
echo "$SUMMARY"
if [ "$MISMATCHES" -ne 0 ] || [ "$FINAL_PHASE" = FAILED ]; then
  diff "$DIR/src-items.tsv" "$DIR/tgt-items.tsv" | head -5 || true
  diff "$DIR/src-ledger.tsv" "$DIR/tgt-ledger.tsv" | head -5 || true
  status; echo
  exit 1
fi
