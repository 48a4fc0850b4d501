#!/usr/bin/env bash
# Benchmark of the initial load: the peer harness's 1M-row bench.items table
# (../shared/bench/peer/workload/source-setup.sql) copied by Greenlight to MariaDB (TARGET=mariadb,
# the default) or to a second PostgreSQL server (TARGET=postgres), and in the same run the
# target's limit: MariaDB's raw ingest rate (LOAD DATA LOCAL INFILE of the same rows), or for
# PostgreSQL `pg_dump -t bench.items | psql` of the same table into another database of the target
# server. Not a test.
#   bench/backfill-bench.sh                       # 1M rows, snapshot-mode backfill to MariaDB
#   TARGET=postgres JFR=1 bench/backfill-bench.sh # to PostgreSQL, with a JFR profile
#   ROWS=100000 MODE=initial JFR=1 bench/backfill-bench.sh   # Debezium's event snapshot, with a JFR profile
# Prints rows/s of both and their ratio, the copy phase alone (from the backfill-start log line to the
# last table's done line) and Greenlight's CPU seconds per 1,000 rows in that phase (from
# /proc/<pid>/stat: far less sensitive than wall time to other load on a shared machine); with JFR=1
# also the hottest frames of the recording.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/throwaway-servers.sh
ROWS=${ROWS:-1000000}
MODE=${MODE:-backfill}
TARGET=${TARGET:-mariadb}
BENCH_DIR=${BENCH_DIR:-/tmp/greenlight-backfill-bench}
SETUP=${SETUP:-../shared/bench/peer/workload/source-setup.sql}
PG_PORT=$(free_port); MARIADB_PORT=$(free_port); TPG_PORT=$(free_port); HTTP_PORT=$(free_port)
JAR=${JAR:-target/quarkus-app/quarkus-run.jar}
START=$(date +%s)
say() { printf '[bench %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
maria() { mariadb -h 127.0.0.1 -P "$MARIADB_PORT" -u root -N -B "$@"; }
tpg() { psql -h 127.0.0.1 -p "$TPG_PORT" -U postgres -qtA "$@"; }
target_rows() {
  if [ "$TARGET" = postgres ]; then tpg -d bench -c "SELECT count(*) FROM bench.items" 2>/dev/null || echo 0
  else maria bench -e "SELECT count(*) FROM items" 2>/dev/null || echo 0; fi
}
now() { date +%s.%N; }
# CPU seconds (user + system) the process has used so far: fields 14 and 15 of /proc/<pid>/stat
# (the command name in field 2 has no spaces here: "java").
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
# Per-thread CPU ticks as "tid name ticks" (the name, /proc's comm, may hold spaces: read it from the parentheses).
thread_ticks() {
  for f in /proc/"$1"/task/*/stat; do
    sed -E 's/^([0-9]+) \((.*)\) [A-Za-z] (.*)$/\1 \2\t\3/' "$f" 2>/dev/null \
      | awk -F'\t' '{split($2, a, " "); split($1, b, " "); name=substr($1, length(b[1]) + 2); gsub(/ /, "_", name); print b[1], name, a[11] + a[12]}' \
      || true # a thread that ended since the glob has no stat file any more
  done
}

cleanup() {
  set +e
  [ -n "${GL_PID:-}" ] && kill "$GL_PID" 2>/dev/null && wait "$GL_PID" 2>/dev/null
  stop_servers "$BENCH_DIR/target" 2>/dev/null
  stop_servers "$BENCH_DIR"
}
trap cleanup EXIT INT TERM

[ -f "$JAR" ] || { say "Building Greenlight"; mvn -B -q package -DskipTests; }
[ -f "$SETUP" ] || { echo "missing $SETUP (the peer harness in ../shared/bench/peer)"; exit 1; }
rm -rf "$BENCH_DIR"
say "PostgreSQL on $PG_PORT, target $TARGET on $([ "$TARGET" = postgres ] && echo "$TPG_PORT" || echo "$MARIADB_PORT")"
start_pg "$BENCH_DIR" "$PG_PORT" bench
if [ "$TARGET" = postgres ]; then
  start_pg "$BENCH_DIR/target" "$TPG_PORT" bench
else
  start_mariadb "$BENCH_DIR" "$MARIADB_PORT" bench --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=2 \
    --innodb-doublewrite=0 --local-infile=1
fi

say "Loading $ROWS rows into bench.items"
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench -v ON_ERROR_STOP=1 -q -v rows="$ROWS" -v next_id=$((ROWS + 1)) -f "$SETUP"

if [ "$TARGET" = postgres ]; then
  say "Limit: pg_dump -t bench.items | psql of the same table into database raw of the target server"
  tpg -c "CREATE DATABASE raw"; tpg -d raw -c "CREATE SCHEMA bench"
  t0=$(now)
  pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres -t bench.items --no-publications --no-owner bench \
    | psql -h 127.0.0.1 -p "$TPG_PORT" -U postgres -d raw -q -v ON_ERROR_STOP=1 >/dev/null
  t1=$(now)
  RAW=$(echo "$ROWS / ($t1 - $t0)" | bc -l)
  say "$(printf 'pg_dump | psql: %d rows in %.1f s = %.0f rows/s' "$ROWS" "$(echo "$t1 - $t0" | bc -l)" "$RAW")"
  LIMIT_NAME="pg_dump | psql"
  TARGET_URL="jdbc:postgresql://127.0.0.1:$TPG_PORT/bench"; TARGET_USER=postgres
else
  say "Raw ingest: LOAD DATA LOCAL INFILE of the same rows (exported with COPY, not timed)"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench -qc "\\copy (SELECT id, account, label, amount, \
    to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), payload, active::int FROM bench.items) TO '$BENCH_DIR/items.tsv'"
  maria bench -e "CREATE TABLE raw_items (id BIGINT NOT NULL PRIMARY KEY, account INT NOT NULL, label LONGTEXT NOT NULL,
    amount DECIMAL(12,2) NOT NULL, created DATETIME(6) NOT NULL, payload JSON NOT NULL, active BOOLEAN NOT NULL)
    ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
  t0=$(now)
  maria --local-infile=1 bench -e "LOAD DATA LOCAL INFILE '$BENCH_DIR/items.tsv' INTO TABLE raw_items"
  t1=$(now)
  RAW=$(echo "$ROWS / ($t1 - $t0)" | bc -l)
  say "$(printf 'LOAD DATA: %d rows in %.1f s = %.0f rows/s' "$ROWS" "$(echo "$t1 - $t0" | bc -l)" "$RAW")"
  LIMIT_NAME="LOAD DATA"
  TARGET_URL="jdbc:mysql://127.0.0.1:$MARIADB_PORT/bench"; TARGET_USER=root
fi

JVM_OPTS=(-Xmx512m)
if [ "${JFR:-0}" = 1 ]; then
  JVM_OPTS+=("-XX:StartFlightRecording=filename=$BENCH_DIR/greenlight.jfr,settings=profile,dumponexit=true")
fi
say "Greenlight, snapshot-mode $MODE"
t0=$(now)
GREENLIGHT_SOURCE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/bench" GREENLIGHT_SOURCE_USERNAME=postgres \
GREENLIGHT_SOURCE_TABLES=bench.items GREENLIGHT_SOURCE_PUBLICATION=bench_pub GREENLIGHT_SOURCE_SLOT=greenlight_bench \
GREENLIGHT_SOURCE_SNAPSHOT_MODE="$MODE" \
GREENLIGHT_TARGET_URL="$TARGET_URL" GREENLIGHT_TARGET_USERNAME="$TARGET_USER" \
GREENLIGHT_DATA_DIR="$BENCH_DIR/greenlight-data" QUARKUS_HTTP_PORT="$HTTP_PORT" \
  java "${JVM_OPTS[@]}" -jar "$JAR" >"$BENCH_DIR/greenlight.log" 2>&1 &
GL_PID=$!
# The copy phase: from "Created replication slot ... backfilling" to "Backfill copied" (both logged by
# Backfill); the CPU figure is sampled when each line appears (polled every 0.1 s).
until grep -q 'backfilling' "$BENCH_DIR/greenlight.log"; do
  kill -0 "$GL_PID" 2>/dev/null || { tail -50 "$BENCH_DIR/greenlight.log"; exit 1; }
  sleep 0.1
done
c0=$(now); cpu0=$(cpu_s "$GL_PID"); thread_ticks "$GL_PID" >"$BENCH_DIR/threads0"
until grep -q 'Backfill copied' "$BENCH_DIR/greenlight.log"; do
  kill -0 "$GL_PID" 2>/dev/null || { tail -50 "$BENCH_DIR/greenlight.log"; exit 1; }
  sleep 0.1
done
c1=$(now); cpu1=$(cpu_s "$GL_PID"); thread_ticks "$GL_PID" >"$BENCH_DIR/threads1"
until [ "$(target_rows)" -ge "$ROWS" ]; do
  kill -0 "$GL_PID" 2>/dev/null || { tail -50 "$BENCH_DIR/greenlight.log"; exit 1; }
  sleep 1
done
t1=$(now)
GL=$(echo "$ROWS / ($t1 - $t0)" | bc -l)
say "$(printf 'Greenlight %s: %d rows on the target %.1f s after the JVM started = %.0f rows/s' "$MODE" "$ROWS" \
  "$(echo "$t1 - $t0" | bc -l)" "$GL")"
grep -h 'Backfill copied' "$BENCH_DIR/greenlight.log" | sed 's/^.*Backfill/  Backfill/' || true
say "$(printf 'copy phase: %.1f s = %.0f rows/s; Greenlight CPU %.1f s in it = %.1f CPU-ms per 1,000 rows (%.0f s CPU since JVM start); load average %s' \
  "$(echo "$c1 - $c0" | bc -l)" "$(echo "$ROWS / ($c1 - $c0)" | bc -l)" "$(echo "$cpu1 - $cpu0" | bc -l)" \
  "$(echo "1000000 * ($cpu1 - $cpu0) / $ROWS" | bc -l)" "$cpu1" "$(cut -d' ' -f1-3 /proc/loadavg)")"
say "Greenlight CPU seconds in the copy phase by thread (digits in names folded to N; the backfill workers end"
say "before the phase's end, so theirs is the process's total minus the threads still alive):"
awk -v hz="$(getconf CLK_TCK)" -v total="$(echo "$cpu1 - $cpu0" | bc -l)" 'NR == FNR {t0[$1] = $3; next}
  {name = $2; gsub(/[0-9]+/, "N", name); n[name] += $3 - t0[$1]; alive += $3 - t0[$1]}
  END {printf "%8.2f  greenlight-backfill workers (ended)\n", total - alive / hz;
       for (k in n) if (n[k] > 0) printf "%8.2f  %s\n", n[k] / hz, k}' "$BENCH_DIR/threads0" "$BENCH_DIR/threads1" \
  | sort -rn | head -"${THREADS:-8}"
say "$(printf 'ratio to %s: %.0f %% (copy phase alone: %.0f %%)' "$LIMIT_NAME" "$(echo "100 * $GL / $RAW" | bc -l)" \
  "$(echo "100 * $ROWS / ($c1 - $c0) / $RAW" | bc -l)")"
RSS=$(ps -o rss= -p "$GL_PID" | tr -d ' ')
say "Greenlight RSS $((RSS / 1024)) MiB"
if [ "${JFR:-0}" = 1 ]; then
  kill "$GL_PID"; wait "$GL_PID" 2>/dev/null || true; GL_PID=
  say "Hottest frames (top of stack, share of execution samples):"
  jfr print --events jdk.ExecutionSample "$BENCH_DIR/greenlight.jfr" \
    | awk '/stackTrace = \[/ {getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); n[$0]++; t++} END {for (k in n) printf "%6.1f%%  %s\n", 100*n[k]/t, k}' \
    | sort -rn | head -"${TOP:-25}"
  say "Samples by thread:"
  jfr print --events jdk.ExecutionSample "$BENCH_DIR/greenlight.jfr" \
    | awk -F'"' '/sampledThread = / {gsub(/[0-9]+/, "N", $2); n[$2]++; t++} END {for (k in n) printf "%6.1f%%  %s\n", 100*n[k]/t, k}' \
    | sort -rn | head -12
  cp "$BENCH_DIR/greenlight.jfr" "/tmp/greenlight-$MODE.jfr" && say "Recording kept at /tmp/greenlight-$MODE.jfr"
fi
