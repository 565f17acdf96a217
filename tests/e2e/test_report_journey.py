"""The summary-report journey of issue 6, through the real pages only, in headless Chromium.

A provincial 科协's admin starts the unit's report, fills in figures and sections, uploads the
stamped scan and submits it. CAST's Publicity and Culture Department (the route of provincial
科协) has a reviewer, who signs in with a second factor and returns it with a reason and a note
on one section. The unit revises and submits again; the reviewer accepts it, compares the two
submissions, finds the counts on the completeness board, produces the national compilation
and downloads its DOCX and XLSX. axe-core checks every page.

The 2023 campaign's report deadline lies in the past; as other journeys move the activity
period, the fixture moves the deadline to the coming weeks so the submission is on time.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from sciday.accounts.models import Role
from sciday.campaigns.models import Campaign
from sciday.orgs.models import Unit, UnitKind
from sciday.reports import services
from sciday.reports.models import Report
from sciday.reports.models import Status as ReportStatus
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import PASSWORD, make_member, make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def _sign_in(page, email: str, device=None) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    if device is not None:
        page.wait_for_url("**/accounts/otp/**")
        page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def _stamped_scan(path) -> None:
    """A one-page A4 'scan' with a red stamp, as a PDF (Pillow writes it)."""
    image = Image.new("RGB", (1240, 1754), "white")
    for x in range(900, 1100):
        for y in range(1400, 1410):
            image.putpixel((x, y), (200, 0, 0))
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    path.write_bytes(out.getvalue())


def test_unit_submits_department_returns_unit_resubmits_accepted_on_the_board(
    browser, live_server, page, tmp_path
):
    campaign = Campaign.objects.get(year=2023)
    Campaign.objects.filter(pk=campaign.pk).update(
        report_deadline=timezone.now() + timedelta(days=20)
    )
    campaign.refresh_from_db()
    cast = Unit.objects.get(code="cast-publicity")
    province = make_unit(
        name="旅程省科协", kind=UnitKind.PROVINCIAL_CAST, parent=cast, region="320000"
    )
    unit_admin = make_member(province, Role.UNIT_ADMIN, name="旅程省管理员", email="p@journey.cn")
    reviewer = make_member(
        Unit.objects.get(pk=cast.pk),
        Role.DEPARTMENT_REVIEWER,
        name="宣传部审核员",
        email="r@journey.cn",
    )
    campaign_admin = make_member(
        Unit.objects.get(pk=cast.pk), Role.CAMPAIGN_ADMIN, name="活动管理员", email="a@journey.cn"
    )
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    services.expected_add(actor=campaign_admin, campaign=campaign, unit=province)
    scan = tmp_path / "盖章扫描件.pdf"
    _stamped_scan(scan)

    # The unit's admin starts the report, fills it in, uploads the scan and submits.
    _sign_in(page, unit_admin.email)
    page.goto("/workspace/reports/")
    _no_serious_violations(page)
    page.get_by_role("button", name="开始填写报告").click()
    page.wait_for_url("**/workspace/reports/*/edit/")
    report = Report.objects.get(unit=province)
    page.fill("textarea[name=overview]", "本省共开展活动一百二十场，覆盖全部地市。")
    page.fill("textarea[name=highlights]", "院士专家进校园，反响热烈。")
    page.fill("textarea[name=problems]", "基层经费不足。")
    page.set_input_files("input[name=scan]", str(scan))
    _no_serious_violations(page)
    screenshots(page, "report-edit")
    page.get_by_role("button", name="报送接收部门").click()
    page.wait_for_url(f"**/workspace/reports/{report.pk}/")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not report.is_late
    assert report.scan.name

    # CAST's department reviewer (second factor) returns it with a reason and a section note.
    other = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        review = other.new_page()
        _sign_in(review, reviewer.email, device)
        review.goto("/workspace/reports/")
        review.get_by_role("link", name="旅程省科协").first.click()
        review.wait_for_url(f"**/workspace/reports/{report.pk}/")
        _no_serious_violations(review)
        screenshots(review, "report-review")
        review.fill("textarea[name=reason]", "请补充活动参与人数的统计口径。")
        review.fill("textarea[name=note__problems]", "请写明具体建议。")
        review.get_by_role("button", name="退回单位修改").click()
        review.wait_for_url(f"**/workspace/reports/{report.pk}/")
        report.refresh_from_db()
        assert report.status == ReportStatus.RETURNED

        # The unit sees the reason and the note, revises and submits again.
        page.goto(f"/workspace/reports/{report.pk}/")
        text = page.inner_text("main")
        assert "请补充活动参与人数的统计口径" in text and "请写明具体建议" in text
        page.goto(f"/workspace/reports/{report.pk}/edit/")
        page.fill("textarea[name=problems]", "基层经费不足，建议设立专项经费支持县级科协。")
        page.get_by_role("button", name="重新报送").click()
        page.wait_for_url(f"**/workspace/reports/{report.pk}/")
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED

        # The reviewer accepts it, compares the two submissions and opens the board.
        review.goto(f"/workspace/reports/{report.pk}/")
        review.get_by_role("button", name="采纳报告").click()
        review.wait_for_url(f"**/workspace/reports/{report.pk}/")
        report.refresh_from_db()
        assert report.status == ReportStatus.ACCEPTED
        review.goto(f"/workspace/reports/{report.pk}/compare/?a=1&b=2")
        assert "设立专项经费" in review.inner_text("main")
        _no_serious_violations(review)
        screenshots(review, "report-compare")
        review.goto("/workspace/reports/board/")
        board = review.inner_text("main")
        assert "省级科协" in board and "江苏省" in board  # the rows of its kind and province
        accepted = review.locator(".board-table a", has_text="1").count()
        assert accepted >= 6  # expected, submitted, on time, accepted: by kind and by province
        _no_serious_violations(review)
        screenshots(review, "report-board")

        # The department produces the national compilation (the task runs at once here) and
        # downloads the DOCX, the PDF and the XLSX; they hold the accepted report.
        review.goto("/workspace/reports/compilation/")
        _no_serious_violations(review)
        review.get_by_role("button", name="生成汇编").click()
        review.wait_for_url("**/workspace/reports/compilation/*/")
        _no_serious_violations(review)
        screenshots(review, "report-compilation")
        with review.expect_download() as docx_download:
            review.get_by_role("link", name="下载 DOCX").click()
        docx_path = tmp_path / "compilation.docx"
        docx_download.value.save_as(docx_path)
        with review.expect_download() as pdf_download:
            review.get_by_role("link", name="下载 PDF").click()
        pdf_path = tmp_path / "compilation.pdf"
        pdf_download.value.save_as(pdf_path)
        with review.expect_download() as xlsx_download:
            review.get_by_role("link", name="下载全部数据 XLSX").click()
        xlsx_path = tmp_path / "compilation.xlsx"
        xlsx_download.value.save_as(xlsx_path)
    finally:
        other.close()
    assert page.js_errors == []
    import docx
    import openpyxl

    text = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "旅程省科协" in text and "设立专项经费" in text
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(pdf_path))
    pdf_text = "".join("".join(p.get_textpage().get_text_range().split()) for p in pdf)
    pdf.close()
    assert "旅程省科协" in pdf_text and "设立专项经费" in pdf_text
    sheet = openpyxl.load_workbook(str(xlsx_path), read_only=True).worksheets[0]
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert any(row and row[0] == "旅程省科协" for row in rows)
