"""Resources (宣传产品): photos, videos, documents, articles and links of a unit in a campaign.

Two states live side by side, on purpose:

- `status` is the editorial workflow: draft → submitted → published, or submitted → held (the
  sensitive-word screening found something; a moderator looks) → published or returned (with a
  reason) → edited → submitted again. The moderation and screening services are a later slice;
  the states are fixed now so the data does not have to move.
- `processing` is the media pipeline of an uploaded file: pending → running → done, or failed
  with a reason after bounded retries (`sciday.resources.processing`). Articles and links have no
  file: `processing` is `none`. A resource can be submitted only once its processing is done.

The stored file always has a server-generated name (`resources/<yyyy>/<mm>/<hex>.<ext>`, the
extension decided by the detected type); the name the uploader's computer gave is kept, cleaned,
for display and downloads only (`original_name`). Derived files (the preview — a video's poster
frame or a PDF's first page — and the WebP thumbnails) sit next to it under the same stem.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PHOTO = "photo", _("photo")
    VIDEO = "video", _("video")
    DOCUMENT = "document", _("document")
    ARTICLE = "article", _("article")
    LINK = "link", _("link")


FILE_KINDS = frozenset({Kind.PHOTO, Kind.VIDEO, Kind.DOCUMENT})
# Kinds that may show people: the uploader confirms their consent to publication.
PEOPLE_KINDS = frozenset({Kind.PHOTO, Kind.VIDEO})


class Licence(models.TextChoices):
    """A short list on purpose: the platform's own use, or one of four Creative Commons terms."""

    PLATFORM = "platform", _("platform use only (all rights reserved)")
    CC_BY = "cc-by-4.0", _("CC BY 4.0 (attribution)")
    CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0 (attribution, share alike)")
    CC_BY_NC = "cc-by-nc-4.0", _("CC BY-NC 4.0 (attribution, non-commercial)")
    CC0 = "cc0-1.0", _("public domain (CC0 1.0)")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    HELD = "held", _("held for moderation")
    PUBLISHED = "published", _("published")
    RETURNED = "returned", _("returned")


PUBLIC_STATUSES = frozenset({Status.PUBLISHED})


class Processing(models.TextChoices):
    NONE = "none", _("no file to process")
    PENDING = "pending", _("waiting to be processed")
    RUNNING = "running", _("being processed")
    DONE = "done", _("processed")
    FAILED = "failed", _("processing failed")


class Tag(models.Model):
    """A free keyword (科普, 航天...), shared by every resource; created on first use."""

    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """One publicity product of a unit in a campaign, optionally of one activity."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="resources"
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="+")
    attribution = models.CharField(
        _("author or attribution"),
        max_length=200,
        help_text=_("Who made it, as it should be credited (photographer, author, unit)."),
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.PLATFORM
    )
    people_consent = models.BooleanField(
        _("consent of the people shown"),
        default=False,
        help_text=_(
            "The people who can be recognised in it agreed to its publication, or no one can be"
            " recognised. Required for photos and videos."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    screening_hits = models.JSONField(
        _("sensitive words found"),
        default=list,
        blank=True,
        help_text="[{word, field}] found by the screening on the last submission",
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown on the campaign's theme site.")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)

    # Article and link.
    body = models.TextField(_("article text"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)

    # The uploaded file: server-generated name; type detected from the content.
    file = models.FileField(_("file"), max_length=200, blank=True)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    mime_type = models.CharField(_("detected type"), max_length=100, blank=True)

    # Processing of the file (see `sciday.resources.processing`).
    processing = models.CharField(
        _("processing"), max_length=10, choices=Processing.choices, default=Processing.NONE
    )
    processing_error = models.CharField(_("processing error"), max_length=300, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    processing_since = models.DateTimeField(_("processing state since"), null=True, blank=True)

    # What processing derived from the file.
    preview = models.FileField(_("preview"), max_length=200, blank=True)
    thumbnails = models.JSONField(
        _("thumbnails"), default=dict, blank=True, help_text="{width: storage name} (WebP)"
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration = models.FloatField(_("duration in seconds"), null=True, blank=True)
    codec = models.CharField(_("codec"), max_length=40, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    extracted_text = models.TextField(_("extracted text"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["processing", "processing_since"]),
            models.Index(fields=["campaign", "featured"], name="resources_featured_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=0), name="resources_resource_size_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_file(self) -> bool:
        return self.kind in FILE_KINDS

    def stored_names(self) -> list[str]:
        """Return every storage name this resource owns (the file, its preview, thumbnails)."""
        names = [self.file.name, self.preview.name, *self.thumbnails.values()]
        return [n for n in names if n]


class ResourceEvent(models.Model):
    """One step of a resource's workflow: who moved it from which status to which, and why.

    Kept beside the audit log because the workspace page shows the history to the unit and its
    moderators: one indexed query by resource, readable without audit-log rights.
    """

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("by"), max_length=200, blank=True)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    note = models.TextField(_("reason or note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("resource event")
        verbose_name_plural = _("resource events")
        ordering = ["resource", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.from_status or '-'} → {self.to_status}"


class ResumableUpload(models.Model):
    """A file being uploaded in pieces (tus 1.0, `sciday.resources.tus`), not yet a resource.

    The bytes received so far sit in one local file, `settings.RESOURCE_UPLOAD_DIR / file_name`
    (a server-generated name). Once `offset == length` the upload is complete and the upload form
    or the API names it (`services.resource_create_from_resumable`): the file then goes through
    the same checks and storage as a plain upload, and this row and its file are removed. An
    upload left alone past `expires_at` is removed by `manage.py resources_recover`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    display_name = models.CharField(_("original file name"), max_length=200)
    length = models.BigIntegerField(_("size in bytes"))
    offset = models.BigIntegerField(_("bytes received"), default=0)
    file_name = models.CharField(max_length=100, unique=True, help_text="in RESOURCE_UPLOAD_DIR")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("resumable upload")
        verbose_name_plural = _("resumable uploads")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offset__gte=0) & models.Q(offset__lte=models.F("length")),
                name="resources_upload_offset_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.offset}/{self.length})"

    @property
    def is_complete(self) -> bool:
        return self.offset >= self.length
