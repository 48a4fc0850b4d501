# shellcheck shell=bash
# Throwaway PostgreSQL (wal_level=logical) and MariaDB servers on free ports, in a directory of
# their own; used by scripts/demo.sh and bench/verify-bench.sh. Source it, then:
#   start_pg DIR PORT DB        start_mariadb DIR PORT DB [extra mariadbd options]
#   stop_servers DIR            free_port

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
AS_PG=(); [ "$(id -u)" -eq 0 ] && AS_PG=(runuser -u postgres --)
MYSQLD_USER=(); [ "$(id -u)" -eq 0 ] && MYSQLD_USER=(--user=root)

free_port() {
  local p
  for p in $(shuf -i 20000-60000 -n 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

start_pg() { # dir port db
  local dir=$1 port=$2 db=$3
  mkdir -p "$dir/pg"; chmod 755 "$dir" "$dir/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/pg"
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -o \
    "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10" \
    start >/dev/null || { cat "$dir/pg/server.log"; return 1; }
  psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $db"
}

start_mariadb() { # dir port db [extra mariadbd options]
  local dir=$1 port=$2 db=$3; shift 3
  mkdir -p "$dir/mysql"
  mariadb-install-db --no-defaults --datadir="$dir/mysql/data" "${MYSQLD_USER[@]}" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >/dev/null 2>&1
  mariadbd --no-defaults --datadir="$dir/mysql/data" "${MYSQLD_USER[@]}" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/mysql/mysqld.sock" --pid-file="$dir/mysql/mysqld.pid" --log-error="$dir/mysql/error.log" \
    --skip-log-bin --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@" &
  until mariadb -h 127.0.0.1 -P "$port" -u root -e "select 1" >/dev/null 2>&1; do sleep 0.2; done
  mariadb -h 127.0.0.1 -P "$port" -u root -e "CREATE DATABASE $db"
}

stop_servers() { # dir
  local dir=$1
  [ -f "$dir/mysql/mysqld.pid" ] && kill "$(cat "$dir/mysql/mysqld.pid")" 2>/dev/null && sleep 2
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$dir"
}

restart_pg() { # dir: fast-mode restart on the same port and options
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$1/pg/data" -l "$1/pg/server.log" -m fast -w restart >/dev/null
}

restart_mariadb() { # dir port [extra mariadbd options]: clean stop (SIGTERM), then start on the same data
  local dir=$1 port=$2 pid; shift 2
  pid=$(cat "$dir/mysql/mysqld.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true # reaps it when this shell started it
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  mariadbd --no-defaults --datadir="$dir/mysql/data" "${MYSQLD_USER[@]}" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/mysql/mysqld.sock" --pid-file="$dir/mysql/mysqld.pid" --log-error="$dir/mysql/error.log" \
    --skip-log-bin --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@" &
  until mariadb -h 127.0.0.1 -P "$port" -u root -e "select 1" >/dev/null 2>&1; do sleep 0.2; done
}
