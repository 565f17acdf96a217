"""A small country for the permission tests: two provinces under the national departments.

    中国科协宣传文化部 (national, campaign admin)
    科技部人才与科普司 (national, department reviewer)
      ├─ 甲省科协 (江苏 320000) ← unit admin, unit editor, expert       = "own"
      │    ├─ 甲省南京市科协 (320100)                                   = "sub"
      │    └─ 甲省苏州市科协 (320500)                                   (where "sub" can move to)
      └─ 乙省科协 (浙江 330000)                                          = "other"
           └─ 乙省杭州市科协 (330100)

Each target unit has one extra unit editor (the person a "remove member" action removes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Membership, Role
from sciday.accounts.services import api_token_create
from sciday.orgs.models import Unit, UnitKind
from tests.factories import UserFactory, make_member, make_unit

ROLES = [
    "anonymous",
    "public",
    "unit_editor",
    "unit_admin",
    "expert",
    "department_reviewer",
    "campaign_admin",
]
NATIONAL = {"department_reviewer", "campaign_admin"}
TARGETS = ["own", "sub", "other"]


@dataclass
class World:
    units: dict[str, Unit]
    people: dict[str, object]
    victims: dict[str, Membership] = field(default_factory=dict)

    def unit(self, key: str) -> Unit:
        return Unit.objects.get(pk=self.units[key].pk)


def _fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def build_world(national) -> World:
    cast, most = national["cast-publicity"], national["most-talent"]
    own = make_unit(
        name="甲省科协", kind=UnitKind.PROVINCIAL_CAST, parent=_fresh(cast), region="320000"
    )
    other = make_unit(
        name="乙省科协", kind=UnitKind.PROVINCIAL_CAST, parent=_fresh(cast), region="330000"
    )
    sub = make_unit(
        name="甲省南京市科协", kind=UnitKind.LOCAL_CAST, parent=_fresh(own), region="320100"
    )
    sub2 = make_unit(
        name="甲省苏州市科协", kind=UnitKind.LOCAL_CAST, parent=_fresh(own), region="320500"
    )
    other_sub = make_unit(
        name="乙省杭州市科协", kind=UnitKind.LOCAL_CAST, parent=_fresh(other), region="330100"
    )
    units = {
        "cast": _fresh(cast),
        "most": _fresh(most),
        "own": _fresh(own),
        "sub": _fresh(sub),
        "sub2": _fresh(sub2),
        "other": _fresh(other),
        "other_sub": _fresh(other_sub),
    }
    people = {
        "anonymous": None,
        "public": UserFactory(name="公众用户"),
        "unit_editor": make_member(units["own"], Role.UNIT_EDITOR, name="甲省编辑"),
        "unit_admin": make_member(units["own"], Role.UNIT_ADMIN, name="甲省管理员"),
        "expert": make_member(units["own"], Role.EXPERT, name="甲省专家"),
        "department_reviewer": make_member(
            units["most"], Role.DEPARTMENT_REVIEWER, name="科技部审核员"
        ),
        "campaign_admin": make_member(units["cast"], Role.CAMPAIGN_ADMIN, name="活动管理员"),
    }
    for role in NATIONAL:
        TOTPDevice.objects.create(user=people[role], name="phone", confirmed=True)
    victims = {}
    for key in TARGETS:
        person = make_member(units[key], Role.UNIT_EDITOR, name=f"待移除{key}")
        victims[key] = Membership.objects.get(user=person, unit=units[key])
    return World(units=units, people=people, victims=victims)


@pytest.fixture
def world(db, national) -> World:
    return build_world(national)


@pytest.fixture
def web_as(client, login):
    """Return a client signed in as `role` (national roles with a verified second factor)."""

    def _web_as(world: World, role: str):
        user = world.people[role]
        if user is None:
            return client
        login(user)
        if role in NATIONAL:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _web_as


@pytest.fixture
def api_as(client):
    """Return (client, headers) calling the API as `role` with a personal token."""

    def _api_as(world: World, role: str, **extra):
        user = world.people[role]
        headers = dict(extra)
        if user is not None:
            _token, secret = api_token_create(actor=user, name="同步系统")
            headers["Authorization"] = f"Bearer {secret}"
        return client, headers

    return _api_as
