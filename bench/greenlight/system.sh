# shellcheck shell=bash
# CDC system "greenlight" for the peer benchmark harness (../shared/bench/peer/README.md):
#   SYSTEM=greenlight SYSTEM_DIR=bench/greenlight RESULTS_DIR=bench/results ../shared/bench/peer/run.sh peer
# One JVM: Debezium embedded engine + embedded KRaft broker + apply, into MariaDB target.items.
# Sourced by the harness (lib/common.sh already sourced; RUN_DIR set per repetition).

GL_PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GL_JAR="$GL_PROJECT/target/quarkus-app/quarkus-run.jar"
: "${GL_HTTP_PORT:=18090}"
# JVM memory defaults measured to keep the whole process (embedded broker included) under 512 MiB
# RSS (bench/results.md); README "Memory" explains each.
: "${GL_HEAP_OPTS:=-Xmx256m -Xss512k -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=64m}"
# Bearer token for the cutover scenario (bench/scenarios/fixed-rate.sh); a throwaway value.
: "${GL_API_TOKEN:=$(openssl rand -hex 32)}"
export GL_API_TOKEN

sys_setup() {
  (cd "$GL_PROJECT" && mvn -B -q package -DskipTests) || die "building Greenlight failed"
}

sys_versions() {
  echo "Greenlight $(cd "$GL_PROJECT" && git describe --always --dirty 2>/dev/null) (Quarkus, Debezium embedded pgoutput, embedded Kafka KRaft broker, MySQL Connector/J), JVM: $("$JAVA_BIN" -version 2>&1 | head -1)"
}

# Greenlight starts capturing as soon as it runs, so the JVM and its embedded broker start inside
# the timed snapshot window (a handicap against the peer, whose broker and worker start untimed).
sys_start() {
  mkdir -p "$RUN_DIR/greenlight-data"
  [[ -f $GL_JAR ]] || die "missing $GL_JAR: run sys_setup"
}

sys_start_replication() {
  GREENLIGHT_SOURCE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB" GREENLIGHT_SOURCE_USERNAME=postgres \
  GREENLIGHT_SOURCE_TABLES="$SRC_SCHEMA.$SRC_TABLE" GREENLIGHT_SOURCE_PUBLICATION="$SRC_PUBLICATION" \
  GREENLIGHT_SOURCE_SLOT=greenlight_bench \
  GREENLIGHT_TARGET_URL="jdbc:mysql://127.0.0.1:$MY_PORT/$MY_DB" GREENLIGHT_TARGET_USERNAME="$MY_USER" \
  GREENLIGHT_TARGET_PASSWORD="$MY_PASSWORD" GREENLIGHT_DATA_DIR="$RUN_DIR/greenlight-data" \
  GREENLIGHT_API_TOKEN="$GL_API_TOKEN" \
  QUARKUS_HTTP_PORT="$GL_HTTP_PORT" \
    setsid "$JAVA_BIN" $GL_HEAP_OPTS -jar "$GL_JAR" </dev/null >>"$RUN_DIR/greenlight.log" 2>&1 &
  date +%s.%N > "$RUN_DIR/greenlight.launched"   # bench/run.sh separates JVM start-up from the copy
  echo $! > "$RUN_DIR/greenlight.pid"
  log "greenlight: pid $(cat "$RUN_DIR/greenlight.pid")"
}

sys_health() {
  local pid st
  pid=$(cat "$RUN_DIR/greenlight.pid" 2>/dev/null) || return 0
  kill -0 "$pid" 2>/dev/null || { echo "greenlight (pid $pid) is gone; see $RUN_DIR/greenlight.log"; return 1; }
  st=$(curl -fsS "http://127.0.0.1:$GL_HTTP_PORT/status" 2>/dev/null) || return 0
  if grep -q '"phase":"FAILED"' <<<"$st"; then echo "greenlight: $st" | cut -c1-2000; return 1; fi
  return 0
}

# Optional hook of this system (used by bench/scenarios/fixed-rate.sh): its cutover endpoint.
sys_cutover_url() {
  echo "http://127.0.0.1:$GL_HTTP_PORT/cutover"
}

sys_pids() {
  if [[ -f $RUN_DIR/greenlight.pid ]]; then echo "greenlight $(cat "$RUN_DIR/greenlight.pid")"; fi
}

sys_stop() {
  local pid
  [[ -f $RUN_DIR/greenlight.pid ]] || return 0
  pid=$(cat "$RUN_DIR/greenlight.pid")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  rm -rf "$RUN_DIR/greenlight-data"
}
