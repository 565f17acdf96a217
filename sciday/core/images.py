"""Pictures people upload (an activity's cover): checked by content, then re-encoded.

`image_reencode` is the only way an uploaded picture reaches storage. It
- refuses an empty file or one above `max_bytes` before decoding anything;
- accepts JPEG, PNG and WebP only, recognised by Pillow from the bytes, and a file name (when
  there is one) whose extension says the same kind;
- refuses pictures above `max_pixels` before decoding them (decompression bombs: Pillow's own
  limit stays on as well), and truncated or corrupt files;
- applies the EXIF orientation (`ImageOps.exif_transpose`), then writes new files from the
  pixels alone: EXIF (GPS position, camera, time), XMP, comments and colour profiles are not
  copied, and nothing of the original bytes (a polyglot's HTML or script) survives;
- returns a JPEG no larger than `max_side` on its long side, and a WebP thumbnail cropped to
  `thumb_size` for lists.
Refusals are `DomainError`s on the given field, with a message that says what to upload.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from sciday.core.errors import DomainError

FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
MAX_PIXELS = 50_000_000
MAX_SIDE = 1600
THUMB_SIZE = (480, 270)


@dataclass(frozen=True)
class Reencoded:
    """A re-encoded picture: the JPEG, its size, and the WebP thumbnail."""

    jpeg: bytes
    width: int
    height: int
    thumb_webp: bytes


def _refuse(message, field: str, code: str) -> DomainError:
    return DomainError(message, field=field, code=code)


def _read(file: IO[bytes] | bytes, max_bytes: int, field: str) -> bytes:
    if isinstance(file, bytes):
        data = file
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if not data:
        raise _refuse(_("The file is empty."), field, "empty")
    if len(data) > max_bytes:
        raise _refuse(
            _("The picture is larger than %(mb)s MB; upload a smaller one.")
            % {"mb": f"{max_bytes / (1024 * 1024):g}"},
            field,
            "too_large",
        )
    return data


def image_reencode(
    file: IO[bytes] | bytes,
    *,
    name: str = "",
    max_bytes: int,
    max_pixels: int = MAX_PIXELS,
    max_side: int = MAX_SIDE,
    thumb_size: tuple[int, int] = THUMB_SIZE,
    field: str = "image",
) -> Reencoded:
    """Check the uploaded picture `file` (named `name`) and return it re-encoded."""
    wrong_kind = _("Upload a JPEG, PNG or WebP picture.")
    data = _read(file, max_bytes, field)
    expected = EXTENSIONS.get(PurePath(name).suffix.lower()) if name else None
    if name and expected is None:
        raise _refuse(wrong_kind, field, "wrong_type")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if expected is not None and image.format != expected:
                raise _refuse(
                    _("The file's name does not match its content; upload a JPEG, PNG or WebP."),
                    field,
                    "type_mismatch",
                )
            if image.width * image.height > max_pixels:
                raise _refuse(
                    _("The picture has too many pixels; upload one under %(mp)s megapixels.")
                    % {"mp": max_pixels // 1_000_000},
                    field,
                    "too_many_pixels",
                )
            image.load()
            upright: Image.Image = ImageOps.exif_transpose(image)
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            _("The picture has too many pixels; upload one under %(mp)s megapixels.")
            % {"mp": max_pixels // 1_000_000},
            field,
            "too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse(wrong_kind, field, "wrong_type") from None
    rgb = _flatten(upright)
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    thumb = ImageOps.fit(rgb, thumb_size, Image.Resampling.LANCZOS)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, format="WEBP", quality=80, method=4)
    return Reencoded(
        jpeg=out.getvalue(), width=rgb.width, height=rgb.height, thumb_webp=thumb_out.getvalue()
    )


def _flatten(image: Image.Image) -> Image.Image:
    """Return an RGB copy of `image`, transparent parts on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
