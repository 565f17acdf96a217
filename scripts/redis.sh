#!/usr/bin/env bash
# A private Redis server for the tests that need a real one, on 127.0.0.1:$REDIS_PORT.
#   redis.sh start   start it if stopped; print its URL
#   redis.sh stop    stop it
#   redis.sh status  exit 0 when it is running
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_PORT="${REDIS_PORT:-56379}"
DIR="$VAR/redis"
URL="redis://127.0.0.1:$REDIS_PORT/0"

running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start() {
    command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
    if ! running; then
        say "Starting Redis on 127.0.0.1:$REDIS_PORT"
        mkdir -p "$DIR"
        redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DIR" --save '' \
            --appendonly no --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
        for _ in $(seq 50); do running && break; sleep 0.1; done
        running || die "Redis did not start (see $DIR/redis.log)"
    fi
    echo "$URL"
}

stop() {
    if running; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) running ;;
    *) die "usage: $0 start|stop|status" ;;
esac
