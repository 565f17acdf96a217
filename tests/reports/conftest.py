"""The activities' two-province world, plus one unit of every reporting kind, for reports.

甲省科协 (provincial 科协) took part through 甲省南京市科协's published activity; 乙省科协 took
part through 乙省杭州市科协's; 甲省科技厅 (provincial S&T department), 某学会 (national
society), 甲大学科协 and 甲企业科协 led one published activity each; 丙省科协 took no part.
People: the world's, plus an editor and an admin of 甲省科协 and a CAST department reviewer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import translation

from sciday.accounts.models import Role
from sciday.activities.models import Status as ActivityStatus
from sciday.orgs.models import Unit, UnitKind
from sciday.reports import services
from sciday.reports.models import Report
from tests.activities.world import World, at, build_world
from tests.factories import make_member, make_unit
from tests.resources import hostile


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@dataclass
class ReportWorld:
    world: World
    units: dict[str, Unit]
    people: dict[str, object]

    @property
    def campaign(self):
        return self.world.campaign

    def unit(self, key: str) -> Unit:
        return Unit.objects.get(pk=self.units[key].pk)

    def report(self, key: str = "prov", actor: str = "prov_editor") -> Report:
        """The unit's report, started by `actor` (expected reporters recomputed first)."""
        services.expected_recompute(actor=self.people["campaign_admin"], campaign=self.campaign)
        return services.report_start(
            actor=self.people[actor], campaign=self.campaign, unit=self.unit(key)
        )

    def ready(self, key: str = "prov", actor: str = "prov_editor") -> Report:
        """A report with an overview and the stamped scan: ready to submit."""
        report = self.report(key, actor)
        report = services.report_save_draft(
            actor=self.people[actor],
            report=report,
            base_version=report.version,
            data={"overview": "本省共举办活动120场。", "highlights": "院士进校园。"},
        )
        content = hostile.pdf(["stamped"])
        return services.report_attach_scan(
            actor=self.people[actor],
            report=report,
            upload=io.BytesIO(content),
            name="总结报告（盖章）.pdf",
            size=len(content),
        )


def _published(world: World, lead: Unit, **overrides) -> None:
    data = {"lead_unit": lead, "region": "320100", "co_organizers": [], **overrides}
    world.activity(status=ActivityStatus.PUBLISHED, **data)


@pytest.fixture
def rw(db, national) -> ReportWorld:
    world = build_world(national)
    cast, most = world.unit("cast"), world.unit("most")
    units = dict(world.units)
    units["std"] = make_unit(
        name="甲省科技厅", kind=UnitKind.PROVINCIAL_STD, parent=most, region="320000"
    )
    units["society"] = make_unit(
        name="某学会", kind=UnitKind.NATIONAL_SOCIETY, parent=Unit.objects.get(pk=cast.pk)
    )
    units["university"] = make_unit(
        name="甲大学科协",
        kind=UnitKind.UNIVERSITY_CAST,
        parent=Unit.objects.get(pk=cast.pk),
        region="320100",
    )
    units["enterprise"] = make_unit(
        name="甲企业科协",
        kind=UnitKind.ENTERPRISE_CAST,
        parent=Unit.objects.get(pk=cast.pk),
        region="320100",
    )
    units["idle"] = make_unit(
        name="丙省科协",
        kind=UnitKind.PROVINCIAL_CAST,
        parent=Unit.objects.get(pk=cast.pk),
        region="340000",
    )
    with time_machine.travel(at(2023, 5, 2, 10, 0), tick=False):
        world.activity(status=ActivityStatus.PUBLISHED)  # 南京 leads, 苏州 co-organizes
        world.activity(target="other", status=ActivityStatus.PUBLISHED)
        for key in ("std", "society", "university", "enterprise"):
            _published(world, Unit.objects.get(pk=units[key].pk))
        # A draft does not count as taking part.
        world.activity(
            status=ActivityStatus.DRAFT,
            lead_unit=Unit.objects.get(pk=units["idle"].pk),
            region="340100",
            co_organizers=[],
        )
    people = dict(world.people)
    people["prov_editor"] = make_member(world.unit("prov"), Role.UNIT_EDITOR, name="甲省编辑")
    people["prov_editor2"] = make_member(world.unit("prov"), Role.UNIT_EDITOR, name="甲省编辑二")
    people["prov_admin"] = world.people["parent_admin"]
    people["cast_reviewer"] = make_member(
        world.unit("cast"), Role.DEPARTMENT_REVIEWER, name="宣传文化部审核员"
    )
    people["most_reviewer"] = world.people["department_reviewer"]
    people["std_editor"] = make_member(
        Unit.objects.get(pk=units["std"].pk), Role.UNIT_EDITOR, name="科技厅编辑"
    )
    return ReportWorld(world=world, units=units, people=people)
