"""Anyone finds published activities: the list with filters and text, a detail page, /search/.

Real headless Chromium against the live server; activities are created and published through
the services (their search entries are written on commit, as in production).
"""

from __future__ import annotations

import json

import pytest

from sciday.activities.models import Status
from tests.activities.world import at, build_world
from tests.e2e.conftest import axe_violations, screenshots

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


@pytest.fixture
def activities(page, national, settings):
    """Depends on `page` so that the seed data is restored (serialized rollback) first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world(national)
    made = [
        world.activity(
            status=Status.PUBLISHED,
            title="青少年科普开放日",
            summary="走进实验室，和科学家一起做实验。",
            body="<p>活动内容包括天文观测、机器人展示和院士讲座。</p>",
            signup_required=True,
        ),
        world.activity(
            "other",
            status=Status.PUBLISHED,
            title="西湖科学家精神报告会",
            summary="讲述老一辈科学家的科普故事。",
            starts_at=at(2023, 5, 28, 14),
            ends_at=at(2023, 5, 28, 16),
        ),
        world.activity(status=Status.CANCELLED, title="科学之夜（已取消）"),
        world.activity(status=Status.DRAFT, title="尚未提交的草稿"),
    ]
    return world, made


def test_a_visitor_finds_an_activity_and_adds_it_to_a_calendar(page, live_server, activities):
    _world, (open_day, hangzhou, cancelled, draft) = activities

    page.goto("/")
    page.locator(".site-nav").get_by_role("link", name="活动").click()
    page.wait_for_url("**/activities/")
    main = page.inner_text("main")
    assert open_day.title in main and hangzhou.title in main and cancelled.title in main
    assert draft.title not in main
    _no_serious_violations(page)
    screenshots(page, "activities-list")

    # Text and filters combine.
    page.fill("input[name=q]", "科普")
    page.select_option("select[name=province]", "330000")
    page.get_by_role("button", name="查看活动").click()
    page.wait_for_url("**/activities/?*")
    main = page.inner_text("main")
    assert hangzhou.title in main and open_day.title not in main

    # Nothing matches: the page says so and suggests removing filters.
    page.goto("/activities/?q=量子&province=330000")
    assert "没有符合条件的活动" in page.inner_text("main")
    _no_serious_violations(page)

    # The detail page: facts, QR code, calendar file.
    page.goto(f"/activities/{open_day.pk}/")
    assert page.locator("meta[property='og:title']").get_attribute("content") == open_day.title
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 0
    assert "甲省南京市科协" in page.inner_text("main")
    _no_serious_violations(page)
    screenshots(page, "activities-detail")
    ics = page.request.get(f"{live_server.url}/activities/{open_day.pk}.ics")
    assert ics.ok and ics.text().startswith("BEGIN:VCALENDAR")

    # A draft is not found.
    response = page.goto(f"/activities/{draft.pk}/")
    assert response is not None and response.status == 404
    assert page.js_errors == []


def test_calendar_and_provinces_pages(page, activities):
    page.goto("/activities/calendar/?month=2023-05")
    assert "青少年科普开放日" in page.inner_text("main")
    _no_serious_violations(page)
    screenshots(page, "activities-calendar")
    page.goto("/activities/provinces/")
    _no_serious_violations(page)
    screenshots(page, "activities-provinces")
    page.get_by_role("link", name="浙江省 1").first.click()
    page.wait_for_url("**/activities/?province=330000")
    assert "西湖科学家精神报告会" in page.inner_text("main")


def test_search_page_highlights_matches(page, activities):
    page.goto("/search/")
    assert "两个字就够了" in page.inner_text("main")
    _no_serious_violations(page)
    page.fill("input[name=q]", "科普")
    page.locator("main").get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator("main mark").count() >= 2
    assert "尚未提交的草稿" not in page.inner_text("main")
    _no_serious_violations(page)
    screenshots(page, "search-results")
    page.goto("/search/?q=量子纠缠")
    assert "没有找到" in page.inner_text("main")
