"""The hostile-file corpus: each file refused with a clear Chinese message, nothing stored.

Also: the checks accept the valid files, and a path-traversal name never reaches the storage path.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sciday.core.errors import DomainError
from sciday.core.models import AuditEntry
from sciday.resources import services
from sciday.resources.models import Kind, Processing, Resource
from sciday.resources.uploads import clean_display_name
from tests.resources import hostile

CJK = re.compile(r"[\u4e00-\u9fff]")


def upload(world, name: str, data: bytes, *, kind: str = Kind.PHOTO, **extra):
    actor = world.people["lead_editor"]
    return services.resource_create_from_upload(
        actor=actor,
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=kind,
        upload=SimpleUploadedFile(name.split("/")[-1], data),
        file_name=extra.pop("file_name", None),
        title="科技工作者日现场",
        attribution="南京市科协",
        people_consent=True,
        **extra,
    )


HOSTILE = [
    # (id, file name, builder, kind, expected fragment of the Chinese message)
    ("elf-renamed-jpg", "photo.jpg", hostile.elf, Kind.PHOTO, "不是"),
    ("polyglot-jpeg-html", "photo.jpg", hostile.polyglot_jpeg_html, Kind.PHOTO, "网页"),
    ("svg-with-script", "logo.svg", hostile.svg_with_script, Kind.PHOTO, "SVG"),
    ("svg-renamed-png", "logo.png", hostile.svg_with_script, Kind.PHOTO, "SVG"),
    (
        "png-50000x50000",
        "huge.png",
        lambda: hostile.png_header(50_000, 50_000),
        Kind.PHOTO,
        "像素",
    ),
    ("zip-bomb-docx", "report.docx", hostile.zip_bomb_docx, Kind.DOCUMENT, "压缩"),
    ("php-jpg", "shell.php.jpg", hostile.jpeg, Kind.PHOTO, ".php.jpg"),
    ("zero-byte", "empty.jpg", lambda: b"", Kind.PHOTO, "空"),
    ("pdf-renamed-jpg", "scan.jpg", lambda: hostile.pdf(["x"]), Kind.PHOTO, "不是"),
    (
        "legacy-doc",
        "old.doc",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        Kind.DOCUMENT,
        "PDF",
    ),
    ("jpeg-as-video", "clip.mp4", hostile.jpeg, Kind.VIDEO, "不是"),
    (
        "html-as-pdf",
        "page.pdf",
        lambda: b"<!DOCTYPE html><html><script>x()</script>",
        Kind.DOCUMENT,
        "不是",
    ),
    ("exe-as-docx", "setup.docx", lambda: b"MZ\x90\x00" + b"\0" * 300, Kind.DOCUMENT, "不是"),
]


@pytest.mark.parametrize(
    ("name", "builder", "kind", "fragment"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_file_is_refused_and_nothing_is_stored(world, media, name, builder, kind, fragment):
    with pytest.raises(DomainError) as refused:
        upload(world, name, builder(), kind=kind)
    message = str(refused.value)
    assert CJK.search(message), message
    assert fragment in message, message
    assert refused.value.field == "file"
    assert not Resource.objects.exists()
    assert media.files() == []
    assert not AuditEntry.objects.filter(action__startswith="resources.").exists()


def test_oversized_file_is_refused_with_the_limit(world, media, settings):
    settings.RESOURCE_MAX_BYTES = {**settings.RESOURCE_MAX_BYTES, "photo": 1024}
    with pytest.raises(DomainError) as refused:
        upload(world, "big.jpg", hostile.jpeg(400, 400))
    assert "大于" in str(refused.value) or "超过" in str(refused.value)
    assert "照片" in str(refused.value)
    assert not Resource.objects.exists()
    assert media.files() == []


def test_path_traversal_name_never_reaches_the_storage_path(world, media, tmp_path):
    resource = upload(world, "passwd.jpg", hostile.jpeg(), file_name="../../etc/passwd.jpg")
    assert resource.original_name == "passwd.jpg"
    assert re.fullmatch(r"resources/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", resource.file.name)
    assert media.files() == [resource.file.name]
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\windows\\win.ini.jpg", "win.ini.jpg"),
        ("/abs/path/photo.JPG", "photo.JPG"),
        ("bad\x00name\r\n.jpg", "badname.jpg"),
        (".hidden.jpg", "hidden.jpg"),
        ("a" * 300 + ".jpg", "a" * 196 + ".jpg"),
    ],
)
def test_display_names_are_cleaned(raw, clean):
    assert clean_display_name(raw) == clean


def test_valid_files_are_accepted_and_stored_under_generated_names(world, media):
    photo = upload(world, "现场照片.JPEG", hostile.jpeg())
    document = upload(world, "方案.pdf", hostile.pdf(["Plan"]), kind=Kind.DOCUMENT)
    word = upload(world, "总结.docx", hostile.docx(["总结"]), kind=Kind.DOCUMENT)
    assert photo.original_name == "现场照片.JPEG"
    assert photo.file.name.endswith(".jpg") and photo.mime_type == "image/jpeg"
    assert document.mime_type == "application/pdf"
    assert word.mime_type.endswith("wordprocessingml.document")
    for resource in (photo, document, word):
        assert resource.processing == Processing.PENDING
        assert resource.size == len(media.read(resource.file.name))
    assert len(media.files()) == 3
    assert AuditEntry.objects.filter(action="resources.resource.created").count() == 3


def test_sha256_is_computed_while_storing(world, media):
    import hashlib

    data = hostile.jpeg()
    resource = upload(world, "a.jpg", data)
    assert resource.sha256 == hashlib.sha256(data).hexdigest()
    assert media.read(resource.file.name) == data


def test_docx_with_macros_is_refused(world, media):
    data = hostile.docx(["宏"], extra={"word/vbaProject.bin": b"\x00" * 100})
    with pytest.raises(DomainError, match="宏"):
        upload(world, "macro.docx", data, kind=Kind.DOCUMENT)
    assert media.files() == []


# --- Markup in photos: looked for outside the compressed pixels ---------------------------------

PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _inspect(name: str, data: bytes):
    import io

    from sciday.resources.uploads import inspect_upload

    return inspect_upload(kind=Kind.PHOTO, upload=io.BytesIO(data), name=name, size=len(data))


def _jpeg_with_comment(comment: bytes) -> bytes:
    data = hostile.jpeg()
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return data[:2] + segment + data[2:]


def _png_with_chunk(kind: bytes, payload: bytes) -> bytes:
    import struct
    import zlib

    data = hostile.png(40, 30)
    chunk = struct.pack(">I", len(payload)) + kind + payload
    chunk += struct.pack(">I", zlib.crc32(kind + payload))
    return data[:33] + chunk + data[33:]  # after the signature (8) and IHDR (25)


def _webp(extra_chunk: bytes = b"", trailer: bytes = b"") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "WEBP")
    data = out.getvalue()
    body = data[12:] + extra_chunk
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body + trailer


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("after-the-end.jpg", lambda: hostile.jpeg() + PAGE),
        ("in-a-comment.jpg", lambda: _jpeg_with_comment(PAGE)),
        ("png-text-chunk.png", lambda: _png_with_chunk(b"tEXt", b"Comment\x00" + PAGE)),
        ("png-after-iend.png", lambda: hostile.png(40, 30) + PAGE),
        ("webp-xmp-chunk.webp", lambda: _webp(b"XMP " + len(PAGE).to_bytes(4, "little") + PAGE)),
        ("webp-trailer.webp", lambda: _webp(trailer=PAGE)),
    ],
)
def test_a_page_hidden_in_a_photo_is_found(name, build):
    with pytest.raises(DomainError) as refused:
        _inspect(name, build())
    assert refused.value.code == "markup" and "网页" in str(refused.value.message)


def test_markup_like_bytes_in_compressed_pixels_do_not_refuse_a_photo():
    """Compressed data is random-looking: '<svg ' turns up in it about once per 500 MB."""
    import io
    import random

    from PIL import Image

    noise = random.Random(7).randbytes(400 * 300 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 300), noise).save(out, "JPEG", quality=95)
    data = out.getvalue()
    sos = data.index(b"\xff\xda")
    at = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big") + 8000  # past the first 4 KB
    lucky = data[:at] + b"<svg onload " + data[at:]
    assert _inspect("noise.jpg", lucky).width == 400
    # The same bytes in the image's comment are refused.
    with pytest.raises(DomainError):
        _inspect("comment.jpg", _jpeg_with_comment(b"<svg onload=alert(1)>"))
