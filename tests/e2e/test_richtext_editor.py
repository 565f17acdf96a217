"""The description editor and the cover upload in real Chromium, under the strict CSP.

A unit editor writes a description with the Trix editor (bold, a list, a link) and picks a
cover picture; what is stored is the sanitized HTML and a re-encoded JPEG; the public page shows
both. No script error and no CSP violation on the way (Trix's injected styles carry the nonce),
and axe-core finds no serious accessibility violation on the form.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from sciday.accounts.models import Role
from sciday.activities import services
from sciday.activities.models import Activity, Status
from sciday.campaigns.models import Campaign
from sciday.orgs.models import Unit, UnitKind
from tests.e2e.conftest import axe_violations, screenshots
from tests.e2e.test_activity_journey import _sign_in
from tests.factories import make_member, make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editor_writes_rich_text_and_uploads_a_cover(live_server, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    cast = Unit.objects.filter(code="cast-publicity").first() or make_unit(
        name="中国科协宣传文化部", kind=UnitKind.NATIONAL_DEPARTMENT
    )
    province = make_unit(
        name="富文本省科协", kind=UnitKind.PROVINCIAL_CAST, parent=cast, region="320000"
    )
    editor = make_member(province, Role.UNIT_EDITOR, name="富文本编辑", email="rt@example.cn")
    campaign = Campaign.objects.get(year=2023)
    category = campaign.categories.order_by("number").first()
    assert category is not None
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    _sign_in(page, editor.email)
    page.goto("/workspace/activities/new/")
    editor_box = page.locator("trix-editor")
    editor_box.wait_for()
    assert page.locator("textarea[name=body]").count() == 0  # replaced by the editor
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)
    page.fill("input[name=title]", "富文本报告会")
    page.select_option("select[name=category]", str(category.pk))
    page.select_option("select[name=format]", "offline")
    page.fill("input[name=starts_at]", f"{campaign.window_start.isoformat()}T09:00")
    page.fill("input[name=ends_at]", f"{campaign.window_start.isoformat()}T11:00")
    page.select_option("select[name=province]", "320000")
    editor_box.click()
    page.keyboard.type("院士")
    page.locator("trix-toolbar [data-trix-attribute=bold]").click()
    page.keyboard.type("报告会")
    page.locator("trix-toolbar [data-trix-attribute=bold]").click()
    page.keyboard.press("Enter")
    page.locator("trix-toolbar [data-trix-attribute=bullet]").click()
    page.keyboard.type("第一项")
    picture = tmp_path / "poster.png"
    Image.new("RGB", (800, 450), (20, 60, 140)).save(picture)
    page.set_input_files("input[name=cover]", str(picture))
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_url("**/workspace/activities/*/")

    activity = Activity.objects.get()
    assert activity.body == "<p>院士<strong>报告会</strong></p><ul><li>第一项</li></ul>"
    stored = activity.cover.open("rb").read()
    activity.cover.close()
    assert Image.open(io.BytesIO(stored)).format == "JPEG"

    admin = make_member(cast, Role.CAMPAIGN_ADMIN, name="富文本管理员", email="rta@example.cn")
    services.activity_submit(actor=admin, activity=activity)
    services.activity_approve(actor=admin, activity=Activity.objects.get(pk=activity.pk))
    assert Activity.objects.get(pk=activity.pk).status == Status.PUBLISHED
    page.goto(f"/activities/{activity.pk}/")
    assert page.locator(".activity-body strong").inner_text() == "报告会"
    cover = page.locator(".activity-cover img")
    assert cover.evaluate("img => img.complete && img.naturalWidth") == 800
    screenshots(page, "activity-rich-text")
    assert page.js_errors == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
