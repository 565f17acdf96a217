"""A campaign admin features an activity and a resource on the home page's composition page;
an anonymous visitor, whose copy of / was cached a moment before, sees both at once.

Real headless Chromium against the live server with the anonymous page cache on; the campaign
admin signs in with a password and a TOTP code. axe-core checks / and the composition page;
screenshots of / at 1280 and 375 px are saved under var/screenshots/.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.core import pagecache
from sciday.core.demo_home import banner_picture
from sciday.portal.models import FeaturedActivity
from sciday.resources.models import Resource
from tests.activities.world import build_world
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import PASSWORD
from tests.portal.conftest import published_activity, published_article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def test_campaign_admin_features_an_activity_and_a_resource_and_they_appear_on_home(
    browser, live_server, page, national, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world(national)
    activity = published_activity(world, "院士带你看火箭")
    article = published_article(world, "科学家精神宣传册")
    admin = world.people["campaign_admin"]
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    campaign = world.campaign
    # The setup's publications happened "a while ago": no refresh is held back by the interval.
    cache.delete_many([pagecache.LOCK_KEY, pagecache.PENDING_KEY])

    # An anonymous visitor opens the home page; the second visit is served from the cache.
    visitor_context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        visitor = visitor_context.new_page()
        first = visitor.goto("/")
        assert first is not None and first.headers["x-sciday-cache"] == "miss"
        second = visitor.goto("/")
        assert second is not None and second.headers["x-sciday-cache"] == "hit"
        assert "点亮精神火炬" in visitor.inner_text("h1")
        assert "院士带你看火箭" not in visitor.inner_text("main")

        # The campaign admin signs in (password, then the code) and opens the 首页 tab.
        page.goto("/accounts/login/")
        page.fill("input[name=username]", admin.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/accounts/otp/**")
        page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/otp/" not in url)
        page.goto(f"/campaigns/{campaign.pk}/")
        page.locator("nav.campaign-tabs").get_by_role("link", name="首页", exact=True).click()
        page.wait_for_url(f"**/campaigns/{campaign.pk}/home/")
        assert "首页编排" in page.inner_text("main h1")
        _no_serious_violations(page)

        # They find the activity by a few characters of its title and feature it.
        page.fill("input[name=aq]", "火箭")
        page.locator("#activities").get_by_role("button", name="查找").click()
        page.wait_for_url("**/home/?aq=*")
        page.get_by_role("button", name="精选：院士带你看火箭").click()
        page.wait_for_url("**/home/**")
        assert "“院士带你看火箭”已在首页精选展示。" in page.inner_text("body")
        assert list(FeaturedActivity.objects.values_list("activity_id", flat=True)) == [activity.pk]

        # And the resource.
        page.fill("input[name=rq]", "宣传册")
        page.locator("#resources").get_by_role("button", name="查找").click()
        page.wait_for_url("**/home/?**rq=*")
        page.get_by_role("button", name="精选：科学家精神宣传册").click()
        page.wait_for_url("**/home/**")
        assert "“科学家精神宣传册”已在首页精选展示。" in page.inner_text("body")
        assert Resource.objects.get(pk=article.pk).featured
        _no_serious_violations(page)

        # They upload a banner picture (the demo's drawing): it replaces the designed banner.
        page.set_input_files(
            "input[name=banner]",
            files=[
                {
                    "name": "banner.png",
                    "mimeType": "image/png",
                    "buffer": banner_picture(campaign.theme, "2023 · 第7个全国科技工作者日"),
                }
            ],
        )
        page.locator("#banner").get_by_role("button", name="上传", exact=True).click()
        page.wait_for_url("**/home/**")
        assert "横幅图片已保存。" in page.inner_text("body")
        assert page.locator("#banner img").count() == 1
        screenshots(page, "home-compose")

        # The visitor reloads: the cached copy was dropped on commit, both are there.
        third = visitor.goto("/")
        assert third is not None and third.headers["x-sciday-cache"] == "miss"
        main = visitor.inner_text("main")
        assert "精选活动" in main and "院士带你看火箭" in main
        assert "精选宣传产品" in main and "科学家精神宣传册" in main
        assert visitor.locator(".hero-picture").count() == 1
        visitor.get_by_role("link", name="院士带你看火箭").click()
        visitor.wait_for_url(f"**/activities/{activity.pk}/")
        visitor.goto("/")
        _no_serious_violations(visitor)
        # The countdown's script runs without errors under the strict CSP.
        errors: list[str] = []
        visitor.on("pageerror", lambda exc: errors.append(str(exc)))
        visitor.reload()
        assert visitor.locator("#countdown").inner_text().strip()
        saved = screenshots(visitor, "home")
        assert all(path.exists() for path in saved)
        assert errors == []
    finally:
        visitor_context.close()
    assert page.js_errors == []
