"""Reads of activities and venues, already filtered by what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from sciday.activities import policy
from sciday.activities.models import Activity, ActivityEvent, Venue
from sciday.activities.policy import Cap
from sciday.orgs.models import Unit

# What a list row and a detail page show, fetched with the activity in the same query.
_RELATED = (
    "campaign",
    "lead_unit",
    "lead_unit__region",
    "category",
    "subtype",
    "region",
    "region__parent",
    "venue",
)


@dataclass(frozen=True)
class ActivityFilters:
    """What a list may be narrowed by; every field is optional.

    `unit` takes its whole subtree (activities led by the unit or its sub-units). `province` is a
    province code (e.g. 320000): activities held there, or, for online ones without a region,
    led by a unit of that province. `date_from`/`date_to` are days in Asia/Shanghai; an activity
    matches when it overlaps them.
    """

    campaign: int | None = None
    unit: Unit | None = None
    status: str | None = None
    category: int | None = None
    format: str | None = None
    province: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def activity_list(*, viewer, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    """Return the activities `viewer` may see, narrowed by `filters`, soonest first.

    Related rows are joined and co-organizers prefetched: iterating costs two queries whatever
    the number of rows.
    """
    f = filters or ActivityFilters()
    qs = policy.activities_for(viewer, Cap.VIEW)
    if f.campaign is not None:
        qs = qs.filter(campaign_id=f.campaign)
    if f.unit is not None:
        qs = qs.filter(lead_unit__path__startswith=f.unit.path)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category is not None:
        qs = qs.filter(category_id=f.category)
    if f.format:
        qs = qs.filter(format=f.format)
    if f.province:
        qs = qs.filter(province=f"{str(f.province)[:2]}0000")
    if f.date_from is not None:
        qs = qs.filter(ends_at__gt=_day_start(f.date_from))
    if f.date_to is not None:
        qs = qs.filter(starts_at__lt=_day_start(f.date_to + timedelta(days=1)))
    return (
        qs.select_related(*_RELATED)
        .prefetch_related(Prefetch("co_organizers", queryset=Unit.objects.order_by("path")))
        .order_by("starts_at", "id")
    )


def count_capped(qs: QuerySet, *, cap: int, keep: tuple[str, int] | None = None) -> int:
    """How many rows `qs` has, counting no further than `cap` + 1.

    One `SELECT COUNT(*) FROM (... LIMIT cap + 1)`: a list of a million rows costs no more to
    count than one of `cap`; callers show "more than `cap`" when the answer exceeds it. With
    `keep=(key, seconds)` the answer is kept in the cache under `key` for that long.
    """
    if keep is not None and (kept := cache.get(keep[0])) is not None:
        return kept
    count = qs.order_by().values("pk")[: cap + 1].count()
    if keep is not None:
        cache.set(keep[0], count, keep[1])
    return count


def activity_get(*, viewer, pk: int, cap: Cap = Cap.VIEW) -> Activity:
    """Fetch an activity and check `cap`: 404 outside what the viewer sees, 403 when only seen."""
    activity = get_object_or_404(
        Activity.objects.select_related(*_RELATED).prefetch_related(
            Prefetch("co_organizers", queryset=Unit.objects.order_by("path"))
        ),
        pk=pk,
    )
    policy.require(viewer, cap, activity)
    return activity


def activity_events(*, activity: Activity) -> QuerySet[ActivityEvent]:
    """Return the activity's workflow history, oldest first (for whoever may see the activity)."""
    return ActivityEvent.objects.filter(activity=activity).order_by("created_at", "id")


def venue_list(
    *, region: str | None = None, kind: str | None = None, unit: Unit | None = None
) -> QuerySet[Venue]:
    """Return the venues in use (a public registry), narrowed by province or region, kind, unit."""
    qs = Venue.objects.filter(is_active=True).select_related("region", "unit")
    if region:
        code = str(region)
        qs = qs.filter(region__code__startswith=code[:2] if code.endswith("0000") else code)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("region_id", "name")
