"""Resources (宣传产品): the gallery's list and detail, uploads, edits and moderation.

Reads go through `sciday.resources.selectors` (published resources for anyone; the workspace
scope and unpublished details only for the people `sciday.resources.policy` lets see them, 404
for everyone else), writes through `sciday.resources.services` (permission, validation, audit).
A refused upload answers 400 (413 when the file is too large, 409 when the unit's quota would be
exceeded) with the service's Chinese message, and nothing is stored.

The download reuses the gallery's file view (`views_public.gallery_file`): the same headers
(`Content-Disposition: attachment`, `nosniff`) and the same download counter.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.errors import AuthenticationError

from sciday.activities.models import Activity
from sciday.api.activity_schemas import ReasonIn, local
from sciday.api.auth import OPTIONAL, REQUIRED
from sciday.api.resource_schemas import (
    HitOut,
    ResourceCreateIn,
    ResourceDetailOut,
    ResourceEventOut,
    ResourceFiltersIn,
    ResourceOut,
    ResourcePage,
    ResourcePatchIn,
    card_fields,
)
from sciday.api.schemas import errors, paginate
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError
from sciday.orgs.models import Unit
from sciday.resources import policy, selectors, services, serving
from sciday.resources.models import PUBLIC_STATUSES, Kind, Resource
from sciday.resources.policy import Cap
from sciday.resources.selectors import ResourceFilters
from sciday.resources.views_public import gallery_file
from sciday.search.selectors import search_ids

router = Router(tags=["resources"], auth=OPTIONAL)

KIND = "resources.resource"
CARD_WIDTH = 640
_WRITES = {**errors(400, 403, 404, 409)}


# --- Shaping ---------------------------------------------------------------------------------


def _file_url(r: Resource, variant: str) -> str:
    """The public file view for a published resource; for others, this API's file endpoint
    (which checks the caller, token or session, and answers like the workspace's)."""
    if r.status in PUBLIC_STATUSES:
        return reverse("resources:file", args=[r.pk, variant])
    return reverse("api:resource_file", kwargs={"resource_id": r.pk, "variant": variant})


def _thumbnail_url(r: Resource, width: int = CARD_WIDTH) -> str | None:
    widths = sorted(int(w) for w in r.thumbnails or {})
    if widths:
        fitting = [w for w in widths if w <= width]
        return _file_url(r, f"thumb-{(fitting or widths)[-1]}")
    return _file_url(r, "preview") if r.preview else None


def _detail(user, r: Resource) -> ResourceDetailOut:
    may_edit = policy.can(user, Cap.EDIT, r)
    may_moderate = policy.can(user, Cap.MODERATE, r)
    insider = may_edit or may_moderate or policy.has_global(user, Cap.VIEW)
    published = r.status in PUBLIC_STATUSES
    has_file = bool(r.has_file and r.file)
    return ResourceDetailOut(
        **card_fields(r, _thumbnail_url(r)),
        people_consent=r.people_consent,
        return_reason=r.return_reason,
        submitted_at=local(r.submitted_at),
        updated_at=local(r.updated_at),  # type: ignore[arg-type]
        body=r.body,
        url=r.url,
        original_name=r.original_name,
        size=r.size,
        mime_type=r.mime_type,
        sha256=r.sha256,
        processing_label=str(r.get_processing_display()),  # type: ignore[attr-defined]
        processing_error=r.processing_error,
        width=r.width,
        height=r.height,
        duration=r.duration,
        codec=r.codec,
        page_count=r.page_count,
        file_url=_file_url(r, "original") if has_file else None,
        download_url=reverse("api:resource_download", args=[r.pk])
        if has_file and published
        else None,
        play_url=_file_url(r, "play") if has_file and published and r.kind == Kind.VIDEO else None,
        preview_url=_file_url(r, "preview") if r.preview else None,
        thumbnails={w: _file_url(r, f"thumb-{w}") for w in sorted(r.thumbnails or {}, key=int)},
        screening_hits=[HitOut(**hit) for hit in r.screening_hits] if may_moderate else None,
        transitions=[str(t) for t in services.transitions_offered(user=user, resource=r)],
        editable=may_edit and r.status in services.EDITABLE_STATUSES,
        events=[ResourceEventOut.build(e) for e in selectors.resource_events(resource=r)]
        if insider
        else None,
    )


def _fresh(user, pk: int) -> ResourceDetailOut:
    return _detail(user, selectors.resource_get(viewer=user, pk=pk))


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- List and detail -------------------------------------------------------------------------


def _list_queryset(user, f: ResourceFiltersIn) -> QuerySet[Resource]:
    campaign_id = unit_path = None
    if f.campaign is not None:
        campaign = Campaign.objects.filter(year=f.campaign).only("pk").first()
        if campaign is None:
            raise Http404
        campaign_id = campaign.pk
    if f.unit is not None:
        unit_path = get_object_or_404(Unit.objects.only("path"), pk=f.unit).path
    filters = ResourceFilters(
        kind=f.kind or "",
        province=f.province or "",
        licence=f.licence or "",
        activity_id=f.activity,
        campaign_id=campaign_id,
        unit_path=unit_path or "",
        featured=f.featured,
        category_id=f.category,
    )
    if f.scope == "workspace":
        if not _signed_in(user):
            raise AuthenticationError
        qs = selectors.resource_workspace_list(
            viewer=user, status=f.status, kind=f.kind, filters=filters
        )
    else:
        qs = selectors.resource_public_list(filters=filters)
        if f.status:
            qs = qs.filter(status=f.status)
    return qs.select_related("unit__region", "campaign", "activity").prefetch_related("tags")


@router.get(
    "/resources",
    response={200: ResourcePage, **errors(404)},
    summary="List published resources (anyone), or your units' resources (scope=workspace)",
)
def resource_list(request, filters: Query[ResourceFiltersIn]):
    """Filters combine; with `q` the order is relevance (at most the 1,000 best matches).

    The public list is newest published first; the workspace list newest created first.
    """
    user = request.auth
    qs = _list_queryset(user, filters)
    q = filters.q.strip()
    if q:
        workspace = filters.scope == "workspace"
        ids = search_ids(q=q, kind=KIND, within=qs, include_unpublished=workspace)
        start = (filters.page - 1) * filters.page_size
        page_ids = ids[start : start + filters.page_size]
        by_id = {r.pk: r for r in qs.filter(pk__in=page_ids)} if page_ids else {}
        count, rows = len(ids), [by_id[pk] for pk in page_ids if pk in by_id]
    else:
        count, rows = paginate(qs, filters.page, filters.page_size)
    return ResourcePage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[ResourceOut(**card_fields(r, _thumbnail_url(r))) for r in rows],
    )


@router.get(
    "/resources/{resource_id}",
    response={200: ResourceDetailOut, **errors(404)},
    summary="A resource: published ones for anyone, others for their unit and moderators",
)
def resource_detail(request, resource_id: int):
    return _fresh(request.auth, resource_id)


@router.get(
    "/resources/{resource_id}/download",
    url_name="resource_download",
    response=errors(404),
    summary="Download a published resource's original file (counted)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment (`X-Content-Type-Options: nosniff`)",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def resource_download(request, resource_id: int):
    """Published photos, videos and documents only; anything else answers 404."""
    return gallery_file(request, resource_id, "original")


@router.get(
    "/resources/{resource_id}/files/{variant}",
    url_name="resource_file",
    response=errors(404),
    summary="A file of a resource: original, play (videos), preview or thumb-<width>",
    openapi_extra={
        "responses": {
            200: {"description": "The file (byte ranges answered with 206)"},
            302: {"description": "On S3, for an unpublished resource: a short-lived signed link"},
        }
    },
)
def resource_file(request, resource_id: int, variant: str):
    """Published resources' files for anyone (as the gallery serves them; the original is
    counted); other resources' files for the people who may see them, else 404."""
    resource = Resource.objects.filter(pk=resource_id).only("status").first()
    if resource is not None and resource.status in PUBLIC_STATUSES:
        return gallery_file(request, resource_id, variant)
    if not _signed_in(request.auth):
        raise Http404
    resource = selectors.resource_get(viewer=request.auth, pk=resource_id)
    return serving.private(request, resource, variant)


# --- Create, update, delete ------------------------------------------------------------------


def _activity(pk: int | None) -> Activity | None:
    if pk is None:
        return None
    activity = Activity.objects.filter(pk=pk).first()
    if activity is None:
        raise DomainError(
            _("There is nothing with id %(id)s for %(field)s.") % {"id": pk, "field": "activity"},
            field="activity",
            code="unknown_reference",
        )
    return activity


def _campaign(year: int | None) -> Campaign:
    campaign = campaign_current() if year is None else Campaign.objects.filter(year=year).first()
    if campaign is None:
        raise DomainError(
            _("There is no campaign for %(year)s.") % {"year": year or "-"},
            field="campaign",
            code="unknown_reference",
        )
    return campaign


@router.post(
    "/resources",
    auth=REQUIRED,
    response={201: ResourceDetailOut, **errors(400, 403, 404, 409, 413)},
    summary="Create a draft: upload a photo, video or document (multipart `file`), or write an "
    "article or a link",
)
def resource_create(request, data: Form[ResourceCreateIn], file: File[UploadedFile | None] = None):
    """A file is checked (type by content and extension, size, pixels, archive bombs) before it
    is stored; a refusal answers 400 (413: too large; 409: the unit's quota) and stores nothing.
    Processing (re-encoding, thumbnails, previews) runs in the background: see `processing`."""
    actor = request.auth
    unit = get_object_or_404(Unit, pk=data.unit)
    common: dict[str, Any] = {
        "actor": actor,
        "unit": unit,
        "campaign": _campaign(data.campaign),
        "kind": data.kind,
        "activity": _activity(data.activity),
        **data.fields(),
    }
    if file is not None:
        try:
            resource = services.resource_create_from_upload(
                upload=file, file_name=file.name or "", **common
            )
        except DomainError as error:
            if error.code == "too_large":
                error.status = 413
            raise
    elif data.upload_id:
        resource = services.resource_create_from_resumable(upload_id=data.upload_id, **common)
    else:
        resource = services.resource_create(**common)
    return Status(201, _fresh(actor, resource.pk))


def _body_keys(request) -> list[str]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:  # pragma: no cover - ninja has already refused it with a 422
        return []
    return list(body) if isinstance(body, dict) else []


@router.patch(
    "/resources/{resource_id}",
    auth=REQUIRED,
    response={200: ResourceDetailOut, **_WRITES},
    summary="Change a draft's or returned resource's metadata (JSON)",
)
def resource_update(request, resource_id: int, data: ResourcePatchIn):
    resource = selectors.resource_get_for_edit(actor=request.auth, pk=resource_id)
    extra = sorted(set(_body_keys(request)) - set(ResourcePatchIn.model_fields))
    if extra:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(extra)},
            field=extra[0],
            code="not_editable",
        )
    changes = {
        key: value
        for key, value in data.model_dump(exclude_unset=True).items()
        if value is not None or key == "activity"
    }
    tags = changes.pop("tags", None)
    if "activity" in changes:
        changes["activity"] = _activity(changes["activity"])
    services.resource_update(actor=request.auth, resource=resource, tags=tags, **changes)
    return _fresh(request.auth, resource_id)


@router.delete(
    "/resources/{resource_id}",
    auth=REQUIRED,
    response={204: None, **_WRITES},
    summary="Delete a resource and its stored files",
)
def resource_delete(request, resource_id: int):
    resource = selectors.resource_get_for_edit(actor=request.auth, pk=resource_id)
    services.resource_delete(actor=request.auth, resource=resource)
    return Status(204, None)


# --- Workflow --------------------------------------------------------------------------------


def _seen(request, resource_id: int) -> Resource:
    return selectors.resource_get(viewer=request.auth, pk=resource_id)


@router.post(
    "/resources/{resource_id}/submit",
    auth=REQUIRED,
    response={200: ResourceDetailOut, **_WRITES},
    summary="Submit for moderation (a sensitive word holds it: status `held`)",
)
def resource_submit(request, resource_id: int):
    services.resource_submit(actor=request.auth, resource=_seen(request, resource_id))
    return _fresh(request.auth, resource_id)


@router.post(
    "/resources/{resource_id}/approve",
    auth=REQUIRED,
    response={200: ResourceDetailOut, **_WRITES},
    summary="Publish a submitted or held resource (the parent unit's admins, campaign admins)",
)
def resource_approve(request, resource_id: int):
    services.resource_approve(actor=request.auth, resource=_seen(request, resource_id))
    return _fresh(request.auth, resource_id)


@router.post(
    "/resources/{resource_id}/return",
    auth=REQUIRED,
    response={200: ResourceDetailOut, **_WRITES},
    summary="Send a submitted or held resource back to its unit with a reason",
)
def resource_return(request, resource_id: int, data: ReasonIn):
    services.resource_return(
        actor=request.auth, resource=_seen(request, resource_id), reason=data.reason
    )
    return _fresh(request.auth, resource_id)


@router.post(
    "/resources/{resource_id}/feature",
    auth=REQUIRED,
    response={200: ResourceDetailOut, **_WRITES},
    summary="Feature a published resource on the theme site (campaign admins)",
)
def resource_feature(request, resource_id: int):
    services.resource_feature(actor=request.auth, resource=_seen(request, resource_id))
    return _fresh(request.auth, resource_id)


@router.post(
    "/resources/{resource_id}/unfeature",
    auth=REQUIRED,
    response={200: ResourceDetailOut, **_WRITES},
    summary="Stop featuring a resource (campaign admins)",
)
def resource_unfeature(request, resource_id: int):
    services.resource_unfeature(actor=request.auth, resource=_seen(request, resource_id))
    return _fresh(request.auth, resource_id)
