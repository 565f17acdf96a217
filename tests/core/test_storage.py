"""Files go through Django's storage API: local files under MEDIA_ROOT in the embedded mode."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages


def test_default_storage_writes_local_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    storages._storages = {}  # the storage handler keeps instances; start from the new root
    try:
        name = default_storage.save("reports/2023/总结.txt", ContentFile("科技工作者日".encode()))
        assert (tmp_path / name).read_text() == "科技工作者日"
        assert default_storage.url(name).startswith("/media/reports/2023/")
        # The same name is never overwritten silently.
        other = default_storage.save("reports/2023/总结.txt", ContentFile(b"x"))
        assert other != name
    finally:
        storages._storages = {}


def test_s3_storage_is_configured_from_its_options(settings):
    """With S3 variables set, the default storage is django-storages' S3 backend (no network)."""
    from storages.backends.s3 import S3Storage

    storage = S3Storage(
        bucket_name="sciday-media",
        endpoint_url="http://127.0.0.1:9",
        access_key="AKIA",
        secret_key="secret",
        default_acl=None,
        querystring_auth=True,
        file_overwrite=False,
    )
    url = storage.url("reports/总结.pdf")
    assert url.startswith("http://127.0.0.1:9/sciday-media/reports/")
    assert "Signature=" in url or "X-Amz-Signature=" in url


@pytest.fixture
def s3_server():
    """A real S3-compatible HTTP server on 127.0.0.1 (moto's standalone server), with a bucket."""
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="sciday",
            aws_secret_access_key="sciday-secret",
            region_name="us-east-1",
        ).create_bucket(Bucket="sciday-media")
        yield endpoint
    finally:
        server.stop()


def test_s3_storage_round_trip_against_a_real_server(s3_server):
    """The S3 settings path stores, reads, signs URLs for and deletes files over HTTP."""
    import urllib.request

    from storages.backends.s3 import S3Storage

    storage = S3Storage(
        bucket_name="sciday-media",
        endpoint_url=s3_server,
        access_key="sciday",
        secret_key="sciday-secret",
        region_name="us-east-1",
        default_acl=None,
        querystring_auth=True,
        file_overwrite=False,
    )
    name = storage.save("reports/2023/总结.txt", ContentFile("科技工作者日".encode()))
    assert storage.exists(name)
    with storage.open(name) as handle:
        assert handle.read().decode() == "科技工作者日"
    # Never overwritten silently: a second save under the same name gets another name.
    assert storage.save("reports/2023/总结.txt", ContentFile(b"x")) != name
    # The signed URL serves the file to a plain HTTP client.
    with urllib.request.urlopen(storage.url(name), timeout=10) as response:  # noqa: S310
        assert response.read().decode() == "科技工作者日"
    storage.delete(name)
    assert not storage.exists(name)
