"""sitemap.xml: the public pages search engines should find (django.contrib.sitemaps).

An index at /sitemap.xml names one sitemap per section; a section of more than 50,000 pages
(the activities, at a million) is split into pages `?p=2`, `?p=3`… by the framework. Each
section's latest change comes from one aggregate query, never by reading every row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from sciday.activities.models import PUBLIC_STATUSES as ACTIVITY_PUBLIC
from sciday.activities.models import Activity
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.news.models import PUBLIC_STATUSES as NEWS_PUBLIC
from sciday.news.models import NewsItem
from sciday.resources.models import PUBLIC_STATUSES as RESOURCE_PUBLIC
from sciday.resources.models import Resource
from sciday.showcase.models import Nomination
from sciday.showcase.models import Status as NominationStatus


class PagesSitemap(Sitemap):
    """The site's sections: home, notice, activities (list, calendar, provinces), resources."""

    changefreq = "daily"
    names = [
        "portal:home",
        "portal:notice",
        "activities:list",
        "activities:calendar",
        "activities:provinces",
        "resources:list",
        "news:list",
        "showcase:index",
    ]

    def items(self) -> list[str]:
        return self.names

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> datetime | None:
        campaign = self._campaign()
        return campaign.updated_at if campaign is not None else None

    def get_latest_lastmod(self) -> datetime | None:
        campaign = self._campaign()
        return campaign.updated_at if campaign is not None else None

    def _campaign(self) -> Campaign | None:
        if not hasattr(self, "_current"):
            self._current = campaign_current()
        return self._current


class ArchiveSitemap(Sitemap):
    """Earlier campaigns' home pages (/2022/ …)."""

    changefreq = "yearly"

    def items(self) -> QuerySet[Campaign]:
        current = campaign_current()
        qs = Campaign.objects.filter(is_published=True).order_by("-year")
        return qs.exclude(pk=current.pk) if current is not None else qs

    def location(self, item: Campaign) -> str:
        return reverse("portal:home_year", args=[item.year])

    def lastmod(self, item: Campaign) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class _RowsSitemap(Sitemap):
    """Published rows of a model, by id, with their last change."""

    model: Any
    statuses: frozenset[str]
    url_name: str

    def items(self) -> QuerySet:
        return (
            self.model.objects.filter(status__in=self.statuses)
            .order_by("pk")
            .only("pk", "updated_at")
        )

    def location(self, item: Any) -> str:
        return reverse(self.url_name, args=[item.pk])

    def lastmod(self, item: Any) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class ActivitySitemap(_RowsSitemap):
    model = Activity
    statuses = ACTIVITY_PUBLIC
    url_name = "activities:detail"
    changefreq = "weekly"


class ResourceSitemap(_RowsSitemap):
    model = Resource
    statuses = RESOURCE_PUBLIC
    url_name = "resources:detail"
    changefreq = "monthly"


class NewsSitemap(_RowsSitemap):
    model = NewsItem
    statuses = NEWS_PUBLIC
    url_name = "news:detail"
    changefreq = "weekly"


class ProfileSitemap(_RowsSitemap):
    model = Nomination
    statuses = frozenset({NominationStatus.PUBLISHED})
    url_name = "showcase:detail"
    changefreq = "monthly"


def sitemaps() -> dict[str, type[Sitemap] | Sitemap]:
    """The sections, by name."""
    return {
        "pages": PagesSitemap,
        "archive": ArchiveSitemap,
        "activities": ActivitySitemap,
        "resources": ResourceSitemap,
        "news": NewsSitemap,
        "showcase": ProfileSitemap,
    }
