"""A unit admin invites a person; the person accepts, sets a password and sees the unit workspace.

Real headless Chromium against the live server. The invitation e-mail is read from Django's
in-memory outbox (tasks run immediately in tests), exactly as the person would open the link.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from sciday.accounts.models import Membership, Role
from sciday.orgs.models import Unit, UnitKind
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import PASSWORD, make_member, make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def test_unit_admin_invites_a_member_who_accepts_and_sees_the_unit(browser, live_server, page):
    cast = Unit.objects.filter(code="cast-publicity").first() or make_unit(
        name="中国科协宣传文化部", kind=UnitKind.NATIONAL_DEPARTMENT
    )
    unit = make_unit(name="旅程省科协", kind=UnitKind.PROVINCIAL_CAST, parent=cast, region="320000")
    make_unit(name="旅程市科协", kind=UnitKind.LOCAL_CAST, parent=unit, region="320100")
    admin = make_member(unit, Role.UNIT_ADMIN, name="旅程管理员", email="admin@journey.cn")
    mail.outbox = []

    # The unit admin signs in and lands in the workspace.
    page.goto("/accounts/login/")
    page.fill("input[name=username]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workspace/")
    assert "旅程省科协" in page.inner_text("main")
    _no_serious_violations(page)

    # From the unit page to the invitation form.
    page.get_by_role("link", name="旅程省科协").first.click()
    page.wait_for_url(f"**/workspace/units/{unit.pk}/")
    _no_serious_violations(page)
    page.locator("main").get_by_role("link", name="邀请成员").first.click()
    page.wait_for_url(f"**/workspace/units/{unit.pk}/members/invite/")
    _no_serious_violations(page)
    page.fill("input[name=name]", "新同事")
    page.fill("input[name=email]", "newcomer@journey.cn")
    page.select_option("select[name=role]", Role.UNIT_EDITOR)
    page.get_by_role("button", name="发送邀请").click()
    page.wait_for_url(f"**/workspace/units/{unit.pk}/members/")
    assert "邀请已发送至 newcomer@journey.cn" in page.inner_text("body")
    assert "待接受" in page.inner_text("main")
    screenshots(page, "workspace-members")

    # The e-mail carries the link.
    assert [m.to for m in mail.outbox] == [["newcomer@journey.cn"]]
    link = re.search(r"https?://\S+/accounts/invitations/\S+/", mail.outbox[0].body).group(0)
    path = urlsplit(link).path

    # The invited person, in their own browser, opens the link and sets a password.
    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        member_page = other.new_page()
        member_page.goto(path)
        assert "旅程省科协" in member_page.inner_text("main")
        member_page.fill("input[name=password1]", "Xin-Tongshi#2023")
        member_page.fill("input[name=password2]", "Xin-Tongshi#2023")
        member_page.locator("main form button[type=submit]").click()
        member_page.wait_for_url("**/workspace/")
        main = member_page.inner_text("main")
        assert "旅程省科协" in main and "单位编辑" in main
        _no_serious_violations(member_page)
        member_page.get_by_role("link", name="旅程省科协").first.click()
        member_page.wait_for_url(f"**/workspace/units/{unit.pk}/")
        assert "旅程市科协" in member_page.inner_text("main")
        screenshots(member_page, "workspace-unit")
    finally:
        other.close()

    membership = Membership.objects.get(user__email="newcomer@journey.cn")
    assert membership.unit_id == unit.pk and membership.role == Role.UNIT_EDITOR


def test_api_docs_render_from_local_assets(page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto("/api/v1/docs")
    assert response is not None and response.status == 200
    page.wait_for_selector(".swagger-ui .info .title")
    assert "sciday API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() >= 10  # the operations are listed
    assert page.js_errors == []
    base = page.url.split("/api/")[0]
    assert all(url.startswith((base, "data:")) for url in requests), requests
