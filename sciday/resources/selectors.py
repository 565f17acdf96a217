"""Reads of resources for pages and the API: each already knows its reader."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import QuerySet
from django.http import Http404

from sciday.orgs.models import Unit
from sciday.resources import policy
from sciday.resources.indexing import KIND as SEARCH_KIND
from sciday.resources.models import PUBLIC_STATUSES, Resource, ResourceEvent
from sciday.resources.policy import Cap
from sciday.resources.services import unit_storage_used
from sciday.search.selectors import CANDIDATES, search_ids

__all__ = [
    "ResourceFilters",
    "published_for_activity",
    "resource_events",
    "resource_get",
    "resource_get_for_edit",
    "resource_list",
    "resource_public_get",
    "resource_public_list",
    "resource_public_search",
    "resource_workspace_list",
    "unit_storage_used",
]


@dataclass(frozen=True)
class ResourceFilters:
    """What a list is narrowed by (gallery, API, workspace); empty values are ignored."""

    kind: str = ""
    province: str = ""  # a province code (320000): resources of units in that province
    licence: str = ""
    activity_id: int | None = None
    campaign_id: int | None = None
    unit_path: str = ""  # a unit's tree path: the unit and every unit below it
    featured: bool | None = None
    category_id: int | None = None  # the category of the resource's activity


def resource_list(
    *,
    viewer,
    kind: str | None = None,
    unit_id: int | None = None,
    campaign_id: int | None = None,
    activity_id: int | None = None,
    status: str | None = None,
    processing: str | None = None,
) -> QuerySet[Resource]:
    """Return the resources `viewer` may see, filtered, newest first, with what lists show."""
    qs = policy.resources_for(viewer, Cap.VIEW).select_related("unit", "campaign", "activity")
    filters = {
        "kind": kind,
        "unit_id": unit_id,
        "campaign_id": campaign_id,
        "activity_id": activity_id,
        "status": status,
        "processing": processing,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v not in (None, "")})
    return qs.prefetch_related("tags").order_by("-created_at", "-pk")


def resource_get(*, viewer, pk: int) -> Resource:
    """Return the resource if `viewer` may see it; 404 otherwise."""
    resource = Resource.objects.select_related("unit", "campaign", "activity").filter(pk=pk).first()
    if resource is None:
        raise Http404
    policy.require(viewer, Cap.VIEW, resource)
    return resource


def resource_get_for_edit(*, actor, pk: int) -> Resource:
    """Return the resource if `actor` may edit it; 404 when unseen, NotAllowed when only seen."""
    resource = resource_get(viewer=actor, pk=pk)
    policy.require(actor, Cap.EDIT, resource)
    return resource


def resource_workspace_list(
    *,
    viewer,
    status: str | None = None,
    kind: str | None = None,
    filters: ResourceFilters | None = None,
) -> QuerySet[Resource]:
    """The workspace list: resources `viewer` edits or moderates (all of them for national roles).

    Unlike `resource_list`, other units' published resources are left out: the workspace is
    about one's own units' work.
    """
    if policy.has_global(viewer, Cap.VIEW):
        qs = Resource.objects.all()
    else:
        qs = policy.resources_for(viewer, Cap.EDIT) | policy.resources_for(viewer, Cap.MODERATE)
    if status:
        qs = qs.filter(status=status)
    qs = _filtered(qs, replace(filters or ResourceFilters(), kind=kind or ""))
    return (
        qs.select_related("unit", "campaign", "activity")
        .prefetch_related("tags")
        .order_by("-created_at", "-pk")
    )


def resource_events(*, resource: Resource) -> QuerySet[ResourceEvent]:
    """The resource's workflow history, oldest first (the caller has checked it may see it)."""
    return ResourceEvent.objects.filter(resource=resource).select_related("actor")


# Public reads: the gallery shows published resources only, whoever is signed in.


def resource_public_list(*, filters: ResourceFilters | None = None) -> QuerySet[Resource]:
    """Return the published resources matching `filters`, newest first, with what cards show."""
    qs = _filtered(Resource.objects.filter(status__in=PUBLIC_STATUSES), filters)
    return qs.select_related("unit").order_by("-published_at", "-pk")


def _filtered(qs: QuerySet[Resource], filters: ResourceFilters | None) -> QuerySet[Resource]:
    f = filters or ResourceFilters()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.licence:
        qs = qs.filter(licence=f.licence)
    if f.activity_id:
        qs = qs.filter(activity_id=f.activity_id)
    if f.province:
        qs = qs.filter(unit__region__code__startswith=str(f.province)[:2])
    if f.campaign_id is not None:
        qs = qs.filter(campaign_id=f.campaign_id)
    if f.unit_path:
        qs = qs.filter(unit__path__startswith=f.unit_path)
    if f.featured is not None:
        qs = qs.filter(featured=f.featured)
    if f.category_id is not None:
        qs = qs.filter(activity__category_id=f.category_id)
    return qs


def units_with_published_resources() -> list[Unit]:
    """The units that have published resources, by name: what the gallery's unit filter offers."""
    published = Resource.objects.filter(status__in=PUBLIC_STATUSES).values("unit_id")
    return list(Unit.objects.filter(pk__in=published).only("pk", "name", "path").order_by("name"))


def resource_public_get(*, pk: int) -> Resource:
    """Return the published resource `pk`; 404 for any other status (draft, held, returned...)."""
    resource = (
        Resource.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
        .select_related("unit", "unit__region", "campaign", "activity")
        .prefetch_related("tags")
        .first()
    )
    if resource is None:
        raise Http404
    return resource


@dataclass(frozen=True)
class PublicSearch:
    """Ranked ids of published resources matching a text query (best first).

    `capped`: more than `CANDIDATES` matched; `ids` then holds the best of the most recently
    indexed ones (see sciday/search/README.md, "Bounded ranking") and there is no exact count.
    """

    ids: list[int]
    capped: bool


def resource_public_search(*, q: str, filters: ResourceFilters | None = None) -> PublicSearch:
    """Search the gallery: the shared Chinese search limited to `resource_public_list(filters)`.

    One query: the filters become the index query's `within` subquery, so the database applies
    them before ranking. A blank query (nothing searchable) gives no ids.
    """
    within = resource_public_list(filters=filters)
    ids = search_ids(q=q, kind=SEARCH_KIND, within=within, limit=CANDIDATES + 1)
    return PublicSearch(ids=ids[:CANDIDATES], capped=len(ids) > CANDIDATES)


def published_for_activity(activity, limit: int = 12) -> list[Resource]:
    """Return up to `limit` published resources of `activity`, newest first, in one query.

    The activity's page shows them (photos as a grid, videos, then the rest as a list); one row
    more than `limit` is read so the page knows whether to link to the whole list in the gallery:
    the result has at most `limit + 1` rows (the caller shows the first `limit`).
    """
    return list(
        Resource.objects.filter(activity=activity, status__in=PUBLIC_STATUSES).order_by(
            "-published_at", "-pk"
        )[: limit + 1]
    )
