"""The deadline: 2023-06-30 23:59:59 Asia/Shanghai, whatever the server's or the sender's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sciday.core.errors import DomainError
from sciday.core.models import AuditEntry
from sciday.reports import services
from sciday.reports.models import Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
# The same two instants, as a sender in New York would write them (EDT, UTC-4).
LAST_SECOND = datetime(2023, 6, 30, 11, 59, 59, tzinfo=NEW_YORK)
FIRST_LATE = datetime(2023, 6, 30, 12, 0, 0, tzinfo=NEW_YORK)


@pytest.fixture(params=["Asia/Shanghai", "UTC", "America/New_York"])
def server_zone(request, settings):
    """The server's configured zone must not matter."""
    settings.TIME_ZONE = request.param
    return request.param


def test_the_instants_are_the_ones_of_the_notice():
    assert datetime(2023, 6, 30, 23, 59, 59, tzinfo=SHANGHAI) == LAST_SECOND
    assert datetime(2023, 7, 1, 0, 0, 0, tzinfo=SHANGHAI) == FIRST_LATE


def test_is_late_at_the_edge(rw, server_zone):
    campaign = rw.campaign
    assert not services.is_late(campaign, LAST_SECOND)
    assert not services.is_late(campaign, LAST_SECOND.replace(microsecond=999_999))
    assert services.is_late(campaign, FIRST_LATE)


def test_submitted_at_the_last_second_is_on_time(rw, server_zone):
    report = rw.ready()
    with time_machine.travel(LAST_SECOND, tick=False):
        submitted = services.report_submit(actor=rw.people["prov_editor"], report=report)
    assert submitted.status == Status.SUBMITTED and not submitted.is_late
    assert submitted.submitted_at == LAST_SECOND
    version = submitted.versions.get()
    assert version.number == 1 and not version.is_late


def test_submitted_at_midnight_is_late_and_flagged(rw, server_zone):
    report = rw.ready()
    with time_machine.travel(FIRST_LATE, tick=False):
        submitted = services.report_submit(actor=rw.people["prov_editor"], report=report)
    assert submitted.status == Status.SUBMITTED and submitted.is_late
    assert submitted.versions.get().is_late


def test_now_can_be_passed_in_any_zone(rw):
    report = rw.ready()
    submitted = services.report_submit(
        actor=rw.people["prov_editor"], report=report, now=FIRST_LATE
    )
    assert submitted.is_late


def test_a_campaign_that_refuses_late_reports_refuses_at_midnight(rw, server_zone):
    services.report_settings_set(
        actor=rw.people["campaign_admin"],
        campaign=rw.campaign,
        late_reports="refuse",
        text_limit=3000,
    )
    report = rw.ready()
    with (
        time_machine.travel(FIRST_LATE, tick=False),
        pytest.raises(DomainError, match="2023-06-30 23:59:59") as caught,
    ):
        services.report_submit(actor=rw.people["prov_editor"], report=report)
    assert "不接受逾期" in str(caught.value)
    report.refresh_from_db()
    assert report.status == Status.DRAFT and report.submitted_at is None
    assert not report.versions.exists()
    assert AuditEntry.objects.filter(action="reports.report.late_refused", success=False).exists()
    with time_machine.travel(LAST_SECOND, tick=False):
        assert services.report_submit(actor=rw.people["prov_editor"], report=report).status == (
            Status.SUBMITTED
        )


def test_a_resubmission_after_a_return_is_not_late(rw):
    report = rw.ready()
    editor = rw.people["prov_editor"]
    report = services.report_submit(actor=editor, report=report, now=LAST_SECOND)
    report = services.report_return(
        actor=rw.people["cast_reviewer"], report=report, reason="请补充数据"
    )
    again = services.report_submit(
        actor=editor, report=report, now=datetime(2023, 7, 5, tzinfo=SHANGHAI)
    )
    assert again.status == Status.SUBMITTED and not again.is_late
    assert again.submitted_at == LAST_SECOND
