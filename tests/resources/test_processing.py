"""Processing in the background: re-encoding without GPS, thumbnails, video probe and poster,
PDF preview, page count and text, Office text; bounded retries and recovery of stale jobs."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from sciday.resources import processing, services
from sciday.resources.models import Kind, Processing, Resource
from tests.resources import hostile

needs_ffmpeg = pytest.mark.skipif(
    not hostile.has_ffmpeg(),
    reason="ffmpeg/ffprobe missing: scripts/bootstrap.sh installs the Debian package ffmpeg",
)


def upload(world, name, data, *, kind=Kind.PHOTO, capture=None):
    def create():
        return services.resource_create_from_upload(
            actor=world.people["lead_editor"],
            unit=world.unit("lead"),
            campaign=world.campaign,
            kind=kind,
            upload=SimpleUploadedFile(name, data),
            title="现场",
            attribution="南京市科协",
            people_consent=True,
        )

    if capture is None:
        return create()
    with capture(execute=True):
        resource = create()
    return Resource.objects.get(pk=resource.pk)


def test_photo_is_reencoded_upright_without_gps(world, media, django_capture_on_commit_callbacks):
    data = hostile.jpeg(120, 80, exif=hostile.exif_with_gps(orientation=6))
    with Image.open(io.BytesIO(data)) as original:  # the test file really carries GPS
        assert original.getexif().get_ifd(0x8825)
    resource = upload(world, "gps.jpg", data, capture=django_capture_on_commit_callbacks)

    assert resource.processing == Processing.DONE, resource.processing_error
    stored = media.read(resource.file.name)
    assert b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(0x8825)
        assert 0x8825 not in exif and 0x0112 not in exif
        assert image.size == (80, 120)  # orientation 6 applied: turned upright
    assert (resource.width, resource.height) == (80, 120)
    assert resource.sha256 == hashlib.sha256(stored).hexdigest()
    assert resource.size == len(stored)
    # The upload itself (with its GPS) is gone; only the clean file and its thumbnails remain.
    assert media.files() == sorted([resource.file.name, *resource.thumbnails.values()])


def test_thumbnails_are_webp_in_the_widths_narrower_than_the_image(
    world, media, django_capture_on_commit_callbacks
):
    resource = upload(
        world, "wide.png", hostile.png(700, 350), capture=django_capture_on_commit_callbacks
    )
    assert resource.processing == Processing.DONE
    assert set(resource.thumbnails) == {"240", "640"}
    for width, name in resource.thumbnails.items():
        with Image.open(io.BytesIO(media.read(name))) as thumb:
            assert thumb.format == "WEBP"
            assert thumb.width == int(width)
            assert thumb.height == int(width) // 2


@needs_ffmpeg
def test_video_is_probed_stripped_of_its_location_and_gets_a_poster(
    world, media, tmp_path, django_capture_on_commit_callbacks
):
    data = hostile.mp4(tmp_path, seconds=2)
    assert "location" in hostile.ffprobe_tags(tmp_path / "clip.mp4")  # the clip carries it
    resource = upload(
        world,
        "clip.mp4",
        data,
        kind=Kind.VIDEO,
        capture=django_capture_on_commit_callbacks,
    )
    assert resource.processing == Processing.DONE, resource.processing_error
    # The upload's metadata (the place it was shot) is gone: the streams were copied into a
    # new file, which replaced the upload.
    data = media.read(resource.file.name)
    assert hostile.VIDEO_LOCATION.encode() not in data
    stored = tmp_path / "stored.mp4"
    stored.write_bytes(data)
    tags = hostile.ffprobe_tags(stored)
    assert not any("location" in key.lower() for key in tags), tags
    assert "title" not in tags
    assert resource.sha256 == hashlib.sha256(data).hexdigest()
    assert media.files() == sorted(
        [resource.file.name, resource.preview.name, *resource.thumbnails.values()]
    )
    assert resource.duration == pytest.approx(2.0, abs=0.2)
    assert (resource.width, resource.height) == (64, 48)
    assert resource.codec == "h264"
    with Image.open(io.BytesIO(media.read(resource.preview.name))) as poster:
        assert poster.format == "WEBP" and poster.size == (64, 48)
    assert list(resource.thumbnails) == ["64"]


@needs_ffmpeg
def test_truncated_video_fails_at_probe_and_its_file_is_removed(
    world, media, tmp_path, django_capture_on_commit_callbacks
):
    data = hostile.mp4(tmp_path, seconds=2)
    resource = upload(
        world,
        "cut.mp4",
        data[: len(data) // 2],
        kind=Kind.VIDEO,
        capture=django_capture_on_commit_callbacks,
    )
    assert resource.processing == Processing.FAILED
    assert "视频无法读取" in resource.processing_error
    assert resource.processing_attempts == 1  # the file is broken: no retry
    assert resource.file.name == "" and resource.size == 0
    assert media.files() == []


def test_pdf_gets_a_first_page_preview_page_count_and_text(
    world, media, django_capture_on_commit_callbacks
):
    data = hostile.pdf(["Science Day first page", "Second page text"])
    resource = upload(
        world, "plan.pdf", data, kind=Kind.DOCUMENT, capture=django_capture_on_commit_callbacks
    )
    assert resource.processing == Processing.DONE, resource.processing_error
    assert resource.page_count == 2
    assert "Science Day first page" in resource.extracted_text
    assert "Second page text" in resource.extracted_text
    with Image.open(io.BytesIO(media.read(resource.preview.name))) as preview:
        assert preview.format == "WEBP"
        assert preview.width == processing.PREVIEW_MAX_WIDTH
        assert preview.height == round(792 * preview.width / 612)
    assert set(resource.thumbnails) == {"240", "640", "1280"}


def test_damaged_pdf_fails_without_retry(world, media, django_capture_on_commit_callbacks):
    resource = upload(
        world,
        "bad.pdf",
        b"%PDF-1.4\n" + b"garbage " * 50,
        kind=Kind.DOCUMENT,
        capture=django_capture_on_commit_callbacks,
    )
    assert resource.processing == Processing.FAILED
    assert "PDF" in resource.processing_error
    assert media.files() == []


def test_word_text_is_extracted(world, media, django_capture_on_commit_callbacks):
    data = hostile.docx(["科技工作者日总结", "弘扬科学家精神 &amp; 创新"])
    resource = upload(
        world, "总结.docx", data, kind=Kind.DOCUMENT, capture=django_capture_on_commit_callbacks
    )
    assert resource.processing == Processing.DONE
    assert "科技工作者日总结" in resource.extracted_text
    assert "弘扬科学家精神 & 创新" in resource.extracted_text


def test_a_failing_job_is_retried_then_failed_with_its_reason(
    world, media, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.RESOURCE_PROCESSING_ATTEMPTS = 3
    calls = []

    def broken(resource, created):
        calls.append(resource.pk)
        raise RuntimeError("storage unreachable")

    monkeypatch.setitem(processing.PROCESSORS, Kind.PHOTO, broken)
    resource = upload(world, "a.jpg", hostile.jpeg(), capture=django_capture_on_commit_callbacks)
    assert len(calls) == 3
    assert resource.processing == Processing.FAILED
    assert resource.processing_attempts == 3
    assert "storage unreachable" in resource.processing_error
    assert "处理出错" in resource.processing_error
    assert media.files() == [resource.file.name]  # kept: the file may be fine


def test_a_job_that_fails_once_succeeds_on_retry(
    world, media, monkeypatch, django_capture_on_commit_callbacks
):
    real = processing.PROCESSORS[Kind.PHOTO]
    calls = []

    def flaky(resource, created):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("temporary")
        return real(resource, created)

    monkeypatch.setitem(processing.PROCESSORS, Kind.PHOTO, flaky)
    resource = upload(world, "a.jpg", hostile.jpeg(), capture=django_capture_on_commit_callbacks)
    assert resource.processing == Processing.DONE
    assert resource.processing_attempts == 2
    assert resource.processing_error == ""


def test_stale_running_job_is_taken_up_again(world, media, django_capture_on_commit_callbacks):
    resource = upload(world, "a.jpg", hostile.jpeg())  # processing not run (no commit)
    long_ago = timezone.now() - timedelta(hours=2)
    Resource.objects.filter(pk=resource.pk).update(
        processing=Processing.RUNNING, processing_attempts=1, processing_since=long_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = processing.recover_stale()
    assert counts == {"failed": 0, "retried": 1, "requeued": 0}
    resource.refresh_from_db()
    assert resource.processing == Processing.DONE
    assert resource.processing_attempts == 2


def test_stale_job_with_no_attempts_left_is_failed(world, media, settings):
    resource = upload(world, "a.jpg", hostile.jpeg())
    Resource.objects.filter(pk=resource.pk).update(
        processing=Processing.RUNNING,
        processing_attempts=settings.RESOURCE_PROCESSING_ATTEMPTS,
        processing_since=timezone.now() - timedelta(hours=2),
    )
    counts = processing.recover_stale()
    assert counts["failed"] == 1
    resource.refresh_from_db()
    assert resource.processing == Processing.FAILED
    assert "未能按时完成" in resource.processing_error


def test_lost_pending_job_is_enqueued_again(world, media, django_capture_on_commit_callbacks):
    resource = upload(world, "a.jpg", hostile.jpeg())
    Resource.objects.filter(pk=resource.pk).update(
        processing_since=timezone.now() - timedelta(hours=2)
    )
    recent = upload(world, "b.jpg", hostile.jpeg())
    with django_capture_on_commit_callbacks(execute=True):
        counts = processing.recover_stale()
    assert counts == {"failed": 0, "retried": 0, "requeued": 1}
    resource.refresh_from_db()
    recent.refresh_from_db()
    assert resource.processing == Processing.DONE
    assert recent.processing == Processing.PENDING


def test_recover_command_runs(world, media):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("resources_recover", stdout=out)
    assert "failed 0" in out.getvalue()
