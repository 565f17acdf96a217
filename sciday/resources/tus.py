"""Resumable uploads, tus 1.0.0 (https://tus.io/protocols/resumable-upload): the protocol's logic.

Extensions: creation, termination, expiration (no checksum, no deferred length, no concatenation).
The views (`views_tus.py`) only translate HTTP to these functions and `TusError` back to HTTP.

- `upload_create` refuses before a byte is sent whatever can be known from the length and the
  metadata (filename, kind, unit): the person's right to create resources of the unit
  (`policy.require_edit_in`), the kind, the name's extension (the same tables and messages as
  `uploads.inspect_upload`), the kind's size limit, the unit's quota (`services._check_quota`)
  and the number of uploads the person has open (`MAX_OPEN`). It writes the row and an empty
  file with a server-generated name in `settings.RESOURCE_UPLOAD_DIR`.
- `upload_append` appends a PATCH's body at the recorded offset, read from the request in
  `CHUNK_BYTES` pieces (memory stays flat for a 2 GB video). An exclusive lock on the partial
  file (flock) keeps two PATCHes of one upload apart (423 for the second). What arrived before a
  broken connection is kept and counted: the client asks the offset (HEAD) and goes on from it.
  Each PATCH pushes the expiry `RESOURCE_UPLOAD_EXPIRY_HOURS` further.
- A complete upload is not a resource yet: `services.resource_create_from_resumable` checks it
  like any upload (content, hostile files) and stores it, then removes the row and the file.
- `resumable_expire` (run by `manage.py resources_recover`) removes expired uploads and stray
  partial files.

No audit entry is written for these rows: they are transient, owned by the person alone, and the
resource made from one is audited when it is created.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs.models import Unit
from sciday.resources import policy, uploads
from sciday.resources.models import FILE_KINDS, Kind, ResumableUpload

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
CHUNK_BYTES = 1024 * 1024
MAX_OPEN = 10  # uploads one person may have open at once
_FILE_NAME = re.compile(r"^[0-9a-f]{32}\.part$")


class TusError(Exception):
    """A refusal with its HTTP status and a message for people (`code` for machines)."""

    def __init__(self, status: int, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


def upload_dir() -> Path:
    path = Path(settings.RESOURCE_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_path(upload: ResumableUpload) -> Path:
    return Path(settings.RESOURCE_UPLOAD_DIR) / upload.file_name


def max_size() -> int:
    return max(int(v) for v in settings.RESOURCE_MAX_BYTES.values())


def _expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(hours=settings.RESOURCE_UPLOAD_EXPIRY_HOURS)


# --- Headers ---------------------------------------------------------------------------------


def parse_length(value: str | None) -> int:
    """Return the Upload-Length header's value; refuse a missing or malformed one (400)."""
    if value is None or not value.strip().isdigit():
        raise TusError(400, _("The upload's length (Upload-Length) is missing or not a number."))
    return int(value)


def parse_offset(value: str | None) -> int:
    if value is None or not value.strip().isdigit():
        raise TusError(400, _("The upload's offset (Upload-Offset) is missing or not a number."))
    return int(value)


def parse_metadata(value: str | None) -> dict[str, str]:
    """Return the Upload-Metadata pairs (`key base64value`, comma-separated) as text."""
    pairs: dict[str, str] = {}
    for item in (value or "").split(","):
        item = item.strip()
        if not item:
            continue
        key, _sep, encoded = item.partition(" ")
        try:
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise TusError(
                400, _("The upload's metadata (Upload-Metadata) cannot be read.")
            ) from None
    return pairs


def expires_header(upload: ResumableUpload) -> str:
    """Return `expires_at` as an HTTP date (the Upload-Expires header)."""
    from django.utils.http import http_date

    return http_date(upload.expires_at.timestamp())


# --- Early checks ----------------------------------------------------------------------------


def _check_name(kind: str, name: str) -> str:
    """Refuse by name what `uploads.inspect_upload` would refuse by name; return the clean name."""
    display = uploads.clean_display_name(name)
    if not display:
        raise TusError(400, _("The file has no name."), "file_refused")
    parts = [p.lower() for p in display.split(".")[1:]]
    if any(p in uploads.DANGEROUS_EXTENSIONS for p in parts[:-1]):
        raise TusError(
            415,
            _(
                "File names with a second extension such as .php.jpg are not accepted:"
                " rename the file."
            ),
            "double_extension",
        )
    suffix = Path(display).suffix.lower()
    extension = uploads.ALIASES.get(suffix, suffix)
    if extension in (".svg", ".svgz"):
        raise TusError(
            415,
            _("SVG images are not accepted (they can carry scripts): upload a PNG or JPEG."),
            "svg",
        )
    if extension in uploads.LEGACY_OFFICE:
        raise TusError(
            415,
            _("Old Office formats are not accepted: save it as PDF, .docx, .xlsx or .pptx."),
            "type",
        )
    fmt = uploads.FORMATS.get(extension)
    if fmt is None or fmt.kind != kind:
        accepted = ", ".join(sorted({e for e, f in uploads.FORMATS.items() if f.kind == kind}))
        raise TusError(
            415,
            _("This type of file is not accepted for a %(kind)s. Accepted: %(accepted)s.")
            % {"kind": Kind(kind).label, "accepted": accepted},
            "type",
        )
    return display


def _check_size(kind: str, length: int) -> None:
    if length <= 0:
        raise TusError(400, _("The file is empty."), "empty")
    limit = uploads.limit_for(kind)
    if length > limit:
        raise TusError(
            413,
            _("The file is %(size)s, more than the %(limit)s allowed for a %(kind)s.")
            % {
                "size": uploads.human_size(length),
                "limit": uploads.human_size(limit),
                "kind": Kind(kind).label,
            },
            "too_large",
        )


def _unit(actor, value: str) -> Unit:
    if not value.isdigit():
        raise TusError(400, _('Say which unit the file is for (metadata "unit").'), "unit")
    unit = Unit.objects.filter(pk=int(value), is_active=True).first()
    try:
        if unit is None:
            raise Http404
        policy.require_edit_in(actor, unit)
    except NotAllowed:
        raise TusError(403, _("You may not add resources to this unit."), "forbidden") from None
    except Http404:
        raise TusError(
            404, _("This unit does not exist or is not visible to you."), "unit"
        ) from None
    return unit


def upload_create(*, actor, length: int, metadata: dict[str, str]) -> ResumableUpload:
    """Check what can be checked before the bytes come; write the row and an empty file."""
    kind = metadata.get("kind", "")
    if kind not in FILE_KINDS:
        raise TusError(400, _("Only photos, videos and documents are uploaded."), "kind")
    unit = _unit(actor, metadata.get("unit", ""))
    display = _check_name(kind, metadata.get("filename", ""))
    _check_size(kind, length)

    from sciday.resources.services import _check_quota

    try:
        _check_quota(unit, length)
    except DomainError as error:
        raise TusError(413, str(error.message), error.code) from None
    now = timezone.now()
    with transaction.atomic():
        # The person's row is locked so that two uploads started at once are counted in turn.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        open_count = ResumableUpload.objects.filter(owner=actor, expires_at__gt=now).count()
        if open_count >= MAX_OPEN:
            raise TusError(
                429,
                _(
                    "You already have %(count)s unfinished uploads: finish or cancel one before"
                    " starting another."
                )
                % {"count": open_count},
                "too_many_uploads",
            )
        upload = ResumableUpload.objects.create(
            owner=actor,
            unit=unit,
            kind=kind,
            display_name=display,
            length=length,
            file_name=f"{uuid.uuid4().hex}.part",
            expires_at=_expiry(now),
        )
        # Exclusive creation: a generated name never replaces anything.
        with open(upload_dir() / upload.file_name, "xb"):
            pass
    return upload


# --- Reading, appending, terminating ----------------------------------------------------------


def upload_get(*, actor, upload_id) -> ResumableUpload:
    """Return the person's own upload; 404 for anyone else's or an unknown id, 410 once expired."""
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        raise TusError(404, _("This upload does not exist."), "not_found") from None
    if not getattr(actor, "is_authenticated", False):
        raise TusError(404, _("This upload does not exist."), "not_found")
    upload = ResumableUpload.objects.filter(pk=key, owner=actor).first()
    if upload is None:
        raise TusError(404, _("This upload does not exist."), "not_found")
    if upload.expires_at <= timezone.now():
        _remove(upload)
        raise TusError(410, _("This upload has expired: start it again."), "expired")
    return upload


@contextmanager
def _locked(upload: ResumableUpload) -> Iterator[IO[bytes]]:
    """Open the partial file for writing under an exclusive lock (423 when it is taken)."""
    try:
        handle = open(partial_path(upload), "r+b")  # noqa: SIM115 — closed below
    except FileNotFoundError:
        raise TusError(404, _("This upload does not exist."), "not_found") from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TusError(
                423, _("This upload is receiving data in another request."), "locked"
            ) from None
        yield handle
    finally:
        handle.close()


def upload_append(
    *, upload: ResumableUpload, offset: int, body: Readable, content_length: int | None
) -> ResumableUpload:
    """Append a PATCH's body at `offset`; return the upload with its new offset.

    409 when `offset` is not the recorded one; 413 when the body would go beyond the length.
    Bytes read before a broken connection are kept and counted.
    """
    if offset != upload.offset:
        raise TusError(
            409,
            _("The upload is at byte %(offset)s, not %(sent)s: ask for the offset and go on.")
            % {"offset": upload.offset, "sent": offset},
            "offset_mismatch",
        )
    remaining = upload.length - upload.offset
    if content_length is not None and content_length > remaining:
        raise TusError(
            413,
            _("These bytes go beyond the upload's announced length (%(length)s bytes).")
            % {"length": upload.length},
            "beyond_length",
        )
    with _locked(upload) as handle:
        # Reread under the lock: another request may have moved the offset meanwhile.
        current = ResumableUpload.objects.filter(pk=upload.pk).values_list("offset", flat=True)
        recorded = current.first()
        if recorded is None:
            raise TusError(404, _("This upload does not exist."), "not_found")
        if recorded != offset:
            raise TusError(
                409, _("The upload moved on meanwhile: ask for the offset."), "offset_mismatch"
            )
        handle.seek(offset)
        handle.truncate()  # drop bytes a crashed request wrote but never recorded
        written = 0
        broken: BaseException | None = None
        try:
            while written < remaining:
                chunk = body.read(min(CHUNK_BYTES, remaining - written))
                if not chunk:
                    break
                handle.write(chunk)
                written += len(chunk)
            extra = body.read(1) if written >= remaining and content_length is None else b""
        except OSError as exc:  # the connection broke: keep what came
            broken, extra = exc, b""
        if content_length is not None and written < content_length:
            broken = broken or EOFError()
        handle.flush()
        os.fsync(handle.fileno())
        now = timezone.now()
        upload.offset = offset + written
        upload.expires_at = _expiry(now)
        upload.updated_at = now
        ResumableUpload.objects.filter(pk=upload.pk).update(
            offset=upload.offset, expires_at=upload.expires_at, updated_at=now
        )
    if extra:
        raise TusError(
            413,
            _("These bytes go beyond the upload's announced length (%(length)s bytes).")
            % {"length": upload.length},
            "beyond_length",
        )
    if broken is not None:
        raise TusError(400, _("The connection broke: ask for the offset and go on."), "broken")
    return upload


def _remove(upload: ResumableUpload) -> None:
    path = partial_path(upload)
    upload.delete()
    path.unlink(missing_ok=True)


def upload_terminate(*, upload: ResumableUpload) -> None:
    """Remove an upload and its bytes (the termination extension)."""
    with _locked(upload):
        _remove(upload)


def upload_take(*, actor, upload_id) -> ResumableUpload:
    """Return the person's complete upload for making a resource (DomainError otherwise)."""
    try:
        upload = upload_get(actor=actor, upload_id=upload_id)
    except TusError as error:
        raise DomainError(
            _("The uploaded file was not found (it may have expired): choose the file again."),
            field="file",
            code=error.code,
        ) from None
    if not upload.is_complete:
        raise DomainError(
            _(
                "The file has not finished uploading (%(done)s of %(total)s): wait for the upload"
                " to finish, then save."
            )
            % {
                "done": uploads.human_size(upload.offset),
                "total": uploads.human_size(upload.length),
            },
            field="file",
            code="incomplete",
        )
    return upload


@contextmanager
def upload_opened(upload: ResumableUpload) -> Iterator[IO[bytes]]:
    """Open a complete upload's bytes for reading, under its lock (a second taker gets 423)."""
    with _locked(upload) as handle:
        if not ResumableUpload.objects.filter(pk=upload.pk).exists():  # taken meanwhile
            raise TusError(404, _("This upload does not exist."), "not_found")
        handle.seek(0)
        yield handle


def upload_discard(upload: ResumableUpload) -> None:
    """Remove an upload's row and bytes (after it became a resource, or was refused)."""
    _remove(upload)


# --- Expiry ----------------------------------------------------------------------------------


def resumable_expire(*, now: datetime | None = None) -> int:
    """Remove expired uploads and their bytes, and partial files no row knows; return the count."""
    now = now or timezone.now()
    removed = 0
    for upload in ResumableUpload.objects.filter(expires_at__lte=now):
        _remove(upload)
        removed += 1
    folder = Path(settings.RESOURCE_UPLOAD_DIR)
    if folder.is_dir():
        known = set(ResumableUpload.objects.values_list("file_name", flat=True))
        cutoff = (now - timedelta(hours=settings.RESOURCE_UPLOAD_EXPIRY_HOURS)).timestamp()
        for path in folder.iterdir():
            if (
                _FILE_NAME.match(path.name)
                and path.name not in known
                and path.stat().st_mtime < cutoff
            ):
                path.unlink(missing_ok=True)
                removed += 1
    return removed
