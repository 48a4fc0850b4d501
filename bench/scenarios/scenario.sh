# Sourced by the scenarios the peer harness lacks (fixed-rate.sh, backlog-drain.sh), with NAME,
# SYS_DIR and OUT set: the harness's helpers and the system's functions, metric(), a cleanup trap
# that kills PIDS, resumes FROZEN (SIGSTOPped processes) and stops the system and the servers.
: "${PEER_HARNESS:?}"
# shellcheck source=/dev/null
source "$PEER_HARNESS/lib/common.sh"
SYSTEM=$NAME
metric() { printf '%s\t%s\t%s\t%s\t%s\n' "$NAME" 1 "$1" "$2" "$3" >> "$OUT"; log "  $1 = $2 $3"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
PIDS=()
FROZEN=()

# scenario_begin KIND: the run's folder and the system's functions; the cleanup trap
scenario_begin() {
  export RUN_DIR="$RUNS/$(date -u +%Y%m%dT%H%M%SZ)-$1-$NAME"
  mkdir -p "$RUN_DIR"
  # shellcheck source=/dev/null
  source "$SYS_DIR/system.sh"
  trap scenario_cleanup EXIT
}

scenario_cleanup() {
  local p
  for p in "${FROZEN[@]}"; do kill -CONT "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sys_stop || true
  [[ ${KEEP_SERVERS:-0} == 1 ]] || { bash "$BENCH_DIR/servers/pg.sh" stop; bash "$BENCH_DIR/servers/mariadb.sh" stop; } >/dev/null 2>&1 || true
}

# scenario_snapshotted ROWS: fresh servers, the harness's table with ROWS rows, the system started
# and its snapshot on the target (the harness run before has built the system; SKIP_SETUP=1 says so)
scenario_snapshotted() {
  local rows=$1 i msg
  [[ ${SKIP_SETUP:-0} == 1 ]] || ( sys_setup ) >/dev/null
  bash "$BENCH_DIR/servers/pg.sh" init; bash "$BENCH_DIR/servers/pg.sh" start
  bash "$BENCH_DIR/servers/mariadb.sh" init; bash "$BENCH_DIR/servers/mariadb.sh" start
  psql_src -v rows="$rows" -v next_id=$((rows + 1)) -f "$BENCH_DIR/workload/source-setup.sql"
  my_q -e "DROP DATABASE IF EXISTS \`$MY_DB\`; CREATE DATABASE \`$MY_DB\`"
  log "$NAME: snapshot of $rows rows"
  sys_start
  sys_start_replication
  for ((i = 0; i < 3600; i++)); do
    [[ $(tgt_count) == "$rows" ]] && break
    msg=$(sys_health) || die "$NAME failed during the snapshot: $msg"
    sleep 1
  done
  [[ $(tgt_count) == "$rows" ]] || die "$NAME: snapshot did not finish"
  sleep 5
}
