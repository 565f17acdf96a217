"""The resource journey of issue 4, through the real pages only, in headless Chromium.

A unit editor uploads two photos and a video for a published activity (the files go by tus,
resumable, from the upload form), and submits them. One photo's description holds a word of
the campaign's sensitive-word list: it is held for moderation with the word shown. The parent
unit's admin publishes the other two and returns the held one with a reason; the editor fixes
the description on the edit page and submits again; the admin publishes it. An anonymous
visitor then finds all three in the gallery and on the activity's page, the photo re-encoded
without its GPS position, the video seekable (a byte range answers 206).

axe-core checks every page on the way for serious or critical accessibility violations.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from sciday.activities.models import Status as ActivityStatus
from sciday.resources.models import Kind, Processing, Resource, Status
from sciday.screening.services import word_add
from tests.activities.world import build_world
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import PASSWORD
from tests.resources import hostile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Local storage and resumable uploads in a fresh folder for this journey."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RESOURCE_UPLOAD_DIR = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def _no_serious_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workspace/")


def _upload(page, *, kind: str, path, title: str, description: str, activity_pk: int) -> Resource:
    """Fill the upload form for a file kind, wait for the resumable upload, save as draft."""
    page.goto("/workspace/resources/new/")
    page.check(f"input[name=kind][value={kind}]")
    page.set_input_files("input[name=file]", str(path))
    page.wait_for_function(
        "() => document.querySelector('input[name=upload_id]').value !== ''", timeout=30_000
    )
    assert "文件已上传" in page.inner_text("[data-upload-status]")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", description)
    page.fill("input[name=attribution]", "旅程市科协")
    page.check("input[name=people_consent]")
    page.select_option("select[name=activity]", str(activity_pk))
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_url("**/workspace/resources/*/")
    resource = Resource.objects.get(title=title)
    assert resource.processing == Processing.DONE, resource.processing_error
    return resource


def test_editor_uploads_word_holds_admin_returns_editor_fixes_published_everywhere(
    browser, live_server, page, national, tmp_path
):
    world = build_world(national)
    editor, admin = world.people["lead_editor"], world.people["parent_admin"]
    activity = world.activity(status=ActivityStatus.PUBLISHED, title="旅程科学家精神报告会")
    word_add(actor=world.people["campaign_admin"], campaign=world.campaign, word="代写论文")

    photo_a, photo_b, video = tmp_path / "现场.jpg", tmp_path / "合影.jpg", tmp_path / "短片.mp4"
    photo_a.write_bytes(hostile.jpeg(1200, 800, exif=hostile.exif_with_gps(orientation=1)))
    photo_b.write_bytes(hostile.jpeg(900, 600, exif=hostile.exif_with_gps(orientation=1)))
    video.write_bytes(hostile.mp4(tmp_path, seconds=2))

    # The editor uploads two photos and a video for the activity, and submits each.
    _sign_in(page, editor.email)
    page.goto("/workspace/resources/new/")
    _no_serious_violations(page)
    screenshots(page, "resource-upload-form")
    uploads = [
        (Kind.PHOTO, photo_a, "报告会现场", "院士在报告会上讲述科研故事。"),
        (Kind.PHOTO, photo_b, "报告会合影", "报告会上有人提到代写论文问题。"),
        (Kind.VIDEO, video, "报告会短片", "报告会的两秒短片。"),
    ]
    resources = {}
    for kind, path, title, description in uploads:
        resource = _upload(
            page,
            kind=kind,
            path=path,
            title=title,
            description=description,
            activity_pk=activity.pk,
        )
        page.get_by_role("button", name="提交审核").click()
        page.wait_for_url(f"**/workspace/resources/{resource.pk}/")
        resources[title] = resource
    _no_serious_violations(page)
    screenshots(page, "resource-detail-editor")
    statuses = {t: Resource.objects.get(pk=r.pk).status for t, r in resources.items()}
    assert statuses == {
        "报告会现场": Status.SUBMITTED,
        "报告会合影": Status.HELD,
        "报告会短片": Status.SUBMITTED,
    }

    # The parent unit's admin publishes two and returns the held one, seeing the word.
    other = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        admin_page = other.new_page()
        _sign_in(admin_page, admin.email)
        for title in ("报告会现场", "报告会短片"):
            admin_page.goto(f"/workspace/resources/{resources[title].pk}/")
            admin_page.get_by_role("button", name="通过并发布").click()
            admin_page.wait_for_url(f"**/workspace/resources/{resources[title].pk}/")
        held = resources["报告会合影"]
        admin_page.goto(f"/workspace/resources/{held.pk}/")
        assert "代写论文" in admin_page.inner_text(".screening-hits")
        _no_serious_violations(admin_page)
        screenshots(admin_page, "resource-detail-held")
        admin_page.fill("textarea[name=reason]", "说明中含有不当表述，请修改后再提交。")
        admin_page.get_by_role("button", name="退回单位").click()
        admin_page.wait_for_url(f"**/workspace/resources/{held.pk}/")
        held.refresh_from_db()
        assert held.status == Status.RETURNED

        # The editor sees the reason, fixes the description and submits again.
        page.goto(f"/workspace/resources/{held.pk}/")
        assert "说明中含有不当表述" in page.inner_text("main")
        page.get_by_role("link", name="编辑").click()
        page.wait_for_url(f"**/workspace/resources/{held.pk}/edit/")
        _no_serious_violations(page)
        screenshots(page, "resource-edit")
        page.fill("textarea[name=description]", "报告会结束后的合影。")
        page.get_by_role("button", name="保存修改").click()
        page.wait_for_url(f"**/workspace/resources/{held.pk}/")
        page.get_by_role("button", name="提交审核").click()
        page.wait_for_url(f"**/workspace/resources/{held.pk}/")
        held.refresh_from_db()
        assert held.status == Status.SUBMITTED and held.screening_hits == []

        # The admin publishes it.
        admin_page.goto(f"/workspace/resources/{held.pk}/")
        admin_page.get_by_role("button", name="通过并发布").click()
        admin_page.wait_for_url(f"**/workspace/resources/{held.pk}/")
    finally:
        other.close()
    assert set(Resource.objects.values_list("status", flat=True)) == {Status.PUBLISHED}

    # An anonymous visitor finds all three in the gallery and on the activity's page.
    visitor = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        public = visitor.new_page()
        public.goto("/resources/")
        gallery = public.inner_text("main")
        assert all(title in gallery for title in resources)
        _no_serious_violations(public)
        screenshots(public, "resource-gallery")
        public.goto(f"/activities/{activity.pk}/")
        block = public.locator(".activity-resources")
        for resource in resources.values():  # photos show as pictures, titled
            assert block.locator(f"a[href='/resources/{resource.pk}/']").count() == 1
        _no_serious_violations(public)
        screenshots(public, "activity-with-resources")

        photo = Resource.objects.get(title="报告会现场")
        public.goto(f"/resources/{photo.pk}/")
        _no_serious_violations(public)
        screenshots(public, "resource-photo-public")
        original = public.request.get(f"/resources/{photo.pk}/file/original/")
        assert original.headers["x-content-type-options"] == "nosniff"
        with Image.open(io.BytesIO(original.body())) as image:
            assert not image.getexif().get_ifd(0x8825)  # no GPS position left

        clip = Resource.objects.get(title="报告会短片")
        public.goto(f"/resources/{clip.pk}/")
        assert public.locator("main video").count() == 1
        _no_serious_violations(public)
        screenshots(public, "resource-video-public")
        src = public.locator("main video source, main video[src]").first
        url = src.get_attribute("src")
        assert url
        ranged = public.request.get(url, headers={"Range": "bytes=0-99"})
        assert ranged.status == 206 and len(ranged.body()) == 100
    finally:
        visitor.close()
    assert page.js_errors == []
