"""Campaigns: published ones for everyone; unpublished ones for campaign admins."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from ninja import Field, Router, Schema, Status

from sciday.api.auth import OPTIONAL, REQUIRED
from sciday.api.schemas import errors
from sciday.campaigns import policy, selectors, services
from sciday.campaigns.models import Campaign, Category, Contact, ReportRoute
from sciday.orgs.models import Unit

router = Router(tags=["campaigns"], auth=OPTIONAL)


class CampaignSummaryOut(Schema):
    year: int
    edition: int
    name: str
    theme: str
    theme_en: str
    window_start: date
    window_end: date
    day: date
    report_deadline: datetime
    is_current: bool
    is_published: bool


class SubTypeOut(Schema):
    name: str
    name_en: str


class CategoryOut(Schema):
    number: int
    name: str
    short_name: str
    name_en: str
    description: str
    subtypes: list[SubTypeOut]

    @staticmethod
    def resolve_subtypes(obj) -> list:
        return list(obj.subtypes.all())


class DepartmentOut(Schema):
    id: int
    name: str


class RouteOut(Schema):
    unit_kind: str
    unit_kind_label: str
    department: DepartmentOut
    as_chapter_of: str

    @staticmethod
    def resolve_unit_kind_label(obj) -> str:
        return str(obj.get_unit_kind_display())


class ContactOut(Schema):
    department: DepartmentOut
    people: str
    phone: str
    fax: str
    email: str
    address: str
    postcode: str


class CampaignOut(CampaignSummaryOut):
    window_label: str
    awards_from: date | None
    awards_until: date | None
    doc_number: str
    doc_title: str
    issuers: list[str]
    issue_date: date | None
    recipients: str
    body: str
    attachments_note: str
    annotation: str
    copy_to: str
    printed_by: str
    printed_on: date | None
    categories: list[CategoryOut]
    routes: list[RouteOut]
    contacts: list[ContactOut]

    @staticmethod
    def resolve_categories(obj) -> list:
        return list(obj.categories.all())

    @staticmethod
    def resolve_routes(obj) -> list:
        return list(obj.routes.all())

    @staticmethod
    def resolve_contacts(obj) -> list:
        return list(obj.contacts.all())


def _visible(request) -> QuerySet[Campaign]:
    return policy.campaigns_for(request.auth, selectors.campaign_list())


def _full(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return qs.prefetch_related(
        Prefetch("categories", queryset=Category.objects.prefetch_related("subtypes")),
        Prefetch("routes", queryset=ReportRoute.objects.select_related("department")),
        Prefetch("contacts", queryset=Contact.objects.select_related("department")),
    )


@router.get("/campaigns", response={200: list[CampaignSummaryOut], **errors()})
def campaign_list(request):
    return list(_visible(request))


@router.get("/campaigns/current", response={200: CampaignOut, **errors(404)})
def campaign_current(request):
    current = selectors.campaign_current()
    if current is None:
        raise Http404
    campaign = _full(_visible(request)).filter(pk=current.pk).first()
    if campaign is None:
        raise Http404
    return campaign


@router.get("/campaigns/{year}", response={200: CampaignOut, **errors(404)})
def campaign_detail(request, year: int):
    campaign = _full(_visible(request)).filter(year=year).first()
    if campaign is None:
        raise Http404
    return campaign


class CampaignPatchIn(Schema):
    """The facts a campaign admin may change; send only those that change."""

    edition: int | None = Field(None, ge=1)
    name: str | None = Field(None, max_length=100)
    theme: str | None = Field(None, max_length=100)
    theme_en: str | None = Field(None, max_length=200)
    window_start: date | None = None
    window_end: date | None = None
    window_label: str | None = Field(None, max_length=100)
    day: date | None = None
    awards_from: date | None = None
    awards_until: date | None = None
    report_deadline: datetime | None = None
    doc_number: str | None = Field(None, max_length=60)
    doc_title: str | None = Field(None, max_length=200)
    issuers: list[str] | None = None
    issue_date: date | None = None
    recipients: str | None = None
    body: str | None = None
    attachments_note: str | None = None
    annotation: str | None = Field(None, max_length=100)
    copy_to: str | None = Field(None, max_length=300)
    printed_by: str | None = Field(None, max_length=100)
    printed_on: date | None = None
    is_published: bool | None = None


# Fields that may be cleared with null; the others keep their value when null is sent.
_NULLABLE = {"awards_from", "awards_until", "issue_date", "printed_on"}


@router.patch(
    "/campaigns/{year}",
    auth=REQUIRED,
    response={200: CampaignOut, **errors(400, 403, 404)},
    summary="Change a campaign's facts (campaign admins)",
)
def campaign_update(request, year: int, data: CampaignPatchIn):
    campaign = _visible(request).filter(year=year).first()
    if campaign is None:
        raise Http404
    policy.require(request.auth, policy.Cap.CAMPAIGN_MANAGE, campaign)
    changes = {
        key: value
        for key, value in data.model_dump(exclude_unset=True).items()
        if value is not None or key in _NULLABLE
    }
    services.campaign_update(actor=request.auth, campaign=campaign, **changes)
    return _full(Campaign.objects.filter(pk=campaign.pk)).get()


# --- Units trusted to publish directly (campaign admins) --------------------------------------


class TrustedUnitOut(Schema):
    id: int
    name: str
    code: str | None
    kind: str
    kind_label: str
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class TrustedUnitsIn(Schema):
    unit_ids: list[int] = Field(..., max_length=5000)


class TrustedUnitIn(Schema):
    unit_id: int


def _managed(request, year: int) -> Campaign:
    """The campaign of `year` for a campaign admin: 404 when unseen, 403 when only seen."""
    campaign = _visible(request).filter(year=year).first()
    if campaign is None:
        raise Http404
    policy.require(request.auth, policy.Cap.CAMPAIGN_MANAGE, campaign)
    return campaign


def _unit_or_none(pk: int) -> Unit | None:
    return Unit.objects.filter(pk=pk).first()


@router.get(
    "/campaigns/{year}/trusted-units",
    auth=REQUIRED,
    response={200: list[TrustedUnitOut], **errors(403, 404)},
    summary="Units whose activities are published without approval (campaign admins)",
)
def trusted_unit_list(request, year: int):
    campaign = _managed(request, year)
    return selectors.campaign_trusted_units(actor=request.auth, campaign=campaign)


@router.put(
    "/campaigns/{year}/trusted-units",
    auth=REQUIRED,
    response={200: list[TrustedUnitOut], **errors(400, 403, 404)},
    summary="Replace the trusted units (campaign admins)",
)
def trusted_unit_set(request, year: int, data: TrustedUnitsIn):
    campaign = _managed(request, year)
    found = Unit.objects.in_bulk(set(data.unit_ids))
    units = [found.get(pk) for pk in dict.fromkeys(data.unit_ids)]
    services.campaign_trusted_units_set(actor=request.auth, campaign=campaign, units=units)
    return selectors.campaign_trusted_units(actor=request.auth, campaign=campaign)


@router.post(
    "/campaigns/{year}/trusted-units",
    auth=REQUIRED,
    response={201: TrustedUnitOut, **errors(400, 403, 404, 409)},
    summary="Trust one more unit (campaign admins)",
)
def trusted_unit_add(request, year: int, data: TrustedUnitIn):
    campaign = _managed(request, year)
    unit = _unit_or_none(data.unit_id)
    services.campaign_trusted_unit_add(actor=request.auth, campaign=campaign, unit=unit)
    return Status(201, unit)


@router.delete(
    "/campaigns/{year}/trusted-units/{unit_id}",
    auth=REQUIRED,
    response={204: None, **errors(400, 403, 404)},
    summary="Stop trusting a unit (campaign admins)",
)
def trusted_unit_remove(request, year: int, unit_id: int):
    campaign = _managed(request, year)
    unit = _unit_or_none(unit_id)
    if unit is None:
        raise Http404
    services.campaign_trusted_unit_remove(actor=request.auth, campaign=campaign, unit=unit)
    return Status(204, None)
