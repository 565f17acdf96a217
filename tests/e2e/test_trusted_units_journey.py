"""A campaign admin trusts a unit on the campaign's page; its sub-unit's editor then publishes
an activity at once, without approval.

Real headless Chromium against the live server, through the real pages only (the campaign admin
signs in with a password and a TOTP code). axe-core checks the trusted-units page.
"""

from __future__ import annotations

import json

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Role
from sciday.activities.models import Activity, Status
from sciday.campaigns.models import Campaign
from sciday.orgs.models import Unit, UnitKind
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import PASSWORD, make_member, make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_campaign_admin_trusts_a_unit_and_its_editor_publishes_at_once(browser, live_server, page):
    cast = Unit.objects.get(code="cast-publicity")
    province = make_unit(
        name="信任省科协", kind=UnitKind.PROVINCIAL_CAST, parent=cast, region="320000"
    )
    city = make_unit(
        name="信任市科协",
        kind=UnitKind.LOCAL_CAST,
        parent=Unit.objects.get(pk=province.pk),
        region="320100",
    )
    admin = make_member(
        Unit.objects.get(pk=cast.pk), Role.CAMPAIGN_ADMIN, name="活动管理员", email="ca@trust.cn"
    )
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    editor = make_member(city, Role.UNIT_EDITOR, name="信任编辑", email="editor@trust.cn")
    campaign = Campaign.objects.get(year=2023)
    category = campaign.categories.order_by("number").first()
    assert category is not None

    # The campaign admin signs in (password, then the code), opens the campaign's trusted units.
    _sign_in(page, admin.email)
    page.wait_for_url("**/accounts/otp/**")
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/otp/" not in url)
    page.goto("/campaigns/")
    page.locator("main").get_by_role("link", name=campaign.name).first.click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/")
    page.locator("nav.campaign-tabs").get_by_role("link", name="免审单位").click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/trusted-units/")
    main = page.inner_text("main")
    assert "无需等待上级单位管理员审核" in main and "暂无免审单位" in main
    _no_serious_violations(page)

    # They find the province by a few characters of its name and trust it.
    page.fill("input[name=q]", "信任")
    page.locator("main").get_by_role("button", name="查找").click()
    page.wait_for_url("**/trusted-units/?q=*")
    assert "信任市科协" in page.inner_text(".trust-candidates")
    _no_serious_violations(page)
    page.get_by_role("button", name="设为免审：信任省科协").click()
    page.wait_for_url("**/trusted-units/?q=*")
    assert "信任省科协的活动现在无需审核即可发布。" in page.inner_text("body")
    rows = page.locator("main table tbody").inner_text()
    assert "信任省科协" in rows
    assert list(campaign.trusted_units.values_list("name", flat=True)) == ["信任省科协"]
    _no_serious_violations(page)
    screenshots(page, "campaign-trusted-units")

    # The city's editor registers and submits an activity: it is published at once.
    other = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        editor_page = other.new_page()
        _sign_in(editor_page, editor.email)
        editor_page.wait_for_url("**/workspace/")
        editor_page.goto("/workspace/activities/new/")
        editor_page.fill("input[name=title]", "信任单位科普讲座")
        editor_page.select_option("select[name=category]", str(category.pk))
        editor_page.select_option("select[name=format]", "offline")
        editor_page.fill("input[name=starts_at]", "2023-05-20T09:00")
        editor_page.fill("input[name=ends_at]", "2023-05-20T11:00")
        editor_page.select_option("select[name=province]", "320000")
        editor_page.select_option("select[name=prefecture]", "320100")
        editor_page.fill("input[name=address]", "市科技馆")
        editor_page.get_by_role("button", name="保存为草稿").click()
        editor_page.wait_for_url("**/workspace/activities/*/")
        activity = Activity.objects.get(title="信任单位科普讲座")
        editor_page.get_by_role("button", name="提交审核").click()
        editor_page.wait_for_url(f"**/workspace/activities/{activity.pk}/")
        activity.refresh_from_db()
        assert activity.status == Status.PUBLISHED
        assert "已发布" in editor_page.inner_text("main h1")
    finally:
        other.close()

    # Anyone sees it now.
    anonymous = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        public = anonymous.new_page()
        response = public.goto(f"/activities/{activity.pk}/")
        assert response is not None and response.status == 200
        assert "信任单位科普讲座" in public.inner_text("main")
    finally:
        anonymous.close()

    # Stopping trust sends the next submission through approval again.
    page.get_by_role("button", name="取消免审：信任省科协").click()
    page.wait_for_url("**/trusted-units/**")
    assert "已取消信任省科协的免审" in page.inner_text("body")
    assert not campaign.trusted_units.exists()
    assert page.js_errors == []
