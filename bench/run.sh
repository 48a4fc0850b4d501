#!/usr/bin/env bash
# Greenlight against the hand-assembled peer pipeline (Debezium + Kafka Connect + JDBC sink), one
# command, same machine, same session; prints the ratio table (Greenlight / peer).
#   bench/run.sh                 # full sizes: 1M-row snapshot, 200k-transaction burst, REPS=1 (~20 min on a quiet 2-core machine)
#   QUICK=1 bench/run.sh         # 100k rows, 20k transactions, 30 s at the fixed rate (~10-15 min)
#   ROWS=200000 TXNS=50000 bench/run.sh   # any harness variable (../shared/bench/peer/conf.sh) passes through
#   SKIP_PEER=1 bench/run.sh     # Greenlight only (no ratios)
# Steps: 1. the harness's scenarios A (snapshot) + B (streaming burst) + baseline through Greenlight
# (bench/greenlight/system.sh); 2. bench/scenarios/fixed-rate.sh for Greenlight (lag p50/p99 at
# RATE changes/s, cutover window under that load) and bench/scenarios/backlog-drain.sh (streaming
# capacity from a backlog); 3. the same harness run for the peer, plus the harness's physical
# limits (LOAD DATA, JDBC ingest, COPY out), and the backlog drain for the peer; 4. fixed-rate lag for the peer
# (PEER_FIXED_RATE=1, off by default: the peer cannot hold 1,000 changes/s on 2 cores, see results.md);
# 5. bench/compare.sh over the run's TSVs. Raw results: bench/results/<run-id>*.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
: "${PEER_HARNESS:=$(cd "$HERE/../../shared/bench/peer" 2>/dev/null && pwd || echo /work/shared/bench/peer)}"
export PEER_HARNESS
[[ -x $PEER_HARNESS/run.sh ]] || { echo "peer harness not found at $PEER_HARNESS (set PEER_HARNESS)" >&2; exit 1; }
if [[ ${QUICK:-0} == 1 ]]; then
  : "${ROWS:=100000}" "${TXNS:=20000}" "${RATE_S:=30}" "${FR_ROWS:=50000}" "${DR_ROWS:=50000}" "${DR_TXNS:=40000}"
fi
: "${ROWS:=1000000}" "${TXNS:=200000}" "${REPS:=1}" "${RATE:=1000}" "${RATE_S:=60}" "${FR_ROWS:=100000}"
# own scratch root and ports, so that a peer harness run of someone else on its defaults is not disturbed
: "${BENCH_ROOT:=/tmp/greenlight-bench}" "${PG_PORT:=55532}" "${MY_PORT:=53406}" "${KAFKA_PORT:=19192}"
: "${KAFKA_CTRL_PORT:=19193}" "${CONNECT_REST_PORT:=18183}" "${GL_HTTP_PORT:=18190}"
export ROWS TXNS REPS RATE RATE_S FR_ROWS ${DR_ROWS:+DR_ROWS} ${DR_TXNS:+DR_TXNS} BENCH_ROOT PG_PORT MY_PORT KAFKA_PORT KAFKA_CTRL_PORT CONNECT_REST_PORT GL_HTTP_PORT
RESULTS="$HERE/results"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS"
FR_TSV="$RESULTS/$STAMP-fixed-rate.tsv"; : > "$FR_TSV"
newest() { ls -t "$RESULTS"/*-"$1".tsv 2>/dev/null | head -1; }
echo "[bench] $STAMP ROWS=$ROWS TXNS=$TXNS REPS=$REPS RATE=$RATE RATE_S=$RATE_S loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

SYSTEM=greenlight SYSTEM_DIR="$HERE/greenlight" RESULTS_DIR="$RESULTS" "$PEER_HARNESS/run.sh" peer
GL_TSV=$(newest greenlight)
# The harness's snapshot clock starts at sys_start_replication. The peer's worker and broker JVMs are
# already running then (not timed); Greenlight's JVM, with its embedded broker, is launched by that
# call. Record how much of the snapshot time was that start-up (launch -> the backfill's first
# log line), so the copy itself can be compared too.
GL_RUN=$(ls -td "$BENCH_ROOT"/runs/*-greenlight 2>/dev/null | head -1)
for rep_dir in "$GL_RUN"/rep*; do
  [[ -f $rep_dir/greenlight.launched ]] || continue
  started=$(sed -n 's/^\([0-9-]* [0-9:]*\),\([0-9]*\) .*Backfill\].*backfilling.*/\1.\2/p' "$rep_dir/greenlight.log" | head -1)
  [[ -n $started ]] || continue
  rep=${rep_dir##*rep}
  startup=$(awk -v a="$(date -d "$started" +%s.%N)" -v b="$(cat "$rep_dir/greenlight.launched")" 'BEGIN { printf "%.3f", a - b }')
  printf 'greenlight\t%s\tsnapshot_startup_s\t%s\ts\n' "$rep" "$startup" >> "$FR_TSV"
done
SYSTEM=greenlight SKIP_SETUP=1 "$HERE/scenarios/fixed-rate.sh" greenlight "$HERE/greenlight" "$FR_TSV"
SYSTEM=greenlight SKIP_SETUP=1 "$HERE/scenarios/backlog-drain.sh" greenlight "$HERE/greenlight" "$FR_TSV"
PEER_TSV=""
if [[ ${SKIP_PEER:-0} != 1 ]]; then
  SYSTEM=debezium-kafka RESULTS_DIR="$RESULTS" "$PEER_HARNESS/run.sh" all
  PEER_TSV=$(newest debezium-kafka)
  SYSTEM=debezium-kafka SKIP_SETUP=1 "$HERE/scenarios/backlog-drain.sh" debezium-kafka "$PEER_HARNESS/systems/debezium-kafka" "$FR_TSV"
  if [[ ${PEER_FIXED_RATE:-0} == 1 ]]; then
    SYSTEM=debezium-kafka SKIP_SETUP=1 "$HERE/scenarios/fixed-rate.sh" debezium-kafka "$PEER_HARNESS/systems/debezium-kafka" "$FR_TSV"
  fi
fi
"$HERE/compare.sh" "$GL_TSV" "$PEER_TSV" "$FR_TSV" | tee "$RESULTS/$STAMP-compare.md"
