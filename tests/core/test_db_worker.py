"""The embedded task queue: a write enqueues into the database, the worker sends the mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from sciday.accounts.models import Role
from sciday.accounts.services import invitation_create
from tests.factories import make_member, make_unit


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_invitation_mail_waits_for_the_worker(database_queue):
    unit = make_unit(name="队列测试科协")
    admin = make_member(unit, Role.UNIT_ADMIN)
    mail.outbox = []

    invitation_create(
        actor=admin, unit=unit, email="queued@example.cn", name="排队者", role=Role.UNIT_EDITOR
    )

    assert mail.outbox == []  # enqueued after the commit, not sent in the request
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert [m.to for m in mail.outbox] == [["queued@example.cn"]]
    assert "队列测试科协" in mail.outbox[0].body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
