"""Every public page of the theme site, as an anonymous visitor on a phone: axe-clean, no sideways
scrolling at 375 px.

Demo-like data through the services: a published activity, a published article attached to a
published news item, and a published showcase profile of 2023 (nominated, reviewed, on notice
and published on 2023's dates). The campaign's notice (/notice/) comes from the seed data.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import time_machine

from sciday.accounts.models import Role
from sciday.news.models import Status as NewsStatus
from sciday.orgs.models import UnitKind
from sciday.showcase import services as showcase_services
from sciday.showcase.models import HonourKind, Quota, Status
from tests.activities.world import build_world
from tests.e2e.conftest import axe_violations
from tests.factories import make_member
from tests.news.conftest import make_article, make_item
from tests.portal.conftest import published_activity
from tests.showcase.conftest import BEFORE_DEADLINE, SHANGHAI, bring_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE_WIDTH = 375


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def site(page, national):
    """Depends on `page` so that the seed data is restored (serialized rollback) first."""
    world = build_world(national)
    admin = world.people["campaign_admin"]
    published_activity(world, "院士带你看火箭")
    article = make_article(world, published=True, title="科技工作者的一天")
    news = make_item(
        world,
        status=NewsStatus.PUBLISHED,
        title="南京举办科技工作者日座谈会",
        attachments=[article],
    )
    # A showcase profile of 2023, through the services on 2023's dates.
    expert = make_member(world.unit("cast"), Role.EXPERT, name="评审专家")
    world.people["expert"] = expert
    honour = HonourKind.objects.get(campaign=world.campaign, name="最美科技工作者")
    Quota.objects.create(honour=honour, unit_kind=UnitKind.LOCAL_CAST, max_nominations=1)
    honour.experts.set([expert])
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        notice = showcase_services.notice_open(
            actor=admin,
            campaign=world.campaign,
            title="2023年“最美科技工作者”人选公示",
            starts_on=date(2023, 3, 20),
        )
    with time_machine.travel(datetime(2023, 5, 8, 10, 0, tzinfo=SHANGHAI), tick=False):
        showcase_services.notice_publish(actor=admin, notice=notice)
    return {"news": news, "profile": nomination}


def test_public_pages_are_axe_clean_and_fit_a_phone(page, live_server, site):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 900})
    pages = [
        ("/", "点亮精神火炬"),
        ("/news/", "南京举办科技工作者日座谈会"),
        (f"/news/{site['news'].pk}/", "科技工作者的一天"),
        ("/showcase/", "李明"),
        ("/notice/", "科技工作者日"),
        ("/resources/", "科技工作者的一天"),
        ("/activities/", "院士带你看火箭"),
        ("/search/?q=科技", "南京举办科技工作者日座谈会"),
    ]
    problems: dict[str, object] = {}
    for path, text in pages:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert text in page.inner_text("main"), path
        violations = axe_violations(page)
        if violations:
            problems[path] = violations
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            problems[f"{path} width"] = width
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=2)
    assert page.js_errors == []
