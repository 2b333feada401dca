#!/usr/bin/env bash
# Redis from Debian's packages, our own instance under .services/redis: Celery's broker and result backend.
# Usage: services/redis.sh install|start|stop|status
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/.services/redis"
PORT="${REDIS_PORT:-6380}"

install() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis: installing Debian's redis-server package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq redis-server >/dev/null
  fi
}

running() { [ -f "$DIR/redis.pid" ] && kill -0 "$(cat "$DIR/redis.pid")" 2>/dev/null; }

start() {
  install
  mkdir -p "$DIR"
  if ! running; then
    redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --daemonize yes \
      --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --save '' --appendonly no \
      --protected-mode yes >/dev/null
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

stop() { if running; then kill "$(cat "$DIR/redis.pid")"; rm -f "$DIR/redis.pid"; echo "redis: stopped"; fi; }

status() {
  if running && [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]; then
    echo "redis: running on 127.0.0.1:$PORT (pid $(cat "$DIR/redis.pid"))"
  else
    echo "redis: not running"; return 1
  fi
}

env_lines() {
  echo "CELERY_BROKER_URL=redis://127.0.0.1:$PORT/0"
  echo "CELERY_RESULT_BACKEND=redis://127.0.0.1:$PORT/1"
}

case "${1:-}" in
  install) install ;; start) start ;; stop) stop ;; status) status ;; env) env_lines ;;
  *) echo "usage: $0 install|start|stop|status|env" >&2; exit 2 ;;
esac
