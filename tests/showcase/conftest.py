"""Fixtures for the showcase: the activities' two-province world, experts, an honour with quotas.

People (see tests/activities/world.py): lead_editor and lead_admin of 甲省南京市科协 (a local
association, the nominating unit), parent_admin (甲省科协), other_admin (乙省科协, another unit),
campaign_admin; and here `expert` (assigned to the honour), `other_expert` (not assigned).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from sciday.accounts.models import Role
from sciday.orgs.models import UnitKind
from sciday.showcase import services
from sciday.showcase.models import FileKind, HonourKind, Nomination, Quota, Status
from tests.activities.world import World, build_world
from tests.factories import make_member
from tests.resources.hostile import jpeg, pdf

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = date(2023, 3, 31)
BEFORE_DEADLINE = datetime(2023, 3, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def world(db, national) -> World:
    w = build_world(national)
    w.people["expert"] = make_member(w.unit("cast"), Role.EXPERT, name="评审专家")
    w.people["other_expert"] = make_member(w.unit("most"), Role.EXPERT, name="另一专家")
    return w


@pytest.fixture
def honour(world) -> HonourKind:
    """2023's 最美科技工作者 (seeded by migration) with a local association quota of 1."""
    honour = HonourKind.objects.get(campaign=world.campaign, name="最美科技工作者")
    assert honour.nomination_deadline == DEADLINE
    Quota.objects.create(honour=honour, unit_kind=UnitKind.LOCAL_CAST, max_nominations=1)
    honour.experts.set([world.people["expert"]])
    return honour


def person(**overrides) -> dict:
    data = {
        "name": "李明",
        "gender": "male",
        "birth_year": 1975,
        "affiliation": "南京大学",
        "title": "教授",
        "field": "材料科学",
        "phone": "13812345678",
        "summary": "长期扎根科研一线，在新材料领域取得突破。",
        "consent": True,
        "consent_date": date(2023, 3, 1),
        "name_en": "Li Ming",
        "affiliation_en": "Nanjing University",
        "field_en": "Materials science",
        "story_zh": "李明教授三十年如一日……",
        "story_en": "For thirty years, Professor Li…",
    }
    data.update(overrides)
    return data


def upload(kind: str) -> tuple[io.BytesIO, str]:
    if kind == FileKind.PHOTO:
        return io.BytesIO(jpeg(200, 260)), "photo.jpg"
    return io.BytesIO(pdf(["推荐意见"])), f"{kind}.pdf"


def add_file(actor, nomination, kind: str):
    data, name = upload(kind)
    return services.nomination_file_add(
        actor=actor,
        nomination=nomination,
        kind=kind,
        upload=data,
        name=name,
        size=len(data.getvalue()),
    )


def complete_draft(world, honour, **overrides) -> Nomination:
    editor = world.people["lead_editor"]
    nomination = services.nomination_create(
        actor=editor, honour=honour, unit=world.unit("lead"), **person(**overrides)
    )
    for kind in services.REQUIRED_PERSON:
        add_file(editor, nomination, kind)
    return nomination


def bring_to(world, honour, status: str) -> Nomination:
    """A nomination of the lead unit brought to `status` through the services (2023 dates)."""
    import time_machine

    admin = world.people["campaign_admin"]
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        nomination = complete_draft(world, honour)
        if status == Status.DRAFT:
            return nomination
        nomination = services.nomination_submit(
            actor=world.people["lead_editor"], nomination=nomination
        )
        if status == Status.SUBMITTED:
            return nomination
        if status == Status.NOT_QUALIFIED:
            return services.nomination_check(
                actor=admin, nomination=nomination, qualified=False, reason="材料不全"
            )
        nomination = services.nomination_check(actor=admin, nomination=nomination, qualified=True)
        if status == Status.QUALIFIED:
            return nomination
        services.score_set(actor=world.people["expert"], nomination=nomination, score=90)
        nomination = services.nomination_shortlist(actor=admin, nomination=nomination)
        assert status == Status.SHORTLISTED
        return nomination
