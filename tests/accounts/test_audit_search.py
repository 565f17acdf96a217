"""The auditor's audit-log search: each filter, pagination, and read-only access."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sciday.accounts.models import SystemRole
from sciday.core.audit import audit_record
from sciday.core.models import AuditEntry
from sciday.core.selectors import audit_search
from tests.factories import UserFactory

AUDIT = "/accounts/audit/"


@pytest.fixture
def auditor(db):
    return UserFactory(system_role=SystemRole.AUDITOR, email="auditor@example.cn")


@pytest.fixture
def log(db, auditor):
    """A small log over three days: two people, successes and failures."""
    alice = UserFactory(name="艾丽斯", email="alice@example.cn")
    bob = UserFactory(name="鲍勃", email="bob@example.cn")
    day1 = timezone.make_aware(timezone.datetime(2023, 5, 28, 10, 0))
    with time_machine.travel(day1, tick=False) as traveller:
        audit_record(actor=alice, action="accounts.login.succeeded", obj=alice)
        audit_record(actor=None, action="accounts.login.failed", obj=bob, success=False)
        traveller.shift(timedelta(days=1))
        audit_record(actor=bob, action="orgs.unit.updated", obj=bob, object_repr="北京市科协")
        audit_record(actor=alice, action="accounts.api_token.created", obj=alice)
        traveller.shift(timedelta(days=1))
        audit_record(actor=bob, action="accounts.logout", obj=bob)
    return {"alice": alice, "bob": bob}


def _actions(qs):
    return sorted(e.action for e in qs.filter(at__year=2023))


def test_filter_by_actor(auditor, log):
    assert _actions(audit_search(viewer=auditor, actor="alice@")) == [
        "accounts.api_token.created",
        "accounts.login.succeeded",
    ]
    assert _actions(audit_search(viewer=auditor, actor="鲍勃")) == [
        "accounts.logout",
        "orgs.unit.updated",
    ]


def test_filter_by_action_prefix(auditor, log):
    assert _actions(audit_search(viewer=auditor, action="accounts.login")) == [
        "accounts.login.failed",
        "accounts.login.succeeded",
    ]
    assert _actions(audit_search(viewer=auditor, action="orgs.")) == ["orgs.unit.updated"]


def test_filter_by_object(auditor, log):
    assert _actions(audit_search(viewer=auditor, obj="北京")) == ["orgs.unit.updated"]
    bob = log["bob"]
    by_key = audit_search(viewer=auditor, obj=f"accounts.user:{bob.pk}")
    assert _actions(by_key) == ["accounts.login.failed", "accounts.logout", "orgs.unit.updated"]


def test_filter_by_dates_in_beijing_time(auditor, log):
    assert _actions(audit_search(viewer=auditor, date_from=date(2023, 5, 29))) == [
        "accounts.api_token.created",
        "accounts.logout",
        "orgs.unit.updated",
    ]
    assert _actions(
        audit_search(viewer=auditor, date_from=date(2023, 5, 29), date_to=date(2023, 5, 29))
    ) == ["accounts.api_token.created", "orgs.unit.updated"]


def test_filter_by_success(auditor, log):
    assert _actions(audit_search(viewer=auditor, success=False)) == ["accounts.login.failed"]


def test_page_filters_and_shows_entries(client, signed_in, auditor, log):
    signed_in(auditor, verified=True)
    response = client.get(
        AUDIT, {"action": "accounts.login", "success": "no", "date_from": "2023-05-28"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "accounts.login.failed" in body
    assert "accounts.login.succeeded" not in body
    assert "失败" in body


def test_page_refuses_reversed_dates(client, signed_in, auditor, log):
    signed_in(auditor, verified=True)
    response = client.get(AUDIT, {"date_from": "2023-05-30", "date_to": "2023-05-28"})
    assert response.status_code == 400
    assert "截止日期早于起始日期" in response.content.decode()
    response = client.get(AUDIT, {"date_from": "not-a-date"})
    assert response.status_code == 400


def test_page_is_paginated(client, signed_in, auditor, db):
    for i in range(120):
        audit_record(actor=None, action=f"test.bulk.{i:03d}")
    signed_in(auditor, verified=True)
    first = client.get(AUDIT, {"action": "test.bulk"}).content.decode()
    assert "test.bulk.119" in first and "test.bulk.069" not in first
    assert "第 1 页，共 3 页" in first
    third = client.get(AUDIT, {"action": "test.bulk", "page": 3}).content.decode()
    assert "test.bulk.000" in third and "action=test.bulk" in third


def test_page_is_read_only(client, signed_in, auditor, log):
    signed_in(auditor, verified=True)
    before = AuditEntry.objects.count()
    response = client.post(AUDIT, {"action": "x"})
    assert response.status_code == 405
    assert AuditEntry.objects.count() == before


def test_page_issues_a_fixed_number_of_queries(
    client, signed_in, auditor, db, django_assert_max_num_queries
):
    for i in range(60):
        audit_record(actor=auditor, action=f"test.many.{i}")
    signed_in(auditor, verified=True)
    client.get(AUDIT)
    with django_assert_max_num_queries(12):
        assert client.get(AUDIT).status_code == 200


def test_viewing_needs_the_auditor_role(client, signed_in, db):
    admin = UserFactory(system_role=SystemRole.SYSTEM_ADMIN)
    signed_in(admin, verified=True)
    assert client.get(AUDIT).status_code == 403
    assert reverse("accounts:audit") == AUDIT
