"""Shapes of activities and venues in the API.

Times: every datetime is ISO 8601 **with its offset**, in and out. Answers give times in
Asia/Shanghai (`2023-05-20T09:00:00+08:00`). A time sent without an offset is refused with a 400
naming the field: guessing a zone would silently shift activities synced from elsewhere.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Schema

from sciday.activities.models import Activity, ActivityEvent, Format, Status, Venue, VenueKind

TIME_NOTE = "ISO 8601 with an offset, e.g. 2023-05-20T09:00:00+08:00; a time without one is refused"


def local(value: datetime | None) -> datetime | None:
    """Return `value` in Asia/Shanghai (the offset shows in the answer)."""
    return timezone.localtime(value) if value is not None else None


class RefOut(Schema):
    id: int
    name: str


class RegionRef(Schema):
    code: str
    name: str


class CategoryRef(Schema):
    id: int
    number: int
    name: str


class CampaignRef(Schema):
    year: int
    name: str


class VenueOut(Schema):
    id: int
    kind: VenueKind
    kind_label: str
    name: str
    region: RegionRef
    address: str
    unit: RefOut | None = Field(description="The owning unit; null for a national registry entry")
    is_active: bool

    @staticmethod
    def build(v: Venue) -> VenueOut:
        return VenueOut(
            id=v.pk,
            kind=VenueKind(v.kind),
            kind_label=str(v.get_kind_display()),
            name=v.name,
            region=RegionRef(code=v.region.code, name=v.region.name),
            address=v.address,
            unit=RefOut(id=v.unit.pk, name=v.unit.name) if v.unit_id else None,  # type: ignore[union-attr]
            is_active=v.is_active,
        )


class VenuePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[VenueOut]


class VenueFilters(Schema):
    region: str | None = Field(
        None, max_length=6, description="A GB/T 2260 code; a province code takes its whole province"
    )
    kind: VenueKind | None = None
    unit: int | None = Field(None, description="Only venues owned by this unit")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class VenueIn(Schema):
    kind: VenueKind
    name: str = Field(max_length=200)
    region: str = Field(max_length=6, description="GB/T 2260 code")
    address: str = Field("", max_length=300)
    unit: int | None = Field(
        None, description="The owning unit's id; null registers a national venue (campaign admins)"
    )


class VenuePatchIn(Schema):
    kind: VenueKind | None = None
    name: str | None = Field(None, max_length=200)
    region: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=300)
    is_active: bool | None = None


class ActivityOut(Schema):
    """One activity as a list shows it. Times are in Asia/Shanghai with their offset."""

    id: int
    campaign: CampaignRef
    title: str
    summary: str
    status: Status
    status_label: str
    format: Format
    category: CategoryRef
    subtype: RefOut | None
    starts_at: datetime = Field(description=TIME_NOTE)
    ends_at: datetime = Field(description=TIME_NOTE)
    region: RegionRef | None
    province_code: str | None = Field(
        description="Where it is held, or the lead unit's province for an online activity"
    )
    address: str
    lead_unit: RefOut
    co_organizers: list[RefOut]
    venue: RefOut | None
    audience: str
    capacity: int | None
    signup_required: bool
    cover_url: str | None = Field(
        None, description="The cover picture (JPEG), for those who may see the activity"
    )
    cover_thumb_url: str | None = Field(None, description="Its 480×270 WebP thumbnail")

    @classmethod
    def fields_of(cls, a: Activity) -> dict:
        region = a.region
        province = region.province_code if region is not None else a.lead_unit.province_code
        return {
            "id": a.pk,
            "campaign": CampaignRef(year=a.campaign.year, name=a.campaign.name),
            "title": a.title,
            "summary": a.summary,
            "status": Status(a.status),
            "status_label": str(a.get_status_display()),
            "format": Format(a.format),
            "category": CategoryRef(
                id=a.category.pk, number=a.category.number, name=a.category.name
            ),
            "subtype": RefOut(id=a.subtype.pk, name=a.subtype.name) if a.subtype else None,
            "starts_at": local(a.starts_at),
            "ends_at": local(a.ends_at),
            "region": RegionRef(code=region.code, name=region.name) if region else None,
            "province_code": province,
            "address": a.address,
            "lead_unit": RefOut(id=a.lead_unit.pk, name=a.lead_unit.name),
            "co_organizers": [RefOut(id=u.pk, name=u.name) for u in a.co_organizers.all()],
            "venue": RefOut(id=a.venue.pk, name=a.venue.name) if a.venue else None,
            "audience": a.audience,
            "capacity": a.capacity,
            "signup_required": a.signup_required,
            "cover_url": a.cover_url or None,
            "cover_thumb_url": a.cover_thumb_url or None,
        }

    @classmethod
    def build(cls, a: Activity) -> ActivityOut:
        return cls(**cls.fields_of(a))


class ActivityPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ActivityOut]


class EventOut(Schema):
    by: str
    from_status: str
    to_status: str
    reason: str
    at: datetime = Field(description=TIME_NOTE)

    @staticmethod
    def build(e: ActivityEvent) -> EventOut:
        return EventOut(
            by=e.actor_repr,
            from_status=e.from_status,
            to_status=e.to_status,
            reason=e.reason,
            at=local(e.created_at),  # type: ignore[arg-type]
        )


class ActivityDetailOut(ActivityOut):
    body: str = Field(description="The description: sanitized HTML (see `body` of the input)")
    online_url: str
    expected_participants: int | None
    actual_participants: int | None
    online_views: int | None
    return_reason: str
    cancel_reason: str
    window_override: bool
    region_override: bool
    reference: str
    submitted_at: datetime | None
    published_at: datetime | None
    transitions: list[str] = Field(
        description="The transitions you may take now: submit, approve, return, cancel, finish"
    )
    editable_fields: list[str] = Field(description="The fields you may PATCH now")
    events: list[EventOut] | None = Field(
        description="The workflow history, for its editors, approvers and national roles; "
        "null for everyone else"
    )


class ActivityFiltersIn(Schema):
    campaign: int | None = Field(None, description="The campaign's year")
    status: Status | None = None
    category: int | None = Field(None, description="The category's id")
    format: Format | None = None
    province: str | None = Field(None, pattern=r"^\d{6}$", description="A province code: 320000")
    unit: int | None = Field(None, description="Activities led by this unit or its sub-units")
    date_from: date | None = Field(None, description="Overlapping this day or later (Shanghai)")
    date_to: date | None = Field(None, description="Overlapping this day or earlier (Shanghai)")
    signup_open: bool | None = Field(
        None, description="Published, sign-up required, and not started yet"
    )
    q: str = Field("", max_length=100, description="Chinese full-text search; best match first")
    page: int = Field(1, ge=1)
    page_size: int = Field(30, ge=1, le=200)


BODY_NOTE = (
    "The description: HTML, of which only p, br, strong, em, u, s, h2-h4, ul, ol, li, blockquote, "
    "a href (http, https, mailto) and simple tables are kept; or plain text, whose blank lines "
    "separate paragraphs"
)


class _ActivityFields(Schema):
    summary: str = Field("", max_length=500)
    body: str = Field("", description=BODY_NOTE)
    subtype: int | None = Field(None, description="The sub-type's id (of the category)")
    region: str | None = Field(None, max_length=6, description="GB/T 2260 code; offline: required")
    address: str = Field("", max_length=300)
    online_url: str = Field("", max_length=500, description="Online: the live-stream link")
    venue: int | None = Field(None, description="The venue's id")
    audience: str = Field("", max_length=200)
    capacity: int | None = Field(None, description="Blank for no limit")
    signup_required: bool = False
    expected_participants: int | None = None
    co_organizers: list[int] = Field([], description="Ids of the co-organizing units (联动)")
    window_override: bool = Field(False, description="Allow dates outside the window (deciders)")
    region_override: bool = Field(False, description="Allow a region outside the province")
    reference: str = Field("", max_length=60, description="Your own reference (import key)")


class ActivityCreateIn(_ActivityFields):
    campaign: int = Field(description="The campaign's year")
    lead_unit: int = Field(description="The lead unit's id")
    title: str = Field(max_length=200)
    category: int = Field(description="The category's id (GET /activity-categories)")
    format: Format
    starts_at: datetime = Field(description=TIME_NOTE)
    ends_at: datetime = Field(description=TIME_NOTE)


class ActivityPatchIn(Schema):
    """Send only the fields that change. `editable_fields` of the detail lists them.

    A field that never changes here (campaign, lead unit, status…) answers 400; one the status
    freezes (a published activity's dates) answers 409; an allowance set by someone who may not
    allow exceptions answers 403.
    """

    title: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=500)
    body: str | None = Field(None, description=BODY_NOTE)
    category: int | None = None
    subtype: int | None = None
    format: Format | None = None
    starts_at: datetime | None = Field(None, description=TIME_NOTE)
    ends_at: datetime | None = Field(None, description=TIME_NOTE)
    region: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=300)
    online_url: str | None = Field(None, max_length=500)
    venue: int | None = None
    audience: str | None = Field(None, max_length=200)
    capacity: int | None = None
    signup_required: bool | None = None
    expected_participants: int | None = None
    co_organizers: list[int] | None = None
    window_override: bool | None = None
    region_override: bool | None = None
    reference: str | None = Field(None, max_length=60)


class ReasonIn(Schema):
    reason: str = Field(max_length=2000)


class FinishIn(Schema):
    actual_participants: int | None = Field(description="How many people took part")
    online_views: int | None = None


class SubTypeRef(Schema):
    id: int
    name: str


class CategoryWithSubtypesOut(Schema):
    id: int
    number: int
    name: str
    subtypes: list[SubTypeRef]
