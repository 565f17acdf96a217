from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sciday.activities.models import Activity, Signup, SignupStatus, Status
from sciday.campaigns.models import Campaign
from sciday.portal import selectors, services
from sciday.portal.selectors import campaign_countdown
from tests.factories import UserFactory
from tests.portal.conftest import picture, published_activity, published_article


def _campaign(**overrides) -> Campaign:
    facts = dict(
        year=2023,
        edition=7,
        name="2023年全国科技工作者日",
        theme="点亮精神火炬",
        window_start=date(2023, 5, 1),
        window_end=date(2023, 6, 10),
        day=date(2023, 5, 30),
    )
    facts.update(overrides)
    return Campaign(**facts)


@pytest.mark.parametrize(
    ("today", "state", "days"),
    [
        (date(2023, 5, 1), "before", 29),
        (date(2023, 5, 29), "before", 1),
        (date(2023, 5, 30), "today", 0),
        (date(2023, 6, 2), "after_day", 3),
        (date(2023, 6, 11), "over", 1),
    ],
)
def test_countdown_states(today, state, days):
    countdown = campaign_countdown(campaign=_campaign(), today=today)
    assert (countdown.state, countdown.days) == (state, days)


@pytest.mark.parametrize(
    ("now", "state", "days"),
    [
        # 2023-05-29 23:59:59 in Beijing is 15:59:59 UTC: still one day to go.
        (datetime(2023, 5, 29, 15, 59, 59, tzinfo=UTC), "before", 1),
        # One second later it is 30 May in Beijing, though still the 29th in UTC.
        (datetime(2023, 5, 29, 16, 0, 0, tzinfo=UTC), "today", 0),
        (datetime(2023, 5, 30, 15, 59, 59, tzinfo=UTC), "today", 0),
        (datetime(2023, 5, 30, 16, 0, 0, tzinfo=UTC), "after_day", 1),
        (datetime(2023, 6, 10, 16, 0, 0, tzinfo=UTC), "over", 1),
    ],
)
def test_countdown_turns_at_midnight_in_beijing_with_the_server_in_utc(settings, now, state, days):
    settings.TIME_ZONE = "UTC"
    countdown = campaign_countdown(campaign=_campaign(), now=now)
    assert (countdown.state, countdown.days) == (state, days)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "text"),
    [
        (datetime(2023, 5, 20, 8, 0, tzinfo=UTC), "还有 10 天"),
        (datetime(2023, 5, 29, 15, 59, 59, tzinfo=UTC), "还有 1 天"),
        (datetime(2023, 5, 29, 16, 0, 0, tzinfo=UTC), "今天是全国科技工作者日"),
        (datetime(2023, 6, 10, 16, 0, 0, tzinfo=UTC), "本届活动已结束"),
    ],
)
def test_home_page_countdown_is_rendered_by_the_server(client, settings, now, text):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(now, tick=False):
        html = client.get("/").content.decode()
    assert text in html
    # The script that keeps it current reads the dates and sentences from the element.
    assert 'data-day="2023-05-30"' in html and 'data-end="2023-06-10"' in html
    assert "portal/countdown.js" in html


@pytest.mark.django_db
def test_home_shows_the_current_campaign_theme_in_chinese(client):
    response = client.get("/")
    assert response.status_code == 200
    campaign = Campaign.objects.get(is_current=True)
    assert campaign.year == 2023
    html = response.content.decode()
    assert campaign.theme in html
    assert 'lang="zh-Hans"' in html
    assert 'class="hero"' in html and "hero-picture" not in html  # the designed banner
    for link in ("/notice/", "/activities/", "/activities/calendar/", "/resources/", "/search/"):
        assert f'href="{link}"' in html


@pytest.mark.django_db
def test_home_switches_to_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def _figures_from_the_database(campaign) -> tuple[int, int, int, int]:
    counted = [
        a
        for a in Activity.objects.filter(campaign=campaign)
        if a.status in (Status.PUBLISHED, Status.FINISHED)
    ]
    participants = 0
    for activity in counted:
        if activity.actual_participants is not None:
            participants += activity.actual_participants
        else:
            participants += activity.signups.filter(status=SignupStatus.CONFIRMED).count()
    return (
        len(counted),
        len({a.lead_unit_id for a in counted}),
        len({a.province for a in counted if a.province}),
        participants,
    )


@pytest.mark.django_db
def test_figures_equal_the_database(world, client):
    published = published_activity(world, "已发布活动")
    world.activity("own", Status.FINISHED, title="已结束活动")  # 150 took part
    world.activity("other", Status.PUBLISHED, title="乙省活动")
    world.activity("other", Status.CANCELLED, title="取消的活动")
    world.activity("own", Status.DRAFT, title="草稿")
    for _ in range(3):
        Signup.objects.create(activity=published, user=UserFactory(), status=SignupStatus.CONFIRMED)
    Signup.objects.create(activity=published, user=UserFactory(), status=SignupStatus.CANCELLED)

    figures = selectors.home_figures(campaign=world.campaign)
    expected = _figures_from_the_database(world.campaign)
    assert (figures.activities, figures.units, figures.provinces, figures.participants) == expected
    assert expected == (3, 2, 2, 153)
    html = client.get("/").content.decode()
    assert "<dd>153</dd>" in html and "<dd>3</dd>" in html


@pytest.mark.django_db
def test_figures_take_at_most_two_queries_and_are_cached(world, django_assert_max_num_queries):
    published_activity(world)
    with django_assert_max_num_queries(2):
        selectors.home_figures(campaign=world.campaign)
    with django_assert_max_num_queries(0):
        selectors.home_figures(campaign=world.campaign)


def _count_home_queries(client) -> int:
    cache.clear()  # the figures are counted, not read from the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_home_queries_do_not_grow_with_featured_items(world, client):
    admin = world.people["campaign_admin"]
    first = published_activity(world, "活动一")
    services.home_activity_feature(actor=admin, campaign=world.campaign, activity=first)
    services.home_resource_feature(
        actor=admin, campaign=world.campaign, resource=published_article(world, "资源一")
    )
    few = _count_home_queries(client)
    for n in range(5):
        activity = published_activity(world, f"更多活动{n}")
        services.home_activity_feature(actor=admin, campaign=world.campaign, activity=activity)
        services.home_resource_feature(
            actor=admin, campaign=world.campaign, resource=published_article(world, f"资源{n}")
        )
    many = _count_home_queries(client)
    assert many == few
    assert many <= 14


@pytest.mark.django_db
def test_featured_items_appear_in_order_and_leave_when_no_longer_public(world, client):
    admin = world.people["campaign_admin"]
    one, two = published_activity(world, "第一个活动"), published_activity(world, "第二个活动")
    for activity in (one, two):
        services.home_activity_feature(actor=admin, campaign=world.campaign, activity=activity)
    services.home_activity_move(actor=admin, campaign=world.campaign, activity=two, direction="up")
    article = published_article(world, "精选文章")
    services.home_resource_feature(actor=admin, campaign=world.campaign, resource=article)
    html = client.get("/").content.decode()
    assert html.index("第二个活动") < html.index("第一个活动")
    assert "精选文章" in html and "精选活动" in html and "精选宣传产品" in html

    from sciday.activities import services as activity_services

    activity_services.activity_cancel(actor=admin, activity=two, reason="天气原因")
    html = client.get("/").content.decode()
    assert "第二个活动" not in html and "第一个活动" in html


@pytest.mark.django_db
def test_blocks_follow_the_admins_order_and_hidden_ones_are_left_out(world, client):
    admin = world.people["campaign_admin"]
    services.home_blocks_set(
        actor=admin,
        campaign=world.campaign,
        blocks=[
            ("sections", True),
            ("figures", True),
            ("dates", False),
            ("activities", True),
            ("resources", True),
            ("news", True),
            ("showcase", True),
        ],
    )
    html = client.get("/").content.decode()
    assert html.index('id="sections-title"') < html.index('id="figures-title"')
    assert 'id="dates-title"' not in html


def _campaign_2022() -> Campaign:
    current = Campaign.objects.get(year=2023)
    return Campaign.objects.create(
        year=2022,
        edition=6,
        name="2022年全国科技工作者日",
        theme="喜迎二十大 科技工作者在行动",
        window_start=date(2022, 5, 1),
        window_end=date(2022, 6, 10),
        day=date(2022, 5, 30),
        report_deadline=current.report_deadline.replace(year=2022),
        doc_title="2022年通知",
        recipients="各单位",
        body="正文",
        is_published=True,
    )


@pytest.mark.django_db
def test_archive_shows_an_earlier_campaign_as_it_was(world, client):
    old = _campaign_2022()
    admin = world.people["campaign_admin"]
    services.home_banner_set(actor=admin, campaign=old, upload=picture())
    response = client.get("/2022/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "喜迎二十大 科技工作者在行动" in html
    assert "本届活动已结束" in html  # the countdown of a past campaign
    assert "countdown.js" not in html
    assert 'href="/banner/' in html or 'src="/banner/' in html
    assert '<span aria-current="page">2022</span>' in html
    assert 'href="/">2023</a>' in html  # the switcher's current year goes home
    assert 'href="/notice/2022/"' in html
    # The current campaign's home lists the archive year.
    assert 'href="/2022/"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_archive_current_year_redirects_home_and_unknown_years_are_404(world, client):
    response = client.get("/2023/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/2019/").status_code == 404
    draft = _campaign_2022()
    Campaign.objects.filter(pk=draft.pk).update(is_published=False)
    assert client.get("/2022/").status_code == 404


@pytest.mark.django_db
def test_the_uploaded_banner_replaces_the_designed_one(world, client):
    admin = world.people["campaign_admin"]
    layout = services.home_banner_set(
        actor=admin, campaign=world.campaign, upload=picture(size=(3000, 1000))
    )
    assert (layout.banner_width, layout.banner_height) == (2400, 800)
    html = client.get("/").content.decode()
    assert f'src="{layout.banner_url}"' in html
    assert 'property="og:image"' in html
    response = client.get(layout.banner_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get("/banner/999999/").status_code == 404
