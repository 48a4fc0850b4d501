#!/usr/bin/env bash
# Installs what Greenlight's build, tests and demo need and the machine lacks (Debian/Ubuntu):
# JDK 17+, Maven, PostgreSQL server binaries (13+), MariaDB server, promtool (the alert rules' tests). Idempotent.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql postgresql-client)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
{ command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } || missing+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || missing+=(mariadb-client)
command -v curl >/dev/null 2>&1 || missing+=(curl)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # Tests and the demo start their own servers on free ports; a system service the packages start is not used.
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# promtool (checks and unit-tests the alert rules, AlertRulesTest) ships in Debian's prometheus package.
# Installing that package would create a user and start a Prometheus server on :9090; only the static
# promtool binary is needed, so it is taken out of the downloaded package without running its scripts.
if ! command -v promtool >/dev/null 2>&1; then
  echo "Installing promtool (from the prometheus package, no daemon)"
  tmp=$(mktemp -d); chmod 755 "$tmp"   # apt-get download runs as _apt
  (cd "$tmp" && { apt-get download prometheus 2>/dev/null || { $SUDO apt-get update -q && apt-get download prometheus; }; })
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
  $SUDO install -m 0755 "$tmp/x/usr/bin/promtool" /usr/local/bin/promtool
  rm -rf "$tmp"
fi
echo "Dependencies present: $(javac -version 2>&1), $(mvn -v 2>/dev/null | head -1), PostgreSQL $(ls /usr/lib/postgresql | sort -n | tail -1), $(/usr/sbin/mariadbd --version 2>/dev/null | awk '{print $3}')"
echo "promtool: $(promtool --version 2>&1 | head -1)"
