#!/usr/bin/env bash
# Benchmark of POST /verify: a throwaway PostgreSQL and MariaDB each get the same ROWS-row table
# (default 1,000,000), Greenlight runs against them (embedded Kafka, no snapshot: the target is
# loaded directly), and one verification of the table reports rows/s. Not a test: run it by hand.
#   bench/verify-bench.sh                 # 1M rows, default chunk size
#   ROWS=200000 CHUNK=5000 bench/verify-bench.sh
#   JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/verify.jfr' bench/verify-bench.sh   # with a profile
#   JAR=/path/to/other/quarkus-run.jar bench/verify-bench.sh                               # another build, same data
#   JSON_AS=mariadb bench/verify-bench.sh   # target json as MariaDB's JSON_OBJECT writes it (other key order)
# Everything lives under $BENCH_DIR and is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/throwaway-servers.sh
command -v jq >/dev/null || { echo "bench/verify-bench.sh reads the report with jq: apt-get install jq" >&2; exit 1; }
ROWS=${ROWS:-1000000}
CHUNK=${CHUNK:-10000}
BENCH_DIR=${BENCH_DIR:-/tmp/greenlight-verify-bench}
PG_PORT=$(free_port); MARIADB_PORT=$(free_port); HTTP_PORT=$(free_port)
TOKEN=$(openssl rand -hex 32)
JAR=${JAR:-target/quarkus-app/quarkus-run.jar}
JSON_AS=${JSON_AS:-pipeline}
JAVA_OPTS=${JAVA_OPTS:-}
START=$(date +%s)
say() { printf '[bench %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
psql_src() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench -v ON_ERROR_STOP=1 -qAt "$@"; }
maria() { mariadb -h 127.0.0.1 -P "$MARIADB_PORT" -u root -N -B bench -e "$1"; }
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

cleanup() {
  set +e
  [ -n "${GL_PID:-}" ] && kill "$GL_PID" 2>/dev/null && wait "$GL_PID" 2>/dev/null
  stop_servers "$BENCH_DIR"
}
trap cleanup EXIT INT TERM

[ -f "$JAR" ] || { say "Building Greenlight"; mvn -B -q package -DskipTests; }
rm -rf "$BENCH_DIR"

say "PostgreSQL on $PG_PORT, MariaDB on $MARIADB_PORT"
start_pg "$BENCH_DIR" "$PG_PORT" bench
start_mariadb "$BENCH_DIR" "$MARIADB_PORT" bench --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0

say "Loading $ROWS rows on each side"
psql_src -c "CREATE TABLE items (id bigint PRIMARY KEY, amount numeric(12,2), name text, created timestamptz, flag boolean, doc jsonb)"
psql_src -c "INSERT INTO items SELECT g, g * 0.25, 'item ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
  g % 2 = 0, jsonb_build_object('n', g, 'tag', 'x') FROM generate_series(1, $ROWS) g"
# The DDL MySqlDialect creates for this table.
maria "CREATE TABLE items (id BIGINT NOT NULL, amount DECIMAL(12,2), name LONGTEXT, created DATETIME(6), flag BOOLEAN,
  doc JSON, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
# json: by default the text the pipeline writes (the source's jsonb text, as Debezium carries it);
# JSON_AS=mariadb: MariaDB's own JSON_OBJECT text (other key order: equal values, different text).
if [ "$JSON_AS" = mariadb ]; then doc="JSON_OBJECT('tag', 'x', 'n', g)"; else doc="CONCAT('{\"n\": ', g, ', \"tag\": \"x\"}')"; fi
maria "SET SESSION max_recursive_iterations = $((ROWS + 1)); INSERT INTO items
  WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $ROWS)
  SELECT g, g * 0.25, CONCAT('item ', g), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL g SECOND, g % 2 = 0,
  $doc FROM s"
say "Loaded: source $(psql_src -c 'select count(*) from items'), target $(maria 'select count(*) from items')"

GREENLIGHT_SOURCE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/bench" GREENLIGHT_SOURCE_USERNAME=postgres \
GREENLIGHT_TARGET_URL="jdbc:mysql://127.0.0.1:$MARIADB_PORT/bench" GREENLIGHT_TARGET_USERNAME=root \
GREENLIGHT_SOURCE_SNAPSHOT_MODE=no_data GREENLIGHT_API_TOKEN=$TOKEN \
GREENLIGHT_DATA_DIR="$BENCH_DIR/data" QUARKUS_HTTP_PORT="$HTTP_PORT" \
  java -Xmx512m $JAVA_OPTS -jar "$JAR" >"$BENCH_DIR/greenlight.log" 2>&1 &
GL_PID=$!
until curl -fsS "http://127.0.0.1:$HTTP_PORT/status" 2>/dev/null | grep -q '"phase":"STREAMING"'; do
  sleep 1
  kill -0 "$GL_PID" 2>/dev/null || { tail -30 "$BENCH_DIR/greenlight.log"; exit 1; }
done
say "Greenlight streaming; POST /verify (chunkSize $CHUNK)"
id=$(api -X POST -d "{\"tables\": [\"public.items\"], \"chunkSize\": $CHUNK}" "http://127.0.0.1:$HTTP_PORT/verify" \
  | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
while :; do
  report=$(api "http://127.0.0.1:$HTTP_PORT/verify/$id")
  state=$(echo "$report" | jq -r .state)
  case "$state" in PENDING|RUNNING) sleep 1 ;; *) break ;; esac
done
rows=$(echo "$report" | jq -r .progress.rowsCompared)
rate=$(echo "$report" | jq -r .progress.rowsPerSecond)
secs=$(echo "$report" | jq -r .progress.elapsedSeconds)
say "Verification $state: $rows rows compared in $secs s = $rate rows/s (goal: 150000 rows/s)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); RSS of the service: $(grep -h VmRSS /proc/$GL_PID/status 2>/dev/null || echo '?')"
[ "$state" = PASSED ]
