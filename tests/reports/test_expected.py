"""Who reports to whom: the default set from who took part, routed by unit kind; admins add and
remove units."""

from __future__ import annotations

import pytest

from sciday.core.errors import DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.orgs.models import UnitKind
from sciday.reports import selectors, services
from sciday.reports.models import ExpectedReporter
from tests.factories import make_unit


def _expected(rw) -> dict[str, tuple[str, str]]:
    rows = ExpectedReporter.objects.filter(campaign=rw.campaign, removed=False)
    return {r.unit.name: (r.department.name, r.as_chapter_of) for r in rows}


def test_every_reporting_kind_that_took_part_is_routed_to_its_department(rw):
    result = services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    cast, most = "中国科协宣传文化部", "科技部人才与科普司"
    assert _expected(rw) == {
        "甲省科协": (cast, ""),  # through 南京's activity
        "乙省科协": (cast, ""),  # through 杭州's activity
        "甲省科技厅": (most, "全国科技活动周总结"),
        "某学会": (cast, ""),
        "甲大学科协": (cast, ""),
        "甲企业科协": (cast, ""),
    }
    # Local 科协 are not expected by default; 丙省科协 (a draft only) took no part.
    assert result.added == 6
    assert AuditEntry.objects.filter(action="reports.expected.recomputed").count() == 1


def test_recompute_is_idempotent_and_keeps_removals(rw):
    admin = rw.people["campaign_admin"]
    services.expected_recompute(actor=admin, campaign=rw.campaign)
    services.expected_remove(actor=admin, campaign=rw.campaign, unit=rw.unit("other"))
    again = services.expected_recompute(actor=admin, campaign=rw.campaign)
    assert (again.added, again.rerouted) == (0, 0)
    assert "乙省科协" not in _expected(rw)
    row = ExpectedReporter.objects.get(campaign=rw.campaign, unit=rw.unit("other"))
    assert row.removed and row.removed_by == admin
    assert AuditEntry.objects.filter(action="reports.expected.removed").count() == 1


def test_admin_adds_a_unit_that_took_no_part_and_a_local_cast(rw):
    admin = rw.people["campaign_admin"]
    services.expected_recompute(actor=admin, campaign=rw.campaign)
    services.expected_add(actor=admin, campaign=rw.campaign, unit=rw.unit("idle"))
    services.expected_add(actor=admin, campaign=rw.campaign, unit=rw.unit("lead"))
    expected = _expected(rw)
    assert expected["丙省科协"] == ("中国科协宣传文化部", "")
    assert expected["甲省南京市科协"] == ("中国科协宣传文化部", "")
    # An added unit stays after a recompute.
    services.expected_recompute(actor=admin, campaign=rw.campaign)
    assert "丙省科协" in _expected(rw)
    with pytest.raises(DomainError, match="已在应报送名单中"):
        services.expected_add(actor=admin, campaign=rw.campaign, unit=rw.unit("idle"))


def test_a_unit_of_a_kind_without_route_cannot_be_added(rw):
    other_kind = make_unit(name="某单位", kind=UnitKind.OTHER, parent=rw.unit("cast"))
    with pytest.raises(DomainError) as caught:
        services.expected_add(
            actor=rw.people["campaign_admin"], campaign=rw.campaign, unit=other_kind
        )
    assert "没有接收部门" in str(caught.value)
    assert not ExpectedReporter.objects.filter(unit=other_kind).exists()


def test_a_route_change_reroutes_expected_units_and_open_reports(rw):
    from sciday.campaigns.models import ReportRoute

    admin = rw.people["campaign_admin"]
    report = rw.report("prov")
    ReportRoute.objects.filter(campaign=rw.campaign, unit_kind=UnitKind.PROVINCIAL_CAST).update(
        department=rw.unit("most")
    )
    result = services.expected_recompute(actor=admin, campaign=rw.campaign)
    assert result.rerouted == 2
    report.refresh_from_db()
    assert report.department == rw.unit("most")


@pytest.mark.parametrize("who", ["prov_admin", "cast_reviewer", "prov_editor", "anonymous"])
def test_only_campaign_admins_manage_who_reports(rw, who):
    actor = rw.people[who]
    with pytest.raises(NotAllowed):
        services.expected_recompute(actor=actor, campaign=rw.campaign)
    with pytest.raises(NotAllowed):
        services.expected_add(actor=actor, campaign=rw.campaign, unit=rw.unit("idle"))
    assert not ExpectedReporter.objects.exists()


def test_a_department_lists_only_the_units_routed_to_it(rw):
    services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    most = selectors.expected_list(viewer=rw.people["most_reviewer"], campaign=rw.campaign)
    cast = selectors.expected_list(viewer=rw.people["cast_reviewer"], campaign=rw.campaign)
    assert [r.unit.name for r in most] == ["甲省科技厅"]
    assert len(cast) == 5 and "甲省科技厅" not in {r.unit.name for r in cast}
    assert not selectors.expected_list(viewer=rw.people["prov_editor"], campaign=rw.campaign)
