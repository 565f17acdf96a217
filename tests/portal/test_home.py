from datetime import date

import pytest

from sciday.campaigns.models import Campaign
from sciday.portal.selectors import campaign_countdown


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


@pytest.mark.django_db
def test_home_shows_the_current_campaign_theme_in_chinese(client):
    response = client.get("/")
    assert response.status_code == 200
    campaign = Campaign.objects.get(is_current=True)
    assert campaign.year == 2023
    html = response.content.decode()
    assert campaign.theme in html
    assert 'lang="zh-Hans"' in html


@pytest.mark.django_db
def test_home_switches_to_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()
