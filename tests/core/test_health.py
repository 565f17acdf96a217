"""/healthz reports the database and the task queue: 200 when healthy, 503 otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, OperationalError
from django.utils import timezone

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["tasks"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_needs_no_sign_in_and_only_answers_get(client, db):
    assert client.head("/healthz").status_code in (200, 405)
    assert client.post("/healthz").status_code == 405


class _DownConnection:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError("connection refused")


def test_database_down_answers_503(client, db, monkeypatch):
    from sciday.core import health

    monkeypatch.setattr(health, "connection", _DownConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == {
        "ok": False,
        "vendor": "postgresql",
        "error": "OperationalError",
    }


def test_database_queue_counts_pending_tasks(client, db, settings):
    from sciday.accounts.tasks import send_invitation_email

    settings.TASKS = DB_TASKS
    send_invitation_email.enqueue(invitation_id=1, secret="x")
    tasks = client.get("/healthz").json()["checks"]["tasks"]
    assert tasks["backend"] == "DatabaseBackend"
    assert tasks["pending"] == 1
    assert tasks["stale"] == 0
    assert tasks["ok"] is True


def test_stale_task_means_no_worker_answers_503(client, db, settings):
    from django_tasks_db.models import DBTaskResult

    from sciday.accounts.tasks import send_invitation_email

    settings.TASKS = DB_TASKS
    settings.HEALTHZ_TASK_STALE_SECONDS = 300
    result = send_invitation_email.enqueue(invitation_id=1, secret="x")
    DBTaskResult.objects.filter(pk=result.id).update(
        run_after=timezone.now() - timedelta(minutes=10)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["stale"] == 1
    assert tasks["ok"] is False


def test_task_queue_unreachable_answers_503(client, db, settings):
    settings.TASKS = DB_TASKS
    from django_tasks_db.models import DBTaskResult

    def broken(*args, **kwargs):
        raise DatabaseError("no such table")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DBTaskResult.objects, "ready", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == {
        "ok": False,
        "backend": "DatabaseBackend",
        "error": "DatabaseError",
    }


def test_bench_hello_is_not_served_by_default(client, db):
    assert client.get("/bench/hello").status_code == 404
