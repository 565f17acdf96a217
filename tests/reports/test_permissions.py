"""Permission matrix: a unit sees and edits only its own report; a department sees and reviews
only the reports routed to it; campaign admins everything; anyone else gets a 404."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from sciday.core.errors import NotAllowed
from sciday.reports import selectors, services
from sciday.reports.models import Report

ON_TIME = datetime(2023, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# role → (view 甲省科协's report, edit it, review it)
MATRIX = {
    "prov_editor": (True, True, False),
    "prov_admin": (True, True, False),  # 甲省科协's unit admin
    "lead_admin": (False, False, False),  # a sub-unit (南京) does not see its parent's report
    "other_admin": (False, False, False),  # another province
    "std_editor": (False, False, False),
    "cast_reviewer": (True, False, True),  # the receiving department
    "most_reviewer": (False, False, False),  # another department
    "campaign_admin": (True, True, True),
    "public": (False, False, False),
    "anonymous": (False, False, False),
}


@pytest.fixture
def submitted(rw) -> Report:
    return services.report_submit(actor=rw.people["prov_editor"], report=rw.ready(), now=ON_TIME)


@pytest.mark.parametrize("who", list(MATRIX))
def test_view(rw, submitted, who):
    viewer = rw.people[who]
    may_view = MATRIX[who][0]
    listed = selectors.report_list(viewer=viewer, campaign=rw.campaign)
    assert (submitted in listed) is may_view
    if may_view:
        assert selectors.report_get(viewer=viewer, pk=submitted.pk) == submitted
    else:
        with pytest.raises(Http404):
            selectors.report_get(viewer=viewer, pk=submitted.pk)


@pytest.mark.parametrize("who", list(MATRIX))
def test_edit(rw, who):
    report = rw.ready()
    actor = rw.people[who]
    may_view, may_edit, _ = MATRIX[who]
    data = {"overview": f"{who} 写的"}
    if may_edit:
        saved = services.report_save_draft(
            actor=actor, report=report, base_version=report.version, data=data
        )
        assert saved.overview == data["overview"]
        return
    with pytest.raises(NotAllowed if may_view else Http404):
        services.report_save_draft(
            actor=actor, report=report, base_version=report.version, data=data
        )
    with pytest.raises(NotAllowed if may_view else Http404):
        services.report_submit(actor=actor, report=report, now=ON_TIME)
    report.refresh_from_db()
    assert report.overview != data["overview"] and report.status == "draft"


@pytest.mark.parametrize("who", list(MATRIX))
def test_review(rw, submitted, who):
    actor = rw.people[who]
    may_view, _, may_review = MATRIX[who]
    if may_review:
        assert services.report_accept(actor=actor, report=submitted).status == "accepted"
        return
    with pytest.raises(NotAllowed if may_view else Http404):
        services.report_return(actor=actor, report=submitted, reason="不行")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_department_lists_only_reports_routed_to_it(rw):
    prov = rw.report("prov")
    std = rw.report("std", "std_editor")
    assert list(selectors.report_list(viewer=rw.people["cast_reviewer"], campaign=rw.campaign)) == [
        prov
    ]
    assert list(selectors.report_list(viewer=rw.people["most_reviewer"], campaign=rw.campaign)) == [
        std
    ]
    everything = selectors.report_list(viewer=rw.people["campaign_admin"], campaign=rw.campaign)
    assert set(everything) == {prov, std}


def test_another_unit_cannot_start_a_report_for_a_unit(rw):
    services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    with pytest.raises(Http404):
        services.report_start(
            actor=rw.people["other_admin"], campaign=rw.campaign, unit=rw.unit("prov")
        )
    assert not Report.objects.exists()
