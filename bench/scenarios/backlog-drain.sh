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
: "${PEER_HARNESS:?}"
source "$PEER_HARNESS/lib/common.sh"
: "${DR_ROWS:=100000}" "${DR_TXNS:=100000}" "${DR_POLL_S:=0.5}"
SYSTEM=$NAME
export RUN_DIR="$RUNS/$(date -u +%Y%m%dT%H%M%SZ)-backlog-drain-$NAME"
mkdir -p "$RUN_DIR"
# shellcheck source=/dev/null
source "$SYS_DIR/system.sh"
loadavg() { cut -d" " -f1 /proc/loadavg; }
metric() { printf '%s\t%s\t%s\t%s\t%s\n' "$NAME" 1 "$1" "$2" "$3" >> "$OUT"; log "  $1 = $2 $3"; }
FROZEN=()
cleanup() {
  local p
  for p in "${FROZEN[@]}"; do kill -CONT "$p" 2>/dev/null || true; done
  sys_stop || true
  [[ ${KEEP_SERVERS:-0} == 1 ]] || { bash "$BENCH_DIR/servers/pg.sh" stop; bash "$BENCH_DIR/servers/mariadb.sh" stop; } >/dev/null 2>&1 || true
}
trap cleanup EXIT

[[ ${SKIP_SETUP:-0} == 1 ]] || ( sys_setup ) >/dev/null
bash "$BENCH_DIR/servers/pg.sh" init; bash "$BENCH_DIR/servers/pg.sh" start
bash "$BENCH_DIR/servers/mariadb.sh" init; bash "$BENCH_DIR/servers/mariadb.sh" start
psql_src -v rows="$DR_ROWS" -v next_id=$((DR_ROWS + 1)) -f "$BENCH_DIR/workload/source-setup.sql"
my_q -e "DROP DATABASE IF EXISTS \`$MY_DB\`; CREATE DATABASE \`$MY_DB\`"
MY_PID=$(cat "$SOCK_DIR/mysqld.pid")

log "backlog-drain $NAME: snapshot of $DR_ROWS rows"
sys_start
sys_start_replication
for ((i = 0; i < 3600; i++)); do
  [[ $(tgt_count) == "$DR_ROWS" ]] && break
  msg=$(sys_health) || die "$NAME failed during the snapshot: $msg"
  sleep 1
done
[[ $(tgt_count) == "$DR_ROWS" ]] || die "$NAME: snapshot did not finish"
sleep 5

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
