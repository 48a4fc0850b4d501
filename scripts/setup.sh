#!/usr/bin/env bash
# One-time setup on a fresh Debian machine: install dependencies, build the service.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mvn -B -q package -DskipTests
echo "Built target/quarkus-app/quarkus-run.jar. Next: scripts/demo.sh"
