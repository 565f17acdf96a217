"""The demo reports: 2023's reports in every state, through the services, loaded once.

The seeded structure is used as the demo uses it: 浙江省科协 (cast-33, the demo unit admin's),
other provincial 科协 and S&T departments (std-*, routed to 科技部人才与科普司, the demo
reviewer's department). Each took part through one published activity.
"""

from __future__ import annotations

import pypdfium2
import pytest
import time_machine

from sciday.accounts.models import Role
from sciday.activities.models import Status as ActivityStatus
from sciday.core.demo_reports import load_demo_reports
from sciday.orgs.models import Unit, UnitKind
from sciday.reports import board
from sciday.reports.models import ExpectedReporter, Report, ReportSettings, Status
from sciday.resources.models import Processing, Resource
from tests.activities.world import at, build_world
from tests.factories import make_member, make_unit

# (unit code, region) of the units that took part.
TOOK_PART = [
    ("cast-33", "330100"),
    ("cast-11", "110100"),
    ("cast-31", "310100"),
    ("cast-32", "320100"),
    ("cast-44", "440100"),
    ("cast-51", "510100"),
    ("cast-37", "370100"),
    ("cast-41", "410100"),
    ("cast-42", "420100"),
    ("std-33", "330100"),
    ("std-11", "110100"),
    ("std-31", "310100"),
    ("std-44", "440100"),
]


@pytest.fixture
def demo(db, national, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    world = build_world(national)
    cast33 = Unit.objects.get(code="cast-33")
    hangzhou = make_unit(
        name="杭州市科学技术协会", kind=UnitKind.LOCAL_CAST, parent=cast33, region="330100"
    )
    with time_machine.travel(at(2023, 5, 2, 10, 0), tick=False):
        for code, region in TOOK_PART:
            world.activity(
                status=ActivityStatus.PUBLISHED,
                lead_unit=Unit.objects.get(code=code),
                region=region,
                co_organizers=[],
            )
    photo = Resource.objects.create(
        kind="photo",
        campaign=world.campaign,
        unit=Unit.objects.get(pk=hangzhou.pk),
        title="科学家精神宣讲现场",
        attribution="摄影 杭州市科协",
        people_consent=True,
        processing=Processing.DONE,
        status="published",
    )
    ReportSettings.objects.create(campaign=world.campaign, late_reports="refuse")
    people = {
        "campaign_admin": world.people["campaign_admin"],
        "unit_admin": make_member(cast33, Role.UNIT_ADMIN, name="王浙科"),
        "reviewer": make_member(
            Unit.objects.get(code="most-talent"), Role.DEPARTMENT_REVIEWER, name="李人才"
        ),
    }
    return world, people, photo


def test_the_demo_loads_once_with_reports_in_every_state(demo):
    world, people, photo = demo
    made = load_demo_reports(**people, log=lambda *_: None)
    reports = Report.objects.filter(campaign=world.campaign)
    assert made == reports.count() and made >= 8
    assert set(reports.values_list("status", flat=True)) == set(Status.values)
    assert reports.filter(is_late=True, status=Status.SUBMITTED).exists()
    assert reports.filter(is_late=False, status=Status.SUBMITTED).exists()
    expected = ExpectedReporter.objects.filter(campaign=world.campaign, removed=False).count()
    assert reports.count() < expected  # some units are missing, for the board
    # The late policy was set to accept late reports with the flag.
    assert ReportSettings.objects.get(campaign=world.campaign).late_reports == "accept"

    own = reports.get(unit__code="cast-33")
    assert own.status == Status.RETURNED and own.return_reason
    assert own.section_notes and own.updated_by == people["unit_admin"]
    assert list(own.resources.all()) == [photo]
    assert "点亮精神火炬" in own.overview and own.figures["volunteers"] > 0
    assert len(own.overview + own.highlights + own.problems) <= 3000
    with own.scan.open("rb") as handle:
        pdf = pypdfium2.PdfDocument(handle.read())
    assert len(pdf) == 1
    pdf.close()

    revised = reports.filter(status=Status.ACCEPTED, versions__number=2).distinct()
    assert revised.exists()
    versions = list(revised.first().versions.order_by("number"))
    assert [v.decision for v in versions] == ["returned", "accepted"]

    most = reports.filter(department__code="most-talent")
    assert most.exists() and most.filter(status=Status.SUBMITTED).exists()
    assert set(most.values_list("unit__kind", flat=True)) == {UnitKind.PROVINCIAL_STD}
    assert most.filter(status=Status.ACCEPTED, versions__decided_by=people["reviewer"]).exists()

    counts = board.board_counts(
        campaign=world.campaign, department=Unit.objects.get(code="cast-publicity")
    ).total
    assert counts.submitted and counts.late and counts.returned and counts.accepted
    assert counts.missing

    assert load_demo_reports(**people, log=lambda *_: None) == 0
    assert Report.objects.filter(campaign=world.campaign).count() == made
