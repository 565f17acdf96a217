"""The completeness board: counts equal the database's, the units behind each number, who sees
which department's board, and who manages the expected units."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.core.errors import NotAllowed
from sciday.orgs.models import Unit, UnitKind
from sciday.reports import board as board_selectors
from sciday.reports import services
from sciday.reports.models import ExpectedReporter, Report, Status
from tests.factories import make_unit
from tests.resources import hostile

SHANGHAI = ZoneInfo("Asia/Shanghai")
ON_TIME = datetime(2023, 6, 20, 10, 0, tzinfo=SHANGHAI)
LATE = datetime(2023, 7, 1, 0, 0, tzinfo=SHANGHAI)
BOARD = "/workspace/reports/board/"


def _submit(rw, key: str, when: datetime) -> Report:
    admin = rw.people["campaign_admin"]
    report = services.report_start(actor=admin, campaign=rw.campaign, unit=rw.unit(key))
    report = services.report_save_draft(
        actor=admin, report=report, base_version=report.version, data={"overview": "概述。"}
    )
    content = hostile.pdf(["stamped"])
    report = services.report_attach_scan(
        actor=admin, report=report, upload=io.BytesIO(content), name="scan.pdf", size=len(content)
    )
    return services.report_submit(actor=admin, report=report, now=when)


@pytest.fixture
def built(rw):
    """Every state among CAST's five units, and one report to MOST.

    甲省科协 (32) on time then returned; 乙省科协 (33) late then accepted; 甲企业科协 (32) on
    time and accepted; 某学会 (no region) a draft only; 甲大学科协 (32) not started. 甲省科技厅
    (MOST) on time.
    """
    admin = rw.people["campaign_admin"]
    services.expected_recompute(actor=admin, campaign=rw.campaign)
    reviewer = rw.people["cast_reviewer"]
    services.report_return(actor=reviewer, report=_submit(rw, "prov", ON_TIME), reason="请补充。")
    services.report_accept(actor=reviewer, report=_submit(rw, "other", LATE))
    services.report_accept(actor=reviewer, report=_submit(rw, "enterprise", ON_TIME))
    services.report_start(actor=admin, campaign=rw.campaign, unit=rw.unit("society"))
    _submit(rw, "std", ON_TIME)
    return rw


def _sign_in(client, user) -> None:
    """Sign in, with the verified second factor national roles need."""
    client.force_login(user)
    device = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)[0]
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _cast(rw) -> Unit:
    return rw.world.unit("cast")


def _from_database(rw, department: Unit) -> dict[str, set[str]]:
    """Each state's units, computed the plain way from the rows."""
    expected = ExpectedReporter.objects.filter(
        campaign=rw.campaign, department=department, removed=False
    ).select_related("unit")
    reports = {r.unit_id: r for r in Report.objects.filter(campaign=rw.campaign)}
    states: dict[str, set[str]] = {k: set() for k in board_selectors.STATES}
    for row in expected:
        report = reports.get(row.unit_id)
        name = row.unit.name
        states["expected"].add(name)
        if report is None or report.submitted_at is None:
            states["missing"].add(name)
            continue
        states["submitted"].add(name)
        states["late" if report.is_late else "on_time"].add(name)
        if report.status == Status.RETURNED:
            states["returned"].add(name)
        if report.status == Status.ACCEPTED:
            states["accepted"].add(name)
    return states


def test_counts_equal_the_database(built):
    rw = built
    board = board_selectors.board(
        viewer=rw.people["cast_reviewer"], campaign=rw.campaign, department=_cast(rw)
    )
    truth = _from_database(rw, _cast(rw))
    assert {s: getattr(board.total, s) for s in board_selectors.STATES} == {
        s: len(units) for s, units in truth.items()
    }
    assert dict(board.total.as_list()) == {
        "expected": 5,
        "submitted": 3,
        "on_time": 2,
        "late": 1,
        "returned": 1,
        "accepted": 2,
        "missing": 2,
    }
    kinds = {row.key: dict(row.counts.as_list()) for row in board.by_kind}
    assert kinds[UnitKind.PROVINCIAL_CAST] == {
        "expected": 2,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "returned": 1,
        "accepted": 1,
        "missing": 0,
    }
    assert kinds[UnitKind.NATIONAL_SOCIETY]["missing"] == 1
    assert kinds[UnitKind.UNIVERSITY_CAST]["missing"] == 1
    assert kinds[UnitKind.ENTERPRISE_CAST]["accepted"] == 1
    assert UnitKind.PROVINCIAL_STD not in kinds  # MOST's, not on CAST's board
    provinces = {row.key: (row.label, dict(row.counts.as_list())) for row in board.by_province}
    assert provinces["32"][1]["expected"] == 3 and provinces["32"][1]["missing"] == 1
    assert provinces["33"][1]["late"] == 1
    assert provinces["none"][1] == {**provinces["none"][1], "expected": 1, "missing": 1}
    assert provinces["32"][0] and provinces["33"][0]  # named after the province


def test_each_number_lists_the_units_behind_it(built):
    rw = built
    truth = _from_database(rw, _cast(rw))
    for state in board_selectors.STATES:
        units = board_selectors.board_units(
            viewer=rw.people["cast_reviewer"],
            campaign=rw.campaign,
            department=_cast(rw),
            state=state,
        )
        assert {row.unit.name for row in units} == truth[state], state
    by_kind = board_selectors.board_units(
        viewer=rw.people["cast_reviewer"],
        campaign=rw.campaign,
        department=_cast(rw),
        state="missing",
        kind=UnitKind.UNIVERSITY_CAST,
    )
    assert [row.unit.name for row in by_kind] == ["甲大学科协"]
    in_32 = board_selectors.board_units(
        viewer=rw.people["cast_reviewer"],
        campaign=rw.campaign,
        department=_cast(rw),
        state="expected",
        province="32",
    )
    assert {row.unit.name for row in in_32} == {"甲省科协", "甲大学科协", "甲企业科协"}


def test_the_page_shows_the_counts_and_the_list(built, client):
    rw = built
    _sign_in(client, rw.people["cast_reviewer"])
    page = client.get(BOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "中国科协宣传文化部" in html
    assert f"department={_cast(rw).pk}&amp;state=missing&amp;kind=university_cast" in html
    listing = client.get(
        BOARD, {"department": _cast(rw).pk, "state": "missing", "kind": "university_cast"}
    )
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "甲大学科协" in text and "某学会" not in text
    assert "甲省科技厅" not in client.get(BOARD, {"state": "expected"}).content.decode()


def test_the_board_takes_a_fixed_number_of_queries(built):
    rw = built
    reviewer, cast = rw.people["cast_reviewer"], _cast(rw)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            board_selectors.board_counts(campaign=rw.campaign, department=cast)
        return len(ctx.captured_queries)

    before = count()
    admin = rw.people["campaign_admin"]
    for i in range(12):
        unit = make_unit(
            name=f"丁{i}省科协",
            kind=UnitKind.PROVINCIAL_CAST,
            parent=Unit.objects.get(pk=cast.pk),
            region=["110000", "120000", "130000"][i % 3],
        )
        services.expected_add(actor=admin, campaign=rw.campaign, unit=unit)
    assert count() == before <= 2
    board = board_selectors.board(viewer=reviewer, campaign=rw.campaign, department=cast)
    assert board.total.expected == 17 and board.total.missing == 14


def test_a_department_sees_only_its_own_board(built, client):
    rw = built
    cast, most = _cast(rw), rw.world.unit("most")
    with pytest.raises(Http404):
        board_selectors.board(
            viewer=rw.people["most_reviewer"], campaign=rw.campaign, department=cast
        )
    _sign_in(client, rw.people["most_reviewer"])
    own = client.get(BOARD)
    assert own.status_code == 200 and "科技部人才与科普司" in own.content.decode()
    assert "甲省科协" not in client.get(BOARD, {"state": "expected"}).content.decode()
    assert client.get(BOARD, {"department": cast.pk}).status_code == 404
    # A unit's editor has no board; anonymous people are sent to sign in.
    _sign_in(client, rw.people["prov_editor"])
    assert client.get(BOARD).status_code == 403
    client.logout()
    assert client.get(BOARD).status_code == 302
    # Campaign admins choose the department.
    _sign_in(client, rw.people["campaign_admin"])
    both = client.get(BOARD, {"department": most.pk}).content.decode()
    assert "中国科协宣传文化部" in both and "科技部人才与科普司" in both


def test_campaign_admins_manage_the_expected_units(rw, client):
    admin = rw.people["campaign_admin"]
    services.expected_recompute(actor=admin, campaign=rw.campaign)
    _sign_in(client, admin)
    url = reverse("report_board:expected")
    page = client.get(url)
    assert page.status_code == 200 and "甲大学科协" in page.content.decode()

    refused = client.post(url, {"unit": "没有这个单位"})
    assert refused.status_code == 400
    assert "没有" in refused.content.decode()
    added = client.post(url, {"unit": "丙省科协"})
    assert added.status_code == 302
    assert ExpectedReporter.objects.get(unit=rw.unit("idle"), removed=False).added_by == admin

    idle = rw.unit("idle")
    removed = client.post(reverse("report_board:expected_remove", args=[idle.pk]))
    assert removed.status_code == 302
    assert ExpectedReporter.objects.get(unit=idle).removed
    again = client.post(reverse("report_board:expected_remove", args=[idle.pk]), follow=True)
    assert "不在应报送名单中" in again.content.decode() or again.status_code == 200

    ExpectedReporter.objects.filter(unit=rw.unit("university")).delete()
    recompute = client.post(reverse("report_board:expected_recompute"), follow=True)
    assert recompute.status_code == 200
    assert ExpectedReporter.objects.filter(unit=rw.unit("university"), removed=False).exists()


def test_others_may_not_manage_the_expected_units(rw, client):
    services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    _sign_in(client, rw.people["cast_reviewer"])
    url = reverse("report_board:expected")
    assert client.get(url).status_code == 403
    assert client.post(url, {"unit": "丙省科协"}).status_code == 403
    uni = rw.unit("university")
    assert client.post(reverse("report_board:expected_remove", args=[uni.pk])).status_code == 403
    assert client.post(reverse("report_board:expected_recompute")).status_code == 403
    assert not ExpectedReporter.objects.filter(unit=rw.unit("idle")).exists()
    assert not ExpectedReporter.objects.get(unit=uni).removed
    with pytest.raises(NotAllowed):
        services.expected_add(
            actor=rw.people["cast_reviewer"], campaign=rw.campaign, unit=rw.unit("idle")
        )
