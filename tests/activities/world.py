"""Two provinces and the people who act on their activities.

中国科协宣传文化部 (national) ← campaign admin
科技部人才与科普司 (national) ← department reviewer
  ├─ 甲省科协 (江苏 320000) ← parent_admin
  │    ├─ 甲省南京市科协 (320100) ← lead_editor, lead_admin   leads the "own" activity
  │    └─ 甲省苏州市科协 (320500) ← coorg_member               co-organizes the "own" activity
  └─ 乙省科协 (浙江 330000) ← other_admin
       └─ 乙省杭州市科协 (330100)                              leads the "other" activity
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from sciday.accounts.models import Role
from sciday.activities import services
from sciday.activities.models import Activity, Status
from sciday.campaigns.models import Campaign, Category
from sciday.orgs.models import Unit, UnitKind
from tests.factories import UserFactory, make_member, make_unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROLES = [
    "anonymous",
    "public",
    "lead_editor",
    "lead_admin",
    "parent_admin",
    "other_admin",
    "coorg_member",
    "department_reviewer",
    "campaign_admin",
]


def at(*args: int) -> datetime:
    """An aware datetime in Asia/Shanghai."""
    return datetime(*args, tzinfo=SHANGHAI)


@dataclass
class World:
    campaign: Campaign
    units: dict[str, Unit]
    people: dict[str, object]

    def unit(self, key: str) -> Unit:
        return Unit.objects.get(pk=self.units[key].pk)

    def category(self, number: int = 1) -> Category:
        return self.campaign.categories.get(number=number)

    def data(self, target: str = "own", **overrides) -> dict:
        """Valid arguments of `activity_create` for an offline activity of `target`'s lead unit."""
        lead, region = ("lead", "320100") if target == "own" else ("other_lead", "330100")
        data = {
            "campaign": self.campaign,
            "lead_unit": self.unit(lead),
            "title": "科学家精神报告会",
            "summary": "院士走进校园，讲述科学家故事。",
            "category": self.category(4),
            "format": "offline",
            "starts_at": at(2023, 5, 20, 9, 0),
            "ends_at": at(2023, 5, 20, 11, 30),
            "region": region,
            "address": "市科技馆报告厅",
            "audience": "中学生",
            "capacity": 200,
            "expected_participants": 180,
        }
        if target == "own":
            data["co_organizers"] = [self.unit("coorg")]
        data.update(overrides)
        return data

    def activity(self, target: str = "own", status: str = Status.DRAFT, **overrides) -> Activity:
        """An activity of `target` brought to `status` through the services (as campaign admin)."""
        admin = self.people["campaign_admin"]
        activity = services.activity_create(actor=admin, **self.data(target, **overrides))
        if status == Status.DRAFT:
            return activity
        activity = services.activity_submit(actor=admin, activity=activity)
        if status == Status.SUBMITTED:
            return activity
        if status == Status.RETURNED:
            return services.activity_return(actor=admin, activity=activity, reason="请补充地址")
        activity = services.activity_approve(actor=admin, activity=activity)
        if status == Status.PUBLISHED:
            return activity
        if status == Status.CANCELLED:
            return services.activity_cancel(actor=admin, activity=activity, reason="天气原因")
        assert status == Status.FINISHED
        return services.activity_finish(actor=admin, activity=activity, actual_participants=150)


def build_world(national) -> World:
    cast, most = national["cast-publicity"], national["most-talent"]

    def fresh(unit: Unit) -> Unit:
        return Unit.objects.get(pk=unit.pk)

    prov = make_unit(
        name="甲省科协", kind=UnitKind.PROVINCIAL_CAST, parent=fresh(cast), region="320000"
    )
    other = make_unit(
        name="乙省科协", kind=UnitKind.PROVINCIAL_CAST, parent=fresh(cast), region="330000"
    )
    lead = make_unit(
        name="甲省南京市科协", kind=UnitKind.LOCAL_CAST, parent=fresh(prov), region="320100"
    )
    coorg = make_unit(
        name="甲省苏州市科协", kind=UnitKind.LOCAL_CAST, parent=fresh(prov), region="320500"
    )
    other_lead = make_unit(
        name="乙省杭州市科协", kind=UnitKind.LOCAL_CAST, parent=fresh(other), region="330100"
    )
    units = {
        key: fresh(u)
        for key, u in {
            "cast": cast,
            "most": most,
            "prov": prov,
            "lead": lead,
            "coorg": coorg,
            "other": other,
            "other_lead": other_lead,
        }.items()
    }
    people = {
        "anonymous": AnonymousUser(),
        "public": UserFactory(name="公众用户"),
        "lead_editor": make_member(units["lead"], Role.UNIT_EDITOR, name="南京编辑"),
        "lead_admin": make_member(units["lead"], Role.UNIT_ADMIN, name="南京管理员"),
        "parent_admin": make_member(units["prov"], Role.UNIT_ADMIN, name="甲省管理员"),
        "other_admin": make_member(units["other"], Role.UNIT_ADMIN, name="乙省管理员"),
        "coorg_member": make_member(units["coorg"], Role.UNIT_EDITOR, name="苏州编辑"),
        "department_reviewer": make_member(
            units["most"], Role.DEPARTMENT_REVIEWER, name="科技部审核员"
        ),
        "campaign_admin": make_member(units["cast"], Role.CAMPAIGN_ADMIN, name="活动管理员"),
    }
    return World(campaign=Campaign.objects.get(year=2023), units=units, people=people)


@pytest.fixture
def world(db, national) -> World:
    return build_world(national)
