"""The activity journey of issue 3, in one go, through the real pages only.

A unit editor registers an activity that needs sign-up, with one place; the provincial admin
returns it with a reason; the editor fixes and resubmits it; it is approved. An anonymous visitor
finds it on /search/ by a two-character word, is asked to sign in, signs in and signs up. The
activity is now full: the next person joins the waiting list, and is promoted (and told by
e-mail) when the visitor cancels.

Real headless Chromium against the live server, each person in a browser profile of their own.
axe-core checks every page on the way for serious or critical accessibility violations.

Sign-up is open only before an activity starts, and browser cookies live in real time, so rather
than travelling the clock, the fixture moves the campaign's activity period to the coming weeks.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sciday.accounts.models import Role
from sciday.activities.models import Activity, Status
from sciday.campaigns.models import Campaign
from sciday.orgs.models import Unit, UnitKind
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import PASSWORD, UserFactory, make_member, make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def _fill_sign_in(page, email: str) -> None:
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    _fill_sign_in(page, email)
    page.wait_for_url("**/workspace/")


def _campaign_in_the_coming_weeks() -> str:
    """Move the 2023 campaign's activity period to start today; return a day 30 days ahead."""
    today = timezone.localdate()
    Campaign.objects.filter(year=2023).update(
        window_start=today, window_end=today + timedelta(days=60), day=today + timedelta(days=30)
    )
    return (today + timedelta(days=30)).isoformat()


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
    day = _campaign_in_the_coming_weeks()

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
    page.fill("input[name=starts_at]", f"{day}T09:00")
    page.fill("input[name=ends_at]", f"{day}T08:00")  # a slip: ends before it starts
    page.select_option("select[name=province]", "320000")
    page.select_option("select[name=prefecture]", "320100")
    page.fill("input[name=address]", "市科技馆")
    page.check("input[name=signup_required]")
    page.fill("input[name=capacity]", "1")  # one place: the second person waits
    page.get_by_role("button", name="保存为草稿").click()
    assert "活动结束时间早于开始时间" in page.inner_text("main")
    assert not Activity.objects.exists()
    _no_serious_violations(page)
    screenshots(page, "activity-form-error")
    page.fill("input[name=ends_at]", f"{day}T11:30")
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_url("**/workspace/activities/*/")
    activity = Activity.objects.get()
    assert (activity.status, activity.signup_required, activity.capacity) == (
        Status.DRAFT,
        True,
        1,
    )
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

    _visitor_finds_signs_in_and_signs_up_then_the_waiting_list_moves(browser, live_server, activity)


def _visitor_finds_signs_in_and_signs_up_then_the_waiting_list_moves(
    browser, live_server, activity
):
    visitor = UserFactory(name="旅程访客", email="visitor@journey.cn")
    late = UserFactory(name="晚到的人", email="late@journey.cn")
    detail = f"**/activities/{activity.pk}/"
    contexts = []

    def new_page():
        ctx = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        new = ctx.new_page()
        new.js_errors = []
        new.on("pageerror", lambda exc: new.js_errors.append(str(exc)))
        return new

    try:
        # An anonymous visitor finds it on /search/ by a two-character word.
        page = new_page()
        page.goto("/")
        page.goto("/search/")
        page.fill("input[name=q]", "报告")
        page.locator("main").get_by_role("button", name="搜索").click()
        page.wait_for_url("**/search/?q=*")
        assert page.locator("main mark", has_text="报告").count() >= 1
        _no_serious_violations(page)
        page.locator("main .search-hits").get_by_role("link", name="旅程科学家精神报告会").click()
        page.wait_for_url(detail)
        box = page.locator("#signup")
        assert "名额 1 个，已报名 0 人。" in box.inner_text()
        assert "报名前需先登录" in box.inner_text()
        _no_serious_violations(page)

        # Signing up asks them to sign in first, then brings them back to the activity.
        box.get_by_role("button", name="报名", exact=True).click()
        page.wait_for_url(lambda url: "/accounts/login/" in url)
        _no_serious_violations(page)
        _fill_sign_in(page, visitor.email)
        page.wait_for_url(detail)
        mail.outbox = []
        page.locator("#signup").get_by_role("button", name="报名", exact=True).click()
        page.wait_for_url(detail + "#signup")
        assert "报名成功，确认邮件已发送。" in page.inner_text("body")
        assert "您已报名成功。" in page.locator("#signup").inner_text()
        _no_serious_violations(page)
        screenshots(page, "activity-signed-up")
        assert [m.to for m in mail.outbox] == [[visitor.email]]

        # The activity is full: the next person joins the waiting list.
        late_page = new_page()
        late_page.goto(f"/accounts/login/?next=/activities/{activity.pk}/")
        _fill_sign_in(late_page, late.email)
        late_page.wait_for_url(detail)
        late_box = late_page.locator("#signup")
        assert "名额 1 个，已报名 1 人。" in late_box.inner_text()
        late_box.get_by_role("button", name="加入候补名单").click()
        late_page.wait_for_url(detail + "#signup")
        assert "活动名额已满，您已进入候补名单，第 1 位。" in late_page.inner_text("body")
        assert "您在候补名单中，第 1 位。" in late_page.locator("#signup").inner_text()
        _no_serious_violations(late_page)
        screenshots(late_page, "activity-waiting-list")

        # The visitor cancels; the waiting person is promoted and told by e-mail.
        mail.outbox = []
        page.reload()
        page.locator("#signup").get_by_role("button", name="取消报名").click()
        page.wait_for_url(detail + "#signup")
        assert "已取消报名。" in page.inner_text("body")
        promoted = [m for m in mail.outbox if m.to == [late.email]]
        assert len(promoted) == 1, [(m.to, m.subject) for m in mail.outbox]
        assert promoted[0].subject == "候补转正，您已获得名额：旅程科学家精神报告会"
        assert f"/activities/{activity.pk}/" in promoted[0].body
        late_page.reload()
        assert "您已报名成功。" in late_page.locator("#signup").inner_text()
        _no_serious_violations(late_page)
        assert page.js_errors == [] and late_page.js_errors == []
    finally:
        for ctx in contexts:
            ctx.close()
    signups = {s.user.email: s.status for s in activity.signups.select_related("user")}
    assert signups == {visitor.email: "cancelled", late.email: "confirmed"}
