"""Files go through Django's storage API: local files under MEDIA_ROOT in the embedded mode."""

from __future__ import annotations

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
