"""Checking an uploaded file and writing it to storage: every refusal comes before a byte is stored.

`inspect_upload` decides whether a file may be kept, from its extension AND its content together:

- the name: cleaned to a display name (the last path component, no control characters); a name
  with a second, dangerous extension (`photo.php.jpg`) is refused; the name never reaches the
  storage path, which is generated (`storage_name`);
- the size: not empty, and under the limit of its kind (`settings.RESOURCE_MAX_BYTES`);
- the type: the extension must be one the kind accepts (`FORMATS`) and the content, identified by
  its signature (puremagic), must be that type. SVG is refused outright (it can carry scripts);
  so is a file whose start looks like HTML or a script, and for photos anywhere in the file (a
  JPEG/HTML polyglot);
- images: the header is read (Pillow opens lazily; nothing is decoded) and a picture of more than
  `settings.RESOURCE_IMAGE_MAX_PIXELS` pixels is refused (decompression bombs);
- Office files (docx, xlsx, pptx): the zip's directory is read before anything trusts it — total
  uncompressed size, compression ratio and entry count bounded, the main part present, no macros,
  no encrypted entries. Legacy binary formats (.doc, .xls, .ppt) are refused: save as PDF or
  the current format.

Videos are only checked by signature here; ffprobe decides in processing (a truncated or broken
video fails there, with its reason, and its stored file is removed).

`store` streams the file to the default storage in chunks, computing its SHA-256 and size on the
way; a big upload is already a temporary file on disk (Django's upload handlers), so memory use
stays flat whatever the size.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import puremagic
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from sciday.core.errors import DomainError
from sciday.resources.models import Kind

HEAD_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
# Office files (zip): bounds checked on the zip's directory before anything reads an entry.
ZIP_MAX_UNCOMPRESSED = 512 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 5000

OOXML_MIMES = frozenset(
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
MP4_MIMES = frozenset({"video/mp4", "video/quicktime", "video/x-m4v", "video/3gpp"})


@dataclass(frozen=True)
class Format:
    kind: str
    mime_type: str  # what the file is stored and served as
    detected: frozenset[str]  # signatures (puremagic MIME types) that prove it
    label: str
    pillow: str = ""  # Pillow's format name, for images
    main_part: str = ""  # the part an Office file must contain


FORMATS: dict[str, Format] = {
    ".jpg": Format(Kind.PHOTO, "image/jpeg", frozenset({"image/jpeg"}), "JPEG", pillow="JPEG"),
    ".png": Format(Kind.PHOTO, "image/png", frozenset({"image/png"}), "PNG", pillow="PNG"),
    ".webp": Format(Kind.PHOTO, "image/webp", frozenset({"image/webp"}), "WebP", pillow="WEBP"),
    ".mp4": Format(Kind.VIDEO, "video/mp4", MP4_MIMES, "MP4"),
    ".mov": Format(Kind.VIDEO, "video/quicktime", MP4_MIMES, "MOV"),
    ".webm": Format(Kind.VIDEO, "video/webm", frozenset({"video/webm"}), "WebM"),
    ".pdf": Format(Kind.DOCUMENT, "application/pdf", frozenset({"application/pdf"}), "PDF"),
    ".docx": Format(
        Kind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        OOXML_MIMES,
        "Word (.docx)",
        main_part="word/document.xml",
    ),
    ".xlsx": Format(
        Kind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        OOXML_MIMES,
        "Excel (.xlsx)",
        main_part="xl/workbook.xml",
    ),
    ".pptx": Format(
        Kind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        OOXML_MIMES,
        "PowerPoint (.pptx)",
        main_part="ppt/presentation.xml",
    ),
}
ALIASES = {".jpeg": ".jpg", ".jpe": ".jpg", ".m4v": ".mp4"}
LEGACY_OFFICE = frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps"})
# Extensions that must not appear anywhere in a name (`x.php.jpg`): a misconfigured server
# or a careless download could execute or render them.
DANGEROUS_EXTENSIONS = frozenset(
    {
        "php", "php3", "php4", "php5", "php7", "phtml", "phar", "asp", "aspx", "jsp", "jspx",
        "cgi", "pl", "py", "rb", "sh", "bash", "exe", "dll", "bat", "cmd", "com", "msi", "scr",
        "ps1", "vbs", "js", "mjs", "jar", "html", "htm", "xhtml", "shtml", "svg", "svgz", "hta",
        "swf", "elf", "so", "apk",
    }
)  # fmt: skip
# What a browser would take for HTML or script when sniffing.
ACTIVE_MARKERS = re.compile(
    rb"<\s*(?:script|html|svg|iframe|body|object|embed|!doctype\s+html)\b|<\?php|<\?xml-stylesheet",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Inspected:
    """What the checks found out: the format, the cleaned display name, the size."""

    kind: str
    extension: str
    mime_type: str
    display_name: str
    size: int
    width: int | None = None
    height: int | None = None


def _refuse(message: str, code: str = "file_refused") -> DomainError:
    return DomainError(message, field="file", code=code)


def clean_display_name(name: str) -> str:
    """Return the name to show for an upload: its last path component, printable, ≤ 200 chars.

    The name never decides where the file is stored; this is only what people see.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name).strip().lstrip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return ALIASES.get(suffix, suffix)


def limit_for(kind: str) -> int:
    return int(settings.RESOURCE_MAX_BYTES[kind])


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size / 1024, 0.1):.1f} KB"
    return f"{size / (1024 * 1024):.0f} MB"


def _read_head(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _scan_range(upload: IO[bytes], start: int, end: int | None) -> bool:
    """Return whether markup appears in bytes [start, end) of the file (end None: to the end)."""
    upload.seek(start)
    tail = b""
    position = start
    while end is None or position < end:
        want = CHUNK_BYTES if end is None else min(CHUNK_BYTES, end - position)
        chunk = upload.read(want)
        if not chunk:
            break
        if ACTIVE_MARKERS.search(tail + chunk):
            return True
        tail = chunk[-32:]
        position += len(chunk)
    return False


def _jpeg_regions(upload: IO[bytes]) -> Iterator[tuple[int, int | None]]:
    """Yield the (start, end) byte ranges of a JPEG that are not compressed image data.

    Segments before and between scans (EXIF, XMP, comments, tables) and whatever follows the
    end-of-image marker. The entropy-coded data of a scan is skipped: it is random-looking,
    so a regular expression finds "<svg" in about one gigabyte in two, and no reader takes it
    for text. The scan data ends at the first 0xFF that is neither stuffing (FF 00) nor a
    restart marker (FF D0-D7).
    """
    upload.seek(2)  # after SOI (FF D8), already checked by the signature
    while True:
        header = upload.read(2)
        while header[:1] == b"\xff" and header[1:2] == b"\xff":  # fill bytes
            header = header[1:] + upload.read(1)
        if len(header) < 2 or header[0] != 0xFF:
            yield upload.tell() - len(header), None  # not a marker where one belongs
            return
        marker = header[1]
        if marker == 0xD9:  # EOI: anything after it is a trailer
            yield upload.tell(), None
            return
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        length_bytes = upload.read(2)
        if len(length_bytes) < 2:
            return
        start = upload.tell()
        end = start + int.from_bytes(length_bytes, "big") - 2
        yield start, end
        upload.seek(end)
        # SOS: skip the entropy-coded data to the next real marker.
        if marker == 0xDA and not _skip_entropy_coded(upload):
            return


def _skip_entropy_coded(upload: IO[bytes]) -> bool:
    """Move to the next marker after a scan's data; False at the end of the file."""
    while True:
        base = upload.tell()
        chunk = upload.read(CHUNK_BYTES + 1)  # one byte of overlap: a 0xFF at the edge
        if len(chunk) < 2:
            return False
        index = chunk.find(b"\xff")
        while index != -1 and index + 1 < len(chunk):
            following = chunk[index + 1]
            if following not in (0x00, 0xFF) and not 0xD0 <= following <= 0xD7:
                upload.seek(base + index)
                return True
            index = chunk.find(b"\xff", index + 1)
        upload.seek(base + len(chunk) - 1)


def _png_regions(upload: IO[bytes]) -> Iterator[tuple[int, int | None]]:
    """Yield the ranges of a PNG outside its compressed image data: text chunks, the trailer."""
    upload.seek(8)
    while True:
        header = upload.read(8)
        if len(header) < 8:
            return
        length, kind = int.from_bytes(header[:4], "big"), header[4:]
        start = upload.tell()
        if kind not in (b"IDAT", b"fdAT"):
            yield start, start + length
        upload.seek(start + length + 4)  # data and CRC
        if kind == b"IEND":
            yield upload.tell(), None
            return


def _webp_regions(upload: IO[bytes]) -> Iterator[tuple[int, int | None]]:
    """Yield the ranges of a WebP outside its image bitstreams: EXIF, XMP, the trailer."""
    upload.seek(4)
    riff_end = 8 + int.from_bytes(upload.read(4), "little")
    upload.seek(12)
    while upload.tell() + 8 <= riff_end:
        header = upload.read(8)
        if len(header) < 8:
            return
        kind, length = header[:4], int.from_bytes(header[4:], "little")
        start = upload.tell()
        if kind not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF"):
            yield start, start + length
        upload.seek(start + length + (length & 1))
    yield riff_end, None


IMAGE_REGIONS: dict[str, Callable[[IO[bytes]], Iterator[tuple[int, int | None]]]] = {
    "JPEG": _jpeg_regions,
    "PNG": _png_regions,
    "WEBP": _webp_regions,
}


def _photo_has_markup(upload: IO[bytes], fmt: Format) -> bool:
    """Return whether a photo carries HTML or script outside its compressed image data.

    A JPEG/HTML polyglot keeps its page in a comment, in metadata or after the image; all of
    these are read. The compressed pixels are not (see `_jpeg_regions`). A file whose structure
    cannot be followed is scanned whole from where it stops making sense.
    """
    regions = IMAGE_REGIONS.get(fmt.pillow)
    try:
        if regions is None:
            return _scan_range(upload, 0, None)
        return any(_scan_range(upload, start, end) for start, end in list(regions(upload)))
    finally:
        upload.seek(0)


def _detected_mimes(head: bytes) -> set[str]:
    try:
        return {m.mime_type for m in puremagic.magic_string(head) if m.mime_type}
    except puremagic.PureError:
        return set()


def _check_image(upload: IO[bytes], fmt: Format) -> tuple[int, int]:
    limit = settings.RESOURCE_IMAGE_MAX_PIXELS
    too_many = _("The image has more than the %(limit)s million pixels accepted. Please reduce it.")
    upload.seek(0)
    try:
        # Image.open reads the header only; nothing is decoded here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=[fmt.pillow]) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (kept on) fired while reading the header: far too many pixels.
        raise _refuse(too_many % {"limit": limit // 1_000_000}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(_("The image cannot be read: it may be damaged.")) from None
    finally:
        upload.seek(0)
    if width * height > settings.RESOURCE_IMAGE_MAX_PIXELS:
        raise _refuse(
            _(
                "The image is %(width)s × %(height)s pixels, more than the %(limit)s million"
                " pixels accepted. Please reduce it."
            )
            % {
                "width": width,
                "height": height,
                "limit": settings.RESOURCE_IMAGE_MAX_PIXELS // 1_000_000,
            }
        )
    return width, height


def _check_office(upload: IO[bytes], fmt: Format) -> None:
    upload.seek(0)
    damaged = _("The document cannot be read: it may be damaged.")
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(damaged) from None
    finally:
        upload.seek(0)
    names = {e.filename for e in entries}
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if (
        len(entries) > ZIP_MAX_ENTRIES
        or total > ZIP_MAX_UNCOMPRESSED
        or total / packed > (ZIP_MAX_RATIO)
    ):
        raise _refuse(
            _(
                "The document expands to far more data than its size (a compression bomb):"
                " it is not accepted."
            ),
            code="zip_bomb",
        )
    if any(e.flag_bits & 0x1 for e in entries):
        raise _refuse(_("Password-protected documents are not accepted."))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _refuse(_("Documents with macros are not accepted: save it without macros."))
    if "[Content_Types].xml" not in names or fmt.main_part not in names:
        raise _refuse(
            _("The file's content is not a %(format)s file as its name says.")
            % {"format": fmt.label}
        )


def inspect_upload(*, kind: str, upload: IO[bytes], name: str, size: int) -> Inspected:
    """Check an upload for `kind`; return what was found or raise DomainError (field "file")."""
    display = clean_display_name(name)
    if not display:
        raise _refuse(_("The file has no name."))
    parts = [p.lower() for p in display.split(".")[1:]]
    if any(p in DANGEROUS_EXTENSIONS for p in parts[:-1]):
        raise _refuse(
            _(
                "File names with a second extension such as .php.jpg are not accepted:"
                " rename the file."
            ),
            code="double_extension",
        )
    if size <= 0:
        raise _refuse(_("The file is empty."), code="empty")
    if size > limit_for(kind):
        raise _refuse(
            _("The file is %(size)s, more than the %(limit)s allowed for a %(kind)s.")
            % {
                "size": human_size(size),
                "limit": human_size(limit_for(kind)),
                "kind": Kind(kind).label,
            },
            code="too_large",
        )

    extension = _extension(display)
    head = _read_head(upload)
    detected = _detected_mimes(head)
    if extension in (".svg", ".svgz") or "image/svg+xml" in detected:
        raise _refuse(
            _("SVG images are not accepted (they can carry scripts): upload a PNG or JPEG."),
            code="svg",
        )
    if extension in LEGACY_OFFICE:
        raise _refuse(
            _("Old Office formats are not accepted: save it as PDF, .docx, .xlsx or .pptx."),
            code="type",
        )
    fmt = FORMATS.get(extension)
    if fmt is None or fmt.kind != kind:
        accepted = ", ".join(sorted({e for e, f in FORMATS.items() if f.kind == kind}))
        raise _refuse(
            _("This type of file is not accepted for a %(kind)s. Accepted: %(accepted)s.")
            % {"kind": Kind(kind).label, "accepted": accepted},
            code="type",
        )
    if not detected & fmt.detected:
        raise _refuse(
            _(
                "The file's content is not a %(format)s file as its name says: it may be"
                " damaged or renamed."
            )
            % {"format": fmt.label},
            code="type_mismatch",
        )
    # A browser sniffing the file must never find a page in it: the start of every file, and
    # for photos the whole of it (a JPEG/HTML polyglot carries its page after the image data).
    markup = ACTIVE_MARKERS.search(head[:4096]) or (
        kind == Kind.PHOTO and _photo_has_markup(upload, fmt)
    )
    if markup:
        raise _refuse(
            _("The file contains web page or script code and is not accepted."), code="markup"
        )

    width = height = None
    if fmt.pillow:
        width, height = _check_image(upload, fmt)
    elif fmt.main_part:
        _check_office(upload, fmt)
    return Inspected(
        kind=kind,
        extension=extension,
        mime_type=fmt.mime_type,
        display_name=display,
        size=size,
        width=width,
        height=height,
    )


def storage_name(extension: str, *, now=None) -> str:
    """Return a new server-generated storage name: resources/<yyyy>/<mm>/<32 hex><ext>."""
    now = timezone.localtime(now)
    return f"resources/{now:%Y/%m}/{uuid.uuid4().hex}{extension}"


class _HashingReader:
    """A read-only file object that hashes and counts what is read, in order.

    Storage backends read the content sequentially (FileSystemStorage through `File.chunks()`,
    S3 through `upload_fileobj`); a rewind to the start starts the count again.
    """

    def __init__(self, raw: IO[bytes], size: int) -> None:
        self.raw = raw
        self.size = size
        self.sha256 = hashlib.sha256()
        self.count = 0
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        if self._pos != self.count:
            raise OSError("non-sequential read while hashing")
        data = self.raw.read(n)
        self.sha256.update(data)
        self.count += len(data)
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self.raw.seek(offset, whence)
        if position == 0:
            self.sha256 = hashlib.sha256()
            self.count = 0
        self._pos = position
        return position

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def __getattr__(self, item: str) -> Any:
        if item in {"closed", "mode"}:
            return getattr(self.raw, item)
        raise AttributeError(item)


@dataclass(frozen=True)
class Stored:
    name: str
    size: int
    sha256: str


def store(*, upload: IO[bytes], size: int, name: str) -> Stored:
    """Stream `upload` to the default storage under `name`; return the saved name and its hash."""
    upload.seek(0)
    reader = _HashingReader(upload, size)
    saved = default_storage.save(name, File(reader, name=name))  # type: ignore[arg-type]
    if reader.count != size:
        default_storage.delete(saved)
        raise _refuse(_("The upload was incomplete: please try again."), code="incomplete")
    return Stored(name=saved, size=reader.count, sha256=reader.sha256.hexdigest())


def delete_stored(names: list[str]) -> None:
    """Remove stored files; a name already gone is not an error."""
    for stored_name in names:
        if stored_name:
            default_storage.delete(stored_name)
