"""The public news pages and feeds: order, filters, search, paging, Open Graph, attachments, dates
in Asia/Shanghai, RSS and Atom parsed as XML (hostile titles escaped), drafts never shown."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from sciday.news import services
from sciday.news.models import NewsItem, Status
from tests.news.conftest import make_article, make_item

pytestmark = pytest.mark.django_db
LIST = reverse("news:list")
ATOM = "{http://www.w3.org/2005/Atom}"


def _xml(content: bytes) -> ET.Element:
    """Parse a feed this server wrote (trusted input, so the standard library parser)."""
    return ET.fromstring(content)  # noqa: S314


def _publish_at(item: NewsItem, when: datetime) -> NewsItem:
    NewsItem.objects.filter(pk=item.pk).update(published_at=when)
    item.refresh_from_db()
    return item


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), (13, 71, 161)).save(buffer, "JPEG")
    return SimpleUploadedFile("cover.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_list_shows_pinned_first_then_newest_and_never_drafts(world, client):
    old = _publish_at(
        make_item(world, status=Status.PUBLISHED, title="旧闻"), timezone.now().replace(year=2022)
    )
    new = make_item(world, status=Status.PUBLISHED, title="新闻")
    pinned = _publish_at(
        make_item(world, status=Status.PUBLISHED, title="置顶通知", category="announcement"),
        timezone.now().replace(year=2021),
    )
    services.news_pin(actor=world.people["campaign_admin"], item=pinned)
    make_item(world, title="草稿不显示")
    make_item(world, status=Status.SUBMITTED, title="待审不显示")
    make_item(world, status=Status.WITHDRAWN, title="撤下不显示")
    response = client.get(LIST)
    assert response.status_code == 200
    assert [i.title for i in response.context["items"]] == ["置顶通知", "新闻", "旧闻"]
    html = response.content.decode()
    assert "不显示" not in html
    assert 'rel="alternate" type="application/rss+xml"' in html
    assert 'type="application/atom+xml"' in html
    assert '<meta property="og:title"' in html
    # The category filter.
    response = client.get(LIST, {"category": "announcement"})
    assert [i.title for i in response.context["items"]] == ["置顶通知"]
    assert 'href="/news/rss.xml?category=announcement"' in response.content.decode()
    # A bad category is ignored.
    assert len(client.get(LIST, {"category": "nope"}).context["items"]) == 3
    assert old and new


def test_search_and_paging(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_item(world, status=Status.PUBLISHED, title="院士走进校园讲述科学家精神")
        make_item(world, status=Status.PUBLISHED, title="航天科普展开幕")
        make_item(world, title="院士草稿")
    response = client.get(LIST, {"q": "院士"})
    assert [i.title for i in response.context["items"]] == ["院士走进校园讲述科学家精神"]
    response = client.get(LIST, {"q": "量子纠缠"})
    assert response.context["items"] == []
    assert "没有找到" in response.content.decode()
    # Pages of 20.
    for n in range(21):
        make_item(world, status=Status.PUBLISHED, title=f"第{n}条")
    first = client.get(LIST)
    assert len(first.context["items"]) == 20
    assert 'rel="next"' in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["items"]) == 3


def test_detail_has_open_graph_cover_attachments_and_shanghai_date(world, client):
    published = make_article(world, "other", published=True, title="已发布的宣传片")
    own_draft = make_article(world, "own", title="本单位草稿产品")
    item = make_item(world, attachments=[published, own_draft])
    services.news_cover_set(actor=world.people["lead_editor"], item=item, upload=_jpeg())
    item = services.news_submit(actor=world.people["lead_editor"], item=item)
    item = services.news_approve(actor=world.people["parent_admin"], item=item)
    item = _publish_at(item, datetime(2023, 5, 29, 18, 30, tzinfo=ZoneInfo("UTC")))
    response = client.get(reverse("news:detail", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<meta property="og:title" content="{item.title}">' in html
    assert '<meta property="og:image" content="http://testserver/news/' in html
    assert '<meta property="og:url" content="http://testserver/news/' in html
    # 18:30 UTC is 02:30 the next day in Beijing.
    assert "2023-05-30 02:30" in html
    assert reverse("resources:detail", args=[published.pk]) in html
    assert "已发布的宣传片" in html
    assert "本单位草稿产品" not in html  # unpublished attachments are not shown
    cover = client.get(item.cover_url)
    assert cover.status_code == 200 and cover["Content-Type"] == "image/jpeg"
    assert b"".join(cover.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN]
)
def test_unpublished_items_are_not_found(world, client, status):
    item = make_item(world, status=status)
    assert client.get(reverse("news:detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("news:cover", args=[item.pk, "full"])).status_code == 404


HOSTILE = "<script>alert('x')</script> & “引号” ]]>"


def test_rss_feed_parses_with_items_dates_links_and_escaped_titles(world, client):
    item = make_item(world, status=Status.PUBLISHED, title=HOSTILE, summary="<b>摘要</b>")
    make_item(
        world,
        status=Status.PUBLISHED,
        title="媒体报道一则",
        category="media",
        source_name="科技日报",
    )
    make_item(world, title="草稿")
    response = client.get(reverse("news:rss"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert b"<script>" not in response.content
    root = _xml(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "新闻与公告"
    entries = channel.findall("item")
    assert [e.findtext("title") for e in entries] == ["媒体报道一则", HOSTILE]
    hostile = entries[1]
    assert hostile.findtext("link") == f"http://testserver/news/{item.pk}/"
    assert hostile.findtext("description") == "<b>摘要</b>"
    assert hostile.findtext("pubDate").endswith("+0000") or hostile.findtext("pubDate").endswith(
        "+0800"
    )
    only_media = _xml(client.get(reverse("news:rss"), {"category": "media"}).content)
    assert [e.findtext("title") for e in only_media.iter("item")] == ["媒体报道一则"]


def test_atom_feed_parses(world, client):
    item = make_item(world, status=Status.PUBLISHED, title=HOSTILE)
    response = client.get(reverse("news:atom"), {"category": "local"})
    assert response["Content-Type"].startswith("application/atom+xml")
    root = _xml(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == HOSTILE
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/news/{item.pk}/"
    published = datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    assert abs((published - item.published_at).total_seconds()) < 1
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "甲省南京市科协"


def test_search_page_has_a_news_switch(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = make_item(world, status=Status.PUBLISHED, title="院士报告会新闻")
    response = client.get(reverse("search:search"), {"q": "院士", "kind": "news"})
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("news:detail", args=[item.pk]) in html
    assert "kind=news" in html
