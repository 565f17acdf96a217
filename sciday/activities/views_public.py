"""Public pages where anyone finds activities: list, calendar, provinces, detail, iCalendar.

Every page reads as an anonymous visitor (`activity_list(viewer=AnonymousUser())`): only
published, cancelled and finished activities, whoever is signed in — organizers see their drafts
in the workspace. Filters come from the query string through `PublicFilterForm`; a bad value is
ignored rather than refused, so a hand-edited link still shows a list.
"""

from __future__ import annotations

import calendar as pycalendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.activities import ical
from sciday.activities.indexing import KIND
from sciday.activities.models import Activity, Format, Status
from sciday.activities.selectors import (
    ActivityFilters,
    activity_get,
    activity_list,
    count_capped,
)
from sciday.campaigns.selectors import campaign_current
from sciday.core.pagecache import public_page
from sciday.orgs.models import Region, UnitKind
from sciday.orgs.selectors import region_list
from sciday.resources.models import Kind as ResourceKind
from sciday.resources.selectors import published_for_activity
from sciday.resources.views_public import card_image_url
from sciday.search.selectors import search_ids

PAGE_SIZE = 20
FEED_LIMIT = 500
CALENDAR_LIMIT = 3000
DAY_SHOWN = 3  # activities listed in a calendar cell before "n more"
MAX_SEARCH = 1000
RESOURCES_SHOWN = 12  # published resources shown on an activity's page before "view all"
# The list counts its rows no further than this (beyond: "more than 10,000", pages up to it),
# and keeps the count of a filter combination for a minute: at a million activities counting
# is the page's dearest query, the rows themselves come from an index.
COUNT_CAP = 10_000
COUNT_SECONDS = 60


class Sort:
    RELEVANCE = "relevance"
    START = "start"
    NEWEST = "newest"


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=100)
    province = forms.ChoiceField(label=_("Province"), required=False)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *Format.choices]
    )
    kind = forms.ChoiceField(
        label=_("Organizer type"),
        required=False,
        choices=[("", _("Any organizer")), *UnitKind.choices],
    )
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("Until"), required=False)
    open = forms.BooleanField(label=_("Open for sign-up"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Best match / soonest")),
            (Sort.START, _("Start time")),
            (Sort.NEWEST, _("Newest")),
        ],
    )

    def __init__(self, *args, provinces, categories, **kwargs):
        super().__init__(*args, **kwargs)
        province = cast(forms.ChoiceField, self.fields["province"])
        province.choices = [("", _("All provinces"))] + [(r.code, r.name) for r in provinces]
        category = cast(forms.TypedChoiceField, self.fields["category"])
        category.choices = [("", _("All categories"))] + [
            (c.pk, c.short_name or c.name) for c in categories
        ]
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})


@dataclass
class Query:
    """What a visitor asked for, already cleaned."""

    filters: ActivityFilters
    q: str = ""
    kind: str = ""
    open: bool = False
    sort: str = ""
    params: dict[str, str] = field(default_factory=dict)  # the cleaned values, for links

    @property
    def active(self) -> bool:
        return any(v for k, v in self.params.items() if k not in ("sort", "q"))

    def querystring(self, **changes) -> str:
        params = {**self.params, **changes}
        return urlencode({k: v for k, v in params.items() if v not in ("", None, False)})


def _provinces() -> list[Region]:
    return list(region_list(level=Region.Level.PROVINCE))


def _categories(campaign) -> list:
    if campaign is None:
        return []
    return list(campaign.categories.order_by("number"))


def _read(request: HttpRequest, *, provinces, categories) -> tuple[PublicFilterForm, Query]:
    form = PublicFilterForm(request.GET or None, provinces=provinces, categories=categories)
    data: dict = {}
    if form.is_bound:
        form.is_valid()  # invalid values are dropped, the valid ones still apply
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    date_from, date_to = data.get("date_from"), data.get("date_to")
    if date_from and date_to and date_to < date_from:
        date_from, date_to = date_to, date_from
    filters = ActivityFilters(
        category=data.get("category"),
        format=data.get("format") or None,
        province=data.get("province") or None,
        date_from=date_from,
        date_to=date_to,
    )
    params = {
        "q": (data.get("q") or "").strip(),
        "province": data.get("province") or "",
        "category": str(data["category"]) if data.get("category") else "",
        "format": data.get("format") or "",
        "kind": data.get("kind") or "",
        "date_from": date_from.isoformat() if date_from else "",
        "date_to": date_to.isoformat() if date_to else "",
        "open": "1" if data.get("open") else "",
        "sort": data.get("sort") or "",
    }
    return form, Query(
        filters=filters,
        q=params["q"],
        kind=params["kind"],
        open=bool(params["open"]),
        sort=params["sort"],
        params=params,
    )


def _queryset(query: Query, *, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    qs = activity_list(viewer=_anonymous(), filters=filters or query.filters)
    if query.kind:
        qs = qs.filter(lead_unit__kind=query.kind)
    if query.open:
        qs = qs.filter(status=Status.PUBLISHED, signup_required=True, ends_at__gt=timezone.now())
    if query.sort == Sort.NEWEST:
        qs = qs.order_by("-published_at", "-id")
    return qs


@dataclass
class ActivityPage:
    """One page of activities, in order, with what the paginator links need."""

    activities: list[Activity]
    number: int
    num_pages: int
    count: int
    capped: bool = False  # there are more than `count` rows

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _activity_page(request: HttpRequest, query: Query) -> ActivityPage:
    """The requested page: ranked by the text query when there is one, else by the sort.

    Without a query: a COUNT and the page (plus co-organizers). With one: the ranked ids from
    the index intersected with the filtered queryset in one query, then the page's rows.
    """
    qs = _queryset(query)
    number = _page_number(request)
    if not query.q:
        key = "activities:list-count:" + query.querystring(page="", sort="")
        count = count_capped(qs, cap=COUNT_CAP, keep=(key, COUNT_SECONDS))
        capped = count > COUNT_CAP
        count = min(count, COUNT_CAP)
        num_pages = max(1, -(-count // PAGE_SIZE))
        number = min(number, num_pages)
        start = (number - 1) * PAGE_SIZE
        rows = list(qs[start : start + PAGE_SIZE])
        return ActivityPage(rows, number, num_pages, count, capped)
    ids = search_ids(q=query.q, kind=KIND, within=qs, limit=MAX_SEARCH)
    num_pages = max(1, -(-len(ids) // PAGE_SIZE))
    number = min(number, num_pages)
    chunk = ids[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    if query.sort in (Sort.START, Sort.NEWEST):
        rows = list(qs.filter(pk__in=ids[:MAX_SEARCH])[(number - 1) * PAGE_SIZE :][:PAGE_SIZE])
        return ActivityPage(rows, number, num_pages, len(ids))
    found = qs.order_by().in_bulk(chunk) if chunk else {}
    return ActivityPage([found[i] for i in chunk if i in found], number, num_pages, len(ids))


def _context(request: HttpRequest) -> tuple[Query, dict]:
    campaign = campaign_current()
    provinces, categories = _provinces(), _categories(campaign)
    form, query = _read(request, provinces=provinces, categories=categories)
    # The shell shows the current campaign too: hand it over rather than fetch it again.
    context = {"form": form, "query": query, "provinces": provinces, "current_campaign": campaign}
    return query, context


@public_page
def activity_list_view(request: HttpRequest) -> HttpResponse:
    query, context = _context(request)
    page = _activity_page(request, query)
    context.update(
        page=page,
        feed_url=reverse("activities:feed") + ("?" + query.querystring(sort="", q="")).rstrip("?"),
        paged_query=query.querystring(page=""),
    )
    return render(request, "activities/public/list.html", context)


# --- Calendar ---------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    in_month: bool
    activities: list[dict] = field(default_factory=list)

    @property
    def shown(self) -> list[dict]:
        return self.activities[:DAY_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.activities) - DAY_SHOWN)


def _month(value: str | None, campaign) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value or "")
    if match and 1900 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    today = timezone.localdate()
    if campaign is not None and today > campaign.window_end:
        return campaign.window_start.replace(day=1)
    return today.replace(day=1)


def _shift(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


@public_page
def activity_calendar_view(request: HttpRequest) -> HttpResponse:
    query, context = _context(request)
    month = _month(request.GET.get("month"), context["current_campaign"])
    last = date(month.year, month.month, pycalendar.monthrange(month.year, month.month)[1])
    filters = ActivityFilters(
        category=query.filters.category,
        format=query.filters.format,
        province=query.filters.province,
        date_from=month,
        date_to=last,
    )
    rows = (
        _queryset(query, filters=filters)
        .prefetch_related(None)
        .values("pk", "title", "starts_at", "ends_at", "status")[:CALENDAR_LIMIT]
    )
    weeks_dates = pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    days = {d: Day(d, d.month == month.month) for week in weeks_dates for d in week}
    tz = _tz()
    for values in rows:
        row: dict = dict(values)
        first = max(row["starts_at"].astimezone(tz).date(), month)
        # An activity ending at midnight does not take place on the next day.
        end = row["ends_at"].astimezone(tz) - timedelta(microseconds=1)
        final = min(end.date(), last)
        row["time"] = row["starts_at"].astimezone(tz)
        current = first
        while current <= final:
            days[current].activities.append(row)
            current += timedelta(days=1)
    weeks = [[days[d] for d in week] for week in weeks_dates]
    base = query.querystring(q="", sort="")
    context.update(
        month=month,
        weeks=weeks,
        month_days=[d for d in days.values() if d.in_month and d.activities],
        previous_month=_shift(month, -1).strftime("%Y-%m"),
        next_month=_shift(month, 1).strftime("%Y-%m"),
        base_query=base,
        weekdays=[
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ],
    )
    return render(request, "activities/public/calendar.html", context)


# --- Provinces --------------------------------------------------------------------------------

# A tile map: (row, column) of each province on an 8×8 grid laid out roughly like China.
TILES: dict[str, tuple[int, int]] = {
    "23": (1, 8),
    "65": (2, 1),
    "15": (2, 4),
    "11": (2, 6),
    "22": (2, 8),
    "62": (3, 3),
    "64": (3, 4),
    "14": (3, 5),
    "13": (3, 6),
    "12": (3, 7),
    "21": (3, 8),
    "54": (4, 1),
    "63": (4, 2),
    "61": (4, 4),
    "41": (4, 5),
    "37": (4, 6),
    "51": (5, 3),
    "50": (5, 4),
    "42": (5, 5),
    "34": (5, 6),
    "32": (5, 7),
    "53": (6, 3),
    "52": (6, 4),
    "43": (6, 5),
    "36": (6, 6),
    "33": (6, 7),
    "31": (6, 8),
    "45": (7, 4),
    "44": (7, 5),
    "35": (7, 6),
    "71": (7, 8),
    "46": (8, 4),
    "82": (8, 5),
    "81": (8, 6),
}


@dataclass
class Tile:
    region: Region
    count: int
    row: int
    col: int
    url: str


@public_page
def activity_provinces_view(request: HttpRequest) -> HttpResponse:
    query, context = _context(request)
    filters = ActivityFilters(
        category=query.filters.category,
        format=query.filters.format,
        date_from=query.filters.date_from,
        date_to=query.filters.date_to,
    )
    counts = dict(
        _queryset(query, filters=filters)
        .prefetch_related(None)
        .order_by()
        .values("province")
        .annotate(n=Count("pk"))
        .values_list("province", "n")
    )
    list_url = reverse("activities:list")
    tiles: list[Tile] = []
    for region in context["provinces"]:
        prefix = region.code[:2]
        row, col = TILES.get(prefix, (9, 1 + len(tiles) % 8))
        url = f"{list_url}?{query.querystring(province=region.code, q='', sort='')}"
        tiles.append(Tile(region, counts.get(f"{prefix}0000", 0), row, col, url))
    context.update(
        tiles=tiles,
        ranked=sorted(tiles, key=lambda t: (-t.count, t.region.code)),
        total=sum(t.count for t in tiles),
    )
    return render(request, "activities/public/provinces.html", context)


# --- One activity -----------------------------------------------------------------------------


def _public_activity(pk: int) -> Activity:
    """The activity if the public may see it; 404 otherwise (drafts included, whoever asks)."""
    activity = activity_get(viewer=_anonymous(), pk=pk)
    if not activity.is_public:  # pragma: no cover - activity_get already refuses
        raise Http404
    return activity


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#222")


def _resources_block(activity: Activity) -> dict:
    """The activity's published resources for its page (one query): photos as a grid, videos
    with their poster, the rest as a list; `more` when the gallery holds more than are shown."""
    rows = published_for_activity(activity, limit=RESOURCES_SHOWN)
    pictured = (ResourceKind.PHOTO, ResourceKind.VIDEO)
    cards = [
        {
            "resource": r,
            "url": reverse("resources:detail", args=[r.pk]),
            "image": card_image_url(r, "240") if r.kind in pictured else "",
            "kind": r.kind,
        }
        for r in rows[:RESOURCES_SHOWN]
    ]
    return {
        "photos": [c for c in cards if c["kind"] == ResourceKind.PHOTO],
        "videos": [c for c in cards if c["kind"] == ResourceKind.VIDEO],
        "others": [c for c in cards if c["kind"] not in pictured],
        "any": bool(cards),
        "more": len(rows) > RESOURCES_SHOWN,
        "all_url": reverse("resources:list") + f"?activity={activity.pk}",
    }


@public_page
def activity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _public_activity(pk)
    url = request.build_absolute_uri(reverse("activities:detail", args=[activity.pk]))
    return render(
        request,
        "activities/public/detail.html",
        {
            "activity": activity,
            "absolute_url": url,
            "qr_src": _qr_data_uri(url),
            "has_ended": activity.ends_at <= timezone.now(),
            "resources": _resources_block(activity),
        },
    )


def _calendar_response(request: HttpRequest, activities, *, filename: str, name: str):
    def url_for(activity: Activity) -> str:
        return request.build_absolute_uri(reverse("activities:detail", args=[activity.pk]))

    text = ical.calendar(activities, url_for=url_for, host=request.get_host(), name=name)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public_page
def activity_ics_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _public_activity(pk)
    return _calendar_response(
        request, [activity], filename=f"activity-{activity.pk}.ics", name=activity.title
    )


@public_page
def activity_feed_view(request: HttpRequest) -> HttpResponse:
    """The filtered list as a calendar feed, soonest first, at most FEED_LIMIT events."""
    query, _context_unused = _context(request)
    qs = _queryset(query).order_by("starts_at", "id")
    if query.q:
        ids = search_ids(q=query.q, kind=KIND, within=qs, limit=FEED_LIMIT)
        qs = qs.filter(pk__in=ids)
    return _calendar_response(
        request,
        qs[:FEED_LIMIT],
        filename="activities.ics",
        name=str(_("National S&T Workers Day activities")),
    )
