"""Reads of resources for pages and the API: each already knows its reader."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from sciday.resources import policy
from sciday.resources.models import Resource
from sciday.resources.policy import Cap
from sciday.resources.services import unit_storage_used

__all__ = ["resource_get", "resource_get_for_edit", "resource_list", "unit_storage_used"]


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
