"""The public discovery pages: list with filters and text, calendar, provinces, detail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciday.activities.models import Status
from tests.activities.world import at

LIST = reverse("activities:list")


@pytest.fixture
def publish(world, django_capture_on_commit_callbacks):
    """Create activities through the services, index callbacks run (as after a real commit)."""

    def make(status=Status.PUBLISHED, target="own", **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return world.activity(target, status=status, **overrides)

    return make


def titles(response) -> list[str]:
    return [a.title for a in response.context["page"].activities]


def test_list_shows_public_activities_only(client, world, publish):
    published = publish(title="公开的科普活动")
    cancelled = publish(Status.CANCELLED, title="已取消的活动")
    publish(Status.DRAFT, title="草稿活动")
    publish(Status.SUBMITTED, title="待审核活动")
    response = client.get(LIST)
    assert response.status_code == 200
    assert set(titles(response)) == {published.title, cancelled.title}
    html = response.content.decode()
    assert "草稿活动" not in html and "待审核活动" not in html
    assert "已取消" in html


def test_a_signed_in_editor_sees_no_drafts_on_public_pages(client, world, publish):
    draft = publish(Status.DRAFT, title="草稿活动")
    client.force_login(world.people["lead_editor"])
    assert titles(client.get(LIST)) == []
    assert client.get(reverse("activities:detail", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"province": "330000"}, {"杭州活动"}),
        ({"province": "320000"}, {"南京活动", "线上活动"}),
        ({"format": "online"}, {"线上活动"}),
        ({"category": "CAT1"}, {"杭州活动"}),
        ({"date_from": "2023-05-25", "date_to": "2023-05-31"}, {"线上活动"}),
        ({"date_from": "2023-05-31", "date_to": "2023-05-25"}, {"线上活动"}),  # swapped
        ({"kind": "provincial_cast"}, {"线上活动"}),
        ({"q": "西湖"}, {"杭州活动"}),
        ({"q": "科普", "province": "320000"}, {"南京活动"}),
        ({"province": "not-a-code", "format": "bogus"}, {"南京活动", "杭州活动", "线上活动"}),
    ],
)
def test_filters_and_text_combine(client, world, publish, params, expected):
    publish(title="南京活动", summary="青少年科普讲座")
    publish(
        target="other",
        title="杭州活动",
        summary="西湖边的科普集市",
        category=world.category(1),
        starts_at=at(2023, 5, 10, 9),
        ends_at=at(2023, 5, 10, 12),
    )
    publish(
        title="线上活动",
        lead_unit=world.unit("prov"),
        co_organizers=[],
        format="online",
        region=None,
        address="",
        online_url="https://live.example.cn/a",
        starts_at=at(2023, 5, 28, 19),
        ends_at=at(2023, 5, 28, 21),
    )
    params = {k: (str(world.category(1).pk) if v == "CAT1" else v) for k, v in params.items()}
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_open_for_signup_means_sign_up_required_and_not_ended(client, world, publish):
    future = timezone.now() + timedelta(days=3)
    publish(title="可报名", signup_required=True)  # window override: dates of the 2023 window
    open_one = publish(
        title="即将开始",
        signup_required=True,
        window_override=True,
        starts_at=future,
        ends_at=future + timedelta(hours=2),
    )
    publish(
        title="无需报名",
        window_override=True,
        starts_at=future,
        ends_at=future + timedelta(hours=2),
    )
    response = client.get(LIST, {"open": "1"})
    assert titles(response) == [open_one.title]


def test_sorting_by_start_and_newest(client, world, publish):
    late = publish(title="晚的活动", starts_at=at(2023, 5, 29, 9), ends_at=at(2023, 5, 29, 10))
    early = publish(title="早的活动", starts_at=at(2023, 5, 10, 9), ends_at=at(2023, 5, 10, 10))
    assert titles(client.get(LIST)) == [early.title, late.title]
    assert titles(client.get(LIST, {"sort": "newest"})) == [early.title, late.title]
    assert titles(client.get(LIST, {"sort": "start"})) == [early.title, late.title]


def test_text_query_ranks_title_matches_first(client, world, publish):
    body_hit = publish(title="院士报告会", summary="一场科普讲座")
    title_hit = publish(title="科普开放日", summary="实验室开放")
    assert titles(client.get(LIST, {"q": "科普"})) == [title_hit.title, body_hit.title]
    by_start = titles(client.get(LIST, {"q": "科普", "sort": "start"}))
    assert set(by_start) == {title_hit.title, body_hit.title}


def test_empty_result_says_so_and_suggests_removing_filters(client, world, publish):
    publish()
    response = client.get(LIST, {"q": "量子", "province": "330000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有符合条件的活动" in html
    assert "减少筛选条件" in html


def test_pagination(client, world, publish, settings):
    from sciday.activities import views_public

    for i in range(5):
        publish(
            title=f"科普活动{i}", starts_at=at(2023, 5, 10 + i, 9), ends_at=at(2023, 5, 10 + i, 10)
        )
    views_public.PAGE_SIZE, saved = 2, views_public.PAGE_SIZE
    try:
        first = client.get(LIST)
        third = client.get(LIST, {"page": "3"})
        beyond = client.get(LIST, {"page": "99"})
        text = client.get(LIST, {"q": "科普", "page": "2"})
        bad = client.get(LIST, {"page": "x"})
    finally:
        views_public.PAGE_SIZE = saved
    assert titles(first) == ["科普活动0", "科普活动1"]
    assert titles(third) == ["科普活动4"]
    assert titles(beyond) == ["科普活动4"]
    assert len(titles(text)) == 2 and text.context["page"].number == 2
    assert bad.status_code == 200
    assert 'rel="next"' in first.content.decode()


def _count_queries(client, params, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the count of a filter combination is kept a minute: count it each time
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "科普", "province": "320000"}])
def test_the_number_of_queries_does_not_grow_with_the_page(
    client, world, publish, params, django_assert_max_num_queries
):
    publish(title="科普一")
    few = _count_queries(client, params, django_assert_max_num_queries)
    for i in range(6):
        publish(title=f"科普{i}", co_organizers=[world.unit("coorg"), world.unit("prov")])
    many = _count_queries(client, params, django_assert_max_num_queries)
    assert few == many
    assert many <= 8


def test_calendar_month_grid(client, world, publish):
    a = publish(title="五月的活动", starts_at=at(2023, 5, 20, 9), ends_at=at(2023, 5, 21, 11))
    publish(Status.DRAFT, title="草稿活动")
    response = client.get(reverse("activities:calendar"), {"month": "2023-05"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<table" in html and 'scope="col"' in html
    assert html.count(f'href="/activities/{a.pk}/"') == 4  # two days, grid and list view
    assert "草稿活动" not in html
    assert "?month=2023-04" in html and "?month=2023-06" in html
    days = {d.day.day for d in response.context["month_days"]}
    assert days == {20, 21}


def test_calendar_survives_a_bad_month(client, world):
    assert client.get(reverse("activities:calendar"), {"month": "2023-13"}).status_code == 200
    assert client.get(reverse("activities:calendar"), {"month": "x"}).status_code == 200


def test_province_tiles_count_and_link_to_the_list(client, world, publish):
    publish()
    publish()
    publish(target="other")
    response = client.get(reverse("activities:provinces"))
    assert response.status_code == 200
    tiles = {t.region.code: t for t in response.context["tiles"]}
    assert tiles["320000"].count == 2
    assert tiles["330000"].count == 1
    assert tiles["110000"].count == 0
    assert "province=320000" in tiles["320000"].url
    assert response.context["ranked"][0].region.code == "320000"
    assert re.search(r'class="tile r\d c\d', response.content.decode())


def test_the_count_is_capped_and_kept_a_minute(client, world, publish, monkeypatch):
    from sciday.activities import views_public

    for i in range(3):
        publish(title=f"科普{i}")
    monkeypatch.setattr(views_public, "COUNT_CAP", 2)
    monkeypatch.setattr(views_public, "PAGE_SIZE", 1)
    first = client.get(LIST)
    assert first.context["page"].capped and first.context["page"].count == 2
    assert "超过 2 个活动" in first.content.decode()
    assert first.context["page"].num_pages == 2  # pages reach the cap, not beyond
    assert client.get(LIST, {"page": 9}).context["page"].number == 2
    publish(title="科普3")
    monkeypatch.setattr(views_public, "COUNT_CAP", 10)
    # The count of a filter combination is kept a minute (the rows are always current): this
    # one still counts 3 of the 4 activities; another combination counts all 4.
    assert client.get(LIST).context["page"].count == 3
    assert client.get(LIST, {"province": "320000"}).context["page"].count == 4
    assert not client.get(LIST, {"province": "320000"}).context["page"].capped


def test_online_activities_count_for_their_lead_units_province(client, world, publish):
    online = publish(
        title="线上科普",
        format="online",
        region=None,
        address="",
        online_url="https://live.example.cn/1",
    )
    held = publish(title="南京的活动")
    assert (online.province, held.province) == ("320000", "320000")
    assert set(titles(client.get(LIST, {"province": "320000"}))) == {"线上科普", "南京的活动"}
    assert titles(client.get(LIST, {"province": "330000"})) == []
    tiles = {
        t.region.code: t.count for t in client.get(reverse("activities:provinces")).context["tiles"]
    }
    assert tiles["320000"] == 2 and tiles["330000"] == 0
