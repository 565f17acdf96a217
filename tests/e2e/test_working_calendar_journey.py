"""A campaign admin opens the 工作日历 tab, sees 2023's official days, adds next year's holidays
in one go, and the public-notice arithmetic follows at once.

Real headless Chromium against the live server (the admin signs in with a password and a TOTP
code); axe-core checks the page at desktop and phone widths.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Role
from sciday.campaigns.models import Campaign
from sciday.core import workdays
from sciday.orgs.models import Unit
from tests.e2e.conftest import PHONE, axe_violations, screenshots
from tests.factories import PASSWORD, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def test_campaign_admin_keeps_the_working_calendar(browser, live_server, page):
    admin = make_member(
        Unit.objects.get(code="cast-publicity"),
        Role.CAMPAIGN_ADMIN,
        name="日历管理员",
        email="ca@calendar.cn",
    )
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    campaign = Campaign.objects.get(year=2023)

    page.goto("/accounts/login/")
    page.fill("input[name=username]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/otp/**")
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/otp/" not in url)

    page.goto(f"/campaigns/{campaign.pk}/")
    page.locator("nav.campaign-tabs").get_by_role("link", name="工作日历").click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/working-calendar/")
    page.get_by_role("link", name="2023", exact=True).click()
    main = page.inner_text("main")
    assert "端午" in main and "2023-06-25" in main
    _no_serious_violations(page)

    year = workdays.builtin_years()[1] + 1
    page.get_by_role("link", name=str(year), exact=True).click()
    assert f"{year} 年不在内置数据中" in page.inner_text("main")
    page.fill("#import_text", f"{year}-01-01 元旦 休\n{year}-01-02 元旦 休")
    page.locator("main").get_by_role("button", name="导入").click()
    page.get_by_text("已添加 2 天").wait_for()
    assert "在此添加" in page.inner_text("main")
    assert not workdays.is_working_day(date(year, 1, 1))
    _no_serious_violations(page)
    screenshots(page, "working-calendar")
    page.set_viewport_size(PHONE)
    _no_serious_violations(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
