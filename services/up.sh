#!/usr/bin/env bash
# Start (or confirm) every service on loopback, write .services/env, then prove each one is real.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mkdir -p .services
bash services/postgres.sh start
bash services/redis.sh start
bash services/neo4j.sh start
# Generated passwords live only in .services/ (git-ignored, mode 600); settings read this file.
(
  umask 077
  { bash services/postgres.sh env; bash services/redis.sh env; bash services/neo4j.sh env; } >.services/env.tmp
  mv .services/env.tmp .services/env
)
.venv/bin/activity-graph health
