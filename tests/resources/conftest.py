"""Fixtures for resources: the activities' two-province world and the storage.

Every test in tests/resources runs twice, on each storage the product supports: `[local]`
(FileSystemStorage in a fresh folder) and `[s3]` (django-storages' S3 backend against a real
S3-compatible server, moto in its own process on 127.0.0.1, started once per session or xdist
worker; a fresh bucket per test, emptied and deleted after). The autouse `media` fixture yields a
`Media` with `kind`, `files()` and `read(name)`, so a test asserts the same way on both. A test
that only makes sense on one storage skips the other with its reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.activities.world import World, build_world

S3_ACCESS_KEY = "sciday"
S3_SECRET_KEY = "sciday-secret"
S3_REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese():
    """Services speak the default language (zh-hans), whatever an earlier test activated."""
    with translation.override("zh-hans"):
        yield


@dataclass
class Media:
    """The default storage of one test, read directly (not through the code under test)."""

    kind: str  # "local" or "s3"
    root: Path | None = None
    client: Any = None  # boto3 S3 client (s3 only)
    bucket: str = ""
    endpoint: str = ""

    def files(self) -> list[str]:
        """Every stored name, sorted."""
        if self.root is not None:
            return sorted(
                str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()
            )
        names: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            names.extend(o["Key"] for o in page.get("Contents", []))
        return sorted(names)

    def read(self, name: str) -> bytes:
        if self.root is not None:
            return (self.root / name).read_bytes()
        return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The S3-compatible server (tests/resources/s3server.py) for the session; yields its URL."""
    script = Path(__file__).with_name("s3server.py")
    env = {**os.environ, "S3_TEST_ACCESS_KEY": S3_ACCESS_KEY, "S3_TEST_SECRET_KEY": S3_SECRET_KEY}
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the S3 test server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name=S3_REGION,
    )


@pytest.fixture(autouse=True, params=["local", "s3"])
def media(request, settings, tmp_path) -> Iterator[Media]:
    """The default storage for this test, local or S3 (see the module docstring)."""
    if request.param == "local":
        root = tmp_path / "media"
        root.mkdir()
        settings.MEDIA_ROOT = root
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
        yield Media(kind="local", root=root)
        return
    endpoint = request.getfixturevalue("s3_server")
    client = _s3_client(endpoint)
    bucket = f"sciday-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "access_key": S3_ACCESS_KEY,
                "secret_key": S3_SECRET_KEY,
                "region_name": S3_REGION,
                **django_settings.S3_COMMON_OPTIONS,  # as in production
            },
        },
    }
    media = Media(kind="s3", client=client, bucket=bucket, endpoint=endpoint)
    try:
        yield media
    finally:
        for name in media.files():
            client.delete_object(Bucket=bucket, Key=name)
        client.delete_bucket(Bucket=bucket)


@pytest.fixture
def world(db, national) -> World:
    return build_world(national)


def stored_files(media: Media) -> list[str]:
    """Every stored name, sorted (the same as `media.files()`)."""
    return media.files()
