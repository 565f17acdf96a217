"""Reads for the public theme site: the countdown, the composed home page, its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sciday.activities.models import Activity, Signup, SignupStatus
from sciday.activities.models import Status as ActivityStatus
from sciday.campaigns import policy as campaign_policy
from sciday.campaigns.models import Campaign
from sciday.campaigns.policy import Cap as CampaignCap
from sciday.portal.models import HomeLayout, default_blocks
from sciday.resources.models import Resource
from sciday.resources.models import Status as ResourceStatus

# The Day is a Chinese date: the countdown turns at midnight in Beijing, whatever the server's
# own time zone.
DAY_ZONE = ZoneInfo("Asia/Shanghai")
FIGURES_SECONDS = 60
FEATURED_RESOURCES = 8
LATEST_NEWS = 5
SHOWCASE_PEOPLE = 6
CANDIDATES = 20
COUNTED = (ActivityStatus.PUBLISHED, ActivityStatus.FINISHED)


@dataclass(frozen=True)
class Countdown:
    """Where today stands against the campaign: before the Day, on it, during or after."""

    state: str  # "before", "today", "after_day", "over"
    days: int


def campaign_countdown(
    *, campaign: Campaign, today: date | None = None, now: datetime | None = None
) -> Countdown:
    """Return the countdown to the Day (30 May), today being taken in Asia/Shanghai."""
    if today is None:
        today = timezone.localtime(now or timezone.now(), DAY_ZONE).date()
    if today < campaign.day:
        return Countdown("before", (campaign.day - today).days)
    if today == campaign.day:
        return Countdown("today", 0)
    if today <= campaign.window_end:
        return Countdown("after_day", (today - campaign.day).days)
    return Countdown("over", (today - campaign.window_end).days)


def campaign_for_home(*, campaign: Campaign) -> Campaign:
    """Return the campaign with what the home page shows prefetched (categories, contacts)."""
    prefetch_related_objects([campaign], "categories__subtypes", "contacts__department")
    return campaign


def campaign_for_year(*, viewer, year: int) -> Campaign:
    """Return the campaign of `year` for its archived home page; 404 unless `viewer` may see it."""
    campaign = get_object_or_404(
        Campaign.objects.prefetch_related("categories__subtypes", "contacts__department"),
        year=year,
    )
    if not campaign_policy.can(viewer, CampaignCap.CAMPAIGN_VIEW, campaign):
        raise Http404
    return campaign


def home_layout(*, campaign: Campaign) -> HomeLayout:
    """Return the campaign's layout, or an unsaved default one (designed banner, every block)."""
    layout = HomeLayout.objects.filter(campaign=campaign).first()
    if layout is None:
        layout = HomeLayout(campaign=campaign, blocks=default_blocks())
    layout.campaign = campaign
    return layout


def home_featured_activities(*, layout: HomeLayout) -> list[Activity]:
    """Return the featured activities still published, in the admins' order, ready for cards."""
    if layout.pk is None:
        return []
    rows = (
        layout.featured.filter(activity__status__in=COUNTED)
        .select_related("activity__lead_unit", "activity__category", "activity__region__parent")
        .order_by("position", "id")
    )
    activities = [row.activity for row in rows]
    prefetch_related_objects(activities, "co_organizers")
    return activities


def home_featured_resources(
    *, campaign: Campaign, limit: int = FEATURED_RESOURCES
) -> list[Resource]:
    """Return the campaign's featured published resources, newest first, each with `card_image`."""
    from sciday.resources.views_public import card_image_url

    resources = list(
        Resource.objects.filter(campaign=campaign, featured=True, status=ResourceStatus.PUBLISHED)
        .select_related("unit")
        .order_by("-published_at", "-pk")[:limit]
    )
    for resource in resources:
        resource.card_image = card_image_url(resource)  # type: ignore[attr-defined]
    return resources


def home_latest_news(*, campaign: Campaign, limit: int = LATEST_NEWS) -> list:
    """Return the campaign's latest published news, pinned first (one query)."""
    from sciday.news.selectors import news_public_list

    return list(news_public_list().filter(campaign=campaign)[:limit])


def home_showcase(*, campaign: Campaign, limit: int = SHOWCASE_PEOPLE) -> list:
    """Return published profiles of the campaign's honours, each with `texts` (one query)."""
    from sciday.showcase.selectors import profile_list
    from sciday.showcase.views_public import localized

    people = list(profile_list(year=campaign.year)[:limit])
    for person in people:
        person.texts = localized(person)  # type: ignore[attr-defined]
    return people


@dataclass(frozen=True)
class Figures:
    """The campaign's live figures on the home page."""

    activities: int
    units: int
    provinces: int
    participants: int


def _figures_key(campaign_id: int) -> str:
    return f"portal:figures:{campaign_id}"


def home_figures(*, campaign: Campaign) -> Figures:
    """Return the campaign's figures (cached for a minute; two aggregate queries on a miss).

    Activities published or finished; the units leading them; the provinces they count for;
    participants: an activity's actual participants once reported, else its confirmed sign-ups.
    """
    cached = cache.get(_figures_key(campaign.pk))
    if isinstance(cached, Figures):
        return cached
    counted = Activity.objects.filter(campaign=campaign, status__in=COUNTED)
    totals = counted.aggregate(
        activities=Count("id"),
        units=Count("lead_unit", distinct=True),
        provinces=Count("province", distinct=True, filter=~Q(province="")),
        reported=Sum("actual_participants"),
    )
    signed_up = Signup.objects.filter(
        activity__campaign=campaign,
        activity__status__in=COUNTED,
        activity__actual_participants__isnull=True,
        status=SignupStatus.CONFIRMED,
    ).count()
    figures = Figures(
        activities=totals["activities"] or 0,
        units=totals["units"] or 0,
        provinces=totals["provinces"] or 0,
        participants=(totals["reported"] or 0) + signed_up,
    )
    cache.set(_figures_key(campaign.pk), figures, FIGURES_SECONDS)
    return figures


def archive_years(*, campaign: Campaign) -> list[int]:
    """Return the years of published campaigns, newest first (the archive's year switcher)."""
    years = list(
        Campaign.objects.filter(is_published=True).order_by("-year").values_list("year", flat=True)
    )
    if campaign.year not in years:
        years = sorted([*years, campaign.year], reverse=True)
    return years


# --- The composition page ---------------------------------------------------------------------


def activity_feature_candidates(
    *, campaign: Campaign, layout: HomeLayout, q: str
) -> list[Activity]:
    """Return published activities of `campaign` whose title contains `q`, not yet featured."""
    q = " ".join(q.split())[:100]
    if not q:
        return []
    qs = Activity.objects.filter(campaign=campaign, status__in=COUNTED, title__icontains=q)
    if layout.pk is not None:
        qs = qs.exclude(pk__in=layout.featured.values("activity_id"))
    return list(qs.select_related("lead_unit").order_by("-published_at", "-pk")[:CANDIDATES])


def resource_feature_candidates(*, campaign: Campaign, q: str) -> list[Resource]:
    """Return published, not featured resources of `campaign` whose title contains `q`."""
    q = " ".join(q.split())[:100]
    if not q:
        return []
    return list(
        Resource.objects.filter(
            campaign=campaign, status=ResourceStatus.PUBLISHED, featured=False, title__icontains=q
        )
        .select_related("unit")
        .order_by("-published_at", "-pk")[:CANDIDATES]
    )


def composable_campaign(*, pk: int) -> Campaign:
    return get_object_or_404(Campaign, pk=pk)


def featured_resources_for_admin(*, campaign: Campaign) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(campaign=campaign, featured=True, status=ResourceStatus.PUBLISHED)
        .select_related("unit")
        .order_by("-published_at", "-pk")
    )
