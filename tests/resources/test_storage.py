"""Uploads stream to storage (flat memory for a big file); upload, processing and delete go
through the storage API, the same code path on local files and on S3."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from PIL import Image

from sciday.resources import services, uploads
from sciday.resources.models import Kind, Processing, Resource
from tests.resources import hostile


def test_store_streams_a_big_upload_in_chunks(media):
    """Local: 1 MB chunks. S3: 8 MB parts, two sent and two read ahead (S3_COMMON_OPTIONS):
    about 42 MB at the peak whatever the file's size (boto3's defaults: over 64 MB here)."""
    size = 48 * 1024 * 1024
    upload = TemporaryUploadedFile("big.mp4", "video/mp4", size, None)
    chunk = os.urandom(1024 * 1024)
    digest = hashlib.sha256()
    for _ in range(size // len(chunk)):
        upload.write(chunk)
        digest.update(chunk)
    upload.flush()
    tracemalloc.start()
    try:
        stored = uploads.store(upload=upload, size=size, name="resources/test/big.mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload.close()
    assert stored.sha256 == digest.hexdigest() and stored.size == size
    assert media.files() == [stored.name]
    bound = 8 if media.kind == "local" else 48
    assert peak < bound * 1024 * 1024, f"peak {peak} bytes"


def test_upload_processing_and_delete(world, media, django_capture_on_commit_callbacks):
    data = hostile.jpeg(900, 600, exif=hostile.exif_with_gps(orientation=1))
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.resource_create_from_upload(
            actor=world.people["lead_editor"],
            unit=world.unit("lead"),
            campaign=world.campaign,
            kind=Kind.PHOTO,
            upload=io.BytesIO(data),
            file_name="gps.jpg",
            title="现场",
            attribution="南京市科协",
            people_consent=True,
        )
    resource = Resource.objects.get(pk=resource.pk)
    assert resource.processing == Processing.DONE, resource.processing_error
    assert media.files() == sorted([resource.file.name, *resource.thumbnails.values()])
    stored = media.read(resource.file.name)
    assert hashlib.sha256(stored).hexdigest() == resource.sha256
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(0x8825)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(actor=world.people["lead_editor"], resource=resource)
    assert media.files() == []


def test_refused_upload_leaves_nothing(world, media):
    with pytest.raises(Exception, match="SVG"):
        services.resource_create_from_upload(
            actor=world.people["lead_editor"],
            unit=world.unit("lead"),
            campaign=world.campaign,
            kind=Kind.PHOTO,
            upload=io.BytesIO(hostile.svg_with_script()),
            file_name="x.svg",
            title="x",
            attribution="x",
            people_consent=True,
        )
    assert media.files() == []
