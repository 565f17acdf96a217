"""The home page shows a publication at once: the cached public pages are dropped on commit,
at most once per PUBLIC_PAGE_REFRESH_MIN_SECONDS, the last change still shown after that."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction

from sciday.activities import services as activity_services
from sciday.activities.models import Status
from sciday.core import pagecache
from sciday.core.pagecache import HEADER, VERSION_KEY
from sciday.portal import services
from sciday.portal.hooks import changes_public_pages
from tests.portal.conftest import published_activity, published_article

START = datetime(2023, 5, 20, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    settings.PUBLIC_PAGE_REFRESH_MIN_SECONDS = 10


def version() -> int:
    return cache.get(VERSION_KEY) or 1


def test_a_thousand_publications_drop_the_pages_once_then_once_more_after_the_interval(db, client):
    with time_machine.travel(START, tick=False) as clock:
        before = version()
        assert pagecache.refresh_soon() is True
        assert [pagecache.refresh_soon() for _ in range(1000)] == [False] * 1000
        assert version() == before + 1
        clock.shift(timedelta(seconds=5))
        client.get("/")  # not due yet: nothing happens
        assert version() == before + 1
        clock.shift(timedelta(seconds=5, milliseconds=1))
        client.get("/")  # the refresh left due is done by the first public request after
        assert version() == before + 2
        client.get("/")
        assert version() == before + 2
        # A publication right after that waits for the interval again.
        assert pagecache.refresh_soon() is False
        clock.shift(timedelta(seconds=11))
        assert pagecache.refresh_soon() is True
        assert version() == before + 3  # the due refresh is this one


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("activities.activity.published", True),
        ("activities.activity.cancelled", True),
        ("resources.resource.featured", True),
        ("resources.resource.unfeatured", True),
        ("portal.home.blocks_set", True),
        ("news.article.published", True),
        ("activities.activity.submitted", False),
        ("activities.activity.updated", False),
        ("accounts.login.succeeded", False),
    ],
)
def test_which_actions_refresh_the_pages(action, expected):
    assert changes_public_pages(action) is expected


def test_an_approval_refreshes_the_pages_on_commit_only(world, django_capture_on_commit_callbacks):
    activity = world.activity("own", Status.SUBMITTED)
    cache.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        activity_services.activity_approve(actor=world.people["campaign_admin"], activity=activity)
    assert version() == 1  # not before the commit
    assert pagecache.refresh_soon in callbacks
    for callback in callbacks:
        callback()
    assert version() == 2


def test_a_rolled_back_publication_refreshes_nothing(world, django_capture_on_commit_callbacks):
    activity = world.activity("own", Status.SUBMITTED)
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                activity_services.activity_approve(
                    actor=world.people["campaign_admin"], activity=activity
                )
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and version() == 1


def test_the_cached_home_shows_a_featured_item_at_once(
    world, client, django_capture_on_commit_callbacks
):
    activity = published_activity(world, "首页即时活动")
    article = published_article(world, "首页即时文章")
    cache.clear()
    admin = world.people["campaign_admin"]
    assert client.get("/")[HEADER] == "miss"
    assert client.get("/")[HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.home_activity_feature(actor=admin, campaign=world.campaign, activity=activity)
    response = client.get("/")
    assert response[HEADER] == "miss" and "首页即时活动" in response.content.decode()
    # Within the interval the next change is left due; after it the page shows it.
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            services.home_resource_feature(actor=admin, campaign=world.campaign, resource=article)
        assert "首页即时文章" not in client.get("/").content.decode()
        clock.shift(timedelta(seconds=11))
        assert "首页即时文章" in client.get("/").content.decode()
