#!/usr/bin/env bash
# Serve sciday on http://$HOST:$PORT in the embedded mode (SQLite, local files, the
# database-backed task worker), with the demo loaded. Ctrl-C stops the server and the worker.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/bootstrap.sh" run

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
RUN="$VAR/run"
mkdir -p "$RUN"

say "Migrating the database"
django migrate --noinput -v 0

static_hash="$( (cd "$ROOT" && find sciday -path '*/static/*' -type f -printf '%P %T@ %s\n' \
    | sort && cat uv.lock) | sha256sum | cut -c1-16)"
if ! stamp_ok collectstatic "$static_hash"; then
    say "Collecting static files"
    django collectstatic --noinput -v 0
    stamp_set collectstatic "$static_hash"
fi

say "Loading the demo (idempotent)"
django load_demo

# One database-backed task worker in the background (e-mails and other background work).
if [[ -f "$RUN/worker.pid" ]] && kill -0 "$(cat "$RUN/worker.pid")" 2>/dev/null; then
    kill "$(cat "$RUN/worker.pid")" 2>/dev/null || true
fi
say "Starting the task worker (log: var/run/worker.log)"
(cd "$ROOT" && exec "$PY" manage.py db_worker --no-reload >> "$RUN/worker.log" 2>&1) &
echo $! > "$RUN/worker.pid"
worker_pid=$!
# Every five minutes: resource jobs stuck in processing are retried or failed, and resumable
# uploads past their expiry are removed (what cron or sciday-recover.timer does in production).
# Summary-report reminders due today go out too (once a day per unit, whatever the number of runs),
# and national compilations whose worker was lost are taken up again.
(cd "$ROOT" && while sleep 300; do
    "$PY" manage.py resources_recover >> "$RUN/worker.log" 2>&1
    "$PY" manage.py reports_remind_due >> "$RUN/worker.log" 2>&1
    "$PY" manage.py reports_compilation_recover >> "$RUN/worker.log" 2>&1
done) &
recover_pid=$!
trap 'kill "$worker_pid" "$recover_pid" 2>/dev/null || true; rm -f "$RUN/worker.pid"' EXIT

say "Serving on http://$HOST:$PORT/ (Ctrl-C to stop)"
cd "$ROOT"
"$VENV/bin/gunicorn" config.wsgi:application \
    --bind "$HOST:$PORT" \
    --workers "${WEB_CONCURRENCY:-2}" --threads "${GUNICORN_THREADS:-4}" \
    --access-logfile - --error-logfile - --log-level warning
