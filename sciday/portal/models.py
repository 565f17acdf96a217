"""How a campaign's home page is composed: its banner, featured activities, order of blocks.

One `HomeLayout` per campaign, written only by `sciday.portal.services` (campaign admins). A
campaign without one shows the designed CSS banner and every block in the default order.
Featured resources are not stored here: they are the resource library's own `featured` flag
(`resource_feature` / `resource_unfeature`), which the composition page sets.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Block(models.TextChoices):
    """The home page's blocks below the banner, which campaign admins order and show or hide."""

    FIGURES = "figures", _("Figures")
    NEWS = "news", _("Latest news")
    ACTIVITIES = "activities", _("Featured activities")
    RESOURCES = "resources", _("Featured resources")
    SHOWCASE = "showcase", _("Showcase")
    SECTIONS = "sections", _("Sections of the site")
    DATES = "dates", _("Key dates and categories")


DEFAULT_BLOCKS: list[list[str | bool]] = [[block.value, True] for block in Block]


def default_blocks() -> list[list[str | bool]]:
    return [list(entry) for entry in DEFAULT_BLOCKS]


class HomeLayout(models.Model):
    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="home_layout",
    )
    # Re-encoded by `home_banner_set` (JPEG from the pixels alone, EXIF dropped), under a
    # generated name; served by `portal:banner` for published campaigns.
    banner = models.FileField(_("banner image"), upload_to="portal/banners/", blank=True)
    banner_width = models.PositiveIntegerField(_("banner width"), null=True, blank=True)
    banner_height = models.PositiveIntegerField(_("banner height"), null=True, blank=True)
    # [[block, shown], ...] in display order; every Block appears once (kept by the services).
    blocks = models.JSONField(_("blocks"), default=default_blocks)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("home page layout")
        verbose_name_plural = _("home page layouts")

    def __str__(self) -> str:
        return str(self.campaign)

    @property
    def banner_url(self) -> str:
        """The banner's URL (its generated name as `?v=`, so it may be cached), or ""."""
        if not self.banner.name:
            return ""
        version = PurePosixPath(self.banner.name).stem[:12]
        return reverse("portal:banner", args=[self.campaign_id]) + f"?v={version}"

    def ordered_blocks(self) -> list[tuple[str, bool]]:
        """Return [(block, shown)] in order: unknown entries dropped, new blocks appended shown."""
        seen: set[str] = set()
        rows: list[tuple[str, bool]] = []
        for key, shown in self.blocks or []:
            if key in Block.values and key not in seen:
                seen.add(str(key))
                rows.append((str(key), bool(shown)))
        rows += [(key, True) for key in Block.values if key not in seen]
        return rows

    def shown_blocks(self) -> list[str]:
        return [key for key, shown in self.ordered_blocks() if shown]


class FeaturedActivity(models.Model):
    """A published activity the campaign admins chose for the home page, in their order."""

    layout = models.ForeignKey(HomeLayout, on_delete=models.CASCADE, related_name="featured")
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("featured activity")
        verbose_name_plural = _("featured activities")
        ordering = ["layout", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "activity"], name="portal_featured_once")
        ]

    def __str__(self) -> str:
        return f"{self.layout} · {self.activity_id}"
