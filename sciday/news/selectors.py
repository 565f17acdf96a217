"""Reads of news items, already filtered by what the reader may see."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from sciday.news import policy
from sciday.news.indexing import KIND
from sciday.news.models import PUBLIC_STATUSES, Category, NewsEvent, NewsItem, Status
from sciday.news.policy import Cap
from sciday.orgs.models import Unit
from sciday.resources.models import PUBLIC_STATUSES as RESOURCE_PUBLIC
from sciday.resources.models import Resource
from sciday.search.selectors import search_ids

_RELATED = ("campaign", "unit", "unit__region")
# Pinned first (the most recently pinned first), then newest.
PUBLIC_ORDER = (
    F("pinned").desc(),
    F("pinned_at").desc(nulls_last=True),
    F("published_at").desc(nulls_last=True),
    "-id",
)
MAX_SEARCH = 1000


def news_public_list(*, category: str | None = None) -> QuerySet[NewsItem]:
    """Return the published items (of `category`), pinned first, then newest."""
    qs = NewsItem.objects.filter(status__in=PUBLIC_STATUSES).select_related(*_RELATED)
    if category and category in Category.values:
        qs = qs.filter(category=category)
    return qs.order_by(*PUBLIC_ORDER)


def news_public_search(*, q: str, category: str | None = None) -> list[int]:
    """Ids of published items matching `q` (the shared Chinese search), best first."""
    return search_ids(q=q, kind=KIND, within=news_public_list(category=category), limit=MAX_SEARCH)


def news_public_get(*, pk: int) -> NewsItem:
    """Return the published item `pk` with its published attachments; 404 for anything else."""
    item = (
        NewsItem.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
        .select_related(*_RELATED)
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Resource.objects.filter(status__in=RESOURCE_PUBLIC).order_by("pk"),
                to_attr="public_attachments",
            )
        )
        .first()
    )
    if item is None:
        raise Http404
    return item


def news_get(*, viewer, pk: int, cap: Cap = Cap.VIEW) -> NewsItem:
    """Fetch an item and check `cap`: 404 outside what the viewer sees, 403 when only seen."""
    item = get_object_or_404(
        NewsItem.objects.select_related(*_RELATED, "created_by", "decided_by").prefetch_related(
            Prefetch("attachments", queryset=Resource.objects.select_related("unit").order_by("pk"))
        ),
        pk=pk,
    )
    policy.require(viewer, cap, item)
    return item


def news_workspace_list(
    *, viewer, tab: str = "mine", status: str | None = None, category: str | None = None
) -> QuerySet[NewsItem]:
    """The workspace's list: `mine` (items the viewer may edit) or `review` (submitted items the
    viewer may approve), newest change first."""
    if tab == "review":
        qs = policy.items_for(viewer, Cap.APPROVE).filter(status=Status.SUBMITTED)
    else:
        qs = policy.items_for(viewer, Cap.EDIT)
    if status and status in Status.values:
        qs = qs.filter(status=status)
    if category and category in Category.values:
        qs = qs.filter(category=category)
    return qs.select_related(*_RELATED).order_by("-updated_at", "-id")


def news_events(*, item: NewsItem) -> QuerySet[NewsEvent]:
    """Return the item's workflow history, oldest first."""
    return NewsEvent.objects.filter(item=item).order_by("created_at", "id")


def attachable_resources(*, units: list[Unit], limit: int = 200) -> list[Resource]:
    """The newest resources an item of one of `units` may attach: the units' own (any status)
    and published ones of any unit (the services check the actual unit's)."""
    return list(
        Resource.objects.filter(Q(unit__in=units) | Q(status__in=RESOURCE_PUBLIC))
        .select_related("unit")
        .order_by("-created_at", "-pk")[:limit]
    )
