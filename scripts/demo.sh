#!/usr/bin/env bash
# Runs Greenlight end to end on this machine: a throwaway PostgreSQL (wal_level=logical) with a
# sample shop, a throwaway MariaDB target, Greenlight with its embedded Kafka broker, and a
# stream of writes by the application's role. Shows rows arriving, /status and the metrics, then
# verifies the target, cuts over and rolls back with the CLI (scripts/greenlight), printing each
# write-blocked window, and keeps running until Ctrl-C (or for DEMO_SECONDS seconds). Everything lives under
# $DEMO_DIR and is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/throwaway-servers.sh
DEMO_DIR=${DEMO_DIR:-/tmp/greenlight-demo}
PG_PORT=${PG_PORT:-$(free_port)}
MARIADB_PORT=${MARIADB_PORT:-$(free_port)}
HTTP_PORT=${HTTP_PORT:-8080}
DEMO_SECONDS=${DEMO_SECONDS:-0}
JAR=target/quarkus-app/quarkus-run.jar
START=$(date +%s)

say() { printf '\n\033[1m[demo %3ss] %s\033[0m\n' "$(( $(date +%s) - START ))" "$*"; }
psql_src() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d shop -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_app() { psql -h 127.0.0.1 -p "$PG_PORT" -U shop_app -d shop -v ON_ERROR_STOP=1 -qAt "$@"; }
# The API token guards verify and cutover; a fresh one per run (Greenlight refuses placeholders).
export GREENLIGHT_API_TOKEN=${GREENLIGHT_API_TOKEN:-$(openssl rand -hex 32)}
export GREENLIGHT_URL="http://127.0.0.1:$HTTP_PORT"
cli() { scripts/greenlight "$@"; }
maria() { mariadb -h 127.0.0.1 -P "$MARIADB_PORT" -u root -N -B shop -e "$1"; }

cleanup() {
  set +e
  [ -n "${WRITER_PID:-}" ] && kill "$WRITER_PID" 2>/dev/null
  [ -n "${GL_PID:-}" ] && kill "$GL_PID" 2>/dev/null && wait "$GL_PID" 2>/dev/null
  stop_servers "$DEMO_DIR"
}
trap cleanup EXIT INT TERM

[ -f "$JAR" ] || { say "Building Greenlight (first run only)"; mvn -B -q package -DskipTests; }
rm -rf "$DEMO_DIR"

say "Starting PostgreSQL (wal_level=logical) on port $PG_PORT"
start_pg "$DEMO_DIR" "$PG_PORT" shop
psql_src -f scripts/demo/sample-schema.sql
# The application writes as its own role: the cutover fences exactly that role.
psql_src -c "CREATE ROLE shop_app LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO shop_app;
             GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shop_app"
echo "source: $(psql_src -c 'select count(*) from customers') customers, $(psql_src -c 'select count(*) from orders') orders"

say "Starting MariaDB (target) on port $MARIADB_PORT"
# The binlog on (ROW, FULL): after the cutover Greenlight replicates the new primary back to the
# old source, so a rollback loses nothing.
start_mariadb "$DEMO_DIR" "$MARIADB_PORT" shop --innodb-buffer-pool-size=64M \
  --log-bin=greenlight-demo-bin --server-id=1 --binlog-format=ROW --binlog-row-image=FULL

say "Starting Greenlight (embedded Kafka) on http://127.0.0.1:$HTTP_PORT — log: $DEMO_DIR/greenlight.log"
GREENLIGHT_SOURCE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/shop" GREENLIGHT_SOURCE_USERNAME=postgres \
GREENLIGHT_TARGET_URL="jdbc:mysql://127.0.0.1:$MARIADB_PORT/shop" GREENLIGHT_TARGET_USERNAME=root \
GREENLIGHT_DATA_DIR="$DEMO_DIR/data" QUARKUS_HTTP_PORT="$HTTP_PORT" GREENLIGHT_API_TOKEN="$GREENLIGHT_API_TOKEN" \
  java -Xmx512m -jar "$JAR" >"$DEMO_DIR/greenlight.log" 2>&1 &
GL_PID=$!
until [ "$(maria 'select count(*) from customers' 2>/dev/null || echo 0)" -gt 0 ]; do
  sleep 0.2
  kill -0 "$GL_PID" 2>/dev/null || { tail -30 "$DEMO_DIR/greenlight.log"; exit 1; }
done
say "First rows applied to the target"
phase=""
until [ "$phase" = "STREAMING" ]; do
  sleep 1
  kill -0 "$GL_PID" 2>/dev/null || { tail -30 "$DEMO_DIR/greenlight.log"; exit 1; }
  phase=$(curl -fsS "http://127.0.0.1:$HTTP_PORT/status" 2>/dev/null | sed -n 's/.*"phase":"\([A-Z]*\)".*/\1/p' || true)
  [ "$phase" = "FAILED" ] && { curl -sS "http://127.0.0.1:$HTTP_PORT/status"; exit 1; }
done
say "Snapshot captured, streaming. Target has $(maria 'select count(*) from customers') customers, $(maria 'select count(*) from orders') orders"

say "The application (role shop_app) writes to the source: new orders, status updates, deletes (one transaction every ~20 ms)"
( while true; do
    psql_app -c "INSERT INTO orders (customer_id, status, total) VALUES (1 + (random()*999)::int, 'new', 42.00);
                 UPDATE orders SET status = 'paid' WHERE id = (SELECT max(id) FROM orders) - 3;
                 DELETE FROM orders WHERE id = (SELECT min(id) FROM orders WHERE status = 'new');" >/dev/null
    sleep 0.02
  done ) 2>/dev/null &
WRITER_PID=$!
for i in 1 2 3 4 5; do
  sleep 2
  echo "source orders: $(psql_src -c "select count(*) || ' rows, max id ' || max(id) from orders")   target orders: $(maria "select concat(count(*), ' rows, max id ', max(id)) from orders")"
done

say "GET /status"
curl -sS "http://127.0.0.1:$HTTP_PORT/status"; echo
say "GET /q/metrics (cdc_*)"
curl -sS "http://127.0.0.1:$HTTP_PORT/q/metrics" | grep -E '^cdc_' | grep -v '_bucket' | sort

say "greenlight verify: the target compared with the source row by row, while the application writes"
cli --plain verify

say "greenlight cutover: wait for lag, fence the application's role (READ_ONLY), drain, sync sequences, verify, switch"
cli --plain cutover --fence READ_ONLY --roles shop_app --verify --timeout 600
blocked=$(curl -fsS "$GREENLIGHT_URL/cutover" | sed -n 's/.*"writeBlockedSeconds":\([0-9.]*\).*/\1/p')
say "Write-blocked window: ${blocked} s (from the fence on the source to the switch)"
kill "$WRITER_PID" 2>/dev/null || true; wait "$WRITER_PID" 2>/dev/null || true; WRITER_PID=""  # fenced writes already ended it
echo "source orders: $(psql_src -c "select count(*) || ' rows, max id ' || max(id) from orders")   target orders: $(maria "select concat(count(*), ' rows, max id ', max(id)) from orders")"
echo "source customers: $(psql_src -c 'select count(*) from customers')   target customers: $(maria 'select count(*) from customers')"

say "The application writes to the new primary; reverse replication keeps the old source in sync"
maria "INSERT INTO orders (customer_id, status, total, placed_at) VALUES (1, 'after the cutover', 42.00, NOW())"
until [ "$(psql_src -c "select count(*) from orders where status = 'after the cutover'")" -gt 0 ]; do sleep 0.2; done
echo "the order written on the target is on the source: $(psql_src -c "select id, status, total from orders where status = 'after the cutover'")"

say "greenlight rollback: fence the new primary, drain reverse replication, sync sequences back, switch back"
cli --plain rollback --timeout 300
echo "source orders: $(psql_src -c "select count(*) || ' rows, max id ' || max(id) from orders")   target orders: $(maria "select concat(count(*), ' rows, max id ', max(id)) from orders")"

if [ "$DEMO_SECONDS" -gt 0 ]; then
  say "Running for $DEMO_SECONDS more seconds"
  sleep "$DEMO_SECONDS"
else
  say "Rolled back: the source is the primary again (greenlight cutover switches again). Try: scripts/greenlight --url $GREENLIGHT_URL status. Ctrl-C stops and cleans up."
  wait "$GL_PID"
fi
