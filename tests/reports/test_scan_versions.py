"""Each submission keeps its stamped scan: replacing the scan after a submission leaves the
submitted file in place and downloadable from the version; a scan only ever seen by drafts is
deleted when replaced."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from sciday.reports import services
from sciday.reports.models import Report
from tests.reports.test_pages import client_for
from tests.resources import hostile

ON_TIME = datetime(2023, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _attach(rw, report: Report, text: str) -> Report:
    content = hostile.pdf([text])
    return services.report_attach_scan(
        actor=rw.people["prov_editor"],
        report=report,
        upload=io.BytesIO(content),
        name=f"{text}.pdf",
        size=len(content),
    )


def _exists(name: str | None) -> bool:
    return bool(name) and (Path(settings.MEDIA_ROOT) / str(name)).is_file()


def _body(response) -> bytes:
    # The test client closes the response once its content is read; closing it here as well
    # would send request_finished again, which closes the database connection (PostgreSQL).
    return b"".join(response.streaming_content)


def _status(client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        _body(response)
    return response.status_code


def test_a_submitted_scan_survives_its_replacement_and_downloads_from_the_version(
    rw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = rw.ready()
        first = report.scan.name
        services.report_submit(actor=rw.people["prov_editor"], report=report, now=ON_TIME)
        services.report_return(actor=rw.people["cast_reviewer"], report=report, reason="请补充")
        report = _attach(rw, Report.objects.get(pk=report.pk), "second scan")
    assert report.scan.name != first
    assert _exists(first) and _exists(report.scan.name)
    assert report.versions.get(number=1).scan == first

    editor = client_for(rw, "prov_editor")
    old = editor.get(reverse("report_pages:version_scan", args=[report.pk, 1]))
    assert old.status_code == 200
    assert old["Content-Type"] == "application/pdf"
    assert "attachment" in old["Content-Disposition"]
    assert _body(old) == (Path(settings.MEDIA_ROOT) / first).read_bytes()
    current = editor.get(reverse("report_pages:scan", args=[report.pk]))
    assert _body(current) == hostile.pdf(["second scan"])

    # The version's scan is linked from the report's page.
    page = editor.get(reverse("report_pages:detail", args=[report.pk]))
    assert reverse("report_pages:version_scan", args=[report.pk, 1]) in page.content.decode()

    # Same permission as the current scan: the reviewer yes, another unit and strangers no.
    url = old.wsgi_request.path
    assert _status(client_for(rw, "cast_reviewer"), url) == 200
    assert _status(client_for(rw, "std_editor"), url) == 404
    assert _status(client_for(rw, "most_reviewer"), url) == 404
    anonymous = client_for(rw, "anonymous").get(old.wsgi_request.path)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    # A submission that does not exist.
    missing = editor.get(reverse("report_pages:version_scan", args=[report.pk, 2]))
    assert missing.status_code == 404


def test_a_draft_only_scan_is_deleted_when_replaced(rw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = rw.ready()
        first = report.scan.name
        report = _attach(rw, report, "second")
        second = report.scan.name
        report = _attach(rw, report, "third")
    assert not _exists(first)
    assert not _exists(second)
    assert _exists(report.scan.name)


def test_resubmitting_with_a_new_scan_keeps_both_versions_files(
    rw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = rw.ready()
        services.report_submit(actor=rw.people["prov_editor"], report=report, now=ON_TIME)
        services.report_return(actor=rw.people["cast_reviewer"], report=report, reason="请补充")
        report = _attach(rw, Report.objects.get(pk=report.pk), "draft between")
        between = report.scan.name
        report = _attach(rw, report, "second submission")
        services.report_submit(actor=rw.people["prov_editor"], report=report, now=ON_TIME)
    versions = {v.number: v.scan for v in Report.objects.get(pk=report.pk).versions.all()}
    assert not _exists(between)  # named by no version: deleted
    assert all(_exists(name) for name in versions.values())
    editor = client_for(rw, "prov_editor")
    for number in versions:
        url = reverse("report_pages:version_scan", args=[report.pk, number])
        assert _status(editor, url) == 200
    compare = editor.get(reverse("report_pages:compare", args=[report.pk]) + "?a=1&b=2")
    assert reverse("report_pages:version_scan", args=[report.pk, 2]) in compare.content.decode()
