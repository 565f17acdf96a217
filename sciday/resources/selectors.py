"""Reads of resources for pages and the API: each already knows its reader."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from sciday.resources import policy
from sciday.resources.models import PUBLIC_STATUSES, Resource, ResourceEvent
from sciday.resources.policy import Cap
from sciday.resources.services import unit_storage_used

__all__ = [
    "PublicFilters",
    "resource_events",
    "resource_get",
    "resource_get_for_edit",
    "resource_list",
    "resource_public_get",
    "resource_public_list",
    "resource_workspace_list",
    "unit_storage_used",
]


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
    *, viewer, status: str | None = None, kind: str | None = None
) -> QuerySet[Resource]:
    """The workspace list: resources `viewer` edits or moderates (all of them for national roles).

    Unlike `resource_list`, other units' published resources are left out: the workspace is
    about one's own units' work.
    """
    if policy.has_global(viewer, Cap.VIEW):
        qs = Resource.objects.all()
    else:
        qs = policy.resources_for(viewer, Cap.EDIT) | policy.resources_for(viewer, Cap.MODERATE)
    filters = {"status": status, "kind": kind}
    qs = qs.filter(**{k: v for k, v in filters.items() if v})
    return (
        qs.select_related("unit", "campaign", "activity")
        .prefetch_related("tags")
        .order_by("-created_at", "-pk")
    )


def resource_events(*, resource: Resource) -> QuerySet[ResourceEvent]:
    """The resource's workflow history, oldest first (the caller has checked it may see it)."""
    return ResourceEvent.objects.filter(resource=resource).select_related("actor")


# Public reads: the gallery shows published resources only, whoever is signed in.


@dataclass(frozen=True)
class PublicFilters:
    """What a gallery visitor filters by; empty values are ignored."""

    kind: str = ""
    province: str = ""  # a province code (320000): resources of units in that province
    licence: str = ""
    activity_id: int | None = None


def resource_public_list(*, filters: PublicFilters | None = None) -> QuerySet[Resource]:
    """Return the published resources matching `filters`, newest first, with what cards show."""
    f = filters or PublicFilters()
    qs = Resource.objects.filter(status__in=PUBLIC_STATUSES)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.licence:
        qs = qs.filter(licence=f.licence)
    if f.activity_id:
        qs = qs.filter(activity_id=f.activity_id)
    if f.province:
        qs = qs.filter(unit__region__code__startswith=str(f.province)[:2])
    return qs.select_related("unit").order_by("-published_at", "-pk")


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
