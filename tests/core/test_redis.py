"""Against a real Redis server (TEST_REDIS_URL, started by `make test`): the cache, cache-backed
sessions and the task queue (django-tasks-rq on Django's own tasks API, run by rq workers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.tasks import TaskResultStatus

from tests.factories import UserFactory

ROOT = Path(django_settings.BASE_DIR)
QUEUE = "default"  # the queue Django tasks use unless they name another


def _db_url(url: str, offset: int) -> str:
    """Use a Redis database of its own per xdist worker, so parallel workers do not meet."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = offset + int(worker.removeprefix("gw") or 0)
    return url.rsplit("/", 1)[0] + f"/{number}"


@pytest.fixture
def redis_cache(settings, redis_url):
    url = _db_url(redis_url, 1)
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "sciday",
        }
    }
    return url


@pytest.fixture
def rq_queue(settings, redis_url):
    url = _db_url(redis_url, 5)
    redis.Redis.from_url(url).flushdb()
    settings.RQ_QUEUES = {QUEUE: {"URL": url, "DEFAULT_TIMEOUT": 60}}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [QUEUE]}}
    return url


def _work_burst() -> None:
    """Run every queued job in this process (rq's SimpleWorker), as the rqworker would."""
    import django_rq
    from rq import SimpleWorker

    django_rq.get_worker(QUEUE, worker_class=SimpleWorker).work(burst=True)


def test_cache_round_trip(redis_cache):
    from django.core.cache import cache

    cache.set("greeting", {"text": "点亮精神火炬"}, 30)
    assert cache.get("greeting") == {"text": "点亮精神火炬"}
    assert redis.Redis.from_url(redis_cache).dbsize() == 1
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_sessions_live_in_redis(redis_cache, settings, client, db):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user = UserFactory()
    client.force_login(user, backend="sciday.accounts.backends.EmailOrPhoneBackend")
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    keys = [k.decode() for k in redis.Redis.from_url(redis_cache).keys("*")]
    assert any(session_key in key for key in keys)

    from django.contrib.sessions.backends.cache import SessionStore

    assert SessionStore(session_key=session_key).get("_auth_user_id") == str(user.pk)


def test_task_enqueued_through_djangos_api_runs_in_an_rq_worker(rq_queue):
    from tests.core.rq_probe import add

    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    assert result.backend == "default"

    _work_burst()

    finished = add.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == 5


def test_failing_task_is_recorded_as_failed(rq_queue):
    from tests.core.rq_probe import fail

    result = fail.enqueue()
    _work_burst()
    finished = fail.get_result(result.id)
    assert finished.status == TaskResultStatus.FAILED
    assert "ValueError" in finished.errors[0].exception_class_path


def test_invitation_email_is_sent_by_the_rq_worker(
    rq_queue, db, outbox, django_capture_on_commit_callbacks
):
    """The real invitation service, the real queue, the real worker: the e-mail goes out."""
    from sciday.accounts import services
    from sciday.accounts.models import Membership, Role
    from sciday.orgs.models import Unit, UnitKind

    unit = Unit.objects.add_root(instance=Unit(name="测试单位", kind=UnitKind.OTHER))
    admin = UserFactory()
    Membership.objects.create(user=admin, unit=unit, role=Role.UNIT_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=admin, unit=unit, email="new@example.cn", name="新成员", role=Role.UNIT_EDITOR
        )
    assert outbox == []  # queued, not yet sent
    _work_burst()
    assert [m.to for m in outbox] == [["new@example.cn"]]


def test_health_check_pings_redis(rq_queue, client, db):
    body = client.get("/healthz").json()
    assert body["checks"]["tasks"] == {"ok": True, "backend": "RQBackend", "pending": 0}


def test_health_check_reports_redis_down(settings, client, db):
    settings.RQ_QUEUES = {QUEUE: {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [QUEUE]}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"]["ok"] is False


def _manage(env: dict, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_deployment_configuration_with_manage_py_rqworker(redis_url, tmp_path):
    """REDIS_URL alone switches the task queue to Redis; `manage.py rqworker --burst` runs it."""
    url = _db_url(redis_url, 9)
    redis.Redis.from_url(url).flushdb()
    env = {
        **os.environ,
        "REDIS_URL": url,
        "SCIDAY_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }
    enqueue = (
        "import json; from tests.core.rq_probe import add; r = add.enqueue(20, 22);"
        "print(json.dumps({'id': r.id, 'backend': type(add.get_backend()).__name__}))"
    )
    queued = json.loads(_manage(env, "shell", "-c", enqueue).strip().splitlines()[-1])
    assert queued["backend"] == "RQBackend"

    _manage(env, "rqworker", "--burst", "default")

    fetch = (
        "from tests.core.rq_probe import add;"
        f"r = add.get_result({queued['id']!r}); print(r.status, r.return_value)"
    )
    assert _manage(env, "shell", "-c", fetch).strip().splitlines()[-1] == "SUCCESSFUL 42"
