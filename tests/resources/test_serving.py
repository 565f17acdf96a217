"""Serving stored files (sciday.resources.serving), on local storage and on S3 alike.

Byte ranges (206/416/200 and the exact bytes), If-Range, the safe headers, the download counter
(a range that continues a download is not counted again), signed expiring links to private files
on S3 (they work, expire and break when altered), another unit's and anonymous visitors'
refusals, and flat memory while a large file streams.
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sciday.resources.models import Kind, Processing, Resource, Status

DATA = bytes(range(256)) * 40  # 10,240 bytes, each position recognisable
SIZE = len(DATA)


def make(world, *, status=Status.PUBLISHED, data=DATA, name="resources/2023/05/plan.pdf"):
    stored = default_storage.save(name, ContentFile(data))
    return Resource.objects.create(
        kind=Kind.DOCUMENT,
        campaign=world.campaign,
        unit=world.unit("lead"),
        title="科普日方案",
        attribution="南京市科协",
        status=status,
        published_at=timezone.now() if status == Status.PUBLISHED else None,
        processing=Processing.DONE,
        file=stored,
        original_name="方案.pdf",
        mime_type="application/pdf",
        size=len(data),
        sha256="ab" * 32,
    )


def public(resource, variant="original"):
    return reverse("resources:file", args=[resource.pk, variant])


def private(resource, which="original"):
    return reverse("resource_admin:file", args=[resource.pk, which])


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def assert_safe(response):
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


# --- Byte ranges -------------------------------------------------------------------------------

RANGES = [
    ("bytes=0-99", 206, 0, 99),
    ("bytes=100-", 206, 100, SIZE - 1),
    ("bytes=-50", 206, SIZE - 50, SIZE - 1),
    ("bytes=10000-20000", 206, 10000, SIZE - 1),  # the end is cut to the file
    ("bytes=-20000", 206, 0, SIZE - 1),  # more than the file: all of it
    ("bytes=5000-5000", 206, 5000, 5000),
    ("bytes=0-1,5-6", 200, 0, SIZE - 1),  # several ranges: the whole file
    ("bytes=abc", 200, 0, SIZE - 1),  # malformed
    ("bytes=5-1", 200, 0, SIZE - 1),  # last before first: invalid, ignored
    ("items=0-1", 200, 0, SIZE - 1),  # another unit
]


@pytest.mark.parametrize(("header", "status", "first", "last"), RANGES)
def test_ranges_give_the_exact_bytes(world, client, header, status, first, last):
    resource = make(world)
    response = client.get(public(resource), HTTP_RANGE=header)
    assert response.status_code == status
    assert_safe(response)
    assert body(response) == DATA[first : last + 1]
    assert response["Content-Length"] == str(last - first + 1)
    if status == 206:
        assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    else:
        assert "Content-Range" not in response


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 9}", "bytes=-0"])
def test_an_unsatisfiable_range_answers_416(world, client, header):
    resource = make(world)
    response = client.get(public(resource), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Resource.objects.get(pk=resource.pk).download_count == 0


def test_if_range_sends_a_changed_file_whole(world, client):
    resource = make(world)
    first = client.get(public(resource))
    assert body(first) == DATA  # read to the end: the test client then closes it itself
    etag = first["ETag"]
    assert etag == f'"{resource.sha256}"'
    same = client.get(public(resource), HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE=etag)
    assert same.status_code == 206 and body(same) == DATA[10:20]
    changed = client.get(public(resource), HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE='"other"')
    assert changed.status_code == 200 and body(changed) == DATA
    dated = client.get(
        public(resource),
        HTTP_RANGE="bytes=10-19",
        HTTP_IF_RANGE="Wed, 21 Oct 2015 07:28:00 GMT",  # no Last-Modified is sent: whole
    )
    assert dated.status_code == 200 and body(dated) == DATA


def test_a_derived_file_has_an_etag_from_its_name_and_size(world, client):
    resource = make(world)
    thumb = default_storage.save("resources/2023/05/plan_w240.webp", ContentFile(b"RIFFthumb"))
    Resource.objects.filter(pk=resource.pk).update(thumbnails={"240": thumb})
    response = client.get(public(resource, "thumb-240"), HTTP_RANGE="bytes=4-")
    assert response.status_code == 206 and body(response) == b"thumb"
    assert response["Content-Type"] == "image/webp"
    assert response["ETag"] not in ("", f'"{resource.sha256}"')


def test_headers_of_a_published_file(world, client):
    resource = make(world)
    response = client.get(public(resource))
    assert response.status_code == 200
    assert_safe(response)
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%E6%96%B9%E6%A1%88.pdf" in response["Content-Disposition"]  # 方案.pdf
    assert response["Cache-Control"] == "public, max-age=300"
    assert body(response) == DATA


def test_only_the_start_of_a_download_is_counted(world, client):
    resource = make(world)

    def count():
        return Resource.objects.get(pk=resource.pk).download_count

    body(client.get(public(resource)))
    assert count() == 1
    body(client.get(public(resource), HTTP_RANGE="bytes=0-1023"))  # a player's first request
    assert count() == 2
    body(client.get(public(resource), HTTP_RANGE="bytes=1024-"))  # the download goes on
    assert count() == 2
    body(client.get(public(resource), HTTP_RANGE=f"bytes={SIZE}-"))  # 416
    assert count() == 2


def test_a_missing_stored_file_answers_404(world, client):
    resource = make(world)
    default_storage.delete(resource.file.name)
    assert client.get(public(resource)).status_code == 404
    assert client.get(public(resource), HTTP_RANGE="bytes=0-9").status_code == 404
    assert Resource.objects.get(pk=resource.pk).download_count == 0


# --- Private files (the workspace) -------------------------------------------------------------


def test_a_private_file_is_served_after_the_check(world, login, media):
    resource = make(world, status=Status.DRAFT)
    response = login(world.people["lead_editor"]).get(private(resource), HTTP_RANGE="bytes=0-9")
    if media.kind == "local":
        assert response.status_code == 206 and body(response) == DATA[:10]
        assert_safe(response)
        assert response["Cache-Control"] == "private, max-age=300"
        return
    # S3: a redirect to a signed link; S3 serves the bytes, the headers and the ranges.
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    assert url.startswith(media.endpoint) and "X-Amz-Signature=" in url
    assert "X-Amz-Expires=300" in url
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content == DATA
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Content-Disposition"].startswith("attachment")
    assert "%E6%96%B9%E6%A1%88.pdf" in fetched.headers["Content-Disposition"]
    ranged = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert ranged.status_code == 206 and ranged.content == DATA[100:200]


def test_a_tampered_signed_link_is_refused(world, login, media):
    if media.kind == "local":
        pytest.skip("signed links are for S3; local files stream through the check")
    resource = make(world, status=Status.DRAFT)
    other = default_storage.save("resources/2023/05/secret.pdf", ContentFile(b"%PDF secret"))
    url = login(world.people["lead_editor"]).get(private(resource))["Location"]
    assert requests.get(url, timeout=10).status_code == 200
    # Another object under the same signature, a changed disposition, a longer life.
    another = url.replace(resource.file.name.rsplit("/", 1)[1], other.rsplit("/", 1)[1])
    assert another != url
    disposition = url.replace("attachment", "inline")
    longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=999999")
    for forged in (another, disposition, longer):
        answer = requests.get(forged, timeout=10)
        assert answer.status_code == 403, forged
        assert b"secret" not in answer.content and DATA[:100] not in answer.content


def test_a_signed_link_expires(world, login, media, settings):
    if media.kind == "local":
        pytest.skip("signed links are for S3; local files stream through the check")
    settings.RESOURCE_SIGNED_URL_SECONDS = 1
    resource = make(world, status=Status.DRAFT)
    url = login(world.people["lead_editor"]).get(private(resource))["Location"]
    assert "X-Amz-Expires=1&" in url or url.endswith("X-Amz-Expires=1")
    time.sleep(2)
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403
    assert b"expired" in expired.content


def test_a_private_file_is_refused_to_another_unit_and_to_anonymous_visitors(world, login):
    resource = make(world, status=Status.DRAFT)
    for role in ("other_admin", "coorg_member", "public"):
        response = login(world.people[role]).get(private(resource))
        assert response.status_code == 404, role
        assert "Location" not in response
    anonymous = Client().get(private(resource))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    # Drafts are never public.
    assert Client().get(public(resource)).status_code == 404


# --- Memory ------------------------------------------------------------------------------------


def test_a_large_file_streams_in_flat_memory(world, client, media):
    size = 64 * 1024 * 1024
    name = "resources/2023/05/large.mp4"
    with tempfile.TemporaryFile() as source:
        chunk = os.urandom(1024 * 1024)
        for _ in range(size // len(chunk)):
            source.write(chunk)
        source.seek(0)
        if media.kind == "local":
            assert media.root is not None
            (media.root / "resources/2023/05").mkdir(parents=True)
            with (media.root / name).open("wb") as target:
                while block := source.read(len(chunk)):
                    target.write(block)
        else:
            media.client.upload_fileobj(source, media.bucket, name)
    resource = make(world, data=b"x")
    Resource.objects.filter(pk=resource.pk).update(file=name, size=size, kind=Kind.VIDEO)
    for header in ("", f"bytes={size // 2}-"):
        extra = {"HTTP_RANGE": header} if header else {}
        tracemalloc.start()
        try:
            response = client.get(public(resource), **extra)
            received = 0
            for part in response.streaming_content:  # the client closes it at the end
                received += len(part)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert received == (size if not header else size - size // 2)
        assert peak < 8 * 1024 * 1024, f"peak {peak} bytes ({media.kind}, {header or 'whole'})"
