"""The showcase (风采展示): public profiles; nominations for units; review for admins and experts.

Reads go through `sciday.showcase.selectors` (published profiles for anyone; nominations only
for their unit's editors and admins, campaign admins, and the honour's experts once qualified;
404 for everyone else), writes through `sciday.showcase.services` (permission, validation,
audit). Refusals answer 400 (409 for the quota or a state already changed) with the service's
Chinese message, and nothing is written or stored.

The phone number is shown in full only to the unit and campaign admins; experts see it masked.
Scores: a campaign admin sees every score and the average; an expert only their own.
"""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from sciday.api.auth import OPTIONAL, REQUIRED
from sciday.api.schemas import errors, paginate
from sciday.core.errors import DomainError
from sciday.orgs.models import Unit
from sciday.showcase import policy, selectors, services
from sciday.showcase.models import FileKind, HonourKind, Nomination
from sciday.showcase.models import Status as NStatus
from sciday.showcase.views_public import localized

router = Router(tags=["showcase"], auth=OPTIONAL)
_WRITES = {**errors(400, 403, 404, 409)}


# --- Shapes -----------------------------------------------------------------------------------


class HonourOut(Schema):
    id: int
    year: int
    name: str
    name_en: str
    cycle_years: int
    team: bool
    nomination_deadline: date


class ProfileOut(Schema):
    id: int
    year: int
    honour: str
    name: str
    affiliation: str
    field: str
    story: str
    translated: bool = Field(description="False when an English field fell back to Chinese")
    unit: str
    photo_url: str | None
    url: str
    related_activities: list[int]
    related_resources: list[int]


class ProfilePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProfileOut]


class FileOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    mime_type: str
    url: str


class ScoreOut(Schema):
    expert: str
    score: int
    comment: str


class NominationOut(Schema):
    id: int
    honour: int
    unit: int
    status: str
    is_team: bool
    name: str
    gender: str
    birth_year: int | None
    affiliation: str
    title: str
    field: str
    phone: str
    summary: str
    team_members: str
    name_en: str
    affiliation_en: str
    field_en: str
    story_zh: str
    story_en: str
    consent: bool
    consent_date: date | None
    qualification_reason: str
    files: list[FileOut]
    missing_materials: list[str]
    scores: list[ScoreOut]
    average_score: float | None
    created_at: datetime


class NominationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NominationOut]


class NominationIn(Schema):
    honour: int
    unit: int
    name: str
    gender: str = ""
    birth_year: int | None = None
    affiliation: str
    title: str = ""
    field: str
    phone: str
    summary: str
    team_members: str = ""
    name_en: str = ""
    affiliation_en: str = ""
    field_en: str = ""
    story_zh: str = ""
    story_en: str = ""
    consent: bool = Field(False, description="本人已同意被推荐并公开其事迹")
    consent_date: date | None = None


class NominationPatchIn(Schema):
    name: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    affiliation: str | None = None
    title: str | None = None
    field: str | None = None
    phone: str | None = None
    summary: str | None = None
    team_members: str | None = None
    name_en: str | None = None
    affiliation_en: str | None = None
    field_en: str | None = None
    story_zh: str | None = None
    story_en: str | None = None


class FileIn(Schema):
    kind: FileKind


class CheckIn(Schema):
    qualified: bool
    reason: str = ""


class ScoreIn(Schema):
    score: int = Field(ge=0, le=100)
    comment: str = ""


class ListIn(Schema):
    status: NStatus | None = None
    honour: int | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class ProfileListIn(Schema):
    year: int | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(24, ge=1, le=100)


# --- Shaping ----------------------------------------------------------------------------------


def _profile(request, nomination: Nomination) -> ProfileOut:
    texts = localized(nomination)
    photo = selectors.profile_photo(nomination)
    return ProfileOut(
        id=nomination.pk,
        year=nomination.honour.campaign.year,
        honour=texts["honour"],
        name=texts["name"],
        affiliation=texts["affiliation"],
        field=texts["field"],
        story=texts["story"],
        translated=not texts["fallback"],
        unit=nomination.unit.name,
        photo_url=request.build_absolute_uri(reverse("showcase:photo", args=[nomination.pk]))
        if photo
        else None,
        url=request.build_absolute_uri(reverse("showcase:detail", args=[nomination.pk])),
        related_activities=[a.pk for a in nomination.related_activities.all()],
        related_resources=[r.pk for r in nomination.related_resources.all()],
    )


def _nomination(request, nomination: Nomination) -> NominationOut:
    user = request.auth
    is_admin = policy.is_admin(user)
    full_phone = is_admin or policy.can_nominate_in(user, nomination.unit)
    scores = selectors.scores_visible(viewer=user, nomination=nomination)
    return NominationOut(
        id=nomination.pk,
        honour=nomination.honour_id,
        unit=nomination.unit_id,
        status=nomination.status,
        is_team=nomination.is_team,
        name=nomination.name,
        gender=nomination.gender,
        birth_year=nomination.birth_year,
        affiliation=nomination.affiliation,
        title=nomination.title,
        field=nomination.field,
        phone=nomination.phone if full_phone else nomination.masked_phone,
        summary=nomination.summary,
        team_members=nomination.team_members,
        name_en=nomination.name_en,
        affiliation_en=nomination.affiliation_en,
        field_en=nomination.field_en,
        story_zh=nomination.story_zh,
        story_en=nomination.story_en,
        consent=nomination.consent,
        consent_date=nomination.consent_date,
        qualification_reason=nomination.qualification_reason,
        files=[
            FileOut(
                id=f.pk,
                kind=f.kind,
                name=f.original_name,
                size=f.size,
                mime_type=f.mime_type,
                url=request.build_absolute_uri(
                    reverse("showcase_admin:file", args=[nomination.pk, f.pk])
                ),
            )
            for f in nomination.files.all()
        ],
        missing_materials=services.missing_materials(nomination),
        scores=[ScoreOut(expert=s.expert.name, score=s.score, comment=s.comment) for s in scores],
        average_score=selectors.score_average(nomination=nomination) if is_admin else None,
        created_at=nomination.created_at,
    )


def _fresh(request, pk: int) -> NominationOut:
    return _nomination(request, selectors.nomination_get(viewer=request.auth, pk=pk))


# --- Public -----------------------------------------------------------------------------------


@router.get(
    "/showcase/honours",
    response={200: list[HonourOut], **errors()},
    summary="Honours of a campaign year",
)
def honour_list(request, year: int | None = None):
    qs = HonourKind.objects.select_related("campaign").filter(campaign__is_published=True)
    if year is not None:
        qs = qs.filter(campaign__year=year)
    return [
        HonourOut(
            id=h.pk,
            year=h.campaign.year,
            name=h.name,
            name_en=h.name_en,
            cycle_years=h.cycle_years,
            team=h.team,
            nomination_deadline=h.nomination_deadline,
        )
        for h in qs.order_by("-campaign__year", "position", "id")
    ]


@router.get(
    "/showcase/profiles",
    response={200: ProfilePage, **errors()},
    summary="Published profiles (anyone), in the language of Accept-Language",
)
def profile_list(request, filters: Query[ProfileListIn]):
    qs = selectors.profile_list(year=filters.year).prefetch_related(
        "files", "related_activities", "related_resources"
    )
    count, rows = paginate(qs, filters.page, filters.page_size)
    return ProfilePage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[_profile(request, n) for n in rows],
    )


@router.get(
    "/showcase/profiles/{profile_id}",
    response={200: ProfileOut, **errors(404)},
    summary="A published profile; English falls back to Chinese field by field",
)
def profile_detail(request, profile_id: int):
    return _profile(request, selectors.profile_get(pk=profile_id))


# --- Nominations (units) and review (campaign admins, experts) -------------------------------


@router.get(
    "/showcase/nominations",
    auth=REQUIRED,
    response={200: NominationPage, **errors()},
    summary="Nominations you may see: your units', all for campaign admins, qualified for experts",
)
def nomination_list(request, filters: Query[ListIn]):
    honour = HonourKind.objects.filter(pk=filters.honour).first() if filters.honour else None
    qs = selectors.nomination_workspace_list(
        viewer=request.auth, status=filters.status, honour=honour
    ).prefetch_related("files")
    count, rows = paginate(qs, filters.page, filters.page_size)
    return NominationPage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[_nomination(request, n) for n in rows],
    )


@router.get(
    "/showcase/nominations/{nomination_id}",
    auth=REQUIRED,
    response={200: NominationOut, **errors(404)},
    summary="A nomination (404 outside what you may see)",
)
def nomination_detail(request, nomination_id: int):
    return _fresh(request, nomination_id)


@router.post(
    "/showcase/nominations",
    auth=REQUIRED,
    response={201: NominationOut, **_WRITES},
    summary="Nominate a person or a team of your unit (a draft; add materials, then submit)",
)
def nomination_create(request, data: NominationIn):
    """Refused (nothing written): over the unit's quota for its kind (409), without consent,
    after the deadline day (Beijing time), or for a unit you do not nominate for."""
    honour = get_object_or_404(HonourKind, pk=data.honour)
    unit = get_object_or_404(Unit, pk=data.unit)
    fields = data.dict(exclude={"honour", "unit"})
    nomination = services.nomination_create(actor=request.auth, honour=honour, unit=unit, **fields)
    return Status(201, _fresh(request, nomination.pk))


@router.patch(
    "/showcase/nominations/{nomination_id}",
    auth=REQUIRED,
    response={200: NominationOut, **_WRITES},
    summary="Change a draft nomination (JSON; the fields sent)",
)
def nomination_update(request, nomination_id: int, data: NominationPatchIn):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    services.nomination_update(
        actor=request.auth, nomination=nomination, **data.dict(exclude_unset=True)
    )
    return _fresh(request, nomination_id)


@router.delete(
    "/showcase/nominations/{nomination_id}",
    auth=REQUIRED,
    response={204: None, **_WRITES},
    summary="Delete a draft nomination and its materials",
)
def nomination_delete(request, nomination_id: int):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    services.nomination_delete(actor=request.auth, nomination=nomination)
    return Status(204, None)


@router.post(
    "/showcase/nominations/{nomination_id}/files",
    auth=REQUIRED,
    response={201: NominationOut, **_WRITES, **errors(413)},
    summary="Add a material (multipart `file`, `kind`): checked by content, kept private",
)
def nomination_file_add(request, nomination_id: int, data: Form[FileIn], file: File[UploadedFile]):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    try:
        services.nomination_file_add(
            actor=request.auth,
            nomination=nomination,
            kind=data.kind,
            upload=file,
            name=file.name or "",
            size=file.size or 0,
        )
    except DomainError as error:
        if error.code == "too_large":
            error.status = 413
        raise
    return Status(201, _fresh(request, nomination_id))


@router.post(
    "/showcase/nominations/{nomination_id}/submit",
    auth=REQUIRED,
    response={200: NominationOut, **_WRITES},
    summary="Submit a draft: materials complete, consent recorded, before the deadline",
)
def nomination_submit(request, nomination_id: int):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    services.nomination_submit(actor=request.auth, nomination=nomination)
    return _fresh(request, nomination_id)


@router.post(
    "/showcase/nominations/{nomination_id}/check",
    auth=REQUIRED,
    response={200: NominationOut, **_WRITES},
    summary="Campaign admins: qualified, or not qualified with a reason",
)
def nomination_check(request, nomination_id: int, data: CheckIn):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    services.nomination_check(
        actor=request.auth, nomination=nomination, qualified=data.qualified, reason=data.reason
    )
    return _fresh(request, nomination_id)


@router.put(
    "/showcase/nominations/{nomination_id}/score",
    auth=REQUIRED,
    response={200: NominationOut, **_WRITES},
    summary="Experts: record or change your score (0–100) until shortlisting",
)
def nomination_score(request, nomination_id: int, data: ScoreIn):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    services.score_set(
        actor=request.auth, nomination=nomination, score=data.score, comment=data.comment
    )
    return _fresh(request, nomination_id)


@router.post(
    "/showcase/nominations/{nomination_id}/shortlist",
    auth=REQUIRED,
    response={200: NominationOut, **_WRITES},
    summary="Campaign admins: shortlist a qualified nomination",
)
def nomination_shortlist(request, nomination_id: int):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    services.nomination_shortlist(actor=request.auth, nomination=nomination)
    return _fresh(request, nomination_id)
