"""One activity's public page, its .ics file and the calendar feed of a filtered list."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from django.urls import reverse

from sciday.activities import ical
from sciday.activities.models import Status
from tests.activities.world import at


@pytest.fixture
def publish(world, django_capture_on_commit_callbacks):
    def make(status=Status.PUBLISHED, target="own", **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return world.activity(target, status=status, **overrides)

    return make


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_detail_shows_the_facts_in_beijing_time(client, world, publish):
    a = publish(
        online_url="https://live.example.cn/x",
        format="hybrid",
        starts_at=at(2023, 5, 20, 9, 0),
        ends_at=at(2023, 5, 20, 11, 30),
    )
    response = client.get(reverse("activities:detail", args=[a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert a.title in html
    assert "2023-05-20 09:00" in html and "11:30" in html
    assert "甲省南京市科协" in html and "甲省苏州市科协" in html
    assert "市科技馆报告厅" in html
    assert 'href="https://live.example.cn/x"' in html


def test_detail_has_open_graph_tags_and_a_qr_code(client, world, publish):
    a = publish()
    html = client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    url = f"http://testserver/activities/{a.pk}/"
    assert f'<meta property="og:title" content="{a.title}">' in html
    assert f'<meta property="og:description" content="{a.summary}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    src = re.search(r'<img class="qr" src="(data:image/svg\+xml[^"]+)"', html)
    assert src, "QR code image missing"
    svg = urllib.parse.unquote(src.group(1).split(",", 1)[1])
    assert svg.startswith("<?xml") or "<svg" in svg


def test_cancelled_detail_says_so(client, world, publish):
    a = publish(Status.CANCELLED)
    html = client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    assert "天气原因" in html


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_unpublished_activities_are_not_found(client, world, publish, status):
    a = publish(status)
    assert client.get(reverse("activities:detail", args=[a.pk])).status_code == 404
    assert client.get(reverse("activities:ics", args=[a.pk])).status_code == 404
    assert client.get(reverse("activities:detail", args=[999999])).status_code == 404


def test_ics_of_one_activity(client, world, publish):
    a = publish(
        title="科普讲座;天文, 地理",
        summary="第一行\n第二行，含逗号, 和分号;",
        starts_at=at(2023, 5, 20, 9, 0),
        ends_at=at(2023, 5, 20, 11, 30),
    )
    response = client.get(reverse("activities:ics", args=[a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
    assert "\n" not in text.replace("\r\n", "")
    body = unfold(text)
    assert "DTSTART:20230520T010000Z" in body  # 09:00 in Shanghai
    assert "DTEND:20230520T033000Z" in body
    assert "SUMMARY:科普讲座\\;天文\\, 地理" in body
    assert f"UID:activity-{a.pk}@testserver" in body
    assert f"URL:http://testserver/activities/{a.pk}/" in body
    assert "STATUS:CONFIRMED" in body
    assert body.count("BEGIN:VEVENT") == 1


def test_cancelled_ics_event_is_cancelled(client, world, publish):
    a = publish(Status.CANCELLED)
    text = client.get(reverse("activities:ics", args=[a.pk])).content.decode()
    assert "STATUS:CANCELLED" in text


def test_escape_and_fold():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "科" * 60
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert ical.fold("SHORT:x") == "SHORT:x"


def test_feed_follows_the_list_filters(client, world, publish):
    publish(title="南京科普")
    publish(title="杭州科普", target="other")
    publish(Status.DRAFT, title="草稿")
    feed = reverse("activities:feed")
    everything = unfold(client.get(feed).content.decode())
    assert everything.count("BEGIN:VEVENT") == 2
    assert "X-WR-CALNAME:" in everything
    zhejiang = unfold(client.get(feed, {"province": "330000"}).content.decode())
    assert zhejiang.count("BEGIN:VEVENT") == 1 and "SUMMARY:杭州科普" in zhejiang
    text = unfold(client.get(feed, {"q": "南京"}).content.decode())
    assert text.count("BEGIN:VEVENT") == 1 and "SUMMARY:南京科普" in text


def test_feed_is_bounded(client, world, publish, monkeypatch):
    from sciday.activities import views_public

    monkeypatch.setattr(views_public, "FEED_LIMIT", 2)
    for i in range(3):
        publish(title=f"活动{i}")
    text = client.get(reverse("activities:feed")).content.decode()
    assert text.count("BEGIN:VEVENT") == 2


def test_list_links_to_the_feed_of_its_filters(client, world, publish):
    publish()
    html = client.get(reverse("activities:list"), {"province": "320000"}).content.decode()
    assert 'href="/activities/feed.ics?province=320000"' in html
