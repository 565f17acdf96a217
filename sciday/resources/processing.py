"""Media processing of an uploaded resource, run by the task worker (`tasks.process_resource`).

One job per resource: claim it (pending → running, one more attempt), do the kind's work, write
what it found and mark it done.

- photo: decoded with Pillow under the pixel limit, turned upright (EXIF orientation), re-encoded
  in its own format WITHOUT its EXIF/XMP (which carry the GPS position): the re-encoded file
  replaces the upload; WebP thumbnails;
- video: ffprobe (duration, resolution, codec); the streams copied into a new file without
  metadata (the place it was shot, GPS tracks) and with its index first (faststart), which
  replaces the upload; a poster frame by ffmpeg as the preview, WebP thumbnails of it;
- document: a PDF's page count, its first page rendered (pypdfium2) as the preview, thumbnails,
  its text; an Office file's text from its XML (read with a hard cap, whatever the zip claims).

Two kinds of failure:

- the file itself is unusable (a truncated video, a damaged PDF): `Refused`. No retry; the
  resource is marked failed with the reason and its stored files are removed at once (they are of
  no use and count against the unit's quota). The row stays so the uploader sees why.
- anything else (a worker killed, ffmpeg missing, storage unreachable): retried up to
  `RESOURCE_PROCESSING_ATTEMPTS` times, later each time where the task backend can defer, then
  marked failed with the reason; the file is kept.

Nothing stays "processing" forever: `recover_stale` (the `resources_recover` command, run
periodically) takes up a job running or pending for longer than `RESOURCE_PROCESSING_TIMEOUT`.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from sciday.resources import uploads
from sciday.resources.indexing import resource_index_refresh
from sciday.resources.models import Kind, Processing, Resource

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTHS = (240, 640, 1280)
PREVIEW_MAX_WIDTH = 1600
MAX_TEXT_CHARS = 200_000
MAX_TEXT_PAGES = 300
FFPROBE_TIMEOUT = 120
FFMPEG_TIMEOUT = 300
REMUX_TIMEOUT = 1800
_XML_TEXT = re.compile(rb"<(?:w:t|a:t|t)(?:\s[^>]*)?>([^<]*)</", re.DOTALL)


class Refused(Exception):
    """The file itself cannot be used: fail at once, remove the stored files."""


# --- The job ---------------------------------------------------------------------------------


def claim(resource_id: int) -> Resource | None:
    """Move a pending job to running (one more attempt); None when someone else has it."""
    claimed = Resource.objects.filter(pk=resource_id, processing=Processing.PENDING).update(
        processing=Processing.RUNNING,
        processing_attempts=F("processing_attempts") + 1,
        processing_since=timezone.now(),
    )
    if not claimed:
        return None
    return Resource.objects.get(pk=resource_id)


def process(resource_id: int) -> None:
    """Run the job of one resource, if it is pending; see the module docstring."""
    with translation.override(settings.LANGUAGE_CODE):  # reasons are stored for people to read
        _process(resource_id)


def _process(resource_id: int) -> None:
    resource = claim(resource_id)
    if resource is None:
        return
    created: list[str] = []
    try:
        fields = PROCESSORS[resource.kind](resource, created)
    except Refused as refusal:
        uploads.delete_stored(created)
        _fail(resource, str(refusal), remove_files=True)
    except Exception as error:
        uploads.delete_stored(created)
        logger.exception("processing resource %s failed", resource_id)
        reason = _("Processing error: %(error)s") % {"error": _describe(error)}
        if resource.processing_attempts < settings.RESOURCE_PROCESSING_ATTEMPTS:
            _retry(resource, reason)
        else:
            _fail(resource, reason, remove_files=False)
    else:
        _finish(resource, fields, created)


def _describe(error: Exception) -> str:
    if isinstance(error, FileNotFoundError) and error.filename in ("ffprobe", "ffmpeg"):
        return _("%(program)s is not installed on the server") % {"program": error.filename}
    return f"{type(error).__name__}: {error}"[:200]


def _finish(resource: Resource, fields: dict[str, Any], created: list[str]) -> None:
    old_file = _file_name(resource)
    with transaction.atomic():
        updated = Resource.objects.filter(pk=resource.pk, processing=Processing.RUNNING).update(
            processing=Processing.DONE,
            processing_error="",
            processing_since=timezone.now(),
            **fields,
        )
        if updated:  # the extracted text is searchable once committed
            transaction.on_commit(partial(resource_index_refresh, resource.pk))
    if not updated:
        # Deleted (or taken over) meanwhile: what this job made belongs to no one.
        uploads.delete_stored(created)
        return
    if fields.get("file") and fields["file"] != old_file:
        uploads.delete_stored([old_file])


def _fail(resource: Resource, reason: str, *, remove_files: bool) -> None:
    fields: dict[str, Any] = {
        "processing": Processing.FAILED,
        "processing_error": reason[:300],
        "processing_since": timezone.now(),
    }
    if remove_files:
        fields.update(file="", preview="", thumbnails={}, size=0, sha256="")
    updated = Resource.objects.filter(pk=resource.pk, processing=Processing.RUNNING).update(
        **fields
    )
    if updated and remove_files:
        uploads.delete_stored(resource.stored_names())


def _retry(resource: Resource, reason: str) -> None:
    from sciday.resources.tasks import schedule_processing

    updated = Resource.objects.filter(pk=resource.pk, processing=Processing.RUNNING).update(
        processing=Processing.PENDING,
        processing_error=reason[:300],
        processing_since=timezone.now(),
    )
    if updated:
        schedule_processing(resource.pk, delay=timedelta(seconds=30 * resource.processing_attempts))


def recover_stale(*, now: datetime | None = None) -> dict[str, int]:
    """Take up jobs stuck running or pending longer than the timeout; return what was done.

    A running job past the timeout lost its worker: it is tried again while attempts remain,
    else marked failed. A pending job past the timeout lost its task: it is enqueued again.
    """
    from sciday.resources.tasks import schedule_processing

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.RESOURCE_PROCESSING_TIMEOUT)
    stuck = Resource.objects.filter(processing=Processing.RUNNING, processing_since__lt=cutoff)
    spent = stuck.filter(processing_attempts__gte=settings.RESOURCE_PROCESSING_ATTEMPTS)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Processing did not finish in time.")
    failed = spent.update(
        processing=Processing.FAILED,
        processing_error=reason,
        processing_since=now,
    )
    retried_ids = list(stuck.values_list("pk", flat=True))
    stuck.filter(pk__in=retried_ids).update(processing=Processing.PENDING, processing_since=now)
    lost_ids = list(
        Resource.objects.filter(
            processing=Processing.PENDING, processing_since__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in [*retried_ids, *lost_ids]:
        schedule_processing(pk)
    return {"failed": failed, "retried": len(retried_ids), "requeued": len(lost_ids)}


# --- Files -----------------------------------------------------------------------------------


@contextmanager
def local_path(name: str) -> Iterator[Path]:
    """Yield a local path to a stored file: the file itself on local storage, else a copy."""
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    suffix = PurePosixPath(name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy, default_storage.open(name) as src:
        shutil.copyfileobj(src, copy, uploads.CHUNK_BYTES)
        copy.flush()
        yield Path(copy.name)


def _file_name(resource: Resource) -> str:
    return resource.file.name or ""


def _stem(name: str) -> str:
    path = PurePosixPath(name)
    return str(path.with_suffix(""))


def _save(name: str, data: bytes, created: list[str]) -> str:
    saved = default_storage.save(name, ContentFile(data))
    created.append(saved)
    return saved


def _webp(image: Image.Image, *, quality: int = 80) -> bytes:
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


def _thumbnails(image: Image.Image, stem: str, created: list[str]) -> dict[str, str]:
    """Save WebP thumbnails of `image` (the widths narrower than it, at least one)."""
    widths = [w for w in THUMBNAIL_WIDTHS if w < image.width] or [image.width]
    names: dict[str, str] = {}
    current = image
    for width in sorted(widths, reverse=True):
        height = max(1, round(current.height * width / current.width))
        current = current.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
        names[str(width)] = _save(f"{stem}_w{width}.webp", _webp(current), created)
    return names


def _preview(image: Image.Image, stem: str, created: list[str]) -> str:
    if image.width > PREVIEW_MAX_WIDTH:
        height = max(1, round(image.height * PREVIEW_MAX_WIDTH / image.width))
        image = image.resize((PREVIEW_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    return _save(f"{stem}_preview.webp", _webp(image, quality=85), created)


# --- Photos ----------------------------------------------------------------------------------


def _open_image(data: io.BytesIO | Any, pillow_format: str) -> Image.Image:
    image = Image.open(data, formats=[pillow_format])
    if image.width * image.height > settings.RESOURCE_IMAGE_MAX_PIXELS:
        raise Refused(_("The image has too many pixels."))
    return image


def process_photo(resource: Resource, created: list[str]) -> dict[str, Any]:
    extension = PurePosixPath(_file_name(resource)).suffix
    fmt = uploads.FORMATS[extension]
    try:
        with (
            default_storage.open(_file_name(resource)) as stored,
            _open_image(stored, fmt.pillow) as image,
        ):
            icc = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)  # decodes; EXIF orientation applied
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise Refused(_("The image cannot be decoded: it may be damaged.")) from error
    out = io.BytesIO()
    params: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt.pillow == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=90, **params)
    elif fmt.pillow == "PNG":
        upright.save(out, "PNG", **params)
    else:
        upright.save(out, "WEBP", quality=90, **params)
    # No exif= and no xmp= given: the re-encoded file carries no EXIF (GPS) and no XMP.
    data = out.getvalue()
    new_name = _save(uploads.storage_name(extension), data, created)
    stem = _stem(new_name)
    return {
        "file": new_name,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "width": upright.width,
        "height": upright.height,
        "thumbnails": _thumbnails(upright, stem, created),
    }


# --- Videos ----------------------------------------------------------------------------------


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, timeout=timeout, check=False)  # noqa: S603


def _last_line(stderr: bytes, path: Path) -> str:
    """Return ffmpeg's last error line, without the server's path to the file."""
    text = stderr.decode("utf-8", "replace").replace(f"{path}: ", "").replace(str(path), "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[-1] if lines else "")[:150]


def _remux_without_metadata(path: Path, tmp: Path, unreadable: str) -> Path:
    """Copy the video and audio streams into a new file without metadata; return its path.

    Phones write the place a video was taken in its metadata (the `location` tag), and action
    cameras keep a GPS track as a data stream: the copy keeps neither (only the video and audio
    streams, `-map_metadata -1`). No re-encoding: a stream copy runs at disk speed. MP4 and MOV
    also get their index at the front (`+faststart`), so a browser starts playing at once.
    """
    clean = tmp / f"clean{path.suffix.lower()}"
    args = [
        "ffmpeg", "-v", "error", "-nostdin", "-i", str(path),
        "-map", "0:v", "-map", "0:a?", "-c", "copy",
        "-map_metadata", "-1", "-map_chapters", "-1",
    ]  # fmt: skip
    if clean.suffix in (".mp4", ".mov"):
        args += ["-movflags", "+faststart"]
    result = _run([*args, str(clean)], REMUX_TIMEOUT)
    if result.returncode != 0 or not clean.exists() or clean.stat().st_size == 0:
        raise Refused(unreadable % {"detail": _last_line(result.stderr, path) or "remux"})
    return clean


def process_video(resource: Resource, created: list[str]) -> dict[str, Any]:
    unreadable = _("The video cannot be read (it may be truncated or damaged): %(detail)s")
    with local_path(_file_name(resource)) as path:
        probe = _run(
            [
                "ffprobe", "-v", "error", "-print_format", "json",
                "-show_format", "-show_streams", str(path),
            ],
            FFPROBE_TIMEOUT,
        )  # fmt: skip
        if probe.returncode != 0:
            raise Refused(unreadable % {"detail": _last_line(probe.stderr, path)})
        facts = json.loads(probe.stdout or b"{}")
        video = next((s for s in facts.get("streams", []) if s.get("codec_type") == "video"), None)
        if video is None:
            raise Refused(_("The file has no video stream."))
        try:
            duration = float(facts.get("format", {}).get("duration") or video.get("duration"))
        except (TypeError, ValueError):
            duration = 0.0
        if duration <= 0:
            raise Refused(unreadable % {"detail": "no duration"})
        with tempfile.TemporaryDirectory() as tmp:
            clean = _remux_without_metadata(path, Path(tmp), unreadable)
            with clean.open("rb") as remuxed:
                stored = uploads.store(
                    upload=remuxed,
                    size=clean.stat().st_size,
                    name=uploads.storage_name(clean.suffix),
                )
            created.append(stored.name)
            clean.unlink()
            poster = Path(tmp) / "poster.png"
            grab = _run(
                [
                    "ffmpeg", "-v", "error", "-nostdin", "-ss", f"{min(1.0, duration / 2):.3f}",
                    "-i", str(path), "-frames:v", "1", "-f", "image2", "-c:v", "png", str(poster),
                ],
                FFMPEG_TIMEOUT,
            )  # fmt: skip
            if grab.returncode != 0 or not poster.exists() or poster.stat().st_size == 0:
                raise Refused(unreadable % {"detail": _last_line(grab.stderr, path) or "no frame"})
            with _open_image(io.BytesIO(poster.read_bytes()), "PNG") as frame:
                frame.load()
                stem = _stem(stored.name)
                preview = _preview(frame, stem, created)
                thumbnails = _thumbnails(frame, stem, created)
    return {
        "file": stored.name,
        "size": stored.size,
        "sha256": stored.sha256,
        "duration": round(duration, 3),
        "width": int(video.get("width") or 0) or None,
        "height": int(video.get("height") or 0) or None,
        "codec": str(video.get("codec_name", ""))[:40],
        "preview": preview,
        "thumbnails": thumbnails,
    }


# --- Documents -------------------------------------------------------------------------------


def process_document(resource: Resource, created: list[str]) -> dict[str, Any]:
    if resource.mime_type == "application/pdf":
        return _process_pdf(resource, created)
    return {"extracted_text": _office_text(_file_name(resource))}


def _process_pdf(resource: Resource, created: list[str]) -> dict[str, Any]:
    import pypdfium2 as pdfium

    with local_path(_file_name(resource)) as path:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as error:
            raise Refused(
                _("The PDF cannot be opened (damaged or password-protected): %(detail)s")
                % {"detail": str(error)[:100]}
            ) from error
        try:
            count = len(pdf)
            if count == 0:
                raise Refused(_("The PDF has no pages."))
            first = pdf[0]
            width, height = first.get_size()
            # Render at most PREVIEW_MAX_WIDTH wide and within the pixel limit, whatever the
            # page size the PDF claims.
            scale = min(PREVIEW_MAX_WIDTH / max(width, 1.0), 3.0)
            pixels = width * height * scale * scale
            if pixels > settings.RESOURCE_IMAGE_MAX_PIXELS:
                scale *= (settings.RESOURCE_IMAGE_MAX_PIXELS / pixels) ** 0.5
            image = first.render(scale=scale).to_pil()
            texts: list[str] = []
            length = 0
            for index in range(min(count, MAX_TEXT_PAGES)):
                textpage = pdf[index].get_textpage()
                text = textpage.get_text_bounded()
                texts.append(text)
                length += len(text)
                if length >= MAX_TEXT_CHARS:
                    break
        finally:
            pdf.close()
    stem = _stem(_file_name(resource))
    return {
        "page_count": count,
        "width": image.width,
        "height": image.height,
        "preview": _preview(image, stem, created),
        "thumbnails": _thumbnails(image, stem, created),
        "extracted_text": "\n".join(texts)[:MAX_TEXT_CHARS],
    }


def _office_text(name: str) -> str:
    """Return the text of a docx/xlsx/pptx, reading at most ZIP_MAX_UNCOMPRESSED bytes of XML.

    A regular expression over the XML, not an XML parser: no entity is ever expanded.
    """
    budget = uploads.ZIP_MAX_UNCOMPRESSED
    texts: list[str] = []
    with default_storage.open(name) as stored:
        try:
            archive = zipfile.ZipFile(stored)
        except zipfile.BadZipFile as error:
            raise Refused(_("The document cannot be read: it may be damaged.")) from error
        with archive:
            parts = sorted(
                n
                for n in archive.namelist()
                if n == "word/document.xml"
                or n == "xl/sharedStrings.xml"
                or re.fullmatch(r"ppt/slides/slide\d+\.xml", n)
            )
            for part in parts:
                with archive.open(part) as member:
                    data = member.read(budget + 1)
                if len(data) > budget:
                    raise Refused(_("The document expands to too much data."))
                budget -= len(data)
                texts.extend(
                    html.unescape(m.decode("utf-8", "replace")) for m in _XML_TEXT.findall(data)
                )
    return " ".join(t for t in texts if t.strip())[:MAX_TEXT_CHARS]


PROCESSORS: dict[str, Callable[[Resource, list[str]], dict[str, Any]]] = {
    Kind.PHOTO: process_photo,
    Kind.VIDEO: process_video,
    Kind.DOCUMENT: process_document,
}
