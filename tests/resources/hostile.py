"""Test files built at test time: valid media and the hostile corpus. No binary blob is shipped.

Each builder returns bytes. The hostile ones are refused by `sciday.resources.uploads`.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

from PIL import Image

# --- Valid files --------------------------------------------------------------------------


def jpeg(width: int = 120, height: int = 80, *, exif: Image.Exif | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (30, 120, 200))
    for x in range(width // 2):  # a marker in the top-left, to check the orientation
        image.putpixel((x, 0), (255, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif or Image.Exif())
    return out.getvalue()


def ffprobe_tags(path: Path) -> dict:
    """The container's metadata tags, as ffprobe reads them."""
    import json

    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    return json.loads(out)["format"].get("tags", {})


def exif_with_gps(orientation: int = 6) -> Image.Exif:
    """EXIF with a GPS position (Hangzhou) and an orientation tag."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SciDay Camera"  # Make
    exif[0x8825] = {  # GPSInfo IFD
        1: "N",
        2: (30.0, 15.0, 0.0),
        3: "E",
        4: (120.0, 10.0, 0.0),
    }
    return exif


def png(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 10, 128)).save(out, "PNG")
    return out.getvalue()


def pdf(pages: list[str]) -> bytes:
    """A small valid PDF, one line of Helvetica text per page, written by hand."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R"
            f" /Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def docx(paragraphs: list[str], *, extra: dict[str, bytes] | None = None) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


VIDEO_LOCATION = "+30.2741+120.1551/"


def has_ffmpeg() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def mp4(tmp: Path, *, seconds: int = 2) -> bytes:
    """A tiny H.264 MP4 (64 × 48, 10 fps) made by ffmpeg, with a silent audio track and the
    place it was "shot" in its metadata (as phones write it); its index (moov) is at the end."""
    path = tmp / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-f", "lavfi",
            "-i", f"testsrc=size=64x48:rate=10:duration={seconds}",
            "-f", "lavfi", "-i", f"anullsrc=r=8000:cl=mono:d={seconds}",
            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-c:a", "aac", "-shortest",
            "-metadata", f"location={VIDEO_LOCATION}", "-metadata", "title=GPS clip",
            str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path.read_bytes()


# --- The hostile corpus -------------------------------------------------------------------


def elf() -> bytes:
    """The start of a 64-bit Linux executable."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def polyglot_jpeg_html() -> bytes:
    """A valid JPEG with a web page after its end (a browser sniffing it finds the page)."""
    return jpeg() + b"<html><body><script>alert(document.cookie)</script></body></html>"


def svg_with_script() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels: signature, IHDR, a tiny IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def zip_bomb_docx(megabytes: int = 20) -> bytes:
    """A .docx whose document.xml inflates to `megabytes` of zeros (about 1000:1)."""
    return docx(["炸弹"], extra={"word/media/padding.bin": b"\x00" * (megabytes * 1024 * 1024)})
