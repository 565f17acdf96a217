"""The report pages: who opens what, the autosave endpoint (a stale save answers 409 with both
texts and loses nothing), the Save button without JavaScript, submit / return / resubmit / accept
through the pages, and the comparison of two submissions."""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.reports import services
from sciday.reports.models import DraftConflict, Report, ReportSettings, Status
from tests.resources import hostile

ON_TIME = datetime(2023, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LATE = datetime(2023, 12, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# role → (opens the report, opens its edit page, sees the review buttons)
MATRIX = {
    "prov_editor": (True, True, False),
    "prov_admin": (True, True, False),
    "lead_admin": (False, False, False),
    "other_admin": (False, False, False),
    "std_editor": (False, False, False),
    "cast_reviewer": (True, False, True),
    "most_reviewer": (False, False, False),
    "campaign_admin": (True, True, True),
    "anonymous": (False, False, False),
}


def client_for(rw, who: str, client: Client | None = None) -> Client:
    """A browser signed in as `who`, past the second factor national roles need."""
    client = client or Client()
    if who == "anonymous":
        return client
    user = rw.people[who]
    client.force_login(user, backend="sciday.accounts.backends.EmailOrPhoneBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(autouse=True)
def _current(rw):
    rw.campaign.is_current = True
    rw.campaign.save(update_fields=["is_current"])


def _form(report: Report, **changes) -> dict:
    data = {
        "base_version": report.version,
        "overview": report.overview,
        "highlights": report.highlights,
        "problems": report.problems,
        "fig__participants": "10",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", list(MATRIX))
def test_page_permission_matrix(rw, who):
    report = rw.ready()
    opens, edits, reviews = MATRIX[who]
    client = client_for(rw, who)
    detail = client.get(reverse("report_pages:detail", args=[report.pk]))
    edit = client.get(reverse("report_pages:edit", args=[report.pk]))
    scan = client.get(reverse("report_pages:scan", args=[report.pk]))
    if who == "anonymous":
        assert detail.status_code == edit.status_code == scan.status_code == 302
        assert "/accounts/" in detail["Location"]
        return
    assert detail.status_code == (200 if opens else 404)
    assert scan.status_code == (200 if opens else 404)
    assert edit.status_code == (200 if edits else 403 if opens else 404)
    if opens:
        assert b"".join(scan.streaming_content).startswith(b"%PDF")
    # Saving through the page follows the same rule, and writes nothing when refused.
    saved = client.post(
        reverse("report_pages:edit", args=[report.pk]), _form(report, overview=f"{who}写的")
    )
    assert saved.status_code == (302 if edits else 403 if opens else 404)
    report.refresh_from_db()
    assert (report.overview == f"{who}写的") is edits

    with time_machine.travel(ON_TIME, tick=False):
        services.report_submit(actor=rw.people["prov_editor"], report=report)
    page = client.get(reverse("report_pages:detail", args=[report.pk]))
    assert page.status_code == (200 if opens else 404)
    accept_url = reverse("report_pages:decide", args=[report.pk, "accept"])
    assert (opens and accept_url in page.content.decode()) is reviews
    accepted = client.post(accept_url)
    assert accepted.status_code == (302 if reviews else 403 if opens else 404)
    report.refresh_from_db()
    assert (report.status == Status.ACCEPTED) is reviews


def test_home_lists_the_units_report_and_the_departments_reports(rw):
    editor = client_for(rw, "prov_editor")
    services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    page = editor.get(reverse("report_pages:home")).content.decode()
    assert "甲省科协" in page and "开始" in page
    started = editor.post(reverse("report_pages:start", args=[rw.units["prov"].pk]))
    report = Report.objects.get(campaign=rw.campaign, unit=rw.units["prov"])
    assert started["Location"] == reverse("report_pages:edit", args=[report.pk])
    # Someone of another unit cannot start it.
    other = client_for(rw, "std_editor").post(
        reverse("report_pages:start", args=[rw.units["prov"].pk])
    )
    assert other.status_code == 404

    std = rw.report("std", "std_editor")
    cast = client_for(rw, "cast_reviewer").get(reverse("report_pages:home")).content.decode()
    assert reverse("report_pages:detail", args=[report.pk]) in cast
    assert reverse("report_pages:detail", args=[std.pk]) not in cast
    filtered = client_for(rw, "cast_reviewer").get(
        reverse("report_pages:home"), {"status": "accepted"}
    )
    assert reverse("report_pages:detail", args=[report.pk]) not in filtered.content.decode()
    most = client_for(rw, "most_reviewer").get(reverse("report_pages:home")).content.decode()
    assert reverse("report_pages:detail", args=[std.pk]) in most
    assert reverse("report_pages:detail", args=[report.pk]) not in most


def test_edit_page_shows_the_form_with_the_autosave_script(rw):
    report = rw.report()
    page = client_for(rw, "prov_editor").get(reverse("report_pages:edit", args=[report.pk]))
    html = page.content.decode()
    assert f'name="base_version" value="{report.version}"' in html
    assert "reports/autosave.js" in html and 'nonce="' in html
    assert reverse("report_pages:autosave", args=[report.pk]) in html
    assert "重新获取平台数据" in html or "平台" in html
    assert 'name="scan"' in html and 'name="overview"' in html


def autosave(client, report, payload):
    return client.post(
        reverse("report_pages:autosave", args=[report.pk]),
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_autosave_saves_and_a_stale_save_answers_409_with_both_texts(rw):
    report = rw.report()
    one, two = client_for(rw, "prov_editor"), client_for(rw, "prov_editor2")
    base = report.version
    first = autosave(one, report, {"base_version": base, "overview": "第一位编辑的文字"})
    assert first.status_code == 200
    assert first.json()["version"] == base + 1 and ":" in first.json()["saved_at"]

    stale = autosave(two, report, {"base_version": base, "overview": "第二位编辑的文字"})
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale" and "没有丢失" in body["error"]
    assert body["stored"]["overview"] == "第一位编辑的文字"
    assert body["stored"]["version"] == base + 1
    assert body["sent"]["overview"] == "第二位编辑的文字"
    report.refresh_from_db()
    assert report.overview == "第一位编辑的文字"
    kept = DraftConflict.objects.get(report=report)
    assert kept.sections["overview"] == "第二位编辑的文字"

    # "Use mine": saved again on the version now stored.
    mine = autosave(two, report, {"base_version": base + 1, "overview": "第二位编辑的文字"})
    assert mine.status_code == 200
    report.refresh_from_db()
    assert report.overview == "第二位编辑的文字"


def test_autosave_refuses_bad_input_and_strangers(rw):
    report = rw.report()
    editor = client_for(rw, "prov_editor")
    bad = editor.post(
        reverse("report_pages:autosave", args=[report.pk]), data="nope", content_type="text/plain"
    )
    assert bad.status_code == 400 and bad.json()["error"]
    too_long = autosave(editor, report, {"base_version": report.version, "overview": "字" * 3001})
    assert too_long.status_code == 400 and "3000" in too_long.json()["error"]
    no_csrf = client_for(rw, "prov_editor", Client(enforce_csrf_checks=True))
    assert autosave(no_csrf, report, {"base_version": report.version}).status_code == 403
    assert autosave(client_for(rw, "std_editor"), report, {"base_version": 1}).status_code == 404
    assert autosave(client_for(rw, "cast_reviewer"), report, {"base_version": 1}).status_code == 403
    report.refresh_from_db()
    assert report.overview == "" and not DraftConflict.objects.exists()


def test_save_without_javascript_when_stale_shows_both_texts_and_keeps_mine(rw):
    report = rw.report()
    base = report.version
    services.report_save_draft(
        actor=rw.people["prov_editor2"],
        report=report,
        base_version=base,
        data={"overview": "他们的"},
    )
    response = client_for(rw, "prov_editor").post(
        reverse("report_pages:edit", args=[report.pk]),
        _form(report, base_version=base, overview="我的文字"),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "他们的" in html and "我的文字" in html
    # The form holds mine and is now based on the stored version: saving again keeps mine.
    assert f'name="base_version" value="{base + 1}"' in html
    assert DraftConflict.objects.get(report=report).sections["overview"] == "我的文字"
    report.refresh_from_db()
    assert report.overview == "他们的"


def test_submit_return_resubmit_accept_through_the_pages_and_compare(rw):
    report = rw.report()
    editor, reviewer = client_for(rw, "prov_editor"), client_for(rw, "cast_reviewer")
    edit_url = reverse("report_pages:edit", args=[report.pk])
    submit_url = reverse("report_pages:submit", args=[report.pk])

    with time_machine.travel(ON_TIME, tick=False):
        # No scan yet: refused with the reason, the typed text saved and shown.
        refused = editor.post(submit_url, _form(report, overview="本省共举办活动120场。"))
        assert refused.status_code == 400 and "盖章" in refused.content.decode()
        report.refresh_from_db()
        assert report.status == Status.DRAFT and report.overview == "本省共举办活动120场。"
        pdf = hostile.pdf(["stamped"])
        scan = io.BytesIO(pdf)
        scan.name = "盖章.pdf"
        done = editor.post(submit_url, {**_form(report), "scan": scan})
        assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and not report.is_late
    assert report.scan_name == "盖章.pdf"
    editor = client_for(rw, "prov_editor")  # the session saved in 2023 has expired since
    assert editor.get(edit_url).status_code == 302  # no longer editable

    no_reason = reviewer.post(
        reverse("report_pages:decide", args=[report.pk, "return"]), {"reason": ""}
    )
    assert no_reason.status_code == 400 and "退回原因" in no_reason.content.decode()
    returned = reviewer.post(
        reverse("report_pages:decide", args=[report.pk, "return"]),
        {"reason": "请补充志愿者数据", "note__highlights": "亮点请写具体案例"},
    )
    assert returned.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RETURNED

    page = editor.get(edit_url)
    assert page.status_code == 200, page.get("Location")
    page = page.content.decode()
    assert "请补充志愿者数据" in page and "亮点请写具体案例" in page
    with time_machine.travel(LATE, tick=False):  # a resubmission is never late
        again = editor.post(
            submit_url,
            _form(
                report,
                overview="本省共举办活动150场。",
                highlights="院士进校园，覆盖学生2000人。",
                fig__volunteers="300",
            ),
        )
    assert again.status_code == 302
    editor = client_for(rw, "prov_editor")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and not report.is_late
    assert (
        reviewer.post(reverse("report_pages:decide", args=[report.pk, "accept"])).status_code == 302
    )
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED

    compare = reviewer.get(reverse("report_pages:compare", args=[report.pk]), {"a": 1, "b": 2})
    html = compare.content.decode()
    assert compare.status_code == 200
    assert "本省共举办活动1<del>2</del><ins>5</ins>0场。" in html
    assert "<ins>院士进校园，覆盖学生2000人。</ins>" in html
    assert "300" in html
    missing = reviewer.get(reverse("report_pages:compare", args=[report.pk]), {"a": 1, "b": 9})
    assert missing.status_code == 302
    assert (
        client_for(rw, "most_reviewer")
        .get(reverse("report_pages:compare", args=[report.pk]), {"a": 1, "b": 2})
        .status_code
        == 404
    )


@pytest.mark.parametrize("late_reports", ["accept", "refuse"])
def test_a_late_first_submission_is_flagged_or_refused(rw, late_reports):
    ReportSettings.objects.create(campaign=rw.campaign, late_reports=late_reports)
    report = rw.ready()
    editor = client_for(rw, "prov_editor")
    with time_machine.travel(LATE, tick=False):
        page = editor.get(reverse("report_pages:edit", args=[report.pk])).content.decode()
        assert "截止" in page
        response = editor.post(reverse("report_pages:submit", args=[report.pk]), _form(report))
    report.refresh_from_db()
    if late_reports == "accept":
        assert response.status_code == 302 and report.is_late
        assert report.status == Status.SUBMITTED
    else:
        assert response.status_code == 400 and "不接受" in response.content.decode()
        assert report.status == Status.DRAFT and not report.versions.exists()
