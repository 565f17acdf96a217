"""Every read the showcase's pages and API need, already limited to what the reader may see."""

from __future__ import annotations

from django.db.models import Avg, Count, Prefetch, QuerySet
from django.http import Http404

from sciday.showcase import policy
from sciday.showcase.models import (
    HonourKind,
    Nomination,
    NominationFile,
    Objection,
    PublicNotice,
    Score,
    Status,
)
from sciday.showcase.policy import Cap


def honour_list(*, campaign) -> QuerySet[HonourKind]:
    return HonourKind.objects.filter(campaign=campaign).prefetch_related("quotas", "experts")


def honour_get(*, pk) -> HonourKind | None:
    return HonourKind.objects.select_related("campaign").filter(pk=pk).first()


def nomination_workspace_list(
    *, viewer, status: str | None = None, honour: HonourKind | None = None
) -> QuerySet[Nomination]:
    """The nominations `viewer` may see, newest first, with the average score for admins."""
    qs = (
        policy.nominations_for(viewer, Cap.VIEW)
        .select_related("honour", "honour__campaign", "unit")
        .annotate(average=Avg("scores__score"), score_count=Count("scores", distinct=True))
        .order_by("-created_at", "-id")
    )
    if status:
        qs = qs.filter(status=status)
    if honour is not None:
        qs = qs.filter(honour=honour)
    return qs


def nomination_get(*, viewer, pk, cap: Cap = Cap.VIEW) -> Nomination:
    """Fetch a nomination `viewer` may take `cap` on (404 out of sight, NotAllowed if only seen)."""
    nomination = (
        Nomination.objects.select_related("honour", "honour__campaign", "unit", "notice")
        .prefetch_related(Prefetch("files", queryset=NominationFile.objects.order_by("kind", "id")))
        .filter(pk=pk)
        .first()
    )
    if nomination is None:
        raise Http404
    policy.require(viewer, cap, nomination)
    return nomination


def file_get(*, viewer, nomination_pk, pk) -> NominationFile:
    nomination = nomination_get(viewer=viewer, pk=nomination_pk)
    item = NominationFile.objects.filter(nomination=nomination, pk=pk).first()
    if item is None:
        raise Http404
    return item


def scores_visible(*, viewer, nomination: Nomination) -> list[Score]:
    """Campaign admins see every score; an expert only their own; anyone else none."""
    qs = Score.objects.filter(nomination=nomination).select_related("expert").order_by("id")
    if policy.is_admin(viewer):
        return list(qs)
    if policy.is_expert(viewer):
        return list(qs.filter(expert=viewer))
    return []


def score_average(*, nomination: Nomination) -> float | None:
    value = Score.objects.filter(nomination=nomination).aggregate(avg=Avg("score"))["avg"]
    return round(value, 1) if value is not None else None


def notice_list(*, viewer) -> QuerySet[PublicNotice]:
    policy.require_admin(viewer)
    return PublicNotice.objects.select_related("campaign").annotate(
        open_objections=Count("objections", distinct=True)
    )


def notice_get_public(*, pk) -> PublicNotice:
    notice = PublicNotice.objects.select_related("campaign").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def notice_nominations(*, notice: PublicNotice) -> QuerySet[Nomination]:
    """Who is (or was) on the notice, for the public page."""
    return (
        notice.nominations.filter(status__in=[Status.IN_NOTICE, Status.PUBLISHED])
        .select_related("unit", "honour")
        .order_by("honour__position", "honour_id", "id")
    )


def objection_list(*, viewer, notice: PublicNotice) -> QuerySet[Objection]:
    policy.require_admin(viewer)
    return notice.objections.select_related("nomination", "answered_by")


def objection_get(*, viewer, pk) -> Objection:
    policy.require_admin(viewer)
    item = Objection.objects.select_related("notice").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _profiles() -> QuerySet[Nomination]:
    return Nomination.objects.filter(status=Status.PUBLISHED).select_related(
        "honour", "honour__campaign", "unit"
    )


def profile_list(*, year: int | None = None) -> QuerySet[Nomination]:
    """Published profiles (of `year`), by honour then name."""
    qs = _profiles()
    if year is not None:
        qs = qs.filter(honour__campaign__year=year)
    return qs.order_by("-honour__campaign__year", "honour__position", "honour_id", "name")


def profile_years() -> list[int]:
    return sorted(set(_profiles().values_list("honour__campaign__year", flat=True)), reverse=True)


def profile_get(*, pk) -> Nomination:
    nomination = (
        _profiles()
        .prefetch_related("related_activities", "related_resources", "files")
        .filter(pk=pk)
        .first()
    )
    if nomination is None:
        raise Http404
    return nomination


def profile_photo(nomination: Nomination) -> NominationFile | None:
    """The profile's photo: the nomination's first photo."""
    photos = [f for f in nomination.files.all() if f.kind == "photo"]
    return photos[0] if photos else None
