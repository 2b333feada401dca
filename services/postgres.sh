#!/usr/bin/env bash
# PostgreSQL from Debian's packages, in a cluster of our own under .services/postgres (not the system one).
# Usage: services/postgres.sh install|start|stop|status
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/.services/postgres"
DATA="$DIR/data"
PORT="${PG_PORT:-5433}"
DB="${PG_DATABASE:-activity}"
ADMIN="${PG_ADMIN_ROLE:-activity_admin}"
READER="${PG_READER_ROLE:-activity_reader}"

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

install() {
  if ! pg_bin >/dev/null 2>&1; then
    echo "postgres: installing Debian's postgresql packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  fi
  # Debian's package starts its own cluster on 5432; we never use or touch it.
}

secret() { # secret NAME -> a password generated once into the data folder
  local f="$DIR/$1.password"
  if [ ! -s "$f" ]; then (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 24 >"$f"); fi
  cat "$f"
}

running() { [ -f "$DATA/postmaster.pid" ] && kill -0 "$(head -1 "$DATA/postmaster.pid")" 2>/dev/null; }

as_pg() { # run as the postgres OS user when we are root (initdb refuses root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  install
  local bin; bin="$(pg_bin)"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR" 2>/dev/null || true
  if [ ! -f "$DATA/PG_VERSION" ]; then
    local pwfile="$DIR/.superuser.pw"
    (umask 077; secret superuser >"$pwfile")
    [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    as_pg "$bin/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 200
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
wal_level = logical
max_wal_size = 4GB
synchronous_commit = on
fsync = on
CONF
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DIR"
  fi
  if ! running; then
    as_pg "$bin/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 start >/dev/null
  fi
  local su; su="$(secret superuser)"
  local admin_pw reader_pw; admin_pw="$(secret "$ADMIN")"; reader_pw="$(secret "$READER")"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"/*.password
  PGPASSWORD="$su" psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -v admin="$ADMIN" -v admin_pw="$admin_pw" -v reader="$READER" -v reader_pw="$reader_pw" -v db="$DB" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'admin', :'admin_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'admin') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'admin', :'admin_pw') \gexec
SELECT format('GRANT pg_signal_backend TO %I', :'admin') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'reader', :'reader_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'reader') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'reader', :'reader_pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'admin')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
  # The reader sees every table the admin creates in public, now and later, and can write nothing.
  PGPASSWORD="$admin_pw" psql -q -h 127.0.0.1 -p "$PORT" -U "$ADMIN" -d "$DB" -v ON_ERROR_STOP=1 \
    -v reader="$READER" -v db="$DB" <<'SQL' >/dev/null
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'reader') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'reader') \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', :'reader') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO %I', :'reader') \gexec
SQL
}

stop() {
  if running; then as_pg "$(pg_bin)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; echo "postgres: stopped"; fi
}

status() {
  if running && PGPASSWORD="$(secret "$ADMIN")" psql -h 127.0.0.1 -p "$PORT" -U "$ADMIN" -d "$DB" -tAc 'select 1' >/dev/null 2>&1; then
    echo "postgres: running on 127.0.0.1:$PORT (pid $(head -1 "$DATA/postmaster.pid"))"
  else
    echo "postgres: not running"; return 1
  fi
}

env_lines() { # the URLs the settings read, with the generated passwords
  echo "DATABASE_URL=postgresql://$ADMIN:$(secret "$ADMIN")@127.0.0.1:$PORT/$DB"
  echo "SYNC_DATABASE_URL=postgresql://$READER:$(secret "$READER")@127.0.0.1:$PORT/$DB"
}

case "${1:-}" in
  install) install ;; start) start ;; stop) stop ;; status) status ;; env) env_lines ;;
  *) echo "usage: $0 install|start|stop|status|env" >&2; exit 2 ;;
esac
