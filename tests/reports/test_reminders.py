"""Reminder e-mails to units whose report is missing, delivered to a real SMTP server process:
on demand from the board, and automatically on the days before the deadline (once a day)."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Role
from sciday.core.errors import DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.reports import services
from sciday.reports.models import ReminderSent, ReportSettings
from sciday.reports.reminders import report_remind
from tests.factories import make_member
from tests.resources import hostile

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The deadline is 2023-06-30 23:59:59 Asia/Shanghai.
SEVEN_DAYS_BEFORE = datetime(2023, 6, 23, 9, 0, tzinfo=SHANGHAI)
SIX_DAYS_BEFORE = datetime(2023, 6, 24, 9, 0, tzinfo=SHANGHAI)
# 2023-06-29 16:30 UTC is already the 30th in Shanghai: the deadline's day, not "1 day before".
DEADLINE_DAY_EARLY = datetime(2023, 6, 30, 0, 30, tzinfo=SHANGHAI)

pytestmark = pytest.mark.smtp


@pytest.fixture
def missing(rw):
    """CAST's units: 某学会 and 甲大学科协 have not submitted; their people have addresses."""
    services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    people = {
        "society_admin": make_member(
            rw.unit("society"), Role.UNIT_ADMIN, email="admin@society.example.cn"
        ),
        "society_editor": make_member(
            rw.unit("society"), Role.UNIT_EDITOR, email="editor@society.example.cn"
        ),
        "university_editor": make_member(
            rw.unit("university"), Role.UNIT_EDITOR, email="editor@university.example.cn"
        ),
        "disabled": make_member(
            rw.unit("university"), Role.UNIT_ADMIN, email="gone@university.example.cn"
        ),
    }
    people["disabled"].is_active = False
    people["disabled"].save()
    # Every other expected unit of CAST's has submitted; MOST's 甲省科技厅 has not.
    return rw, people


def _submit_all_but(rw, keep: set[str]) -> None:
    admin = rw.people["campaign_admin"]
    for key in ("prov", "other", "enterprise", "society", "university", "std"):
        if key in keep:
            continue
        report = services.report_start(actor=admin, campaign=rw.campaign, unit=rw.unit(key))
        report = services.report_save_draft(
            actor=admin, report=report, base_version=report.version, data={"overview": "概述。"}
        )
        content = hostile.pdf(["stamped"])
        report = services.report_attach_scan(
            actor=admin,
            report=report,
            upload=io.BytesIO(content),
            name="scan.pdf",
            size=len(content),
        )
        services.report_submit(
            actor=admin, report=report, now=datetime(2023, 6, 20, 10, 0, tzinfo=SHANGHAI)
        )


def _parsed(message: dict) -> email.message.EmailMessage:
    return email.message_from_string(message["data"], policy=email.policy.default)  # type: ignore[return-value]


def _by_recipient(server) -> dict[str, email.message.EmailMessage]:
    return {m["to"][0]: _parsed(m) for m in server.messages}


def test_a_department_reminds_its_missing_units_over_smtp(
    missing, smtp_server, django_capture_on_commit_callbacks
):
    rw, _people = missing
    _submit_all_but(rw, keep={"society", "university", "std"})
    with django_capture_on_commit_callbacks(execute=True):
        count = report_remind(
            actor=rw.people["cast_reviewer"],
            campaign=rw.campaign,
            department=rw.world.unit("cast"),
        )
    assert count == 2
    received = _by_recipient(smtp_server)
    # Admins and editors of the two missing units; not the disabled person, not MOST's unit.
    assert set(received) == {
        "admin@society.example.cn",
        "editor@society.example.cn",
        "editor@university.example.cn",
    }
    assert all(len(m["to"]) == 1 for m in smtp_server.messages)
    message = received["editor@university.example.cn"]
    subject = str(message["subject"])
    assert "提醒" in subject and rw.campaign.name in subject
    body = message.get_content()
    assert "甲大学科协" in body
    assert "2023年6月30日 23:59" in body and "北京时间" in body
    assert "http://testserver/workspace/reports/" in body or "/workspace/reports/" in body
    assert ReminderSent.objects.filter(kind=ReminderSent.Kind.MANUAL).count() == 2
    assert AuditEntry.objects.filter(action="reports.reminders.sent").count() == 1


def test_only_the_ticked_units_are_reminded(
    missing, smtp_server, django_capture_on_commit_callbacks
):
    rw, _people = missing
    with django_capture_on_commit_callbacks(execute=True):
        report_remind(
            actor=rw.people["campaign_admin"],
            campaign=rw.campaign,
            department=rw.world.unit("cast"),
            unit_ids=[rw.unit("university").pk],
        )
    assert [m["to"] for m in smtp_server.messages] == [["editor@university.example.cn"]]


def test_another_department_may_not_remind(
    missing, smtp_server, django_capture_on_commit_callbacks
):
    rw, _people = missing
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(NotAllowed):
            report_remind(
                actor=rw.people["most_reviewer"],
                campaign=rw.campaign,
                department=rw.world.unit("cast"),
            )
        with pytest.raises(NotAllowed):
            report_remind(actor=rw.people["prov_editor"], campaign=rw.campaign, department=None)
    assert smtp_server.messages == []
    assert not ReminderSent.objects.exists()


def test_nobody_to_remind_is_said(missing, smtp_server):
    rw, _people = missing
    _submit_all_but(rw, keep=set())
    with pytest.raises(DomainError, match="没有"):
        report_remind(
            actor=rw.people["cast_reviewer"],
            campaign=rw.campaign,
            department=rw.world.unit("cast"),
        )
    assert smtp_server.messages == []


def test_the_board_button_reminds(missing, smtp_server, client, django_capture_on_commit_callbacks):
    rw, _people = missing
    reviewer = rw.people["cast_reviewer"]
    client.force_login(reviewer)
    device = TOTPDevice.objects.create(user=reviewer, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/workspace/reports/board/remind/",
            {"campaign": rw.campaign.pk, "department": rw.world.unit("cast").pk},
            follow=True,
        )
    assert response.status_code == 200
    assert "提醒" in response.content.decode()
    # Every CAST unit has not submitted yet: 5 units, three of them with addresses.
    assert {m["to"][0] for m in smtp_server.messages} >= {
        "admin@society.example.cn",
        "editor@university.example.cn",
    }
    other = client.post(
        "/workspace/reports/board/remind/",
        {"campaign": rw.campaign.pk, "department": rw.world.unit("most").pk},
    )
    assert other.status_code == 404


def test_due_reminders_go_out_seven_and_one_day_before_once_a_day(
    missing, smtp_server, django_capture_on_commit_callbacks
):
    rw, _people = missing
    _submit_all_but(rw, keep={"university"})

    def run(when: datetime) -> int:
        before = len(smtp_server.messages)
        with (
            time_machine.travel(when, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("reports_remind_due", stdout=io.StringIO())
        return len(smtp_server.messages) - before

    assert run(SIX_DAYS_BEFORE) == 0
    assert run(SEVEN_DAYS_BEFORE) == 1
    assert [m["to"] for m in smtp_server.messages] == [["editor@university.example.cn"]]
    assert "2023年6月30日 23:59" in _parsed(smtp_server.messages[0]).get_content()
    # The timer runs every five minutes: the same day sends nothing more.
    assert run(SEVEN_DAYS_BEFORE.replace(hour=18)) == 0
    assert ReminderSent.objects.filter(kind=ReminderSent.Kind.DUE).count() == 1
    # One day before, by the Shanghai calendar.
    assert run(datetime(2023, 6, 29, 23, 50, tzinfo=SHANGHAI)) == 1
    assert run(DEADLINE_DAY_EARLY) == 0
    assert ReminderSent.objects.filter(kind=ReminderSent.Kind.DUE).count() == 2


def test_the_campaign_chooses_the_days(missing, smtp_server, django_capture_on_commit_callbacks):
    rw, _people = missing
    ReportSettings.objects.create(campaign=rw.campaign, remind_days_before=[6])
    with (
        time_machine.travel(SEVEN_DAYS_BEFORE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("reports_remind_due", stdout=io.StringIO())
    assert smtp_server.messages == []
    with (
        time_machine.travel(SIX_DAYS_BEFORE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("reports_remind_due", stdout=io.StringIO())
    # The missing units of both departments, those with addresses.
    assert {m["to"][0] for m in smtp_server.messages} >= {"editor@university.example.cn"}
