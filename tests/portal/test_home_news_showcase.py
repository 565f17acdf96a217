"""The home page's latest news and showcase blocks, and their place in the sitemap."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sciday.accounts.models import Role
from sciday.news.models import Status as NewsStatus
from sciday.orgs.models import UnitKind
from sciday.showcase.models import HonourKind, Nomination, Quota
from sciday.showcase.models import Status as NominationStatus
from tests.factories import make_member
from tests.news.conftest import make_item
from tests.showcase.conftest import bring_to

pytestmark = pytest.mark.django_db


def _published_profile(world, name: str) -> Nomination:
    world.people["expert"] = make_member(world.unit("cast"), Role.EXPERT, name="评审专家")
    honour = HonourKind.objects.get(campaign=world.campaign, name="最美科技工作者")
    Quota.objects.get_or_create(
        honour=honour, unit_kind=UnitKind.LOCAL_CAST, defaults={"max_nominations": 5}
    )
    honour.experts.set([world.people["expert"]])
    nomination = bring_to(world, honour, NominationStatus.SHORTLISTED)
    # The 公示 and its publication are the showcase's own journey; here only the result counts.
    Nomination.objects.filter(pk=nomination.pk).update(
        status=NominationStatus.PUBLISHED, name=name, published_at=timezone.now()
    )
    return Nomination.objects.get(pk=nomination.pk)


def _queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_home_shows_the_latest_news_and_the_showcase(world, client):
    make_item(world, status=NewsStatus.PUBLISHED, title="首页新闻一")
    make_item(world, status=NewsStatus.DRAFT, title="未发布新闻")
    profile = _published_profile(world, "王科学")
    before = _queries(client)
    html = client.get("/").content.decode()
    assert "最新动态" in html and "首页新闻一" in html and "未发布新闻" not in html
    assert "风采展示" in html and "王科学" in html
    assert f'href="/showcase/{profile.pk}/"' in html
    assert 'href="/news/"' in html and 'href="/showcase/"' in html
    for n in range(4):
        make_item(world, status=NewsStatus.PUBLISHED, title=f"更多新闻{n}")
    assert _queries(client) == before

    sitemap = client.get("/sitemap.xml").content.decode()
    assert "sitemap-news.xml" in sitemap and "sitemap-showcase.xml" in sitemap
    assert f"/showcase/{profile.pk}/</loc>" in client.get("/sitemap-showcase.xml").content.decode()
    assert "/news/" in client.get("/sitemap-pages.xml").content.decode()


def test_news_and_showcase_pages_carry_one_set_of_og_tags(world, client):
    item = make_item(world, status=NewsStatus.PUBLISHED, title="开放图谱新闻")
    profile = _published_profile(world, "赵开放")
    for path in ("/news/", f"/news/{item.pk}/", "/showcase/", f"/showcase/{profile.pk}/"):
        html = client.get(path).content.decode()
        assert html.count('property="og:title"') == 1, path
        assert html.count('property="og:url"') == 1, path
