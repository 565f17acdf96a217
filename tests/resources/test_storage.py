"""Uploads stream to storage: flat memory for a big file, and the same code path on S3."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import tracemalloc

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from PIL import Image

from sciday.resources import services, uploads
from sciday.resources.models import Kind, Processing, Resource
from tests.resources import hostile


def test_store_streams_a_big_upload_in_chunks(media):
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
    assert (media / stored.name).stat().st_size == size
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes"


@pytest.fixture
def s3(settings):
    """A real S3-compatible server on 127.0.0.1 (moto) as the default storage; yields a client."""
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="sciday",
        aws_secret_access_key="sciday-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="sciday-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "sciday-media",
                "endpoint_url": endpoint,
                "access_key": "sciday",
                "secret_key": "sciday-secret",
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    try:
        yield client
    finally:
        server.stop()


def _keys(client) -> list[str]:
    listing = client.list_objects_v2(Bucket="sciday-media")
    return sorted(o["Key"] for o in listing.get("Contents", []))


def test_upload_processing_and_delete_on_s3(world, s3, django_capture_on_commit_callbacks):
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
    assert _keys(s3) == sorted([resource.file.name, *resource.thumbnails.values()])
    stored = s3.get_object(Bucket="sciday-media", Key=resource.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == resource.sha256
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(0x8825)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(actor=world.people["lead_editor"], resource=resource)
    assert _keys(s3) == []


def test_refused_upload_leaves_nothing_on_s3(world, s3):
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
    assert _keys(s3) == []
