"""A unit editor registers an activity; the provincial admin returns it, then approves it.

Real headless Chromium against the live server, two people in two browser profiles. axe-core
checks every page on the way for serious or critical accessibility violations.
"""

from __future__ import annotations

import json

import pytest

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
    page.wait_for_url("**/workspace/")


def test_editor_submits_admin_returns_editor_resubmits_admin_approves(browser, live_server, page):
    cast = Unit.objects.filter(code="cast-publicity").first() or make_unit(
        name="中国科协宣传文化部", kind=UnitKind.NATIONAL_DEPARTMENT
    )
    province = make_unit(
        name="旅程省科协", kind=UnitKind.PROVINCIAL_CAST, parent=cast, region="320000"
    )
    city = make_unit(
        name="旅程市科协",
        kind=UnitKind.LOCAL_CAST,
        parent=Unit.objects.get(pk=province.pk),
        region="320100",
    )
    editor = make_member(city, Role.UNIT_EDITOR, name="旅程编辑", email="editor@journey.cn")
    admin = make_member(province, Role.UNIT_ADMIN, name="旅程管理员", email="admin@journey.cn")
    category = Campaign.objects.get(year=2023).categories.order_by("number").first()
    assert category is not None

    # The editor opens the activities workspace from the menu and registers an activity.
    _sign_in(page, editor.email)
    page.locator("nav.workspace-nav").get_by_role("link", name="活动").click()
    page.wait_for_url("**/workspace/activities/")
    _no_serious_violations(page)
    page.locator("main").get_by_role("link", name="登记活动").first.click()
    page.wait_for_url("**/workspace/activities/new/")
    _no_serious_violations(page)
    page.fill("input[name=title]", "旅程科学家精神报告会")
    page.select_option("select[name=category]", str(category.pk))
    page.select_option("select[name=format]", "offline")
    page.fill("input[name=starts_at]", "2023-05-20T09:00")
    page.fill("input[name=ends_at]", "2023-05-20T08:00")  # a slip: ends before it starts
    page.select_option("select[name=province]", "320000")
    page.select_option("select[name=prefecture]", "320100")
    page.fill("input[name=address]", "市科技馆")
    page.get_by_role("button", name="保存为草稿").click()
    assert "活动结束时间早于开始时间" in page.inner_text("main")
    assert not Activity.objects.exists()
    _no_serious_violations(page)
    screenshots(page, "activity-form-error")
    page.fill("input[name=ends_at]", "2023-05-20T11:30")
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_url("**/workspace/activities/*/")
    activity = Activity.objects.get()
    assert activity.status == Status.DRAFT
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(f"**/workspace/activities/{activity.pk}/")
    assert "活动已提交" in page.inner_text("body")
    _no_serious_violations(page)

    # The provincial admin, in their own browser, finds it waiting and returns it.
    other = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        admin_page = other.new_page()
        _sign_in(admin_page, admin.email)
        admin_page.goto("/workspace/activities/?tab=decide")
        assert "旅程科学家精神报告会" in admin_page.inner_text("main")
        _no_serious_violations(admin_page)
        screenshots(admin_page, "activity-decide-list")
        admin_page.get_by_role("link", name="旅程科学家精神报告会").click()
        admin_page.wait_for_url(f"**/workspace/activities/{activity.pk}/")
        _no_serious_violations(admin_page)
        screenshots(admin_page, "activity-detail-approver")
        admin_page.get_by_role("button", name="退回单位修改").click()  # no reason yet
        assert "请说明" in admin_page.inner_text("main")
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        admin_page.fill("textarea[name=return-reason]", "请补充详细地址和报告人")
        admin_page.get_by_role("button", name="退回单位修改").click()
        admin_page.wait_for_url(f"**/workspace/activities/{activity.pk}/")
        activity.refresh_from_db()
        assert activity.status == Status.RETURNED

        # The editor sees the reason, fixes the activity and submits it again.
        page.reload()
        assert "请补充详细地址和报告人" in page.inner_text("main")
        page.locator("main").get_by_role("link", name="修改活动").click()
        page.wait_for_url(f"**/workspace/activities/{activity.pk}/edit/")
        _no_serious_violations(page)
        page.fill("input[name=address]", "市科技馆一楼报告厅")
        page.fill("textarea[name=summary]", "报告人：张院士")
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_url(f"**/workspace/activities/{activity.pk}/")
        page.get_by_role("button", name="提交审核").click()
        page.wait_for_url(f"**/workspace/activities/{activity.pk}/")
        activity.refresh_from_db()
        assert (activity.status, activity.address) == (Status.SUBMITTED, "市科技馆一楼报告厅")

        # The admin approves; the history shows every step.
        admin_page.reload()
        admin_page.get_by_role("button", name="审核通过并发布").click()
        admin_page.wait_for_url(f"**/workspace/activities/{activity.pk}/")
        assert "活动已审核通过并发布" in admin_page.inner_text("body")
        history = admin_page.inner_text(".activity-history")
        assert "请补充详细地址和报告人" in history
        _no_serious_violations(admin_page)
        screenshots(admin_page, "activity-detail-published")
    finally:
        other.close()
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED
    assert page.js_errors == []
