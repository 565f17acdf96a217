"""Health of what the application depends on: the database and the task queue.

Each check returns a small dict with `ok` and facts an operator can act on. `/healthz` reports
them together (see `sciday.core.views.healthz`).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone

# A ready task still waiting after this long means no worker is taking tasks.
DEFAULT_STALE_AFTER = 300


def check_database() -> dict[str, Any]:
    """Run one query; return {ok, vendor, latency_ms} or {ok: False, error}."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _database_queue() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    stale_after = getattr(settings, "HEALTHZ_TASK_STALE_SECONDS", DEFAULT_STALE_AFTER)
    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    pending = ready.count()
    stale = ready.filter(run_after__lte=now - timedelta(seconds=stale_after)).count()
    running = DBTaskResult.objects.running().count()
    # A ready task that has waited this long means no worker is running.
    return {
        "ok": stale == 0,
        "pending": pending,
        "running": running,
        "stale": stale,
        "stale_after_seconds": stale_after,
    }


def _redis_queue(backend) -> dict[str, Any]:
    import django_rq

    queue_names = sorted(getattr(backend, "queues", None) or ["default"])
    connection_ = django_rq.get_connection(queue_names[0])
    connection_.ping()
    pending = sum(len(django_rq.get_queue(name)) for name in queue_names)
    return {"ok": True, "pending": pending}


def check_tasks() -> dict[str, Any]:
    """Check the configured task backend; return {ok, backend, ...facts} or {ok: False, error}."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    name = type(backend).__name__
    try:
        if name == "DatabaseBackend":
            facts = _database_queue()
        elif name == "RQBackend":
            facts = _redis_queue(backend)
        else:
            # Immediate and dummy backends have no queue to watch.
            facts = {"ok": True}
    except Exception as exc:  # any failure to reach the queue means "unhealthy"
        return {"ok": False, "backend": name, "error": type(exc).__name__}
    return {"backend": name, **facts}
