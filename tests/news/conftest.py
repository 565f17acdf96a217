"""Fixtures of the news tests: the activities world (tests/activities/world.py), local storage in a
fresh folder, Chinese messages, and helpers that bring an item to a status through the services.

"own" items belong to 甲省南京市科协 (edited by its editor and admin, decided by 甲省科协's
admin); "other" ones to 乙省杭州市科协 (edited and decided by 乙省科协's admin). Campaign admins
do everything, pinning and withdrawing included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.news import services
from sciday.news.models import Category, NewsItem, Status
from sciday.resources import services as resource_services
from sciday.resources.models import Kind, Resource
from tests.activities.world import World, build_world

NATIONAL = {"department_reviewer", "campaign_admin"}
UNIT_KEY = {"own": "lead", "other": "other_lead"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


@pytest.fixture
def world(db, national) -> World:
    world = build_world(national)
    for role in NATIONAL:
        TOTPDevice.objects.create(user=world.people[role], name="phone", confirmed=True)
    return world


def make_item(world: World, target: str = "own", status: str = Status.DRAFT, **fields) -> NewsItem:
    """An item of `target`'s unit brought to `status` through the services (as campaign admin)."""
    admin = world.people["campaign_admin"]
    data = {
        "campaign": world.campaign,
        "unit": world.unit(UNIT_KEY[target]),
        "category": Category.LOCAL,
        "title": "南京举办科技工作者日座谈会",
        "summary": "市科协邀请一线科技工作者畅谈创新故事。",
        "body": "<p>5月30日，南京市科协举办全国科技工作者日座谈会。</p>",
    }
    data.update(fields)
    item = services.news_create(actor=admin, **data)
    if status == Status.DRAFT:
        return item
    item = services.news_submit(actor=admin, item=item)
    if status == Status.SUBMITTED:
        return item
    if status == Status.RETURNED:
        return services.news_return(actor=admin, item=item, reason="请补充活动照片")
    item = services.news_approve(actor=admin, item=item)
    if status == Status.PUBLISHED:
        return item
    assert status == Status.WITHDRAWN
    return services.news_withdraw(actor=admin, item=item, reason="信息有误")


def make_article(
    world: World, target: str = "own", *, published: bool = False, title=""
) -> Resource:
    """An article resource of `target`'s unit, published (by the campaign admin) or a draft."""
    admin = world.people["campaign_admin"]
    resource = resource_services.resource_create(
        actor=admin,
        unit=world.unit(UNIT_KEY[target]),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        title=title or f"{target}的科普文章",
        attribution="市科协",
        body="<p>科学家精神代代相传。</p>",
    )
    if published:
        resource = resource_services.resource_submit(actor=admin, resource=resource)
        if resource.status != "published":
            resource = resource_services.resource_approve(actor=admin, resource=resource)
    return Resource.objects.get(pk=resource.pk)


@pytest.fixture
def web(client):
    """Return a client signed in as `role` (national roles with a verified second factor)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    def _web(world: World, role: str):
        user = world.people[role]
        if role == "anonymous":
            return client
        client.force_login(user, backend="sciday.accounts.backends.EmailOrPhoneBackend")
        if role in NATIONAL:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _web
