"""The showcase journey of issue 5, through the real pages only, in headless Chromium.

甲省科协's admin nominates a person for 最美科技工作者 within the unit's quota, with the
materials (generated PDF and JPEG files) and the person's recorded consent, and submits. The
campaign admin (password + TOTP) finds it qualified; the honour's expert scores it; the campaign
admin shortlists it and opens the 公示 starting today (its last day comes from the working
calendar). An anonymous visitor files an objection with a contact on the public notice page;
the campaign admin sees the contact and answers. Publication is refused while the notice runs;
once it has ended, the profile is public at /showcase/<pk>/, in Chinese and — after the site's
language switch — in English with the English story.

Each person has a browser context of their own. axe-core checks the public pages and the
workspace pages on the way; screenshots of the nomination form, the notice page and the profile
(both languages) are saved under var/screenshots/.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import cast

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Role, User
from sciday.core.workdays import add_working_days
from sciday.orgs.models import UnitKind
from sciday.showcase import services
from sciday.showcase.models import HonourKind, Nomination, Objection, PublicNotice, Status
from tests.activities.world import build_world
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import PASSWORD, make_member
from tests.resources.hostile import jpeg, pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STORY_ZH = "王芳研究员二十年扎根高原观测站，记录冰川的每一次变化。"
STORY_EN = "For twenty years Wang Fang has kept a plateau station, recording the glaciers."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Local storage in a fresh folder; fast password hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def _sign_in(page, email: str, device: TOTPDevice | None = None) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    if device is not None:
        page.wait_for_url("**/accounts/otp/**")
        page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/otp/" not in url)
    else:
        page.wait_for_url("**/workspace/")


def _fill_nomination(page, *, honour_pk: int, unit_pk: int, today: str, consent: bool) -> None:
    page.select_option("select[name=honour]", str(honour_pk))
    page.select_option("select[name=unit]", str(unit_pk))
    page.fill("input[name=name]", "王芳")
    page.select_option("select[name=gender]", "female")
    page.fill("input[name=birth_year]", "1978")
    page.fill("input[name=affiliation]", "甲省冰川研究所")
    page.fill("input[name=title]", "研究员")
    page.fill("input[name=field]", "冰川学")
    page.fill("input[name=phone]", "13912345678")
    page.fill("textarea[name=summary]", "二十年坚守高原观测站，积累了宝贵的冰川观测数据。")
    page.fill("textarea[name=story_zh]", STORY_ZH)
    page.fill("input[name=name_en]", "Wang Fang")
    page.fill("input[name=affiliation_en]", "Jia Province Institute of Glaciology")
    page.fill("input[name=field_en]", "Glaciology")
    page.fill("textarea[name=story_en]", STORY_EN)
    if consent:
        page.check("input[name=consent]")
    page.fill("input[name=consent_date]", today)


def test_nomination_review_notice_objection_and_publication_in_both_languages(
    browser, live_server, page, national
):
    world = build_world(national)
    admin = cast(User, world.people["campaign_admin"])
    unit_admin = cast(User, world.people["parent_admin"])  # admin of 甲省科协, a provincial 科协
    unit = world.unit("prov")
    expert = make_member(world.unit("cast"), Role.EXPERT, name="评审专家")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    today = services.now_in_shanghai().date()
    # The campaign admins' setup, through the services: 2023's honour takes nominations until
    # a month from today; provincial 科协 have one nomination each; one assigned expert.
    honour = HonourKind.objects.get(campaign=world.campaign, name="最美科技工作者")
    services.honour_update(
        actor=admin, honour=honour, nomination_deadline=today + timedelta(days=30)
    )
    services.quota_set(
        actor=admin, honour=honour, unit_kind=UnitKind.PROVINCIAL_CAST, max_nominations=1
    )
    services.honour_experts_set(actor=admin, honour=honour, experts=[expert])

    unit_page = page
    contexts = []
    errors: list[str] = []

    def new_page():
        ctx = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        new = ctx.new_page()
        new.on("pageerror", lambda exc: errors.append(str(exc)))
        return new

    try:
        # --- The unit nominates -------------------------------------------------------------
        _sign_in(unit_page, unit_admin.email)
        unit_page.goto("/workspace/showcase/")
        _no_serious_violations(unit_page)
        unit_page.locator(".page-head").get_by_role("link", name="推荐", exact=True).click()
        unit_page.wait_for_url("**/workspace/showcase/new/")
        _no_serious_violations(unit_page)
        screenshots(unit_page, "showcase-nomination-form")

        # Without the person's consent: refused with the reason, nothing saved.
        _fill_nomination(
            unit_page, honour_pk=honour.pk, unit_pk=unit.pk, today=today.isoformat(), consent=False
        )
        unit_page.get_by_role("button", name="保存", exact=True).click()
        unit_page.wait_for_load_state()
        assert "须经被推荐人本人同意被推荐并公开其事迹。" in unit_page.inner_text("body")
        assert not Nomination.objects.exists()

        unit_page.check("input[name=consent]")
        unit_page.fill("input[name=phone]", "13912345678")  # not echoed back
        unit_page.get_by_role("button", name="保存", exact=True).click()
        unit_page.wait_for_url("**/workspace/showcase/*/")
        assert "推荐已保存，请上传材料。" in unit_page.inner_text("body")
        nomination = Nomination.objects.get()
        assert nomination.unit == unit and nomination.status == Status.DRAFT
        assert nomination.consent and nomination.consent_recorded_by == unit_admin
        assert nomination.phone == "13912345678"

        # The materials: generated PDFs and a JPEG photo.
        files = [
            ("resume", "王芳简历.pdf", "application/pdf", pdf(["个人简历", "王芳"])),
            ("achievements", "主要事迹.pdf", "application/pdf", pdf(["主要事迹"])),
            ("photo", "王芳.jpg", "image/jpeg", jpeg(400, 500)),
            ("recommendation", "推荐意见.pdf", "application/pdf", pdf(["推荐意见（盖章）"])),
        ]
        for kind, name, mime, data in files:
            unit_page.select_option("select[name=kind]", kind)
            unit_page.set_input_files(
                "input[name=file]", files=[{"name": name, "mimeType": mime, "buffer": data}]
            )
            unit_page.get_by_role("button", name="添加文件").click()
            unit_page.wait_for_url(f"**/workspace/showcase/{nomination.pk}/")
            assert "文件已添加。" in unit_page.inner_text("body")
        assert nomination.files.count() == 4
        _no_serious_violations(unit_page)
        unit_page.get_by_role("button", name="提交推荐").click()
        unit_page.wait_for_url(f"**/workspace/showcase/{nomination.pk}/")
        assert "推荐已提交。" in unit_page.inner_text("body")
        assert Nomination.objects.get().status == Status.SUBMITTED

        # Its quota (one) is used: a second nomination is refused, nothing saved.
        unit_page.goto("/workspace/showcase/new/")
        _fill_nomination(
            unit_page, honour_pk=honour.pk, unit_pk=unit.pk, today=today.isoformat(), consent=True
        )
        unit_page.get_by_role("button", name="保存", exact=True).click()
        unit_page.wait_for_load_state()
        assert "推荐名额（1 名）已用完" in unit_page.inner_text("body")
        assert Nomination.objects.count() == 1

        # --- The campaign admin checks the qualification --------------------------------------
        admin_page = new_page()
        _sign_in(admin_page, admin.email, device)
        admin_page.goto(f"/workspace/showcase/{nomination.pk}/")
        assert "王芳" in admin_page.inner_text("main h1")
        _no_serious_violations(admin_page)
        admin_page.get_by_role("button", name="资格审查通过", exact=True).click()
        admin_page.wait_for_url(f"**/workspace/showcase/{nomination.pk}/")
        assert "资格审查通过。" in admin_page.inner_text("body")
        assert Nomination.objects.get().status == Status.QUALIFIED

        # --- The expert scores it ------------------------------------------------------------
        expert_page = new_page()
        _sign_in(expert_page, expert.email)
        expert_page.goto(f"/workspace/showcase/{nomination.pk}/")
        _no_serious_violations(expert_page)
        expert_page.fill("input[name=score]", "92")
        expert_page.fill("textarea[name=comment]", "事迹扎实，感人至深。")
        expert_page.get_by_role("button", name="提交评分").click()
        expert_page.wait_for_url(f"**/workspace/showcase/{nomination.pk}/")
        assert "评分已提交。" in expert_page.inner_text("body")
        assert nomination.scores.get().score == 92

        # --- Shortlist, then open the 公示 starting today --------------------------------------
        admin_page.reload()
        assert "事迹扎实，感人至深。" in admin_page.inner_text("body")
        admin_page.get_by_role("button", name="入围", exact=True).click()
        admin_page.wait_for_url(f"**/workspace/showcase/{nomination.pk}/")
        assert "已入围。" in admin_page.inner_text("body")
        admin_page.goto("/workspace/showcase/notices/")
        assert "王芳（甲省科协）" in admin_page.inner_text("body")
        _no_serious_violations(admin_page)
        admin_page.fill("input[name=title]", "“最美科技工作者”人选公示")
        admin_page.fill("input[name=starts_on]", today.isoformat())
        admin_page.fill("input[name=working_days]", "5")
        admin_page.get_by_role("button", name="开始公示").click()
        admin_page.wait_for_url("**/workspace/showcase/notices/*/")
        assert "公示已开始。" in admin_page.inner_text("body")
        notice = PublicNotice.objects.get()
        # The last day is five working days on, by the Chinese working calendar.
        assert notice.starts_on == today
        assert notice.ends_on == add_working_days(today, 5)
        assert notice.ends_on.isoformat() in admin_page.inner_text("body")
        assert Nomination.objects.get().status == Status.IN_NOTICE
        _no_serious_violations(admin_page)

        # --- An anonymous visitor objects on the public notice page ---------------------------
        visitor = new_page()
        visitor.goto(f"/showcase/notice/{notice.pk}/")
        main = visitor.inner_text("body")
        assert "“最美科技工作者”人选公示" in main and "王芳" in main and "甲省科协" in main
        _no_serious_violations(visitor)
        screenshots(visitor, "showcase-notice")
        visitor.select_option("select[name=nomination]", str(nomination.pk))
        visitor.fill("textarea[name=text]", "建议核实王芳同志在观测站的工作年限。")
        visitor.get_by_role("button", name="提交异议").click()
        visitor.wait_for_load_state()
        # Without a contact: refused, nothing recorded.
        assert "请留下电话或电子邮箱，以便答复您。" in visitor.inner_text("body")
        assert not Objection.objects.exists()
        visitor.fill("input[name=name]", "李群众")
        visitor.fill("input[name=contact]", "citizen@example.com")
        visitor.get_by_role("button", name="提交异议").click()
        visitor.wait_for_url(f"**/showcase/notice/{notice.pk}/")
        assert "已收到您的异议" in visitor.inner_text("body")
        objection = Objection.objects.get()
        assert objection.contact == "citizen@example.com"
        assert objection.nomination_id == nomination.pk
        _no_serious_violations(visitor)

        # --- The campaign admin sees the contact and answers ----------------------------------
        admin_page.reload()
        main = admin_page.inner_text("body")
        assert "建议核实王芳同志在观测站的工作年限。" in main
        assert "李群众" in main and "citizen@example.com" in main
        admin_page.fill(f"#answer-{objection.pk}", "经核实，材料属实。感谢您的监督。")
        admin_page.get_by_role("button", name="提交答复").click()
        admin_page.wait_for_url(f"**/workspace/showcase/notices/{notice.pk}/")
        assert "答复已记录。" in admin_page.inner_text("body")
        assert Objection.objects.get().answered_by == admin

        # Publication is refused while the notice runs.
        assert "公示进行中" in admin_page.inner_text("body")
        admin_page.get_by_role("button", name="发布风采展示").click()
        admin_page.wait_for_url(f"**/workspace/showcase/notices/{notice.pk}/")
        expected = f"公示期至 {notice.ends_on.isoformat()}，请在公示结束后发布。"
        assert expected in admin_page.inner_text("body")
        assert Nomination.objects.get().status == Status.IN_NOTICE
        assert visitor.goto(f"/showcase/{nomination.pk}/").status == 404  # type: ignore[union-attr]

        # The notice's days cannot pass during a test: move its dates into the past in the
        # database, as the demo does (sciday/core/demo_showcase.py), so that it has ended.
        PublicNotice.objects.filter(pk=notice.pk).update(
            starts_on=today - timedelta(days=14), ends_on=today - timedelta(days=8)
        )
        admin_page.reload()
        admin_page.get_by_role("button", name="发布风采展示").click()
        admin_page.wait_for_url(f"**/workspace/showcase/notices/{notice.pk}/")
        assert "风采展示已发布。" in admin_page.inner_text("body")
        assert Nomination.objects.get().status == Status.PUBLISHED

        # --- The profile is public, in Chinese, then in English --------------------------------
        response = visitor.goto(f"/showcase/{nomination.pk}/")
        assert response is not None and response.status == 200
        assert "王芳" in visitor.inner_text("main h1")
        main = visitor.inner_text("body")
        assert STORY_ZH in main and "最美科技工作者" in main and "甲省冰川研究所" in main
        assert visitor.locator("main img[alt='王芳的照片']").count() == 1
        assert visitor.evaluate("() => document.querySelector('main img').naturalWidth") > 0
        _no_serious_violations(visitor)
        screenshots(visitor, "showcase-journey-profile-zh")

        visitor.locator("a.lang-switch[hreflang=en]").click()
        visitor.wait_for_url(f"**/showcase/{nomination.pk}/")
        assert visitor.locator("html").get_attribute("lang") == "en"
        assert "Wang Fang" in visitor.inner_text("main h1")
        main = visitor.inner_text("body")
        assert STORY_EN in main
        assert "Jia Province Institute of Glaciology" in main and "Glaciology" in main
        assert "Most Beautiful Science and Technology Workers" in main
        assert STORY_ZH not in main
        _no_serious_violations(visitor)
        screenshots(visitor, "showcase-journey-profile-en")

        # No script failed under the strict CSP.
        assert errors == [] and unit_page.js_errors == []
    finally:
        for ctx in contexts:
            ctx.close()
