"""sitemap.xml, robots.txt and the Open Graph tags of every public page."""

import re

import pytest

from sciday.activities.models import Status
from sciday.portal import sitemaps
from tests.portal.conftest import published_activity, published_article
from tests.portal.test_home import _campaign_2022

pytestmark = pytest.mark.django_db


def test_robots_lets_crawlers_in_keeps_them_out_of_the_workspace_and_names_the_sitemap(
    client, settings
):
    settings.SITE_URL = "https://kjgzzr.example.cn/"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/workspace/", "/accounts/", "/api/", "/uploads/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: https://kjgzzr.example.cn/sitemap.xml" in lines


def test_the_sitemap_lists_public_pages_with_their_last_change(world, client):
    public = published_activity(world, "公开活动")
    draft = world.activity("own", Status.DRAFT, title="草稿活动")
    article = published_article(world)
    _campaign_2022()
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index["Content-Type"].startswith("application/xml")
    body = index.content.decode()
    for section in ("pages", "archive", "activities", "resources"):
        assert f"http://testserver/sitemap-{section}.xml" in body
    assert "<lastmod>" in body

    activities = client.get("/sitemap-activities.xml").content.decode()
    assert f"<loc>http://testserver/activities/{public.pk}/</loc>" in activities
    assert f"/activities/{draft.pk}/" not in activities
    assert f"<lastmod>{public.updated_at:%Y-%m-%d}</lastmod>" in activities
    resources = client.get("/sitemap-resources.xml").content.decode()
    assert f"<loc>http://testserver/resources/{article.pk}/</loc>" in resources
    pages = client.get("/sitemap-pages.xml").content.decode()
    for path in ("/", "/notice/", "/activities/", "/resources/"):
        assert f"<loc>http://testserver{path}</loc>" in pages
    assert (
        "<loc>http://testserver/2022/</loc>" in client.get("/sitemap-archive.xml").content.decode()
    )
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_large_section_is_split_into_pages(world, client, monkeypatch):
    monkeypatch.setattr(sitemaps.ActivitySitemap, "limit", 2)
    made = [published_activity(world, f"活动{n}") for n in range(5)]
    body = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-activities.xml?p=2" in body and "/sitemap-activities.xml?p=3" in body
    assert "?p=4" not in body
    third = client.get("/sitemap-activities.xml?p=3").content.decode()
    assert f"/activities/{made[-1].pk}/" in third and f"/activities/{made[0].pk}/" not in third
    assert client.get("/sitemap-activities.xml?p=9").status_code == 404


def _og(html: str, name: str) -> list[str]:
    return re.findall(rf'<meta property="og:{name}" content="([^"]*)"', html)


def test_every_public_page_has_one_og_title_and_og_url(world, client):
    activity = published_activity(world, "开放图谱活动")
    article = published_article(world, "开放图谱文章")
    _campaign_2022()
    pages = [
        "/",
        "/2022/",
        "/notice/",
        "/activities/",
        "/activities/calendar/",
        "/activities/provinces/",
        f"/activities/{activity.pk}/",
        "/resources/",
        f"/resources/{article.pk}/",
        "/search/?q=科学",
        "/accounts/login/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        titles, urls = _og(html, "title"), _og(html, "url")
        assert len(titles) == 1 and titles[0].strip(), (path, titles)
        assert len(urls) == 1 and urls[0].startswith("http://testserver/"), (path, urls)
        assert urls[0].split("?")[0] == "http://testserver" + path.split("?")[0], path
    home = client.get("/").content.decode()
    assert _og(home, "title") == ["2023年全国科技工作者日 · 点亮精神火炬"]
    assert _og(client.get(f"/activities/{activity.pk}/").content.decode(), "title") == [
        "开放图谱活动"
    ]
