"""An activity's cover picture: checked by content, re-encoded without EXIF, served by a view
that checks who may see the activity, through the workspace form and the API.

Hostile files (SECURITY.md's corpus): a polyglot JPEG/HTML, SVG with script, a PNG claiming
50,000 × 50,000 pixels, a `.php.jpg`, a name that lies about the content, zero bytes, oversize,
a path-traversal name. Each refusal leaves the activity and the storage as they were.
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from sciday.activities import services
from sciday.activities.models import Activity, Status
from sciday.core.errors import DomainError
from sciday.core.images import image_reencode
from sciday.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def photo(fmt: str = "JPEG", size=(400, 200), *, gps: bool = True, orientation: int = 6) -> bytes:
    """A photo as a phone writes it: EXIF with an orientation, a camera and a GPS position."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SecretPhoneMaker"
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (32.0, 3.0, 30.0)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (118.0, 47.0, 0.0)
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "封面.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- The re-encoding ------------------------------------------------------------------------


def test_reencoded_photo_is_upright_and_carries_no_exif():
    original = photo()
    assert b"SecretPhoneMaker" in original and b"Exif" in original
    result = image_reencode(original, name="IMG_0001.JPG", max_bytes=10 * 1024 * 1024)
    # Orientation 6 (rotate 90°) applied: the 400 × 200 sensor image stands 200 × 400.
    assert (result.width, result.height) == (200, 400)
    stored = Image.open(io.BytesIO(result.jpeg))
    assert stored.format == "JPEG" and stored.size == (200, 400)
    assert not stored.getexif() and "exif" not in stored.info
    assert b"Exif" not in result.jpeg and b"SecretPhoneMaker" not in result.jpeg
    assert b"GPS" not in result.jpeg
    thumb = Image.open(io.BytesIO(result.thumb_webp))
    assert thumb.format == "WEBP" and thumb.size == (480, 270)
    assert b"Exif" not in result.thumb_webp


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt):
    name = {"PNG": "a.png", "WEBP": "a.webp"}[fmt]
    result = image_reencode(photo(fmt), name=name, max_bytes=10 * 1024 * 1024)
    assert Image.open(io.BytesIO(result.jpeg)).format == "JPEG"


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    result = image_reencode(out.getvalue(), name="t.png", max_bytes=1024 * 1024)
    assert Image.open(io.BytesIO(result.jpeg)).convert("RGB").getpixel((5, 5)) >= (250, 250, 250)


def test_large_photo_is_scaled_down():
    big = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 120, 10)).save(big, format="JPEG")
    result = image_reencode(big.getvalue(), name="big.jpg", max_bytes=10 * 1024 * 1024)
    assert (result.width, result.height) == (1600, 1200)


def test_polyglot_keeps_nothing_but_pixels():
    polyglot = photo(gps=False) + b"<html><script>alert(document.cookie)</script></html>"
    result = image_reencode(polyglot, name="a.jpg", max_bytes=10 * 1024 * 1024)
    assert b"<script" not in result.jpeg and b"<script" not in result.thumb_webp


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
REFUSED = {
    "svg": (SVG, "cover.svg", "wrong_type"),
    "svg named jpg": (SVG, "cover.jpg", "wrong_type"),
    "html named jpg": (b"<html><script>alert(1)</script></html>", "x.jpg", "wrong_type"),
    "php named jpg": (b"<?php system($_GET['c']); ?>", "shell.php.jpg", "wrong_type"),
    "png named jpg": (None, "photo.jpg", "type_mismatch"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif", "wrong_type"),
    "zero bytes": (b"", "a.jpg", "empty"),
    "bomb": (png_header_only(50_000, 50_000), "bomb.png", "too_many_pixels"),
    "truncated": (None, "cut.jpg", "wrong_type"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_hostile_files_are_refused(case):
    data, name, code = REFUSED[case]
    if case == "png named jpg":
        data = photo("PNG")
    if case == "truncated":
        data = photo()[:300]
    with pytest.raises(DomainError) as error:
        image_reencode(data, name=name, max_bytes=10 * 1024 * 1024, field="cover")
    assert error.value.code == code
    assert error.value.field == "cover"


def test_oversize_and_too_many_pixels_are_refused_before_decoding():
    with pytest.raises(DomainError) as error:
        image_reencode(photo(), name="a.jpg", max_bytes=1000)
    assert error.value.code == "too_large"
    with pytest.raises(DomainError) as error:
        image_reencode(photo(), name="a.jpg", max_bytes=10**7, max_pixels=100 * 100)
    assert error.value.code == "too_many_pixels"


# --- The services ---------------------------------------------------------------------------


def test_cover_is_stored_under_a_generated_name_and_audited(world, media):
    activity = world.activity()
    editor = world.people["lead_editor"]
    services.activity_cover_set(
        actor=editor, activity=activity, upload=upload(photo(), name="../../etc/passwd.jpg")
    )
    activity.refresh_from_db()
    assert activity.cover.name.startswith("activities/covers/")
    assert activity.cover.name.endswith(".jpg") and "passwd" not in activity.cover.name
    assert activity.cover_thumb.name.endswith("-thumb.webp")
    assert (activity.cover_width, activity.cover_height) == (200, 400)
    stored = (media / activity.cover.name).read_bytes()
    assert stored[:3] == b"\xff\xd8\xff" and b"Exif" not in stored and b"SecretPhone" not in stored
    assert stored_files(media) == sorted([activity.cover.name, activity.cover_thumb.name])
    assert AuditEntry.objects.filter(action="activities.activity.cover_set").count() == 1


def test_replacing_and_removing_delete_the_old_files(
    world, media, django_capture_on_commit_callbacks
):
    activity = world.activity()
    editor = world.people["lead_editor"]
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cover_set(actor=editor, activity=activity, upload=upload(photo()))
    first = Activity.objects.get(pk=activity.pk).cover.name
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cover_set(
            actor=editor, activity=activity, upload=upload(photo("PNG"), "b.png")
        )
    activity.refresh_from_db()
    assert activity.cover.name != first
    assert stored_files(media) == sorted([activity.cover.name, activity.cover_thumb.name])
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cover_remove(actor=editor, activity=activity)
    activity.refresh_from_db()
    assert not activity.cover and not activity.cover_thumb and activity.cover_width is None
    assert stored_files(media) == []
    assert AuditEntry.objects.filter(action="activities.activity.cover_removed").count() == 1


def test_refused_file_changes_nothing(world, media):
    activity = world.activity()
    editor = world.people["lead_editor"]
    services.activity_cover_set(actor=editor, activity=activity, upload=upload(photo()))
    before = stored_files(media)
    name = Activity.objects.get(pk=activity.pk).cover.name
    with pytest.raises(DomainError):
        services.activity_cover_set(actor=editor, activity=activity, upload=upload(SVG, "x.svg"))
    assert Activity.objects.get(pk=activity.pk).cover.name == name
    assert stored_files(media) == before


def test_cover_follows_the_edit_rules(world, media):
    outsider = world.people["other_admin"]
    activity = world.activity()
    with pytest.raises(Exception) as error:  # 404 outside the unit's sight
        services.activity_cover_set(actor=outsider, activity=activity, upload=upload(photo()))
    assert type(error.value).__name__ in ("Http404", "NotAllowed")
    submitted = world.activity(status=Status.SUBMITTED, title="已提交的活动")
    with pytest.raises(DomainError) as refused:
        services.activity_cover_set(
            actor=world.people["lead_editor"], activity=submitted, upload=upload(photo())
        )
    assert refused.value.code == "locked"
    assert stored_files(media) == []


# --- Pages: the form, the detail, the list, the file view ------------------------------------


def test_form_uploads_a_cover_and_shows_it(world, login, media):
    from tests.activities.test_workspace_pages import _form

    client = login(world.people["lead_editor"])
    data = _form(world, cover=upload(photo()))
    response = client.post(reverse("activity_admin:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.cover
    edit = client.get(reverse("activity_admin:edit", args=[activity.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in edit
    assert activity.cover_thumb_url.replace("&", "&amp;") in edit
    # The draft's cover is seen by its unit, not by the public.
    file = client.get(activity.cover_url)
    assert file.status_code == 200 and file["Content-Type"] == "image/jpeg"
    assert file["Cache-Control"] == "private, no-store"
    assert file["X-Content-Type-Options"] == "nosniff"
    assert b"".join(file.streaming_content)[:3] == b"\xff\xd8\xff"
    client.logout()
    assert client.get(activity.cover_url).status_code == 404


def test_form_refuses_a_bad_file_with_a_chinese_message_and_writes_nothing(world, login, media):
    from tests.activities.test_workspace_pages import _form

    client = login(world.people["lead_editor"])
    response = client.post(
        reverse("activity_admin:create"), _form(world, cover=upload(SVG, "poster.svg"))
    )
    assert response.status_code == 400
    assert "请上传 JPEG、PNG 或 WebP 格式的图片" in response.content.decode()
    assert not Activity.objects.exists()
    assert stored_files(media) == []

    activity = world.activity()
    edit = reverse("activity_admin:edit", args=[activity.pk])
    response = client.post(
        edit,
        {
            **_form(world, title="改了的标题"),
            "cover": upload(png_header_only(50_000, 50_000), "b.png"),
        },
    )
    assert response.status_code == 400
    assert "像素" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title != "改了的标题" and not activity.cover


def test_form_removes_the_cover(world, login, media, django_capture_on_commit_callbacks):
    from tests.activities.test_workspace_pages import _form

    activity = world.activity()
    editor = world.people["lead_editor"]
    services.activity_cover_set(actor=editor, activity=activity, upload=upload(photo()))
    client = login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("activity_admin:edit", args=[activity.pk]),
            {**_form(world), "cover_remove": "on"},
        )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert not activity.cover
    assert stored_files(media) == []


def test_public_pages_show_the_cover(client, world, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity = world.activity(status=Status.PUBLISHED)
        services.activity_cover_set(
            actor=world.people["campaign_admin"], activity=activity, upload=upload(photo())
        )
    activity.refresh_from_db()
    detail = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    url = activity.cover_url.replace("&", "&amp;")
    assert f'<meta property="og:image" content="http://testserver{url}">' in detail
    assert f'<img src="{url}"' in detail
    listing = client.get(reverse("activities:list")).content.decode()
    assert activity.cover_thumb_url.replace("&", "&amp;") in listing
    thumb = client.get(activity.cover_thumb_url)
    # Read to the end: the test client then closes the file without closing the connection.
    assert b"".join(thumb.streaming_content)[:4] == b"RIFF"
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/webp"
    assert thumb["Cache-Control"] == "public, max-age=86400"
    assert client.get(reverse("activities:cover", args=[activity.pk, "other"])).status_code == 404


def test_list_query_count_does_not_grow_with_covers(
    client, world, media, django_assert_max_num_queries
):
    for n in range(3):
        activity = world.activity(status=Status.PUBLISHED, title=f"活动{n}")
        services.activity_cover_set(
            actor=world.people["campaign_admin"], activity=activity, upload=upload(photo())
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("activities:list")).status_code == 200
