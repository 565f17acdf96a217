"""News and announcements (新闻与公告) of a campaign, written by national or unit editors.

An item belongs to a campaign and to the unit that writes it. Its status moves only through
`sciday.news.services`: draft → submitted → published, or submitted → returned (with a reason) →
edited → submitted again; campaign admins may withdraw a published item (with a reason), which
its unit may then edit and submit again. Each move leaves a `NewsEvent` (who, from, to, why) for
the history shown in the workspace, besides the audit log entry.

Campaign admins pin published items: pinned ones come first on /news/, the most recently pinned
first, then every other item newest first.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    NATIONAL = "national", _("national news")
    LOCAL = "local", _("local news")
    MEDIA = "media", _("media coverage")
    ANNOUNCEMENT = "announcement", _("announcement")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    PUBLISHED = "published", _("published")
    RETURNED = "returned", _("returned")
    WITHDRAWN = "withdrawn", _("withdrawn")


PUBLIC_STATUSES = frozenset({Status.PUBLISHED})
# Statuses in which the unit may change the item (and then submit it).
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED, Status.WITHDRAWN})


class NewsItem(models.Model):
    """One piece of news or one announcement of a unit in a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="news_items",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="news_items",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    # Sanitized HTML (`sciday.core.richtext.richtext_clean`, applied by the services): templates
    # render it with |safe. Nothing else may write it.
    body = models.TextField(_("text"), blank=True)
    # The cover picture, re-encoded by `news_cover_set` (JPEG, EXIF dropped) with a WebP
    # thumbnail for lists; served through `news:cover`, which checks visibility.
    cover = models.FileField(_("cover image"), upload_to="news/covers/", blank=True)
    cover_thumb = models.FileField(_("cover thumbnail"), upload_to="news/covers/", blank=True)
    cover_width = models.PositiveIntegerField(_("cover width"), null=True, blank=True)
    cover_height = models.PositiveIntegerField(_("cover height"), null=True, blank=True)
    # Media coverage: the outlet and the original article.
    source_name = models.CharField(_("source"), max_length=100, blank=True)
    source_url = models.URLField(_("link to the original"), max_length=500, blank=True)
    attachments = models.ManyToManyField(
        "resources.Resource",
        verbose_name=_("attachments"),
        blank=True,
        related_name="news_items",
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    pinned_at = models.DateTimeField(_("pinned"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-published_at", "-id"]
        indexes = [
            # The public list: pinned first, then newest; whole or by category.
            models.Index(
                fields=["status", "-pinned", "-pinned_at", "-published_at", "-id"],
                name="news_public_order",
            ),
            models.Index(
                fields=["status", "category", "-pinned", "-pinned_at", "-published_at", "-id"],
                name="news_public_category",
            ),
            models.Index(fields=["unit", "status"], name="news_unit_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def _cover_url(self, size: str, name: str | None) -> str:
        if not name:
            return ""
        # The generated name changes with each upload, so caches never show an old picture.
        version = PurePosixPath(name).stem[:12]
        return reverse("news:cover", args=[self.pk, size]) + f"?v={version}"

    @property
    def cover_url(self) -> str:
        """The cover's URL (checked by the view), or "" without a cover."""
        return self._cover_url("full", self.cover.name)

    @property
    def cover_thumb_url(self) -> str:
        """The list thumbnail's URL, or "" without a cover."""
        return self._cover_url("thumb", self.cover_thumb.name)


class NewsEvent(models.Model):
    """One step of an item's workflow: who moved it from which status to which, and why."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("by"), max_length=200, blank=True)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("news event")
        verbose_name_plural = _("news events")
        ordering = ["item", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status or '-'} → {self.to_status}"
