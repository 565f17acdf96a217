"""Serving stored files: byte ranges, safe headers, signed links to private files on S3.

`stream(request, ...)` answers a stored file through Django, on local storage and on S3 alike:

- one byte range (RFC 9110 §14: `bytes=a-b`, `bytes=a-`, `bytes=-n`) gets 206 with
  `Content-Range`; a range that starts past the end gets 416 with `Content-Range: bytes */size`;
  several ranges or a malformed header get the whole file (200), as the RFC allows;
- `If-Range` is honoured with the file's ETag (its SHA-256, or its name and size): a client
  resuming a file that changed gets the whole new file;
- always `Accept-Ranges: bytes`, `X-Content-Type-Options: nosniff`, the stored format's
  Content-Type and `Content-Disposition` (inline or attachment, RFC 5987 file name);
- the bytes are streamed in chunks, never held whole: local files are opened, seeked and read;
  S3 objects are read with `get_object(Range=...)` and their body streamed.

`signed_redirect(...)` answers a private file on S3 with a 302 to a signed, expiring link
(`RESOURCE_SIGNED_URL_SECONDS`) carrying the Content-Disposition and Content-Type S3 must send:
S3 then serves the bytes (and the ranges) itself. The caller has done the permission check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

CHUNK_BYTES = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class Served:
    """What to serve: the stored name and how the browser should take it."""

    name: str
    content_type: str
    filename: str
    as_attachment: bool
    sha256: str = ""  # the stored file's hash when known (the original), for the ETag


def variant(resource: Any, which: str) -> Served:
    """What `which` of a resource is: "original" (an attachment), "play" (a video, inline),
    "preview" or "thumb-<width>" (WebP pictures, inline). Http404 for anything else or absent.

    The caller has checked that the person may see the resource.
    """
    stem = f"resource-{resource.pk}"
    if which == "original":
        name, content_type, as_attachment = resource.file.name, resource.mime_type, True
        filename = f"{stem}-{resource.original_name or 'file'}"
    elif which == "play" and resource.kind == "video":
        # What a page's player loads: the same file inline (not counted as a download).
        name, content_type, as_attachment = resource.file.name, resource.mime_type, False
        filename = f"{stem}-{resource.original_name or 'video'}"
    elif which == "preview":
        name, content_type, as_attachment = resource.preview.name, "image/webp", False
        filename = f"{stem}-preview.webp"
    elif which.startswith("thumb-"):
        width = which.removeprefix("thumb-")
        name = (resource.thumbnails or {}).get(width, "")
        content_type, as_attachment = "image/webp", False
        filename = f"{stem}-{width}.webp"
    else:
        raise Http404
    if not name:
        raise Http404
    return Served(
        name=name,
        content_type=content_type,
        filename=filename,
        as_attachment=as_attachment,
        sha256=resource.sha256 if name == resource.file.name else "",
    )


def private(request: HttpRequest, resource: Any, which: str) -> HttpResponseBase:
    """Serve a file of a resource that is not public, once the caller has checked the viewer.

    On S3, a 302 to a short-lived signed link (S3 serves the bytes and ranges itself); on local
    storage, streamed here with ranges, never cached by shared caches.
    """
    served = variant(resource, which)
    storage = resource.file.storage
    if is_s3(storage):
        return signed_redirect(storage, served)
    return stream(request, storage, served, cache_control="private, max-age=300")


class Unsatisfiable(Exception):
    """The one range asked for starts past the end of the file."""


def is_s3(storage: Storage) -> bool:
    """Whether the storage is django-storages' S3 backend (signed links, ranged reads)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return isinstance(storage, S3Storage)


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """Return the inclusive (first, last) byte of a single range, or None for the whole file.

    Raises `Unsatisfiable` when the range cannot be served from a file of `size` bytes.
    A header that is malformed, in another unit or asks for several ranges is ignored.
    """
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignored
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def etag(served: Served, size: int) -> str:
    """A strong ETag: the file's SHA-256, else a hash of its name and size."""
    if served.sha256:
        return f'"{served.sha256}"'
    digest = hashlib.sha256(f"{served.name}\0{size}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def _size(storage: Storage, name: str) -> int:
    try:
        return storage.size(name)
    except FileNotFoundError:
        raise Http404 from None
    except Exception as error:
        if _is_missing(error):
            raise Http404 from None
        raise


def _is_missing(error: Exception) -> bool:
    response: Any = getattr(error, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


def _headers(response: HttpResponseBase, served: Served, tag: str, cache_control: str) -> None:
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = tag
    response["Cache-Control"] = cache_control
    disposition = content_disposition_header(served.as_attachment, served.filename)
    if disposition:
        response["Content-Disposition"] = disposition


def stream(
    request: HttpRequest, storage: Storage, served: Served, *, cache_control: str
) -> HttpResponseBase:
    """Answer the stored file (or the one range asked for); see the module docstring."""
    size = _size(storage, served.name)
    tag = etag(served, size)
    content_type = served.content_type or "application/octet-stream"
    wanted: tuple[int, int] | None = None
    header = request.headers.get("Range", "")
    if header and request.method in ("GET", "HEAD"):
        if_range = request.headers.get("If-Range", "").strip()
        if not if_range or if_range == tag:
            try:
                wanted = parse_range(header, size)
            except Unsatisfiable:
                refused = HttpResponse(status=416, content_type=content_type)
                refused["Content-Range"] = f"bytes */{size}"
                _headers(refused, served, tag, cache_control)
                return refused
    if wanted is None and not is_s3(storage):
        # The whole local file: FileResponse lets the server use sendfile where it can.
        try:
            handle = storage.open(served.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        whole = FileResponse(handle, content_type=content_type)
        whole["Content-Length"] = str(size)
        _headers(whole, served, tag, cache_control)
        return whole
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(0, last - first + 1)
    chunks = _s3_chunks if is_s3(storage) else _local_chunks
    response = StreamingHttpResponse(
        chunks(storage, served.name, first, length),
        status=206 if wanted is not None else 200,
        content_type=content_type,
    )
    response["Content-Length"] = str(length)
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    _headers(response, served, tag, cache_control)
    return response


def _local_chunks(storage: Storage, name: str, first: int, length: int) -> Iterator[bytes]:
    with storage.open(name, "rb") as handle:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK_BYTES, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def _s3_object(storage: Any, name: str) -> tuple[Any, str, str]:
    """The boto3 client, bucket and key of a stored name (the storage's own naming rules)."""
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(name))
    return storage.connection.meta.client, storage.bucket_name, key


def _s3_chunks(storage: Storage, name: str, first: int, length: int) -> Iterator[bytes]:
    if length <= 0:
        return
    client, bucket, key = _s3_object(storage, name)
    answer = client.get_object(Bucket=bucket, Key=key, Range=f"bytes={first}-{first + length - 1}")
    body = answer["Body"]
    try:
        yield from body.iter_chunks(CHUNK_BYTES)
    finally:
        body.close()


def signed_redirect(storage: Storage, served: Served) -> HttpResponse:
    """Answer a 302 to a signed, expiring S3 link to the stored file (after the caller's check)."""
    client, bucket, key = _s3_object(storage, served.name)
    url = client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition_header(
                served.as_attachment, served.filename
            ),
            "ResponseContentType": served.content_type or "application/octet-stream",
        },
        ExpiresIn=settings.RESOURCE_SIGNED_URL_SECONDS,
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"  # the link expires: never reuse this answer
    response["X-Content-Type-Options"] = "nosniff"
    return response


def counts_as_download(response: HttpResponseBase) -> bool:
    """Whether an answer starts a download: the whole file, or a range from its first byte."""
    if response.status_code == 200:
        return True
    return response.status_code == 206 and response.get("Content-Range", "").startswith("bytes 0-")
