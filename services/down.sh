#!/usr/bin/env bash
# Stop exactly what services/up.sh started (each script stops its own pid).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash services/neo4j.sh stop
bash services/redis.sh stop
bash services/postgres.sh stop
