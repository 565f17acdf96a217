"""Review loop: return with a reason (per section too), revise, resubmit, accept; every version
kept and comparable."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sciday.core.errors import Conflict, DomainError
from sciday.core.models import AuditEntry
from sciday.reports import selectors, services
from sciday.reports.models import Status

ON_TIME = datetime(2023, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_return_revise_resubmit_accept_keeps_every_version(rw):
    editor, reviewer = rw.people["prov_editor"], rw.people["cast_reviewer"]
    report = services.report_submit(actor=editor, report=rw.ready(), now=ON_TIME)
    with pytest.raises(Conflict):
        services.report_save_draft(
            actor=editor, report=report, base_version=report.version, data={"overview": "改"}
        )
    with pytest.raises(DomainError, match="退回原因"):
        services.report_return(actor=reviewer, report=report, reason="  ")
    report = services.report_return(
        actor=reviewer,
        report=report,
        reason="请补充志愿者数据",
        section_notes={"highlights": "亮点请写具体案例", "problems": ""},
    )
    assert report.status == Status.RETURNED
    assert report.return_reason == "请补充志愿者数据"
    assert report.section_notes == {"highlights": "亮点请写具体案例"}

    report = services.report_save_draft(
        actor=editor,
        report=report,
        base_version=report.version,
        data={
            "figures": {**report.figures, "volunteers": 300},
            "highlights": "院士进校园，覆盖学生2000人。",
        },
    )
    report = services.report_submit(actor=editor, report=report, now=ON_TIME)
    assert report.status == Status.SUBMITTED and report.return_reason == ""
    report = services.report_accept(actor=reviewer, report=report)
    assert report.status == Status.ACCEPTED

    v1, v2 = selectors.report_versions(viewer=editor, report=report)
    assert (v1.number, v1.decision, v1.reason) == (1, "returned", "请补充志愿者数据")
    assert v1.section_notes == {"highlights": "亮点请写具体案例"} and v1.decided_by == reviewer
    assert (v2.number, v2.decision) == (2, "accepted")
    assert v1.sections["highlights"] == "院士进校园。"
    assert v1.scan_name == "总结报告（盖章）.pdf"

    diff = selectors.report_diff(v1, v2)
    assert [(f.code, f.old, f.new) for f in diff.figures] == [("volunteers", 0, 300)]
    assert diff.figures[0].label == "志愿者人数"
    by_name = {s.name: s for s in diff.sections}
    assert not by_name["overview"].changed and by_name["highlights"].changed
    assert ("insert", "，覆盖学生2000人") in by_name["highlights"].segments
    assert "".join(t for op, t in by_name["highlights"].segments if op != "insert") == (
        "院士进校园。"
    )
    assert not diff.scan_changed
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"reports.report.returned", "reports.report.accepted"} <= actions
    with pytest.raises(Conflict):
        services.report_return(actor=reviewer, report=report, reason="再改")


def test_a_per_section_note_names_a_real_section(rw):
    report = services.report_submit(actor=rw.people["prov_editor"], report=rw.ready(), now=ON_TIME)
    with pytest.raises(DomainError, match="未知的部分"):
        services.report_return(
            actor=rw.people["cast_reviewer"], report=report, reason="退回", section_notes={"x": "y"}
        )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
