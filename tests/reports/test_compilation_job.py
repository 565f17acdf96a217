"""The national compilation as a background job: its files hold the accepted reports routed to
the department (figures equal the database's, other reports left out), who may ask for it and
download it, its progress, its failure with a reason, and stale jobs taken up again."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from docx import Document
from openpyxl import load_workbook

from sciday.core.errors import NotAllowed
from sciday.reports import compilation, compilation_pdf, services, tasks_compilation
from sciday.reports.figures import figure_list
from sciday.reports.models import CompilationJob, Report
from tests.resources import hostile

ON_TIME = datetime(2023, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
State = CompilationJob.State


def _photo(rw, unit_key: str):
    from sciday.resources.models import Processing, Resource

    resource = Resource.objects.create(
        kind="photo",
        campaign=rw.campaign,
        unit=rw.unit(unit_key),
        title=f"{unit_key} 活动照片",
        attribution="摄影 张三",
        people_consent=True,
        processing=Processing.DONE,
        status="published",
    )
    resource.file.save(f"{unit_key}.jpg", ContentFile(hostile.jpeg(640, 480)), save=True)
    return resource


def _accepted(rw, key: str, actor: str, figures: dict, *, accept: bool = True) -> Report:
    report = rw.ready(key, actor)
    data: dict = {"figures": figures}
    if key == "prov":
        data["resources"] = [_photo(rw, "lead").pk]
    report = services.report_save_draft(
        actor=rw.people[actor], report=report, base_version=report.version, data=data
    )
    report = services.report_submit(actor=rw.people[actor], report=report, now=ON_TIME)
    if accept:
        reviewer = "cast_reviewer" if report.department_id == rw.unit("cast").pk else None
        reviewer = reviewer or "most_reviewer"
        report = services.report_accept(actor=rw.people[reviewer], report=report)
    return report


@pytest.fixture
def reports(rw):
    """CAST receives 甲省科协's and 某学会's accepted reports and 甲大学科协's submitted one;
    MOST receives 甲省科技厅's accepted one."""
    made = {
        "prov": _accepted(
            rw, "prov", "prov_editor", {"participants": 1200, "volunteer_hours": 12.5}
        ),
        "society": _accepted(
            rw, "society", "campaign_admin", {"participants": 300, "media_reports": 7}
        ),
        "university": _accepted(
            rw, "university", "campaign_admin", {"participants": 99999}, accept=False
        ),
        "std": _accepted(rw, "std", "campaign_admin", {"participants": 55555}),
    }
    assert made["prov"].department_id == rw.unit("cast").pk
    assert made["society"].department_id == rw.unit("cast").pk
    assert made["university"].department_id == rw.unit("cast").pk
    assert made["std"].department_id != rw.unit("cast").pk
    return made


def _run(rw, actor: str = "cast_reviewer") -> CompilationJob:
    # The tests' task backend runs the task at once, when the request's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.compilation_request(
            actor=rw.people[actor], campaign=rw.campaign, department=rw.unit("cast")
        )
    job.refresh_from_db()
    return job


def test_the_files_hold_the_accepted_reports_with_the_databases_figures(rw, reports):
    job = _run(rw)
    assert job.status == State.DONE, job.error
    assert job.progress == 100 and job.reports == 2
    accepted = [reports["prov"], reports["society"]]
    labels = {f.code: f.label for f in figure_list(rw.campaign)}

    with default_storage.open(job.xlsx, "rb") as stream:
        workbook = load_workbook(io.BytesIO(stream.read()), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    assert rows[0][3:-1] == tuple(labels.values())
    by_unit = {row[0]: row for row in rows[1:]}
    assert set(by_unit) == {"甲省科协", "某学会"}  # the submitted one and MOST's left out
    for report in accepted:
        report.refresh_from_db()
        stored = compilation.compilation_from_reports(rw.campaign, rw.unit("cast"))
        expected = next(c for c in stored.chapters if c.unit_name == report.unit.name)
        row = by_unit[report.unit.name]
        assert list(row[3:-1]) == [compilation.number(expected.figures.get(c)) for c in labels]
    assert by_unit["甲省科协"][3 + list(labels).index("participants")] == 1200
    assert by_unit["甲省科协"][3 + list(labels).index("volunteer_hours")] == 12.5
    assert by_unit["某学会"][3 + list(labels).index("media_reports")] == 7

    with default_storage.open(job.docx, "rb") as stream:
        document = Document(io.BytesIO(stream.read()))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    # Ordered by province (甲省 has a region; the national society has none: last).
    assert headings[1:] == ["甲省科协", "某学会"]
    total_row = [c.text for c in document.tables[0].rows[-1].cells]
    assert total_row[1 + list(labels).index("participants")] == "1500"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "本省共举办活动120场。" in text
    assert "99999" not in "".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert len(document.inline_shapes) == 1  # 甲省科协's selected photo

    with default_storage.open(job.pdf, "rb") as stream:
        assert stream.read(5) == b"%PDF-"


def test_progress_is_recorded_up_to_done(rw, reports, monkeypatch):
    seen: list[int] = []
    original = tasks_compilation._set

    def spy(job_id, **fields):
        if "progress" in fields:
            seen.append(fields["progress"])
        original(job_id, **fields)

    monkeypatch.setattr(tasks_compilation, "_set", spy)
    job = _run(rw)
    assert job.status == State.DONE
    assert seen == sorted(seen) and seen[0] == 10 and seen[-1] == 100
    assert 90 in seen  # every chapter converted


def test_only_the_departments_reviewers_and_campaign_admins_may_ask(rw, reports):
    for person in ("prov_editor", "most_reviewer", "prov_admin"):
        with pytest.raises(NotAllowed, match="审核"):
            services.compilation_request(
                actor=rw.people[person], campaign=rw.campaign, department=rw.unit("cast")
            )
    assert not CompilationJob.objects.exists()
    job = services.compilation_request(
        actor=rw.people["campaign_admin"], campaign=rw.campaign, department=rw.unit("cast")
    )
    # A second request while the first waits returns it instead of starting another.
    again = services.compilation_request(
        actor=rw.people["cast_reviewer"], campaign=rw.campaign, department=rw.unit("cast")
    )
    assert again.pk == job.pk and CompilationJob.objects.count() == 1


def test_a_failure_is_recorded_with_its_reason_and_stores_nothing(rw, reports, monkeypatch):
    def missing(family: str):
        raise compilation_pdf.FontsMissing(f"the font {family} is not installed")

    monkeypatch.setattr(compilation_pdf, "font_file", missing)
    before = set(_stored())
    job = _run(rw)
    assert job.status == State.FAILED
    assert "无法生成" in job.error and "Noto Serif CJK SC" in job.error
    assert not (job.docx or job.pdf or job.xlsx)
    assert set(_stored()) == before


def _sign_in(client, user) -> None:
    """Sign in, with the verified second factor national roles need."""
    client.force_login(user)
    device = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)[0]
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _stored() -> list[str]:
    try:
        return default_storage.listdir("reports/compilations")[1]
    except FileNotFoundError:
        return []


def test_stale_jobs_are_retried_then_failed(rw, reports, settings):
    settings.REPORTS_COMPILATION_ATTEMPTS = 2
    old = timezone.now() - timedelta(hours=2)
    stuck = CompilationJob.objects.create(
        campaign=rw.campaign, department=rw.unit("cast"), status=State.RUNNING, attempts=1
    )
    spent = CompilationJob.objects.create(
        campaign=rw.campaign, department=rw.unit("most"), status=State.RUNNING, attempts=2
    )
    CompilationJob.objects.filter(pk__in=[stuck.pk, spent.pk]).update(started_at=old)
    counts = tasks_compilation.recover_stale()
    assert counts == {"failed": 1, "retried": 1, "requeued": 0}
    spent.refresh_from_db()
    assert spent.status == State.FAILED and "未能按时完成" in spent.error
    stuck.refresh_from_db()
    assert stuck.status == State.DONE  # enqueued again and run by the tests' backend
    assert stuck.reports == 2


def test_pages_request_show_progress_and_serve_the_files_to_the_department_only(rw, reports):
    reviewer = Client()
    _sign_in(reviewer, rw.people["cast_reviewer"])
    home = reviewer.get(reverse("report_compilation:home"))
    assert home.status_code == 200
    assert "生成汇编" in home.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = reviewer.post(
            reverse("report_compilation:request"),
            {"campaign": rw.campaign.pk, "department": rw.unit("cast").pk},
        )
    job = CompilationJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("report_compilation:job", args=[job.pk])
    page = reviewer.get(response["Location"]).content.decode()
    assert "下载" in page and 'http-equiv="refresh"' not in page
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        file = reviewer.get(reverse("report_compilation:download", args=[job.pk, fmt]))
        assert file.status_code == 200
        assert file["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in file["Content-Disposition"]
        assert file.getvalue().startswith(magic)

    other = Client()
    _sign_in(other, rw.people["most_reviewer"])
    assert other.get(reverse("report_compilation:job", args=[job.pk])).status_code == 404
    url = reverse("report_compilation:download", args=[job.pk, "pdf"])
    assert other.get(url).status_code == 404
    # MOST's reviewer may not ask for CAST's compilation either.
    refused = other.post(
        reverse("report_compilation:request"),
        {"campaign": rw.campaign.pk, "department": rw.unit("cast").pk},
    )
    assert refused.status_code == 404
    editor = Client()
    _sign_in(editor, rw.people["prov_editor"])
    assert editor.get(reverse("report_compilation:home")).status_code == 403
    assert CompilationJob.objects.count() == 1


def test_a_running_job_page_refreshes_itself(rw, reports):
    job = CompilationJob.objects.create(
        campaign=rw.campaign, department=rw.unit("cast"), status=State.RUNNING, progress=42
    )
    client = Client()
    _sign_in(client, rw.people["cast_reviewer"])
    response = client.get(reverse("report_compilation:job", args=[job.pk]))
    assert response.status_code == 200, response
    page = response.content.decode()
    assert 'http-equiv="refresh"' in page
    assert 'value="42"' in page
    assert (
        client.get(reverse("report_compilation:download", args=[job.pk, "pdf"])).status_code == 404
    )
