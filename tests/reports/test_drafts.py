"""The report: pre-filled figures, validation, the scan, and drafts that never lose text."""

from __future__ import annotations

import io

import pytest

from sciday.core.errors import Conflict, DomainError
from sciday.core.models import AuditEntry
from sciday.reports import selectors, services
from sciday.reports.models import DraftConflict, Report, ReportFigure
from tests.resources import hostile


def test_figures_are_prefilled_from_what_the_unit_and_its_sub_units_recorded(rw):
    report = rw.report("prov")
    # 南京 (a sub-unit) leads one published activity of category 4; nothing else recorded.
    assert report.figures["activities"]["4"] == 1
    assert sum(report.figures["activities"].values()) == 1
    assert report.figures["participants"] == 0
    assert report.figures["volunteers"] == 0
    assert report.department == rw.unit("cast")
    assert AuditEntry.objects.filter(action="reports.report.created").count() == 1
    # Starting again returns the same report.
    assert rw.report("prov", "prov_editor2").pk == report.pk


def test_a_unit_not_expected_cannot_start_a_report(rw):
    services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    with pytest.raises(DomainError, match="不在本届应报送"):
        services.report_start(
            actor=rw.people["campaign_admin"], campaign=rw.campaign, unit=rw.unit("idle")
        )
    assert not Report.objects.exists()


def test_a_draft_saves_figures_sections_and_extra_figures(rw):
    ReportFigure.objects.create(campaign=rw.campaign, code="exhibitions", label="展览数")
    report = rw.report("prov")
    saved = services.report_save_draft(
        actor=rw.people["prov_editor"],
        report=report,
        base_version=report.version,
        data={
            "figures": {**report.figures, "volunteer_hours": "120.5", "exhibitions": 3},
            "overview": "概况\r\n第二行",
            "problems": "经费不足。",
        },
    )
    saved.refresh_from_db()
    assert saved.version == report.version + 1
    assert saved.figures["volunteer_hours"] == 120.5
    assert saved.figures["exhibitions"] == 3
    assert saved.overview == "概况\n第二行"
    assert saved.problems == "经费不足。"


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"participants": -1}, "必须是大于或等于0的数字"),
        ({"participants": "很多"}, "必须是大于或等于0的数字"),
        ({"volunteers": 1.5}, "必须是大于或等于0的数字"),
        ({"unknown": 1}, "未知的数据项"),
        ({"activities": {"99": 1}}, "未知的数据项"),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_saved(rw, figures, message):
    report = rw.report("prov")
    with pytest.raises(DomainError, match=message):
        services.report_save_draft(
            actor=rw.people["prov_editor"],
            report=report,
            base_version=report.version,
            data={"figures": figures, "overview": "不应保存"},
        )
    report.refresh_from_db()
    assert report.overview == "" and report.version == 1


def test_the_narrative_is_limited_in_all_and_the_limit_is_configurable(rw):
    report = rw.report("prov")
    editor = rw.people["prov_editor"]
    data = {"overview": "字" * 2000, "highlights": "字" * 1000, "problems": "字"}
    with pytest.raises(DomainError, match="3001") as caught:
        services.report_save_draft(actor=editor, report=report, base_version=1, data=data)
    assert "3000" in str(caught.value)
    services.report_settings_set(
        actor=rw.people["campaign_admin"],
        campaign=rw.campaign,
        late_reports="accept",
        text_limit=5000,
    )
    saved = services.report_save_draft(actor=editor, report=report, base_version=1, data=data)
    assert len(saved.overview) == 2000


def test_a_stale_save_is_refused_and_both_texts_are_kept(rw):
    """Two editors of the unit open version 1; the second to save is refused, text kept."""
    report = rw.report("prov")
    first, second = rw.people["prov_editor"], rw.people["prov_editor2"]
    services.report_save_draft(
        actor=first, report=report, base_version=1, data={"overview": "编辑一的概况"}
    )
    with pytest.raises(Conflict) as caught:
        services.report_save_draft(
            actor=second,
            report=report,
            base_version=1,
            data={"overview": "编辑二的概况", "highlights": "编辑二的亮点"},
        )
    error = caught.value
    assert "已有他人保存" in str(error)
    assert error.stored["overview"] == "编辑一的概况" and error.stored["version"] == 2
    assert error.sent["overview"] == "编辑二的概况"
    report.refresh_from_db()
    assert (report.overview, report.highlights, report.version) == ("编辑一的概况", "", 2)
    kept = selectors.report_conflicts(viewer=first, report=report).get()
    assert kept.author == second and (kept.base_version, kept.stored_version) == (1, 2)
    assert kept.sections == {"overview": "编辑二的概况", "highlights": "编辑二的亮点"}
    assert AuditEntry.objects.filter(action="reports.report.save_refused", success=False).exists()
    # The second editor saves again on the current version: accepted.
    saved = services.report_save_draft(
        actor=second, report=report, base_version=2, data={"highlights": "编辑二的亮点"}
    )
    assert (saved.overview, saved.highlights, saved.version) == ("编辑一的概况", "编辑二的亮点", 3)
    assert DraftConflict.objects.count() == 1


def test_the_stamped_scan_must_be_a_pdf(rw):
    report = rw.report("prov")
    editor = rw.people["prov_editor"]
    content = hostile.png()
    with pytest.raises(DomainError):
        services.report_attach_scan(
            actor=editor,
            report=report,
            upload=io.BytesIO(content),
            name="scan.png",
            size=len(content),
        )
    docx = hostile.docx(["总结"])
    with pytest.raises(DomainError, match="PDF"):
        services.report_attach_scan(
            actor=editor,
            report=report,
            upload=io.BytesIO(docx),
            name="总结.docx",
            size=len(docx),
        )
    report.refresh_from_db()
    assert not report.scan
    pdf = hostile.pdf(["stamped"])
    saved = services.report_attach_scan(
        actor=editor, report=report, upload=io.BytesIO(pdf), name="盖章版.pdf", size=len(pdf)
    )
    assert saved.scan.name.startswith("reports/") and saved.scan.name.endswith(".pdf")
    assert saved.scan_name == "盖章版.pdf"
    with saved.scan.open("rb") as stored:
        assert stored.read() == pdf


def test_submission_needs_an_overview_and_the_scan(rw):
    report = rw.report("prov")
    with pytest.raises(DomainError, match="总体情况"):
        services.report_submit(actor=rw.people["prov_editor"], report=report)
    services.report_save_draft(
        actor=rw.people["prov_editor"], report=report, base_version=1, data={"overview": "概况"}
    )
    with pytest.raises(DomainError, match="盖章"):
        services.report_submit(actor=rw.people["prov_editor"], report=report)


def _photo(rw, unit_key: str, **overrides):
    from sciday.resources.models import Processing, Resource

    data = {
        "kind": "photo",
        "campaign": rw.campaign,
        "unit": rw.unit(unit_key),
        "title": f"{unit_key} 活动照片",
        "attribution": "摄影 张三",
        "people_consent": True,
        "processing": Processing.DONE,
        "status": "published",
        **overrides,
    }
    return Resource.objects.create(**data)


def test_photos_and_videos_of_the_unit_and_its_sub_units_can_be_selected(rw):
    report = rw.report("prov")
    editor = rw.people["prov_editor"]
    own = _photo(rw, "lead")  # 南京, a sub-unit
    foreign = _photo(rw, "other_lead")  # another province
    pending = _photo(rw, "lead", processing="pending")
    for refused in (foreign, pending):
        with pytest.raises(DomainError, match="已处理完成的照片和视频"):
            services.report_save_draft(
                actor=editor,
                report=report,
                base_version=1,
                data={"resources": [own.pk, refused.pk]},
            )
    saved = services.report_save_draft(
        actor=editor, report=report, base_version=1, data={"resources": [own.pk]}
    )
    assert list(saved.resources.all()) == [own]


def test_the_list_of_reports_takes_a_fixed_number_of_queries(rw, django_assert_max_num_queries):
    admin = rw.people["campaign_admin"]
    for key, actor in (("prov", "prov_editor"), ("std", "std_editor"), ("other", "other_admin")):
        rw.report(key, actor)
    admin = type(admin).objects.get(pk=admin.pk)
    with django_assert_max_num_queries(3):
        rows = [
            (r.unit.name, r.department.name)
            for r in selectors.report_list(viewer=admin, campaign=rw.campaign)
        ]
    assert len(rows) == 3


def test_extra_figures_are_configured_by_campaign_admins(rw):
    admin = rw.people["campaign_admin"]
    figure = services.report_figure_add(
        actor=admin, campaign=rw.campaign, code="exhibitions", label="展览数"
    )
    for code, message in (("exhibitions", "已有"), ("participants", "已有"), ("展览", "小写字母")):
        with pytest.raises(DomainError, match=message):
            services.report_figure_add(actor=admin, campaign=rw.campaign, code=code, label="x")
    from sciday.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.report_figure_add(
            actor=rw.people["prov_editor"], campaign=rw.campaign, code="x", label="x"
        )
    report = rw.report("prov")
    assert report.figures["exhibitions"] == 0
    services.report_figure_remove(actor=admin, figure=figure)
    assert not ReportFigure.objects.exists()
    assert AuditEntry.objects.filter(action="reports.figure.removed").exists()


def test_prefill_again_keeps_the_typed_figures(rw):
    report = rw.report("prov")
    editor = rw.people["prov_editor"]
    report = services.report_save_draft(
        actor=editor,
        report=report,
        base_version=1,
        data={"figures": {**report.figures, "participants": 999, "volunteers": 40}},
    )
    report = services.report_prefill(actor=editor, report=report, base_version=report.version)
    assert report.figures["participants"] == 0  # back to what the platform recorded
    assert report.figures["volunteers"] == 40
    assert report.figures["activities"]["4"] == 1


def test_transitions_say_what_each_person_may_do_now(rw):
    report = rw.ready()
    editor, reviewer = rw.people["prov_editor"], rw.people["cast_reviewer"]
    assert services.report_transitions(editor, report) == ["edit", "submit"]
    assert services.report_transitions(reviewer, report) == []
    report = services.report_submit(actor=editor, report=report)
    assert services.report_transitions(editor, report) == []
    assert services.report_transitions(reviewer, report) == ["accept", "return"]
