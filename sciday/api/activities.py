"""Activities and venues. Reads through the activities selectors, writes through its services.

Who sees what is `sciday.activities.policy`: published, cancelled and finished activities are
public (anonymous callers included); drafts and submitted ones only in their organizers' and
approvers' scope (404 outside it, 403 when seen but the action is not theirs).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Status, UploadedFile

from sciday.activities import policy, selectors, services
from sciday.activities.models import Activity, Venue
from sciday.activities.models import Status as ActivityStatus
from sciday.activities.policy import Cap
from sciday.activities.selectors import ActivityFilters
from sciday.api.activity_schemas import (
    ActivityCreateIn,
    ActivityDetailOut,
    ActivityFiltersIn,
    ActivityOut,
    ActivityPage,
    ActivityPatchIn,
    CategoryWithSubtypesOut,
    EventOut,
    FinishIn,
    ReasonIn,
    SubTypeRef,
    VenueFilters,
    VenueIn,
    VenueOut,
    VenuePage,
    VenuePatchIn,
    local,
)
from sciday.api.auth import OPTIONAL, REQUIRED
from sciday.api.schemas import errors, paginate
from sciday.campaigns.models import Campaign, Category, SubType
from sciday.core.errors import DomainError
from sciday.orgs.models import Unit
from sciday.search.selectors import search_ids

router = Router(tags=["activities"], auth=OPTIONAL)
venues_router = Router(tags=["venues"], auth=OPTIONAL)

KIND = "activities.activity"
# Body fields that name another object by id, and the model they name.
_REFS: dict[str, type[Model]] = {"category": Category, "subtype": SubType, "venue": Venue}
# Fields PATCH may clear with null; for the others null means "unchanged".
_NULLABLE = {"subtype", "region", "venue", "capacity", "expected_participants"}


def _ref(model: type[Model], pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise DomainError(
            _("There is nothing with id %(id)s for %(field)s.") % {"id": pk, "field": field},
            field=field,
            code="unknown_reference",
        )
    return obj


def _units(ids: list[int]) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in units}
    if missing:
        raise DomainError(
            _("There is nothing with id %(id)s for %(field)s.")
            % {"id": min(missing), "field": "co_organizers"},
            field="co_organizers",
            code="unknown_reference",
        )
    return units


def _aware(data: dict[str, Any]) -> None:
    for key in ("starts_at", "ends_at"):
        value = data.get(key)
        if isinstance(value, datetime) and timezone.is_naive(value):
            raise DomainError(
                _("Give the times with their time zone, e.g. 2023-05-20T09:00:00+08:00."),
                field=key,
                code="naive_datetime",
            )


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids into objects for the services (unknown ids answer 400 on their field)."""
    _aware(data)
    out = dict(data)
    for key, model in _REFS.items():
        if key in out:
            out[key] = _ref(model, out[key], key)
    if "co_organizers" in out and out["co_organizers"] is not None:
        out["co_organizers"] = _units(out["co_organizers"])
    return out


def _detail(user, activity: Activity) -> ActivityDetailOut:
    show_events = (
        policy.can(user, Cap.EDIT, activity)
        or policy.can(user, Cap.APPROVE, activity)
        or policy.has_global(user, Cap.VIEW)
    )
    events = (
        [EventOut.build(e) for e in selectors.activity_events(activity=activity)]
        if show_events
        else None
    )
    return ActivityDetailOut(
        **ActivityOut.fields_of(activity),
        body=activity.body,
        online_url=activity.online_url,
        expected_participants=activity.expected_participants,
        actual_participants=activity.actual_participants,
        online_views=activity.online_views,
        return_reason=activity.return_reason,
        cancel_reason=activity.cancel_reason,
        window_override=activity.window_override,
        region_override=activity.region_override,
        reference=activity.reference,
        submitted_at=local(activity.submitted_at),
        published_at=local(activity.published_at),
        transitions=[str(t) for t in services.activity_transitions(user, activity)],
        editable_fields=sorted(services.activity_editable_fields(user, activity)),
        events=events,
    )


def _fresh(user, pk: int) -> ActivityDetailOut:
    return _detail(user, selectors.activity_get(viewer=user, pk=pk))


# --- Activities ------------------------------------------------------------------------------


@router.get(
    "/activities",
    response={200: ActivityPage, **errors(404)},
    summary="List the activities you may see (anyone: the published ones)",
)
def activity_list(request, filters: Query[ActivityFiltersIn]):
    """Filters combine; with `q` the order is relevance (at most the 1,000 best matches)."""
    user = request.auth
    campaign_id = None
    if filters.campaign is not None:
        campaign = Campaign.objects.filter(year=filters.campaign).only("pk").first()
        if campaign is None:
            raise Http404
        campaign_id = campaign.pk
    unit = get_object_or_404(Unit, pk=filters.unit) if filters.unit is not None else None
    qs = selectors.activity_list(
        viewer=user,
        filters=ActivityFilters(
            campaign=campaign_id,
            unit=unit,
            status=filters.status or None,
            category=filters.category,
            format=filters.format or None,
            province=filters.province,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )
    if filters.signup_open is not None:
        open_now = {
            "status": ActivityStatus.PUBLISHED,
            "signup_required": True,
            "starts_at__gt": timezone.now(),
        }
        qs = qs.filter(**open_now) if filters.signup_open else qs.exclude(**open_now)
    q = filters.q.strip()
    if q:
        signed_in = bool(getattr(user, "is_authenticated", False))
        ids = search_ids(q=q, kind=KIND, within=qs, include_unpublished=signed_in)
        start = (filters.page - 1) * filters.page_size
        page_ids = ids[start : start + filters.page_size]
        by_id = {a.pk: a for a in qs.filter(pk__in=page_ids)} if page_ids else {}
        count, rows = len(ids), [by_id[pk] for pk in page_ids if pk in by_id]
    else:
        count, rows = paginate(qs, filters.page, filters.page_size)
    return ActivityPage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[ActivityOut.build(a) for a in rows],
    )


@router.get(
    "/activity-categories",
    response={200: list[CategoryWithSubtypesOut], **errors(404)},
    summary="A campaign's categories and sub-types with the ids activities refer to",
)
def category_list(request, campaign: int):
    found = Campaign.objects.filter(year=campaign, is_published=True).first()
    if found is None:
        raise Http404
    return [
        CategoryWithSubtypesOut(
            id=c.pk,
            number=c.number,
            name=c.name,
            subtypes=[SubTypeRef(id=s.pk, name=s.name) for s in c.subtypes.all()],
        )
        for c in found.categories.prefetch_related("subtypes").order_by("number")
    ]


@router.get("/activities/{activity_id}", response={200: ActivityDetailOut, **errors(404)})
def activity_detail(request, activity_id: int):
    return _fresh(request.auth, activity_id)


@router.post(
    "/activities",
    auth=REQUIRED,
    response={201: ActivityDetailOut, **errors(400, 403, 404, 409)},
    summary="Create a draft activity led by one of your units",
)
def activity_create(request, data: ActivityCreateIn):
    lead_unit = get_object_or_404(Unit, pk=data.lead_unit)
    values = _resolve(data.model_dump(exclude={"campaign", "lead_unit"}))
    campaign = Campaign.objects.filter(year=data.campaign).first()
    if campaign is None:
        raise DomainError(
            _("There is no campaign for %(year)s.") % {"year": data.campaign},
            field="campaign",
            code="unknown_reference",
        )
    activity = services.activity_create(
        actor=request.auth, campaign=campaign, lead_unit=lead_unit, **values
    )
    return Status(201, _fresh(request.auth, activity.pk))


@router.patch(
    "/activities/{activity_id}",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **errors(400, 403, 404, 409)},
    summary="Change some of an activity's fields (see `editable_fields`)",
)
def activity_update(request, activity_id: int, data: ActivityPatchIn):
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id, cap=Cap.EDIT)
    extra = sorted(set(_body_keys(request)) - set(ActivityPatchIn.model_fields))
    if extra:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(extra)},
            field=extra[0],
            code="not_editable",
        )
    changes = {
        key: value
        for key, value in data.model_dump(exclude_unset=True).items()
        if value is not None or key in _NULLABLE
    }
    services.activity_update(actor=request.auth, activity=activity, **_resolve(changes))
    return _fresh(request.auth, activity_id)


def _body_keys(request) -> list[str]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:  # pragma: no cover - ninja has already refused it with a 422
        return []
    return list(body) if isinstance(body, dict) else []


def _transition(request, activity_id: int, cap: Cap) -> Activity:
    return selectors.activity_get(viewer=request.auth, pk=activity_id, cap=cap)


_WRITES = {**errors(400, 403, 404, 409)}


@router.post(
    "/activities/{activity_id}/submit",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **_WRITES},
    summary="Submit for approval (a trusted unit's activity is published at once)",
)
def activity_submit(request, activity_id: int):
    activity = _transition(request, activity_id, Cap.EDIT)
    services.activity_submit(actor=request.auth, activity=activity)
    return _fresh(request.auth, activity_id)


@router.post(
    "/activities/{activity_id}/approve",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **_WRITES},
    summary="Publish a submitted activity",
)
def activity_approve(request, activity_id: int):
    activity = _transition(request, activity_id, Cap.APPROVE)
    services.activity_approve(actor=request.auth, activity=activity)
    return _fresh(request.auth, activity_id)


@router.post(
    "/activities/{activity_id}/return",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **_WRITES},
    summary="Send a submitted activity back with a reason",
)
def activity_return(request, activity_id: int, data: ReasonIn):
    activity = _transition(request, activity_id, Cap.APPROVE)
    services.activity_return(actor=request.auth, activity=activity, reason=data.reason)
    return _fresh(request.auth, activity_id)


@router.post(
    "/activities/{activity_id}/cancel",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **_WRITES},
    summary="Cancel a published activity with a reason",
)
def activity_cancel(request, activity_id: int, data: ReasonIn):
    activity = _transition(request, activity_id, Cap.EDIT)
    services.activity_cancel(actor=request.auth, activity=activity, reason=data.reason)
    return _fresh(request.auth, activity_id)


@router.post(
    "/activities/{activity_id}/finish",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **_WRITES},
    summary="Mark a published activity that has ended as finished, with its figures",
)
def activity_finish(request, activity_id: int, data: FinishIn):
    activity = _transition(request, activity_id, Cap.EDIT)
    services.activity_finish(
        actor=request.auth,
        activity=activity,
        actual_participants=data.actual_participants,  # type: ignore[arg-type]
        online_views=data.online_views,
    )
    return _fresh(request.auth, activity_id)


@router.post(
    "/activities/{activity_id}/cover",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **_WRITES},
    summary="Upload the cover picture (multipart field `file`: JPEG, PNG or WebP)",
)
def activity_cover_set(request, activity_id: int, file: File[UploadedFile]):
    """The picture is re-encoded (EXIF dropped); a refused file answers 400 and changes nothing."""
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id, cap=Cap.EDIT)
    services.activity_cover_set(
        actor=request.auth, activity=activity, upload=file, name=file.name or ""
    )
    return _fresh(request.auth, activity_id)


@router.delete(
    "/activities/{activity_id}/cover",
    auth=REQUIRED,
    response={200: ActivityDetailOut, **_WRITES},
    summary="Remove the cover picture",
)
def activity_cover_remove(request, activity_id: int):
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id, cap=Cap.EDIT)
    services.activity_cover_remove(actor=request.auth, activity=activity)
    return _fresh(request.auth, activity_id)


# --- Venues ----------------------------------------------------------------------------------


def _venue(pk: int) -> Venue:
    return get_object_or_404(Venue.objects.select_related("region", "unit"), pk=pk)


@venues_router.get(
    "/venues", response={200: VenuePage, **errors()}, summary="The venues in use (public)"
)
def venue_list(request, filters: Query[VenueFilters]):
    unit = Unit.objects.filter(pk=filters.unit).first() if filters.unit is not None else None
    if filters.unit is not None and unit is None:
        return VenuePage(count=0, page=filters.page, page_size=filters.page_size, items=[])
    qs = selectors.venue_list(region=filters.region, kind=filters.kind or None, unit=unit)
    count, rows = paginate(qs, filters.page, filters.page_size)
    return VenuePage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[VenueOut.build(v) for v in rows],
    )


@venues_router.get("/venues/{venue_id}", response={200: VenueOut, **errors(404)})
def venue_detail(request, venue_id: int):
    return VenueOut.build(_venue(venue_id))


@venues_router.post(
    "/venues",
    auth=REQUIRED,
    response={201: VenueOut, **errors(400, 403, 404)},
    summary="Register a venue owned by one of your units",
)
def venue_create(request, data: VenueIn):
    unit = get_object_or_404(Unit, pk=data.unit) if data.unit is not None else None
    venue = services.venue_create(
        actor=request.auth,
        kind=data.kind,
        name=data.name,
        region=data.region,
        address=data.address,
        unit=unit,
    )
    return Status(201, VenueOut.build(_venue(venue.pk)))


@venues_router.patch(
    "/venues/{venue_id}",
    auth=REQUIRED,
    response={200: VenueOut, **errors(400, 403, 404)},
    summary="Change a venue, or retire it (is_active false)",
)
def venue_update(request, venue_id: int, data: VenuePatchIn):
    venue = _venue(venue_id)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    services.venue_update(actor=request.auth, venue=venue, **changes)
    return VenueOut.build(_venue(venue_id))
