#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the test suite, on 127.0.0.1:$PG_PORT.
#   postgres.sh start   create the cluster if absent, start it if stopped; print DATABASE_URL
#   postgres.sh stop    stop it
#   postgres.sh status  exit 0 when it is running
# Root cannot run postgres, so as root the cluster belongs to the `postgres` user.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${PG_PORT:-54329}"
PGDATA="${SCIDAY_PG_DIR:-/tmp/sciday-pg15-$(id -u)}"
PG_USER=sciday
PG_PASSWORD=sciday
DB_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/sciday"

if [[ "$(id -u)" == 0 ]]; then
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

running() { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

start() {
    [[ -x "$PG_BIN/pg_ctl" ]] || die "PostgreSQL 15 is not installed (apt-get install postgresql-15)"
    if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
        say "Creating a private PostgreSQL cluster in $PGDATA"
        mkdir -p "$PGDATA"
        [[ "$(id -u)" == 0 ]] && chown postgres:postgres "$PGDATA"
        chmod 700 "$PGDATA"
        as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >/dev/null
        cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGDATA'
# A throwaway cluster for tests: durability is not needed, speed is.
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
    fi
    if ! running; then
        say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start >/dev/null \
            || { tail -20 "$PGDATA/server.log" >&2; die "PostgreSQL did not start"; }
    fi
    psql_() { as_pg psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtAX "$@"; }
    if [[ "$(psql_ -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != 1 ]]; then
        psql_ -c "CREATE ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASSWORD'"
    fi
    if [[ "$(psql_ -c "SELECT 1 FROM pg_database WHERE datname = 'sciday'")" != 1 ]]; then
        psql_ -c "CREATE DATABASE sciday OWNER $PG_USER"
    fi
    echo "$DB_URL"
}

stop() {
    if running; then
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) running ;;
    *) die "usage: $0 start|stop|status" ;;
esac
