#!/usr/bin/env bash
# Two scenarios the peer harness lacks, for one CDC system (a folder with a harness system.sh):
#   L  end-to-end lag per change at a fixed rate: pgbench --rate $RATE for $FR_WARMUP_S + $RATE_S s (the
#      harness's update/insert/delete mix) against a $FR_ROWS-row table that the system has already
#      snapshotted. The main figures cover the last $RATE_S s (sustained); the first $FR_WARMUP_S s are
#      reported apart as fixed_rate_cold_* (a JVM whose streaming path has not run yet: with a bulk
#      backfill the first streamed change is the first time that code runs).
#   C  (systems with a cutover API, i.e. Greenlight) the cutover's write-blocked window under the same
#      load: POST /cutover with a READ_ONLY fence while pgbench keeps writing at $RATE.
# Usage: bench/scenarios/fixed-rate.sh SYSTEM_NAME SYSTEM_DIR RESULTS_TSV
# Needs the peer harness (PEER_HARNESS) for servers, workload and helpers; its servers are
# re-initialised here and stopped at the end (KEEP_SERVERS=1 keeps them).
#
# Lag method: every inserted row carries created = now() (its source commit time to within the
# single-statement transaction). A sampler polls the target's max(id) every FR_SAMPLE_S seconds;
# a row's arrival time is the first sample at which max(id) >= its id (apply keeps per-key and,
# with one partition, total order, so max(id) only grows). lag(row) = arrival - created; it
# overstates by up to one sampling interval (0.1 s by default), never understates. Reported:
# p50/p90/p99/max over the inserts of the run (20 % of the changes, spread evenly through it).
set -euo pipefail
NAME=$1 SYS_DIR=$2 OUT=$3
: "${RATE:=1000}" "${RATE_S:=60}" "${FR_WARMUP_S:=20}" "${FR_ROWS:=100000}" "${FR_SAMPLE_S:=0.1}" "${CUTOVER:=1}"
source "$(dirname "$0")/scenario.sh"
scenario_begin fixed-rate
scenario_snapshotted "$FR_ROWS"

pgbench_at_rate() { # seconds logfile
  "$PG_BIN/pgbench" -n -h "$SOCK_DIR" -p "$PG_PORT" -U postgres -c "${CLIENTS:-4}" -j "${PGBENCH_THREADS:-2}" \
    -R "$RATE" -T "$1" -D rows="$FR_ROWS" \
    -f "$BENCH_DIR/workload/pgbench-update.sql@$MIX_UPDATE" -f "$BENCH_DIR/workload/pgbench-insert.sql@$MIX_INSERT" \
    -f "$BENCH_DIR/workload/pgbench-delete.sql@$MIX_DELETE" "$PG_DB" > "$2" 2>&1
}
sampler() { while true; do echo "$(now) $(tgt_max_id)"; sleep "$FR_SAMPLE_S"; done; }

# ------------------------------------------------------------ L: lag at a fixed rate ----
log "fixed-rate $NAME: L pgbench --rate $RATE for $FR_WARMUP_S s (cold) + $RATE_S s (sustained)"
sampler > "$RUN_DIR/arrivals.samples" 2>/dev/null &
PIDS+=($!)
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
T0=$(now)
pgbench_at_rate $((FR_WARMUP_S + RATE_S)) "$RUN_DIR/pgbench-rate.log" || die "pgbench failed: $(tail -3 "$RUN_DIR/pgbench-rate.log")"
SRC_MAX=$(psql_src -c "SELECT max(id) FROM $SRC_SCHEMA.$SRC_TABLE")
for ((i = 0; i < 600; i++)); do [[ $(tgt_max_id) == "$SRC_MAX" ]] && break; sleep 0.5; done
sleep 1
kill "${PIDS[-1]}" 2>/dev/null || true
psql_src -c "SELECT id || ' ' || extract(epoch FROM created) FROM $SRC_SCHEMA.$SRC_TABLE WHERE id > $FR_ROWS ORDER BY id" > "$RUN_DIR/inserts.txt"
# arrival of id = first sample with max(id) >= id; both files are ordered, so one merge pass.
# Rows created in the first FR_WARMUP_S seconds go to lags-cold.txt, the rest to lags.txt.
awk -v cold_until="$(fsub "$T0" "-$FR_WARMUP_S")" -v cold="$RUN_DIR/lags-cold.unsorted" \
    'NR == FNR { st[NR] = $1; sm[NR] = $2; n = NR; next }
     { while (j < n && sm[j + 1] < $1) j++
       if (j < n) { if ($2 < cold_until) printf "%.3f\n", st[j + 1] - $2 > cold; else printf "%.3f\n", st[j + 1] - $2 } }' \
  "$RUN_DIR/arrivals.samples" "$RUN_DIR/inserts.txt" | sort -n > "$RUN_DIR/lags.txt"
touch "$RUN_DIR/lags-cold.unsorted"; sort -n "$RUN_DIR/lags-cold.unsorted" > "$RUN_DIR/lags-cold.txt"
N=$(wc -l < "$RUN_DIR/lags.txt")
[[ $N -gt 0 ]] || die "no lag samples"
pct() { # quantile file
  awk -v p="$1" 'NR == FNR { n++; next } FNR == (int(p * n) > 0 ? (int(p * n) < n ? int(p * n) : n) : 1) { print; exit }' "$2" "$2"; }
metric fixed_rate_target_per_s "$RATE" changes/s
metric fixed_rate_tps_achieved "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$RUN_DIR/pgbench-rate.log" | head -1)" tps
metric fixed_rate_lag_samples "$N" rows
metric fixed_rate_lag_p50_s "$(pct 0.50 "$RUN_DIR/lags.txt")" s
metric fixed_rate_lag_p90_s "$(pct 0.90 "$RUN_DIR/lags.txt")" s
metric fixed_rate_lag_p99_s "$(pct 0.99 "$RUN_DIR/lags.txt")" s
metric fixed_rate_lag_max_s "$(tail -1 "$RUN_DIR/lags.txt")" s
if [[ -s $RUN_DIR/lags-cold.txt ]]; then
  metric fixed_rate_warmup_s "$FR_WARMUP_S" s
  metric fixed_rate_cold_lag_samples "$(wc -l < "$RUN_DIR/lags-cold.txt")" rows
  metric fixed_rate_cold_lag_p50_s "$(pct 0.50 "$RUN_DIR/lags-cold.txt")" s
  metric fixed_rate_cold_lag_p99_s "$(pct 0.99 "$RUN_DIR/lags-cold.txt")" s
  metric fixed_rate_cold_lag_max_s "$(tail -1 "$RUN_DIR/lags-cold.txt")" s
fi
metric fixed_rate_loadavg_start "$LOAD0" load
metric fixed_rate_loadavg_end "$(cut -d' ' -f1 /proc/loadavg)" load
while read -r pname pid; do metric "fixed_rate_rss_${pname}_mb" "$(rss_mb "$pid")" MiB; done < <(sys_pids)

# ------------------------------------------------------ C: cutover under the same load ----
if [[ $CUTOVER == 1 ]] && declare -F sys_cutover_url >/dev/null; then
  URL=$(sys_cutover_url)
  log "fixed-rate $NAME: C cutover under --rate $RATE"
  pgbench_at_rate $((RATE_S + 60)) "$RUN_DIR/pgbench-cutover.log" &   # ends when the fence ends its sessions
  PIDS+=($!)
  sleep 10
  # The harness's MariaDB runs without a binlog, so no reverse replication can follow the switch:
  # the request gives the rollback path up (the window measured is the forward switch's).
  code=$(curl -sS -o "$RUN_DIR/cutover-post.json" -w '%{http_code}' -X POST "$URL" -H "Authorization: Bearer $GL_API_TOKEN" \
    -H 'Content-Type: application/json' \
    -d '{"maxLagSeconds": 1, "stableSeconds": 2, "timeoutSeconds": 300, "fence": {"mode": "READ_ONLY"}, "giveUpRollback": true}') \
    || die "POST /cutover failed"
  [[ $code == 2* ]] || die "POST /cutover answered $code: $(cut -c1-600 "$RUN_DIR/cutover-post.json")"
  for ((i = 0; i < 600; i++)); do
    curl -fsS "$URL" > "$RUN_DIR/cutover.json" 2>/dev/null || true
    grep -Eq '"state":"(COMPLETED|FAILED)"' "$RUN_DIR/cutover.json" && break
    sleep 0.5
  done
  grep -q '"state":"COMPLETED"' "$RUN_DIR/cutover.json" || die "cutover did not complete: $(cut -c1-600 "$RUN_DIR/cutover.json")"
  metric cutover_write_blocked_s "$(sed -n 's/.*"writeBlockedSeconds":\([0-9.eE+-]*\).*/\1/p' "$RUN_DIR/cutover.json")" s
  metric cutover_sessions_ended "$(grep -c 'terminat' "$RUN_DIR/pgbench-cutover.log" || true)" clients
fi
log "fixed-rate $NAME: done ($RUN_DIR)"
