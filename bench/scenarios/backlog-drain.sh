#!/usr/bin/env bash
# Streaming capacity of one CDC system (a folder with a harness system.sh), free of the source's
# own limit: in the harness's burst scenario the rate is capped by how fast pgbench writes while the
# CDC system shares the 2 cores, so a system that keeps up only shows the burst's rate.
#   D  after the system has snapshotted a $DR_ROWS-row table, all of its processes (sys_pids) are
#      frozen with SIGSTOP; pgbench writes $DR_TXNS single-row transactions (the harness's
#      update/insert/delete mix) into the slot's backlog; then SIGCONT, and the clock runs until
#      the target has caught up (max(id), then the aggregate checksum, as the harness checks).
#      Reported: drain events/s, drain seconds, CPU seconds per event of the system's processes and
#      of mariadbd during the drain.
# Usage: bench/scenarios/backlog-drain.sh SYSTEM_NAME SYSTEM_DIR RESULTS_TSV
# Keep the frozen time under PostgreSQL's wal_sender_timeout (60 s) and Kafka's consumer session
# timeout (45 s), or the drain includes a reconnect: DR_TXNS defaults to ~30 s of pgbench here.
set -euo pipefail
NAME=$1 SYS_DIR=$2 OUT=$3
: "${DR_ROWS:=100000}" "${DR_TXNS:=100000}" "${DR_POLL_S:=0.5}"
source "$(dirname "$0")/scenario.sh"
scenario_begin backlog-drain
scenario_snapshotted "$DR_ROWS"
MY_PID=$(cat "$SOCK_DIR/mysqld.pid")

# ------------------------------------------------------------ D: backlog drain ----
STATS_SQL="SELECT n_tup_ins||' '||n_tup_upd||' '||n_tup_del FROM pg_stat_user_tables WHERE relid = '$SRC_SCHEMA.$SRC_TABLE'::regclass"
read -r INS0 UPD0 DEL0 <<<"$(psql_src -c "$STATS_SQL")"
while read -r pname pid; do kill -STOP "$pid"; FROZEN+=("$pid"); done < <(sys_pids)
log "backlog-drain $NAME: processes frozen (${FROZEN[*]}); pgbench writes $DR_TXNS transactions"
TF0=$(now)
"$PG_BIN/pgbench" -n -h "$SOCK_DIR" -p "$PG_PORT" -U postgres -c "$CLIENTS" -j "$PGBENCH_THREADS" \
  -t $((DR_TXNS / CLIENTS)) -D rows="$DR_ROWS" \
  -f "$BENCH_DIR/workload/pgbench-update.sql@$MIX_UPDATE" -f "$BENCH_DIR/workload/pgbench-insert.sql@$MIX_INSERT" \
  -f "$BENCH_DIR/workload/pgbench-delete.sql@$MIX_DELETE" "$PG_DB" > "$RUN_DIR/pgbench-backlog.log" 2>&1 \
  || die "pgbench failed: $(tail -3 "$RUN_DIR/pgbench-backlog.log")"
sleep 1 # table statistics reach pg_stat_user_tables shortly after commit
read -r INS1 UPD1 DEL1 <<<"$(psql_src -c "$STATS_SQL")"
EVENTS=$(( (INS1 - INS0) + (UPD1 - UPD0) + (DEL1 - DEL0) ))
SRC_SUM=$(src_checksum)
SRC_MAX=$(psql_src -c "SELECT max(id) FROM $SRC_SCHEMA.$SRC_TABLE")
cpu_all() { local total=0 name pid; while read -r name pid; do total=$(awk -v a="$total" -v b="$(cpu_s "$pid")" 'BEGIN{print a+b}'); done < <(sys_pids); echo "$total"; }
C0=$(cpu_all); M0=$(cpu_s "$MY_PID"); LOAD0=$(loadavg)
T0=$(now)
for p in "${FROZEN[@]}"; do kill -CONT "$p"; done
FROZEN_S=$(fsub "$T0" "$TF0")
FROZEN=()
log "backlog-drain $NAME: $EVENTS events waiting, processes resumed after $FROZEN_S s frozen"
while true; do
  tp=$(now)
  if [[ $(tgt_max_id) == "$SRC_MAX" ]] && [[ $(tgt_checksum) == "$SRC_SUM" ]]; then T1=$tp; break; fi
  msg=$(sys_health) || die "$NAME failed during the drain: $msg"
  [[ $(fsub "$tp" "$T0" | cut -d. -f1) -lt 1800 ]] || die "drain timeout"
  sleep "$DR_POLL_S"
done
C1=$(cpu_all); M1=$(cpu_s "$MY_PID")
[[ $(src_spot) == "$(tgt_spot)" ]] || die "spot check after the drain differs"
DRAIN_S=$(fsub "$T1" "$T0")
metric drain_events "$EVENTS" events
metric drain_frozen_s "$FROZEN_S" s
metric drain_s "$DRAIN_S" s
metric drain_events_per_s "$(fdiv "$EVENTS" "$DRAIN_S")" events/s
metric drain_cpu_ms_per_event "$(awk -v a="$C1" -v b="$C0" -v n="$EVENTS" 'BEGIN{printf "%.3f", 1000*(a-b)/n}')" ms
metric drain_mariadbd_cpu_ms_per_event "$(awk -v a="$M1" -v b="$M0" -v n="$EVENTS" 'BEGIN{printf "%.3f", 1000*(a-b)/n}')" ms
metric drain_loadavg_start "$LOAD0" load
metric drain_loadavg_end "$(loadavg)" load
log "backlog-drain $NAME: done ($RUN_DIR)"
